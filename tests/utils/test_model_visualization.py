"""model_to_dot / plot_model: the dot source Keras 3 writes for the same architecture.

Keras's `model_to_dot` needs pydot but not Graphviz, so both libraries draw the same models
and the sources are compared after each node id (`id(layer)`) is replaced by the layer's name.
"""

import os
import re
import sys

import numpy as np
import pytest

import hocsau
from hocsau.utils import model_visualization
from hocsau.utils.model_visualization import model_to_dot, plot_model

keras = pytest.importorskip("keras")
pydot = pytest.importorskip("pydot")


# --- the same architectures in both libraries ------------------------------------------------
def sequential(lib):
    layers = lib.layers
    return lib.Sequential([
        lib.Input((8, 8, 1), name="image"),
        layers.Conv2D(4, 3, activation="relu", name="conv"),
        layers.Flatten(name="flat"),
        layers.Dropout(0.1, name="drop"),
        layers.Dense(3, activation="softmax", name="probs"),
    ], name="stack")


def multi_io(lib):
    """Two inputs, two outputs, a layer shared by both branches."""
    layers = lib.layers
    a, b = lib.Input((4,), name="a"), lib.Input((3,), name="b")
    shared = layers.Dense(5, name="shared")
    joined = layers.Concatenate(name="cat")([shared(a), layers.Dense(5, name="side")(b)])
    first = layers.Dense(2, activation="relu", name="first")(joined)
    second = layers.Dense(1, name="second")(shared(a))
    return lib.Model([a, b], [first, second], name="multi")


def nested(lib):
    """A functional and a Sequential model inside a functional one; one frozen layer."""
    layers = lib.layers
    inner_input = lib.Input((6,), name="inner_in")
    inner = lib.Model(inner_input, layers.Dense(4, name="inner_dense")(inner_input), name="inner")
    chain = lib.Sequential([layers.Dense(4, name="s1"), layers.Dense(2, name="s2")], name="chain")
    x = lib.Input((6,), name="x")
    frozen = layers.Dense(2, name="frozen")
    frozen.trainable = False
    y = layers.Add(name="add")([chain(inner(x)), frozen(x)])
    return lib.Model(x, y, name="outer")


def transfer(lib):
    """A functional base model, then a Sequential, inside a Sequential."""
    layers = lib.layers
    base_input = lib.Input((5,), name="base_in")
    base = lib.Model(base_input, layers.Dense(4, name="base_dense")(base_input), name="base")
    head = lib.Sequential([layers.Dense(3, name="q")], name="head")
    return lib.Sequential([lib.Input((5,), name="top_in"), base, head,
                           layers.Dense(2, name="out")], name="top")


def with_operators(lib):
    """Python operators on symbolic tensors are graph nodes too (Keras's `Add`, `Multiply`)."""
    x = lib.Input((3,), name="x")
    y = lib.layers.Dense(3, name="dense")(x) + x
    return lib.Model(x, y * 2.0, name="ops")


def subclassed(lib):
    class Net(lib.Model):
        def __init__(self):
            super().__init__(name="net")
            self.dense = lib.layers.Dense(3, name="dense")

        def call(self, x):
            return self.dense(x)

    model = Net()
    model(np.zeros((2, 4), "float32"))
    return model


def source(dot, model) -> str:
    """The dot source with every `id(layer)` replaced by the layer's name."""
    names = {}

    def collect(layer):
        names[str(id(layer))] = layer.name
        # Keras lists graph operations such as `Add` in `operations`, not in `layers`.
        for inner in getattr(layer, "layers", []) + getattr(layer, "operations", []):
            collect(inner)
        for tensor in getattr(layer, "inputs", None) or []:
            names[str(id(tensor._keras_history[0]))] = tensor._keras_history[0].name

    collect(model)
    return re.sub(r"\b\d{6,}\b", lambda m: names.get(m.group(0), "<unknown>"), dot.to_string())


def edges(text: str) -> set:
    return set(re.findall(r"^(\S+) -> (\S+) \[penwidth=2\];$", text, re.MULTILINE))


ALL_OPTIONS = dict(show_shapes=True, show_dtype=True, show_layer_activations=True,
                   show_trainable=True)


@pytest.mark.parametrize("build", [sequential, multi_io, nested, transfer, with_operators,
                                   subclassed])
@pytest.mark.parametrize("options", [
    {}, ALL_OPTIONS, dict(expand_nested=True, show_shapes=True, rankdir="LR"),
    dict(show_layer_names=False, show_trainable=True, dpi=96, splines="curved")])
def test_dot_source_matches_keras(build, options):
    # Fresh name counters: auto-generated names ("add_3") must not depend on earlier tests.
    hocsau.backend.clear_session()
    keras.backend.clear_session()
    ours, theirs = build(hocsau), build(keras)
    expected = source(keras.utils.model_to_dot(theirs, **options), theirs)
    text = source(model_to_dot(ours, **options), ours)
    assert text == expected
    assert "<unknown>" not in text


def test_sequential_nodes_edges_and_labels():
    model = sequential(hocsau)
    text = source(model_to_dot(model, show_shapes=True, show_dtype=True,
                               show_layer_activations=True), model)
    assert len(re.findall(r"^\S+ \[label=", text, re.MULTILINE)) == 4  # no InputLayer box
    assert edges(text) == {("conv", "flat"), ("flat", "drop"), ("drop", "probs")}
    assert "<b>conv</b> (Conv2D)" in text
    assert "Input shape: <b>(None, 8, 8, 1)</b>" in text
    assert "Output shape: <b>(None, 6, 6, 4)</b>" in text
    assert "Activation: <b>softmax</b>" in text
    assert "Output dtype: <b>float32</b>" in text
    assert "rankdir=TB;" in text


def test_functional_multi_io_shared_layer():
    model = multi_io(hocsau)
    text = source(model_to_dot(model, show_shapes=True, rankdir="LR"), model)
    assert len(re.findall(r"^\S+ \[label=", text, re.MULTILINE)) == 7
    assert edges(text) == {("a", "shared"), ("b", "side"), ("shared", "cat"), ("side", "cat"),
                           ("cat", "first"), ("shared", "second")}
    assert "Input shape: <b>[(None, 5), (None, 5)]</b>" in text  # Concatenate's two inputs
    assert "<b>a</b> (InputLayer)" in text and "Output shape: <b>(None, 4)</b>" in text
    assert "rankdir=LR;" in text


def test_nested_models_as_boxes_or_clusters():
    model = nested(hocsau)
    flat = model_to_dot(model, show_trainable=True)
    assert [n.get_name() for n in flat.get_nodes()][1:] == [str(id(layer)) for layer in
                                                         model.layers]
    assert edges(source(flat, model)) == {("x", "inner"), ("inner", "chain"), ("chain", "add"),
                                          ("x", "frozen"), ("frozen", "add")}
    assert "<b>Non-trainable</b>" in flat.to_string()
    expanded = model_to_dot(model, expand_nested=True)
    clusters = expanded.get_subgraphs()
    assert [c.get_name() for c in clusters] == ["cluster_inner", "cluster_chain"]
    assert [len(c.get_nodes()) for c in clusters] == [2, 2]
    assert edges(source(expanded, model)) == {  # into and out of the clusters, and within
        ("x", "inner_in"), ("inner_dense", "s1"), ("s2", "add"), ("x", "frozen"),
        ("frozen", "add"), ("inner_in", "inner_dense"), ("s1", "s2")}


def test_subclassed_model_is_one_node_with_unknown_shapes():
    dot = model_to_dot(subclassed(hocsau), show_shapes=True, show_dtype=True)
    assert len(dot.get_nodes()) == 2  # the node defaults, then the model
    label = dot.get_nodes()[1].get("label")
    assert "<b>net</b> (Net)" in label
    assert "Input shape: <b>?</b>" in label and "Output dtype: <b>?</b>" in label


def test_argument_errors():
    with pytest.raises(ValueError, match="This model has not yet been built.*Received: unbuilt "
                                         "model 'sequential"):
        model_to_dot(hocsau.Sequential([hocsau.layers.Dense(2)]))
    with pytest.raises(ValueError, match="`layer_range` is no longer supported"):
        model_to_dot(sequential(hocsau), layer_range=["conv", "flat"])
    with pytest.raises(ValueError, match=r"Unrecognized keyword arguments. "
                                         r"Received: \{'colour': 1\}"):
        model_to_dot(sequential(hocsau), colour=1)


# --- plot_model -------------------------------------------------------------------------------
@pytest.fixture
def no_graphviz(monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError('"dot" not found in path.')

    monkeypatch.setattr(pydot.Dot, "create", missing)


def test_plot_model_without_graphviz_says_how_to_install(no_graphviz, tmp_path):
    with pytest.raises(ImportError, match="You must install graphviz") as info:
        plot_model(sequential(hocsau), to_file=tmp_path / "model.png")
    assert "https://graphviz.org/download/" in str(info.value)
    assert "Received: " in str(info.value)
    assert not (tmp_path / "model.png").exists()


def test_without_pydot_both_functions_say_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(model_visualization, "pydot", None)
    with pytest.raises(ImportError, match=r"You must install pydot \(`pip install pydot`\) for "
                                          "`plot_model` to work"):
        plot_model(sequential(hocsau), to_file=tmp_path / "model.png")
    with pytest.raises(ImportError, match=r"pip install pydot`\) for model_to_dot to work"):
        model_to_dot(sequential(hocsau))


def test_plot_model_in_a_notebook_prints_instead(no_graphviz, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "IPython.core.magics.namespace", object())
    assert plot_model(sequential(hocsau)) is None
    assert "You must install graphviz" in capsys.readouterr().out


@pytest.mark.parametrize("to_file, fmt", [("net.svg", "svg"), ("net", "png"), ("net.pdf", "pdf"),
                                          ("net.dot", "dot")])
def test_plot_model_format_from_extension(monkeypatch, tmp_path, to_file, fmt):
    calls = []
    monkeypatch.setattr(pydot.Dot, "create", lambda self, *a, **k: b"")
    monkeypatch.setattr(pydot.Dot, "write", lambda self, path, format: calls.append(
        (path, format, self.to_string())))
    monkeypatch.setitem(sys.modules, "IPython", None)  # no notebook image to return
    model = multi_io(hocsau)
    assert plot_model(model, to_file=tmp_path / to_file, show_shapes=True, rankdir="LR") is None
    [(path, chosen, text)] = calls
    assert (path, chosen) == (str(tmp_path / to_file), fmt)
    assert text == model_to_dot(model, show_shapes=True, show_layer_names=False,
                                rankdir="LR").to_string()
    assert "<b>Dense</b>" in text and "<b>shared</b>" not in text  # plot_model hides names


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in `dot` is a shell script")
def test_plot_model_runs_graphviz_dot(monkeypatch, tmp_path):
    """A stand-in `dot` on the PATH echoes its arguments and the graph file it is given."""
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$1"\nfor last; do :; done\ncat "$last"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setitem(sys.modules, "IPython", None)
    model = sequential(hocsau)
    plot_model(model, to_file=tmp_path / "model.svg", show_shapes=True)
    written = (tmp_path / "model.svg").read_text()
    expected = model_to_dot(model, show_shapes=True, show_layer_names=False).to_string()
    assert written.splitlines()[0] == "-Tsvg"
    assert written.splitlines()[1:] == expected.splitlines()

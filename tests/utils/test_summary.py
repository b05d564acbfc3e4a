"""model.summary() against Keras 3's text: same layers and names give the same characters."""

import random

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.utils.summary import print_summary, readable_memory_size
from hocsau.utils.text_table import fit_widths, render_table

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch):
    """Both libraries size the table from the terminal: fix it (Keras's defaults fit)."""
    monkeypatch.setenv("COLUMNS", "140")


def capture(model, **kwargs) -> str:
    calls = []
    model.summary(print_fn=lambda text, *a, **k: calls.append(text), **kwargs)
    assert len(calls) == 1
    return calls[0]


def stack(lib, frozen=False):
    """The same small Sequential in Keras (lib=keras) or hocsau (lib=hocsau)."""
    model = lib.Sequential([
        lib.Input((10,), name="features"),
        lib.layers.Dense(32, activation="relu", name="hidden"),
        lib.layers.Dropout(0.5, name="drop"),
        lib.layers.Dense(4, name="logits", trainable=not frozen),
        lib.layers.Reshape((2, 2), name="grid"),
    ], name="stack")
    return model


@pytest.mark.parametrize("kwargs", [
    {}, {"show_trainable": True}, {"line_length": 60}, {"positions": [0.3, 0.7, 1.0]},
    {"line_length": 50, "show_trainable": True}, {"layer_range": ["drop", "logits"]},
])
def test_sequential_summary_matches_keras(kwargs):
    expected = capture(stack(keras), **kwargs)
    assert capture(stack(hocsau), **kwargs) == expected
    assert ' Total params: 484 (1.89 KB)\n' in expected or "layer_range" in kwargs


def test_frozen_layer_counts_as_non_trainable():
    text = capture(stack(hocsau, frozen=True), show_trainable=True)
    assert text == capture(stack(keras, frozen=True), show_trainable=True)
    assert " Trainable params: 352 (1.38 KB)\n Non-trainable params: 132 (528.00 B)\n" in text


def branching(lib):
    """A functional graph with a shared input, two branches and a list-input merge."""
    inputs = lib.Input((12,), name="pixels")
    x = lib.layers.Reshape((3, 4), name="rows")(inputs)
    x = lib.layers.Flatten(name="flat")(x)
    a = lib.layers.Dense(5, name="left")(x)
    b = lib.layers.Dense(5, activation="tanh", name="right")(x)
    merged = lib.layers.Lambda(lambda t: t[0] + t[1], name="merge")([a, b])
    outputs = lib.layers.Softmax(name="probs")(merged)
    return lib.Model(inputs, [outputs, a], name="branches")


@pytest.mark.parametrize("kwargs", [{}, {"show_trainable": True}, {"line_length": 80}])
def test_branching_functional_summary_matches_keras(kwargs):
    text = capture(branching(hocsau), **kwargs)
    assert text == capture(branching(keras), **kwargs)
    assert "Connected to" in text and "left[0][0]," in text


def nested(lib):
    inner = lib.Sequential([lib.Input((6,), name="inner_in"),
                            lib.layers.Dense(3, name="inner_dense"),
                            lib.layers.ReLU(name="inner_relu")], name="block")
    inputs = lib.Input((6,), name="outer_in")
    outputs = lib.layers.Dense(2, name="head")(inner(inputs))
    return lib.Model(inputs, outputs, name="outer")


@pytest.mark.parametrize("expand_nested", [False, True])
def test_nested_model_summary_matches_keras(expand_nested):
    text = capture(nested(hocsau), expand_nested=expand_nested)
    assert text == capture(nested(keras), expand_nested=expand_nested)
    assert ("└ inner_dense (Dense)" in text) == expand_nested


def subclassed(lib):
    class TwoLayers(lib.Model):
        def __init__(self):
            super().__init__(name="two_layers")
            self.first = lib.layers.Dense(4, name="first")
            self.second = lib.layers.Dense(2, name="second")

        def call(self, x):
            return self.second(self.first(x))

    return TwoLayers()


def test_unbuilt_subclassed_model_shows_unknown_shapes_like_keras():
    text = capture(subclassed(hocsau))
    assert text == capture(subclassed(keras))
    row = next(line for line in text.split("\n") if line.startswith("│ first (Dense)"))
    assert row.split("│")[2:4] == [" ?" + " " * 27, "     0 (unbuilt) "]


def test_subclassed_model_called_on_data_matches_keras():
    x = np.ones((3, 5), dtype="float32")
    ours, theirs = subclassed(hocsau), subclassed(keras)
    ours(torch.from_numpy(x))
    theirs(x)
    text = capture(ours)
    assert text == capture(theirs)
    row = next(line for line in text.split("\n") if line.startswith("│ first (Dense)"))
    assert row.split("│")[2:4] == [" (3, 4)" + " " * 22, "              24 "]


def test_sublayers_built_by_calls_show_their_build_shapes_like_keras():
    x = np.ones((3, 5), dtype="float32")
    ours, theirs = subclassed(hocsau), subclassed(keras)
    ours.second(ours.first(torch.from_numpy(x)))
    theirs.second(theirs.first(x))
    text = capture(ours)
    assert text == capture(theirs)
    assert " Total params: 34 (136.00 B)\n" in text


def test_functional_cnn_matches_keras():
    if not all(hasattr(layers, n) for n in ("Conv2D", "MaxPooling2D")):
        pytest.skip("Conv2D / MaxPooling2D are not in hocsau.layers yet")

    def cnn(lib):
        inputs = lib.Input((28, 28, 1), name="image")
        x = lib.layers.Conv2D(8, 3, activation="relu", name="conv")(inputs)
        x = lib.layers.MaxPooling2D(name="pool")(x)
        x = lib.layers.Flatten(name="flat")(x)
        return lib.Model(inputs, lib.layers.Dense(10, name="out")(x), name="cnn")

    text = capture(cnn(hocsau))
    assert text == capture(cnn(keras))
    assert " Total params: 13,610 (53.16 KB)\n" in text


def test_default_prints_the_table_to_stdout(capsys):
    model = stack(hocsau)
    model.summary()
    assert capsys.readouterr().out == capture(model)


def test_print_summary_function_and_first_line():
    lines = []
    print_summary(stack(hocsau), print_fn=lines.append)
    assert lines[0].startswith('Model: "stack"\n┏━') and lines[0].endswith("(0.00 B)\n")


def test_layer_range_errors():
    model = stack(hocsau)
    with pytest.raises(ValueError, match="do not match the layer names"):
        model.summary(layer_range=["nope", "logits"])
    with pytest.raises(ValueError, match="length 2"):
        model.summary(layer_range=["hidden"])


def test_too_narrow_is_refused():
    with pytest.raises(ValueError, match="Insufficient console width"):
        stack(hocsau).summary(line_length=8)


@pytest.mark.parametrize("size, text", [
    (0, "0.00 B"), (1000, "1000.00 B"), (65.77 * 1024, "65.77 KB"), (3 * 1024**3, "3.00 GB"),
])
def test_readable_memory_size(size, text):
    assert readable_memory_size(size) == text


def test_text_table_lays_out_like_rich():
    rich_table = pytest.importorskip("rich.table")
    rich_console = pytest.importorskip("rich.console")
    rng = random.Random(0)
    words = ["dense", "(Dense)", "conv2d_transpose_12", "(None,", "28,", "1)", "-", "x",
             "a_very_long_layer_name_without_breaks", "[0][0],", "   └ y", "Param #"]
    for _ in range(60):
        n = rng.choice([3, 4, 5])
        length = rng.randint(30 + 10 * n, 140)
        requested = [rng.randint(8, 40) for _ in range(n)]
        justify = [rng.choice(["left", "right", "center"]) for _ in range(n)]
        header = [" ".join(rng.choices(words, k=rng.randint(1, 2))) for _ in range(n)]
        rows = [[" ".join(rng.choices(words, k=rng.randint(0, 5))) for _ in range(n)]
                for _ in range(rng.randint(0, 3))]
        table = rich_table.Table(*[rich_table.Column(h, justify=j, width=w)
                                   for h, j, w in zip(header, justify, requested, strict=True)],
                                 width=length, show_lines=True)
        for row in rows:
            table.add_row(*row)
        console = rich_console.Console(highlight=False, color_system=None, width=300)
        console.begin_capture()
        console.print(table, markup=False)
        expected = console.end_capture().rstrip("\n").split("\n")
        assert render_table(header, rows, fit_widths(requested, length), justify) == expected


def test_multi_output_shapes_are_printed_as_structures():
    from hocsau.utils.summary import format_layer_shape

    class Split(layers.Layer):
        def call(self, x):
            return x[:, :2], x[:, 2:]

    eager, graph = Split(), Split()
    eager(torch.ones(3, 5))
    graph(hocsau.Input((5,)))
    assert format_layer_shape(eager) == "((3, 2), (3, 3))"
    assert format_layer_shape(graph) == "((None, 2), (None, 3))"
    assert format_layer_shape(Split()) == "?"


@pytest.mark.parametrize("make", [
    lambda lib: lib.Sequential([lib.layers.Dense(3, name="a"), lib.layers.Dropout(0.1, name="b")],
                               name="unbuilt"),
    lambda lib: lib.Sequential(name="empty"),
])
def test_unbuilt_and_empty_sequential_match_keras(make):
    text = capture(make(hocsau))
    assert text == capture(make(keras))
    assert text.endswith(" Total params: 0 (0.00 B)\n Trainable params: 0 (0.00 B)\n"
                         " Non-trainable params: 0 (0.00 B)\n")


def test_operations_on_symbolic_tensors_show_keras_op_names():
    def build(lib):
        lib.backend.clear_session()
        x = lib.Input((3,))
        y = lib.layers.Dense(2)(x)
        z = 1 + y * 2 - y[:, :1]
        return lib.Model(x, [abs(-z) ** 2, z < 0.5])

    text = capture(build(hocsau))
    assert text == capture(build(keras))
    assert "get_item (GetItem)" in text and "add (Add)" in text

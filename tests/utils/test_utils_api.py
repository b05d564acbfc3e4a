"""`hocsau.utils` names Keras 3 exposes there: Config, serialization registry, source inputs,
(x, y, sample_weight) packing, clear_session, and the Progbar's averaging."""

import io
import json
import re
from contextlib import redirect_stdout

import keras
import pytest

import hocsau
from hocsau import utils


@pytest.mark.parametrize("lib", [hocsau, keras], ids=["hocsau", "keras"])
def test_config_behaves_as_keras(lib):
    config = lib.utils.Config(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.learning_rate == config["learning_rate"] == 0.1
    assert list(config) == ["learning_rate", "momentum", "seed", "use_ema"]
    assert json.loads(config.to_json())["seed"] == 123 and len(config) == 4
    assert config.as_dict() == {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True,
                                "seed": 123}
    with pytest.raises(AttributeError, match="Did you mean 'momentum'"):
        _ = config.momentun
    config.freeze()
    assert config.frozen
    with pytest.raises(ValueError, match="frozen"):
        config.foo = "bar"
    with pytest.raises(ValueError, match="frozen"):
        del config["seed"]
    config.unfreeze()
    assert config.pop("seed") == 123 and "seed" not in config


def test_registry_names_and_scopes():
    @utils.register_keras_serializable(package="Tests", name="Doubling")
    class Doubling(hocsau.layers.Layer):
        def call(self, x):
            return 2 * x

    assert utils.get_registered_name(Doubling) == "Tests>Doubling"
    assert utils.get_registered_object("Tests>Doubling") is Doubling
    assert utils.get_custom_objects()["Tests>Doubling"] is Doubling
    config = utils.serialize_keras_object(Doubling(name="twice"))
    assert config["registered_name"] == "Tests>Doubling"
    assert utils.deserialize_keras_object(config).name == "twice"

    class Local(hocsau.layers.Layer):
        pass

    with utils.CustomObjectScope({"Local": Local}) as scope:
        assert utils.get_registered_object("Local") is Local
        assert scope.custom_objects == {"Local": Local}
    assert utils.get_registered_object("Local") is None
    with utils.custom_object_scope({"Local": Local}):
        assert utils.get_registered_object("Local") is Local


def test_get_source_inputs_as_keras():
    for lib in (hocsau, keras):
        a, b = lib.Input((2,), name="a"), lib.Input((2,), name="b")
        out = lib.layers.Dense(1)(lib.layers.Add()([lib.layers.Dense(2)(a), b]))
        sources = lib.utils.get_source_inputs(out)
        assert [s.name for s in sources] == [a.name, b.name]
        assert lib.utils.get_source_inputs(a)[0] is a
    free = hocsau.KerasTensor((None, 1))
    assert utils.get_source_inputs(free) == [free]


@pytest.mark.parametrize("args", [(1,), ([1, 2],), (1, 2), (1, 2, 3), ((1,), None, 3)])
def test_pack_and_unpack_as_keras(args):
    packed = utils.pack_x_y_sample_weight(*args)
    assert packed == keras.utils.pack_x_y_sample_weight(*args)
    assert utils.unpack_x_y_sample_weight(packed) == \
        keras.utils.unpack_x_y_sample_weight(packed)


def test_clear_session_resets_names():
    hocsau.layers.Dense(1)
    utils.clear_session()
    assert hocsau.layers.Dense(1).name == "dense"


@pytest.mark.parametrize("kwargs", [{}, {"stateful_metrics": ["acc"]},
                                    {"stateless_metrics": ["loss"]},
                                    {"stateless_metrics": []}])
def test_progbar_averages_as_keras(kwargs):
    lines = []
    for lib in (hocsau, keras):
        bar = lib.utils.Progbar(4, verbose=2, **kwargs)
        out = io.StringIO()
        with redirect_stdout(out):
            for step, (loss, acc) in enumerate([(4.0, 0.1), (2.0, 0.2), (1.0, 0.3)], 1):
                bar.update(step, [("loss", loss), ("acc", acc)])
            bar.update(4, [("loss", 0.5), ("acc", 0.4)], finalize=False)
            bar.update(4, [], finalize=True)
        lines.append(re.findall(r"(\w+): ([-\d.e]+)", out.getvalue()))
    assert lines[0] == lines[1] and len(lines[0]) >= 2
    with pytest.raises(ValueError, match="Only one of"):
        utils.Progbar(1, stateful_metrics=[], stateless_metrics=[])

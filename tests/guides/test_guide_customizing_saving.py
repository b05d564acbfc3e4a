"""keras.io guide "Customizing Saving and Serialization" (keras-team/keras-io
guides/customizing_saving_and_serialization.py), with its TensorFlow calls written in
`keras.ops` / `keras.Variable` (tf.Variable, tf.matmul, tf.math.squared_difference,
tf.reduce_sum, tf.reduce_mean) and small random data: a Dense subclass with an extra variable
and its own `save_own_variables` / `load_own_variables`; `save_assets` / `load_assets` of a
vocabulary file; `get_build_config` / `build_from_config` with an extra `build` argument; and a
subclassed model with its own `compile`, `get_compile_config` and `compile_from_config`, all
registered under a package. Files written by one library are loaded by the other.

Two of the guide's methods fail on Keras 3.15 itself and are written as they work there:
`load_own_variables` assigns `self.weights` by index, but Keras's Dense saves only its kernel
and bias while the attribute Variable comes first in `weights`, so it calls `super()` instead;
and `build_from_config` reads `config["input_shape"]`, but a build with two arguments is
recorded as a `shapes_dict`. Keras 3.15 passes `trainable` and `dtype` to a subclassed
model's `__init__` when loading, so ModelWithCustomCompile takes `**kwargs`. A Dense
subclass with an extra variable writes three entries in hocsau's files and two in Keras's, so
that model is left out of the file exchange."""

import os

import numpy as np
import pytest
from guide_helpers import assert_nested_close

import hocsau


def define_objects(keras):
    ops = keras.ops
    register = keras.saving.register_keras_serializable

    @keras.utils.register_keras_serializable(package="my_custom_package")
    class LayerWithCustomVariables(keras.layers.Dense):
        def __init__(self, units, **kwargs):
            super().__init__(units, **kwargs)
            self.stored_variables = keras.Variable(np.random.random((10,)), name="special_arr",
                                                   dtype="float32")

        def save_own_variables(self, store):
            super().save_own_variables(store)
            store["variables"] = self.stored_variables.numpy()

        def load_own_variables(self, store):
            self.stored_variables.assign(store["variables"])
            super().load_own_variables(store)

        def call(self, inputs):
            return super().call(inputs) * self.stored_variables

    @register(package="my_custom_package")
    class LayerWithCustomAssets(keras.layers.Dense):
        def __init__(self, vocab=None, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.vocab = vocab

        def save_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt"), "w") as f:
                f.write(self.vocab)

        def load_assets(self, inner_path):
            with open(os.path.join(inner_path, "vocabulary.txt")) as f:
                text = f.read()
            self.vocab = text.replace("<unk>", "little")

    @register(package="my_custom_package")
    class LayerWithCustomBuild(keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return dict(units=self.units, **super().get_config())

        def build(self, input_shape, layer_init):
            super().build(input_shape)
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer=layer_init,
                                     trainable=True)
            self.b = self.add_weight(shape=(self.units,), initializer=layer_init, trainable=True)
            self.layer_init = layer_init

        def get_build_config(self):
            build_config = super().get_build_config()
            build_config.update({"layer_init": self.layer_init})
            return build_config

        def build_from_config(self, config):
            self.build(config["shapes_dict"]["input_shape"], config["layer_init"])

    @register(package="my_custom_package")
    def small_square_sum_loss(y_true, y_pred):
        loss = ops.square(y_pred - y_true)
        loss = loss / 10.0
        return ops.sum(loss, axis=1)

    @register(package="my_custom_package")
    def mean_pred(y_true, y_pred):
        return ops.mean(y_pred)

    @register(package="my_custom_package")
    class ModelWithCustomCompile(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense1 = keras.layers.Dense(8, activation="relu")
            self.dense2 = keras.layers.Dense(4, activation="softmax")

        def call(self, inputs):
            return self.dense2(self.dense1(inputs))

        def compile(self, optimizer, loss_fn, metrics):
            super().compile(optimizer=optimizer, loss=loss_fn, metrics=metrics)
            self.model_optimizer = optimizer
            self.loss_fn = loss_fn
            self.loss_metrics = metrics

        def get_compile_config(self):
            return {"model_optimizer": self.model_optimizer, "loss_fn": self.loss_fn,
                    "metric": self.loss_metrics}

        def compile_from_config(self, config):
            optimizer = keras.utils.deserialize_keras_object(config["model_optimizer"])
            loss_fn = keras.utils.deserialize_keras_object(config["loss_fn"])
            metrics = keras.utils.deserialize_keras_object(config["metric"])
            self.compile(optimizer=optimizer, loss_fn=loss_fn, metrics=metrics)

    return {"variables": LayerWithCustomVariables, "assets": LayerWithCustomAssets,
            "build": LayerWithCustomBuild, "compile": ModelWithCustomCompile,
            "loss": small_square_sum_loss, "metric": mean_pred}


def data(shape, seed):
    return np.random.default_rng(seed).random(shape).astype("float32")


def build_models(keras, weights=None):
    """The guide's four models, unsaved (weights copied in when given)."""
    np.random.seed(0)
    objects = define_objects(keras)
    models = {
        "variables": keras.Sequential([objects["variables"](1)]),
        "assets": keras.Sequential([objects["assets"](vocab="Mary had a <unk> lamb.", units=5)]),
    }
    custom_layer = objects["build"](units=16)
    custom_layer.build(input_shape=(8,), layer_init="random_normal")
    models["build"] = keras.Sequential([custom_layer, keras.layers.Dense(1, activation="sigmoid")])
    models["compile"] = objects["compile"]()
    for name, shape in (("variables", (8, 10)), ("assets", (10, 10)), ("build", (16, 8)),
                        ("compile", (4, 8))):
        models[name](data(shape, 1))
        if weights is not None:
            models[name].set_weights(weights[name])
    return objects, models


def program(keras, directory, weights=None):
    keras.utils.set_random_seed(0)
    objects, models = build_models(keras, weights)
    initial = {name: model.get_weights() for name, model in models.items()}
    models["variables"].compile(optimizer="adam", loss="mean_squared_error")
    history = models["variables"].fit(data((8, 10), 1), data((8, 10), 2), verbose=0, shuffle=False)
    models["compile"].compile(optimizer="SGD", loss_fn=objects["loss"],
                              metrics=["accuracy", objects["metric"]])
    compile_history = models["compile"].fit(data((4, 8), 1), data((4,), 2), verbose=0,
                                            shuffle=False)
    for name, model in models.items():
        model.save(os.path.join(directory, f"custom_{name}_model.keras"))
    return {"initial": initial, "history": history.history,
            "compile_history": compile_history.history,
            "weights": {name: model.get_weights() for name, model in models.items()},
            "stored": models["variables"].layers[0].stored_variables.numpy(),
            "weight_names": [v.name for v in models["variables"].layers[0].weights]}


def restore(keras, directory, names=("variables", "assets", "build", "compile")):
    """Load the files (written by either library) and report what they hold."""
    define_objects(keras)
    restored = {name: keras.models.load_model(os.path.join(directory, f"custom_{name}_model.keras"))
                for name in names}
    compiled = restored["compile"]
    return {
        "stored": restored["variables"].layers[0].stored_variables.numpy()
        if "variables" in restored else None,
        "weights": {name: model.get_weights() for name, model in restored.items()},
        "vocab": restored["assets"].layers[0].vocab,
        "layer_init": restored["build"].layers[0].layer_init, "built": restored["build"].built,
        "compile_config": [compiled.model_optimizer,
                           compiled.loss_fn.__name__,
                           [m if isinstance(m, str) else m.__name__
                            for m in compiled.loss_metrics]],
        "outputs": {name: model.predict(data(shape, 3), verbose=0) for name, model, shape in
                    (("build", restored["build"], (16, 8)), ("compile", compiled, (4, 8)))},
        "refit": list(compiled.fit(data((4, 8), 1), data((4,), 2), verbose=0,
                                   shuffle=False).history),
    }


def check(result, restored):
    if restored["stored"] is not None:
        np.testing.assert_allclose(restored["stored"], result["stored"])
    assert_nested_close(restored["weights"], {name: result["weights"][name]
                                              for name in restored["weights"]}, rtol=0, atol=0)
    assert restored["vocab"] == "Mary had a little lamb."
    assert restored["layer_init"] == "random_normal" and restored["built"] is True
    assert restored["compile_config"] == ["SGD", "small_square_sum_loss",
                                          ["accuracy", "mean_pred"]]
    assert restored["refit"] == ["accuracy", "loss", "mean_pred"]
    assert set(result["compile_history"]) == {"accuracy", "loss", "mean_pred"}


@pytest.mark.parametrize("library", ["hocsau", "keras"])
def test_program_saves_and_restores(real_keras, tmp_path, library):
    keras = hocsau if library == "hocsau" else real_keras
    check(program(keras, str(tmp_path)), restore(keras, str(tmp_path)))


@pytest.mark.parametrize("writer, reader", [("keras", "hocsau"), ("hocsau", "keras")])
def test_files_exchange_with_keras(real_keras, tmp_path, writer, reader):
    libraries = {"hocsau": hocsau, "keras": real_keras}
    os.makedirs(tmp_path / "reference")
    theirs = program(real_keras, str(tmp_path / "reference"))
    if writer == "keras":
        result, directory = theirs, str(tmp_path / "reference")
    else:
        result, directory = program(hocsau, str(tmp_path), weights=theirs["initial"]), str(tmp_path)
        assert result["weight_names"] == theirs["weight_names"]
        assert_nested_close(result["history"], theirs["history"], rtol=1e-5)
        assert_nested_close(result["compile_history"], theirs["compile_history"], rtol=1e-5)
        assert_nested_close(result["weights"], theirs["weights"], rtol=1e-4, atol=1e-6)
    restored = restore(libraries[reader], directory, names=("assets", "build", "compile"))
    check(result, restored)
    reference = restore(real_keras, directory, names=("assets", "build", "compile"))
    assert_nested_close(restored["outputs"], reference["outputs"], rtol=1e-5)

"""keras.io guide "Save, serialize, and export models" (keras-io
guides/serialization_and_saving.py), adapted: whole-model `.keras` save and load (compiled,
optimizer state kept, training resumes), registered custom layers and functions
(`register_keras_serializable`), `custom_objects` and `custom_object_scope` for unregistered
ones, a layer saving extra state through `save_own_variables`/`load_own_variables`,
`get_config`/`from_config`, `to_json`/`model_from_json`, `clone_model`, and
`.weights.h5` files. The same files are then exchanged between Keras 3 and hocsau."""

import json
import os

import numpy as np
import pytest
from guide_helpers import as_numpy, assert_nested_close

import hocsau

PACKAGE = "guides_saving"


def define_objects(keras):
    @keras.saving.register_keras_serializable(package=PACKAGE, name="custom_fn")
    def custom_fn(x):
        return x ** 2

    @keras.saving.register_keras_serializable(package=PACKAGE)
    class CustomLayer(keras.layers.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    @keras.saving.register_keras_serializable(package=PACKAGE)
    class LayerWithCustomVariable(keras.layers.Dense):
        def __init__(self, units, **kwargs):
            super().__init__(units, **kwargs)
            self.my_variable = keras.Variable(np.zeros((units,)), name="my_variable",
                                              dtype="float32")

        def call(self, inputs):
            return super().call(inputs) + self.my_variable

        def save_own_variables(self, store):
            super().save_own_variables(store)
            store["variables"] = keras.ops.convert_to_numpy(self.my_variable)

        def load_own_variables(self, store):
            self.my_variable.assign(store["variables"])
            super().load_own_variables(store)

    class Unregistered(keras.layers.Layer):
        def call(self, x):
            return x + 1.0

    return custom_fn, CustomLayer, LayerWithCustomVariable, Unregistered


def build_model(keras, objects, compiled=True):
    custom_fn, CustomLayer, LayerWithCustomVariable, Unregistered = objects
    inputs = keras.Input(shape=(4,), name="inputs")
    x = CustomLayer(0.5, name="custom")(inputs)
    x = keras.layers.Dense(3, activation=custom_fn, name="dense")(x)
    x = Unregistered(name="plus_one")(x)
    outputs = keras.layers.Dense(2, name="head")(x)
    model = keras.Model(inputs, outputs, name="saved_model")
    if compiled:
        model.compile(optimizer="adam", loss="mean_squared_error")
    return model


def data():
    rng = np.random.default_rng(0)
    return rng.random((16, 4)).astype("float32"), rng.random((16, 2)).astype("float32")


def _as_json(config):
    """A config as JSON would give it back (tuples as lists)."""
    return json.loads(json.dumps(config))


def program(keras, directory):
    """Saves, reloads and clones the model; returns the predictions of every copy."""
    keras.utils.set_random_seed(0)
    objects = define_objects(keras)
    # Keras looks registered functions up by their plain name, so they are passed too.
    unregistered = {"Unregistered": objects[3], "custom_fn": objects[0]}
    x, y = data()
    model = build_model(keras, objects)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    path = os.path.join(directory, "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path, custom_objects=unregistered)
    with keras.saving.custom_object_scope(unregistered):
        in_scope = keras.saving.load_model(path)
        from_config = keras.Model.from_config(model.get_config())
        from_json = keras.models.model_from_json(model.to_json())
        clone = keras.models.clone_model(model)
    weights_path = os.path.join(directory, "model.weights.h5")
    model.save_weights(weights_path)
    from_config.load_weights(weights_path)
    predictions = {"prediction": model.predict(x, verbose=0),
                   "loaded": loaded.predict(x, verbose=0),
                   "in_scope": in_scope.predict(x, verbose=0)}
    iterations = int(as_numpy(loaded.optimizer.iterations))
    resumed = loaded.fit(x, y, epochs=1, batch_size=8, verbose=0).history["loss"]
    dense = keras.layers.Dense(3, activation="relu")
    return {**predictions,
            "from_config_with_weights": from_config.predict(x, verbose=0),
            "json_config_equal": _as_json(from_json.get_config()) == _as_json(model.get_config()),
            "clone_config_equal": _as_json(clone.get_config()) == _as_json(model.get_config()),
            "clone_differs": not np.allclose(clone.predict(x, verbose=0),
                                             model.predict(x, verbose=0)),
            "iterations": iterations, "resumed_loss": resumed,
            "registered_name": keras.saving.get_registered_name(objects[1]),
            "dense_config_round_trip": keras.layers.Dense.from_config(
                dense.get_config()).get_config() == dense.get_config()}


def check(result):
    for key in ("loaded", "in_scope", "from_config_with_weights"):
        np.testing.assert_allclose(result[key], result["prediction"], rtol=1e-6, err_msg=key)
    assert result["json_config_equal"] and result["clone_config_equal"]
    assert result["clone_differs"]
    assert result["iterations"] == 4 and len(result["resumed_loss"]) == 1
    assert result["registered_name"] == f"{PACKAGE}>CustomLayer"
    assert result["dense_config_round_trip"]


def custom_state_program(keras, directory):
    """The guide's layer that saves extra state next to its weights, saved and reloaded."""
    keras.utils.set_random_seed(0)
    LayerWithCustomVariable = define_objects(keras)[2]
    model = keras.Sequential([keras.Input((3,)), LayerWithCustomVariable(2, name="with_state")])
    model.layers[0].my_variable.assign(np.array([10.0, -10.0], "float32"))
    path = os.path.join(directory, "state.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.ones((2, 3), "float32")
    return {"state": keras.ops.convert_to_numpy(loaded.layers[0].my_variable),
            "prediction": model.predict(x, verbose=0), "loaded": loaded.predict(x, verbose=0)}


def check_custom_state(result):
    np.testing.assert_array_equal(result["state"], [10.0, -10.0])
    np.testing.assert_allclose(result["loaded"], result["prediction"], rtol=1e-6)


def test_custom_state_program_on_keras(real_keras, tmp_path):
    check_custom_state(custom_state_program(real_keras, str(tmp_path)))


def test_custom_state_program_on_hocsau(tmp_path):
    check_custom_state(custom_state_program(hocsau, str(tmp_path)))


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


@pytest.mark.parametrize("writer, reader", [("keras", "hocsau"), ("hocsau", "keras")])
def test_files_exchange_with_keras(real_keras, tmp_path, writer, reader):
    """A `.keras` file and a `.weights.h5` file written by one library load in the other
    (custom objects registered under the same names in both) and predict the same."""
    libraries = {"keras": real_keras, "hocsau": hocsau}
    source, target = libraries[writer], libraries[reader]
    source.utils.set_random_seed(0)
    source_objects, target_objects = define_objects(source), define_objects(target)
    model = build_model(source, source_objects)
    x, y = data()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(str(tmp_path / "model.keras"))
    model.save_weights(str(tmp_path / "model.weights.h5"))
    expected = as_numpy(model.predict(x, verbose=0))
    loaded = target.saving.load_model(str(tmp_path / "model.keras"),
                                      custom_objects={"Unregistered": target_objects[3],
                                                      "custom_fn": target_objects[0]})
    assert_nested_close(loaded.predict(x, verbose=0), expected, rtol=1e-6)
    fresh = build_model(target, target_objects, compiled=False)
    fresh.load_weights(str(tmp_path / "model.weights.h5"))
    assert_nested_close(fresh.predict(x, verbose=0), expected, rtol=1e-6)

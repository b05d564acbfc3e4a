"""keras.io guide "The Sequential model" (keras-team/keras-io guides/sequential_model.py), with
`tf.ones` written as `keras.ops.ones`: layers list, `add` / `pop`, lazy building, `Input` and
`input_shape` starts, the add()+summary() debugging workflow on 250x250 images, feature
extraction through `model.inputs` / `layer.output` / `get_layer`, and both transfer-learning
blueprints (the pre-trained Xception base is a small convolutional base saved and reloaded
here, nothing downloads)."""

import os
import re
import warnings

import numpy as np
from guide_helpers import assert_nested_close

import hocsau


def summary_text(model) -> str:
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line))
    return "\n".join(lines)


def summary_rows(text: str) -> list:
    """The (output shape, parameter count) cells of the layer rows, and the totals."""
    rows = re.findall(r"│ [^│]+│ (\([^│]*\)) *│ +([\d,]+) │", text)
    totals = re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)
    return [list(row) for row in rows] + [list(total) for total in totals]


def building(keras):
    layers = keras.layers
    model = keras.Sequential([layers.Dense(2, activation="relu", name="layer1"),
                              layers.Dense(3, activation="relu", name="layer2"),
                              layers.Dense(4, name="layer3")])
    y = model(keras.ops.ones((3, 3)))
    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))
    model.pop()
    popped = len(model.layers)
    layer = layers.Dense(3)
    before = len(layer.weights)
    layer(keras.ops.ones((1, 4)))
    lazy = keras.Sequential([layers.Dense(2, activation="relu"), layers.Dense(3, activation="relu"),
                             layers.Dense(4)])
    lazy(keras.ops.ones((1, 4)))
    with_input = keras.Sequential()
    with_input.add(keras.Input(shape=(4,)))
    with_input.add(layers.Dense(2, activation="relu"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras 3 advises keras.Input instead
        with_shape = keras.Sequential()
        with_shape.add(layers.Dense(2, activation="relu", input_shape=(4,)))
    return {"y_shape": list(y.shape), "popped": popped, "weights": [before, len(layer.weights)],
            "weight_shapes": [list(w.shape) for w in layer.weights],
            "lazy_weights": len(lazy.weights),
            "summaries": [summary_rows(summary_text(m)) for m in (lazy, with_input, with_shape)],
            "input_layers": [len(with_input.layers), len(with_shape.weights)]}


def debugging_workflow(keras):
    layers = keras.layers
    model = keras.Sequential()
    model.add(keras.Input(shape=(250, 250, 3)))
    model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    first = summary_rows(summary_text(model))
    for _ in range(2):
        model.add(layers.Conv2D(32, 3, activation="relu"))
        model.add(layers.Conv2D(32, 3, activation="relu"))
        model.add(layers.MaxPooling2D(3 if _ == 0 else 2))
    second = summary_rows(summary_text(model))
    model.add(layers.GlobalMaxPooling2D())
    model.add(layers.Dense(10))
    return {"first": first, "second": second, "output": list(model.output_shape)}


def feature_extraction(keras, weights):
    layers = keras.layers
    initial_model = keras.Sequential([
        keras.Input(shape=(250, 250, 3)),
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(32, 3, activation="relu")])
    if weights is not None:
        initial_model.set_weights(weights)
    feature_extractor = keras.Model(inputs=initial_model.inputs,
                                    outputs=[layer.output for layer in initial_model.layers])
    x = keras.ops.ones((1, 250, 250, 3))
    features = feature_extractor(x)
    one = keras.Model(inputs=initial_model.inputs,
                      outputs=initial_model.get_layer(name="my_intermediate_layer").output)
    return initial_model.get_weights(), {
        "shapes": [list(f.shape) for f in features],
        "sums": [keras.ops.convert_to_numpy(f).sum() for f in features],
        "one": keras.ops.convert_to_numpy(one(x)).sum()}


def transfer_learning(keras, directory, weights):
    layers = keras.layers
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 784)).astype("float32"), rng.integers(0, 10, (32,))
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"),
                              layers.Dense(32, activation="relu"), layers.Dense(10)])
    initial = model.get_weights()
    model.set_weights(weights[0] if weights else initial)
    path = os.path.join(directory, "pretrained.weights.h5")
    model.save_weights(path)
    model.set_weights([np.zeros_like(w) for w in initial])
    model.load_weights(path)
    for layer in model.layers[:-1]:
        layer.trainable = False
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    frozen_before = [w.copy() for w in model.get_weights()[:-2]]
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=False)
    frozen_kept = all(np.array_equal(a, b) for a, b in zip(frozen_before,
                                                          model.get_weights()[:-2], strict=True))
    base_model = keras.Sequential([keras.Input(shape=(16, 16, 3)),
                                   layers.Conv2D(8, 3, activation="relu"),
                                   layers.GlobalAveragePooling2D()])
    base_initial = base_model.get_weights()
    if weights:
        base_model.set_weights(weights[1])
    base_model.trainable = False
    stacked = keras.Sequential([base_model, layers.Dense(1000)])
    stacked.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    images = rng.random((8, 16, 16, 3)).astype("float32")
    stacked_history = stacked.fit(images, rng.integers(0, 1000, (8,)), epochs=1, verbose=0)
    return [initial, base_initial], {
        "history": history.history, "frozen_kept": frozen_kept,
        "trainable": [len(model.trainable_weights), len(stacked.trainable_weights),
                      len(stacked.non_trainable_weights)],
        "stacked_loss": len(stacked_history.history["loss"])}


def program(keras, directory, weights=None):
    keras.utils.set_random_seed(0)
    weights = weights or {}
    extraction_initial, extraction = feature_extraction(keras, weights.get("extraction"))
    transfer_initial, transfer = transfer_learning(keras, directory, weights.get("transfer"))
    return {"initial": {"extraction": extraction_initial, "transfer": transfer_initial},
            "building": building(keras), "debugging": debugging_workflow(keras),
            "extraction": extraction, "transfer": transfer}


def check(result):
    built = result["building"]
    assert built["y_shape"] == [3, 4] and built["popped"] == 2
    assert built["weights"] == [0, 2] and built["weight_shapes"] == [[4, 3], [3]]
    assert built["lazy_weights"] == 6 and built["input_layers"] == [1, 2]
    assert built["summaries"][1] == [["(None, 2)", "10"], ["Total", "10"], ["Trainable", "10"],
                                     ["Non-trainable", "0"]]
    debugging = result["debugging"]
    assert [row[0] for row in debugging["first"][:3]] == [
        "(None, 123, 123, 32)", "(None, 121, 121, 32)", "(None, 40, 40, 32)"]
    assert debugging["second"][-4][0] == "(None, 4, 4, 32)"
    assert debugging["output"] == [None, 10]
    assert result["extraction"]["shapes"] == [[1, 123, 123, 32], [1, 121, 121, 32],
                                              [1, 119, 119, 32]]
    transfer = result["transfer"]
    assert transfer["frozen_kept"] and transfer["trainable"] == [2, 2, 2]


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, str(tmp_path)))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, str(tmp_path)))


def test_same_weights_same_results_as_keras(real_keras, tmp_path):
    theirs = program(real_keras, str(tmp_path))
    ours = program(hocsau, str(tmp_path), weights=theirs["initial"])
    # A Sequential built by a call keeps that call's batch size in Keras ("(1, 2)"), hocsau
    # shows None; the parameter counts agree.
    ours_lazy, theirs_lazy = ours["building"]["summaries"][0], theirs["building"]["summaries"][0]
    assert [row[1] for row in ours_lazy] == [row[1] for row in theirs_lazy]
    assert ours["building"]["summaries"][1:] == theirs["building"]["summaries"][1:]
    for key in ("debugging", "extraction"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-5, path=key)
    assert_nested_close(ours["transfer"], theirs["transfer"], rtol=1e-5, path="transfer")

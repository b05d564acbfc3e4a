"""keras.io guide "The Functional API" (keras-team/keras guides/functional_api.py), adapted:
a multi-input, multi-output ticket model (shared embedding, LSTMs, concatenation, two named
heads with dict losses and loss weights), a toy ResNet block, a feature-extraction model over
every layer's output, and the layer graph and summary of the model."""

import re

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

NUM_TAGS, NUM_WORDS, NUM_DEPARTMENTS = 6, 50, 3


def ticket_model(keras):
    """The guide's ticket classifier: title and body text plus tags -> priority, department."""
    layers = keras.layers
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(NUM_TAGS,), name="tags")
    shared_embedding = layers.Embedding(NUM_WORDS, 8, name="shared_embedding")
    title_features = layers.LSTM(16, name="title_lstm")(shared_embedding(title_input))
    body_features = layers.LSTM(8, name="body_lstm")(shared_embedding(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    priority = layers.Dense(1, name="priority")(x)
    department = layers.Dense(NUM_DEPARTMENTS, name="department")(x)
    return keras.Model(inputs=[title_input, body_input, tags_input],
                       outputs={"priority": priority, "department": department})


def toy_resnet(keras):
    layers = keras.layers
    inputs = keras.Input(shape=(8, 8, 3), name="img")
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    block_1_output = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(4, 3, activation="relu", padding="same")(block_1_output)
    block_2_output = layers.add([x, block_1_output])
    x = layers.GlobalAveragePooling2D()(block_2_output)
    outputs = layers.Dense(2)(x)
    return keras.Model(inputs, outputs, name="toy_resnet")


def ticket_data(n=16):
    rng = np.random.default_rng(0)
    x = {"title": rng.integers(0, NUM_WORDS, (n, 5)), "body": rng.integers(0, NUM_WORDS, (n, 7)),
         "tags": rng.integers(0, 2, (n, NUM_TAGS)).astype("float32")}
    y = {"priority": rng.random((n, 1)).astype("float32"),
         "department": rng.integers(0, 2, (n, NUM_DEPARTMENTS)).astype("float32")}
    return x, y


def program(keras, weights=None):
    """Returns shapes, graph facts, the summary lines and the training history."""
    keras.utils.set_random_seed(0)
    model = ticket_model(keras)
    if weights is not None:
        set_layer_weights(model, weights)
    initial_weights = layer_weights(model)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2),
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    x, y = ticket_data()
    history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    predictions = model.predict(x, verbose=0)
    lines = []
    model.summary(print_fn=lines.append)
    resnet = toy_resnet(keras)
    extractor = keras.Model(inputs=resnet.input,
                            outputs=[layer.output for layer in resnet.layers])
    features = extractor(np.ones((2, 8, 8, 3), "float32"))
    return {
        "initial_weights": initial_weights,
        "history": history.history,
        "prediction_shapes": {k: tuple(v.shape) for k, v in predictions.items()},
        "predictions": predictions,
        "layer_names": [layer.name for layer in model.layers],
        "output_names": list(model.output_names),
        "weight_shapes": [tuple(w.shape) for w in model.get_weights()],
        "input_names": [t.name for t in model.inputs],
        "embedding_weights": len(model.get_layer("shared_embedding").weights),
        "params": model.count_params(),
        "summary": "\n".join(lines),
        "resnet_params": resnet.count_params(),
        "feature_shapes": [tuple(f.shape) for f in features],
    }


def check(result):
    """What the guide shows: dict outputs by name, one shared embedding, decreasing loss."""
    assert result["prediction_shapes"] == {"priority": (16, 1), "department": (16, 3)}
    assert result["input_names"] == ["title", "body", "tags"]
    assert result["embedding_weights"] == 1
    assert {"title", "body", "tags", "shared_embedding", "title_lstm", "body_lstm", "priority",
            "department"} <= set(result["layer_names"])
    loss = result["history"]["loss"]
    assert set(result["history"]) == {"loss", "priority_loss", "department_loss"}
    assert loss[-1] < loss[0]
    expected = (NUM_WORDS * 8 + 4 * 16 * (8 + 16 + 1) + 4 * 8 * (8 + 8 + 1)
                + (16 + 8 + NUM_TAGS + 1) * (1 + NUM_DEPARTMENTS))
    assert result["params"] == expected
    assert f"Trainable params: {expected:,}" in result["summary"]
    assert "Connected to" in result["summary"]
    assert result["resnet_params"] == (3 * 3 * 3 * 4 + 4) + (3 * 3 * 4 * 4 + 4) + (4 * 2 + 2)
    assert result["feature_shapes"] == [(2, 8, 8, 3), (2, 6, 6, 4), (2, 3, 3, 4), (2, 3, 3, 4),
                                        (2, 3, 3, 4), (2, 4), (2, 2)]


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial_weights"])
    assert_nested_close(ours["history"], theirs["history"], rtol=1e-4)
    assert_nested_close(ours["predictions"], theirs["predictions"], rtol=1e-4, atol=1e-5)


def test_layer_and_weight_order_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau)
    assert ours["output_names"] == theirs["output_names"]
    # Unnamed layers are numbered by per-library counters that earlier tests advance.
    assert [_unnumbered(n) for n in ours["layer_names"]] == [
        _unnumbered(n) for n in theirs["layer_names"]]
    assert ours["weight_shapes"] == theirs["weight_shapes"]


def _unnumbered(name: str) -> str:
    return re.sub(r"_\d+$", "", name)

"""keras.io example "Image similarity estimation using a Siamese Network with a contrastive
loss" (keras-io examples/vision/siamese_contrastive.py), adapted to random 16x16 "digits":
the example's `make_pairs`, an embedding network (BatchNormalization, tanh Conv2D,
AveragePooling2D, Dense) shared by two towers, a `Lambda(euclidean_distance,
output_shape=(1,))` merge, and the closure-built `contrastive_loss(margin)` compiled with
"RMSprop" and accuracy, fit and evaluated on pairs given as a list of two arrays."""

import random

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

SIZE = 16


def make_pairs(x, y):
    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]
    pairs, labels = [], []
    for idx1 in range(len(x)):
        x1 = x[idx1]
        label1 = y[idx1]
        idx2 = random.choice(digit_indices[label1])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [0]
        label2 = random.randint(0, num_classes - 1)
        while label2 == label1:
            label2 = random.randint(0, num_classes - 1)
        idx2 = random.choice(digit_indices[label2])
        x2 = x[idx2]
        pairs += [[x1, x2]]
        labels += [1]
    return np.array(pairs), np.array(labels).astype("float32")


def data():
    random.seed(0)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 24)
    x = (rng.random((24, SIZE, SIZE)) * (1 + y[:, None, None])).astype("float32") / 3
    pairs, labels = make_pairs(x, y)
    return pairs[:36], labels[:36], pairs[36:], labels[36:]


def build(keras):
    ops = keras.ops

    def euclidean_distance(vects):
        x, y = vects
        sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))

    input = keras.layers.Input((SIZE, SIZE, 1))  # noqa: A001 (the example's name)
    x = keras.layers.BatchNormalization()(input)
    x = keras.layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Conv2D(16, (5, 5), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(input, x)
    input_1 = keras.layers.Input((SIZE, SIZE, 1))
    input_2 = keras.layers.Input((SIZE, SIZE, 1))
    tower_1 = embedding_network(input_1)
    tower_2 = embedding_network(input_2)
    merge_layer = keras.layers.Lambda(euclidean_distance, output_shape=(1,))(
        [tower_1, tower_2])
    normal_layer = keras.layers.BatchNormalization()(merge_layer)
    output_layer = keras.layers.Dense(1, activation="sigmoid")(normal_layer)
    return embedding_network, keras.Model(inputs=[input_1, input_2], outputs=output_layer)


def loss(keras, margin=1):
    ops = keras.ops

    def contrastive_loss(y_true, y_pred):
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(margin - (y_pred), 0))
        return ops.mean((1 - y_true) * square_pred + (y_true) * margin_square)

    return contrastive_loss


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    pairs_train, labels_train, pairs_test, labels_test = data()
    x_train_1, x_train_2 = pairs_train[:, 0], pairs_train[:, 1]
    x_test_1, x_test_2 = pairs_test[:, 0], pairs_test[:, 1]
    embedding_network, siamese = build(keras)
    if weights is not None:
        set_layer_weights(embedding_network, weights["embedding"])
        set_layer_weights(siamese, weights["siamese"])
    initial = {"embedding": layer_weights(embedding_network),
               "siamese": layer_weights(siamese)}
    siamese.compile(loss=loss(keras, margin=1), optimizer="RMSprop", metrics=["accuracy"])
    history = siamese.fit([x_train_1, x_train_2], labels_train,
                          validation_data=([x_test_1, x_test_2], labels_test),
                          batch_size=36, epochs=3, verbose=0)
    results = siamese.evaluate([x_test_1, x_test_2], labels_test, verbose=0)
    predictions = siamese.predict([x_test_1, x_test_2], verbose=0)
    return {"initial": initial, "history": history.history, "results": results,
            "predictions": predictions, "layers": [type(la).__name__ for la in siamese.layers]}


def check(result):
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history["loss"][-1] < history["loss"][0]
    assert result["predictions"].shape == (12, 1)
    assert len(result["results"]) == 2
    assert result["layers"] == ["InputLayer", "InputLayer", "Functional", "Lambda",
                                "BatchNormalization", "Dense"]


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    """One batch an epoch and nothing random in the model: histories and predictions
    agree."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    for key in ("history", "results", "predictions"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)

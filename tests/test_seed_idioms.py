"""The tf.keras 2 / Keras 1 idioms of the seed tutorials (shared/seeds/*.txt), run as the
seeds write them, with `keras` bound to hocsau (`tf.keras` becomes `keras`; Theano's
`dimshuffle` becomes `K.expand_dims`)."""

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import backend as K
from hocsau.layers import Dense, Input, Layer

RNG = np.random.default_rng(0)


def test_seed_002_layer_input_and_output_shapes():
    model = keras.Sequential()
    model.add(Dense(units=16, activation="relu", input_shape=(32,)))
    model.add(Dense(units=10, activation="softmax"))
    layer = model.layers[0]
    assert layer.input_shape == (None, 32) and layer.output_shape == (None, 16)
    assert layer.input.shape == (None, 32) and layer.output.shape == (None, 16)
    assert model.layers[1].input_shape == (None, 16)
    assert model.layers[1].output_shape == (None, 10)


class AttLayer(Layer):
    """Seed 000's attention layer (Keras 1 style)."""

    def __init__(self, **kwargs):
        self.init = keras.initializers.RandomNormal()
        super(AttLayer, self).__init__(**kwargs)  # noqa: UP008 - the seed's spelling

    def build(self, input_shape):
        assert len(input_shape) == 3
        self.W = self.init((input_shape[-1],))
        self.trainable_weights = [self.W]
        super(AttLayer, self).build(input_shape)  # noqa: UP008

    def call(self, x, mask=None):
        eij = K.tanh(K.dot(x, self.W))
        ai = K.exp(eij)
        weights = ai / K.expand_dims(K.sum(ai, axis=1))
        weighted_input = x * K.expand_dims(weights)
        return K.sum(weighted_input, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])


def test_seed_000_attention_layer_with_assigned_trainable_weights():
    inputs = Input(name="inputs", shape=[12])
    layer = keras.layers.Embedding(50, 8)(inputs)
    layer = keras.layers.LSTM(6, return_sequences=True)(layer)
    attention = AttLayer()
    layer = attention(layer)
    layer = Dense(1, activation="sigmoid", name="out_layer")(layer)
    model = keras.Model(inputs=inputs, outputs=layer)
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(),
                  metrics=["accuracy"])
    assert attention.output_shape == (None, 6)
    assert attention.trainable_weights == [attention.W]
    x = RNG.integers(1, 50, size=(16, 12))
    y = (x[:, 0] > 25).astype("float32")
    before = attention.W.detach().clone()
    model.fit(x, y, epochs=2, verbose=0)
    assert not torch.equal(before, attention.W.detach())
    sequences = RNG.normal(size=(2, 4, 6)).astype("float32")
    w = attention.W.detach().numpy()
    e = np.exp(np.tanh(sequences @ w))
    expected = (sequences * (e / e.sum(1, keepdims=True))[..., None]).sum(1)
    np.testing.assert_allclose(attention(sequences).detach().numpy(), expected, rtol=1e-5)


class MyLayer(Layer):
    """Seed 001's custom layer ("from keras import backend as K")."""

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super(MyLayer, self).__init__(**kwargs)  # noqa: UP008

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[1], self.output_dim),
                                      initializer="uniform", trainable=True)
        super(MyLayer, self).build(input_shape)  # noqa: UP008

    def call(self, x):
        return K.dot(x, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


def test_seed_001_custom_layer_and_kullback_leibler_divergence():
    model = keras.Sequential([Input((4,)), MyLayer(3), keras.layers.Activation("softmax")])
    model.compile(optimizer="adam", loss=keras.losses.kullback_leibler_divergence)
    x = RNG.normal(size=(8, 4)).astype("float32")
    target = np.full((8, 3), 1 / 3, "float32")
    loss = model.evaluate(x, target, verbose=0)
    probabilities = model.predict(x, verbose=0)
    expected = np.mean(np.sum(target * np.log(target / probabilities), axis=-1))
    assert loss == pytest.approx(expected, rel=1e-4)
    assert model.layers[0].output_shape == (None, 3)


def _seed_004_model():
    model = keras.Sequential()
    model.add(keras.layers.Dense(10, input_shape=[2], activation=keras.activations.relu))
    model.add(keras.layers.Dense(10, activation=keras.activations.relu))
    model.add(keras.layers.Dense(1, activation=keras.activations.sigmoid))
    model.compile(loss=keras.losses.BinaryCrossentropy(),
                  optimizer=keras.optimizers.legacy.Adam(learning_rate=3e-4),
                  metrics=["accuracy"])
    return model


def _circles():
    x = RNG.normal(size=(60, 2)).astype("float32")
    return x, (np.linalg.norm(x, axis=1) > 1).astype("float32")


def test_seed_004_learning_rate_history_under_its_tf_keras_2_name():
    x_train, y_train = _circles()
    model = _seed_004_model()
    lr_scheduler = keras.callbacks.LearningRateScheduler(
        lambda epoch: 1e-4 * 10 ** (epoch / 20) if (epoch > 10) else 1e-4)
    history = model.fit(x_train, y_train, batch_size=5, epochs=14, verbose=0,
                        callbacks=[lr_scheduler])
    lrs, losses = history.history["lr"], history.history["loss"]
    assert len(lrs) == len(losses) == 14  # what plt.semilogx(lr, loss) plots
    np.testing.assert_allclose(lrs[:11], 1e-4, rtol=1e-6)
    np.testing.assert_allclose(lrs[11:], [1e-4 * 10 ** (e / 20) for e in (11, 12, 13)],
                               rtol=1e-6)


def test_seed_004_saved_model_format_and_h5(tmp_path, monkeypatch):
    # Keras 3 refuses the SavedModel folder (as the seed acceptance script ex09 checks);
    # the tutorial's H5 format and Keras 3's `.keras` file both work.
    monkeypatch.chdir(tmp_path)
    x_train, y_train = _circles()
    model = _seed_004_model()
    model.fit(x_train, y_train, epochs=1, verbose=0)
    expected = model.predict(x_train, verbose=0)
    with pytest.raises(ValueError, match="Invalid filepath extension for saving"):
        model.save("models/model_1/SavedModel_format")
    for path in ("models/model_1/h5_format/model.h5", "models/model_1/model.keras"):
        model.save(path)
        reloaded = keras.models.load_model(path)
        np.testing.assert_allclose(reloaded.predict(x_train, verbose=0), expected, rtol=1e-6)


def test_seed_004_model_checkpoint_to_a_ckpt_path(tmp_path, monkeypatch):
    # Keras 3 refuses "models/checkpoint.ckpt" (seed acceptance script ex08); the Keras 3
    # spelling of the tutorial's checkpoint works and restores the weights.
    monkeypatch.chdir(tmp_path)
    x_train, y_train = _circles()
    with pytest.raises(ValueError, match="must end in `.keras`"):
        keras.callbacks.ModelCheckpoint(filepath="models/checkpoint.ckpt")
    checkpoint_path = "models/checkpoint.weights.h5"
    checkpoint = keras.callbacks.ModelCheckpoint(
        filepath=checkpoint_path,  # địa chỉ save model
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=True,
    )
    model = _seed_004_model()
    model.fit(x_train, y_train, epochs=2, validation_data=(x_train, y_train), verbose=0,
              callbacks=[checkpoint])
    new_model = _seed_004_model()
    new_model.load_weights(checkpoint_path)
    loss, accuracy = model.evaluate(x_train, y_train, verbose=0)
    new_loss, new_accuracy = new_model.evaluate(x_train, y_train, verbose=0)
    assert np.isclose(loss, new_loss) and np.isclose(accuracy, new_accuracy)

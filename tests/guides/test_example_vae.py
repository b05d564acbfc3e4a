"""keras.io example "Variational AutoEncoder" (keras-io examples/generative/vae.py), adapted to
8x8 random "digits" and written with the torch train step of the custom-fit guide: a
`Sampling` layer drawing `keras.random.normal` from its SeedGenerator inside a functional
encoder, a Conv2DTranspose decoder, and a VAE model whose `train_step` gets the images alone
from `fit(x)` (no targets) and reports its three loss trackers. The model gets a `call`
(encode, sample, decode), which Keras 3 on torch needs before `fit` builds it."""

import numpy as np
import torch
from guide_helpers import as_numpy, assert_nested_close, layer_weights, set_layer_weights

import hocsau

LATENT_DIM = 2


def define_vae(keras):
    layers, ops = keras.layers, keras.ops

    class Sampling(layers.Layer):
        """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch, dim = ops.shape(z_mean)[0], ops.shape(z_mean)[1]
            epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    class VAE(keras.Model):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder, self.decoder = encoder, decoder
            self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
            self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
            self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

        def call(self, inputs):
            return self.decoder(self.encoder(inputs)[2])

        @property
        def metrics(self):
            return [self.total_loss_tracker, self.reconstruction_loss_tracker,
                    self.kl_loss_tracker]

        def train_step(self, data):
            self.zero_grad()
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = ops.mean(ops.sum(
                keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)))
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
            total_loss.backward()
            weights = self.trainable_weights
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in weights], weights)
            self.total_loss_tracker.update_state(total_loss)
            self.reconstruction_loss_tracker.update_state(reconstruction_loss)
            self.kl_loss_tracker.update_state(kl_loss)
            return {"loss": self.total_loss_tracker.result(),
                    "reconstruction_loss": self.reconstruction_loss_tracker.result(),
                    "kl_loss": self.kl_loss_tracker.result()}

    return Sampling, VAE


def build(keras):
    layers = keras.layers
    Sampling, VAE = define_vae(keras)
    encoder_inputs = keras.Input(shape=(8, 8, 1))
    x = layers.Conv2D(4, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(8, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Dense(16, activation="relu")(layers.Flatten()(x))
    z_mean = layers.Dense(LATENT_DIM, name="z_mean")(x)
    z_log_var = layers.Dense(LATENT_DIM, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
    latent_inputs = keras.Input(shape=(LATENT_DIM,))
    x = layers.Dense(2 * 2 * 8, activation="relu")(latent_inputs)
    x = layers.Reshape((2, 2, 8))(x)
    x = layers.Conv2DTranspose(8, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(4, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
    return encoder, decoder, VAE(encoder, decoder)


def digits():
    rng = np.random.default_rng(0)
    return (rng.random((64, 8, 8, 1)) > 0.6).astype("float32")


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    encoder, decoder, vae = build(keras)
    if weights is not None:
        set_layer_weights(encoder, weights["encoder"])
        set_layer_weights(decoder, weights["decoder"])
    initial = {"encoder": layer_weights(encoder), "decoder": layer_weights(decoder)}
    images = digits()
    z_mean, _, z_first = encoder(images[:4])
    _, _, z_second = encoder(images[:4])
    deterministic = {"z_mean": z_mean, "decoded": decoder(z_mean)}
    vae.compile(optimizer=keras.optimizers.Adam())
    history = vae.fit(images, epochs=4, batch_size=16, verbose=0)
    return {"initial": initial, "deterministic": deterministic, "history": history.history,
            "z_shapes": (tuple(z_first.shape), tuple(z_second.shape)),
            "samples_differ": not np.allclose(as_numpy(z_first), as_numpy(z_second)),
            "decoder_output_shape": decoder.output_shape}


def check(result):
    assert result["z_shapes"] == ((4, LATENT_DIM), (4, LATENT_DIM))
    assert result["samples_differ"]
    assert result["decoder_output_shape"] == (None, 8, 8, 1)
    history = result["history"]
    assert set(history) == {"loss", "reconstruction_loss", "kl_loss"}
    assert history["loss"][-1] < history["loss"][0]
    np.testing.assert_allclose(np.add(history["reconstruction_loss"], history["kl_loss"]),
                               history["loss"], rtol=1e-5)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_encoding_as_keras(real_keras):
    """The sampled z differs (different random streams); z_mean and its decoding do not."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["deterministic"], theirs["deterministic"], rtol=1e-5, atol=1e-6)

"""keras.io example "GAN overriding `Model.train_step`" (keras-io
examples/generative/dcgan_overriding_train_step.py), adapted to 8x8 random "digits", a latent
size of 8 and two epochs, written with the torch train step of the custom-fit guide: a GAN
model overriding `compile(d_optimizer, g_optimizer, loss_fn)` (calling the parent's `compile()`
without a loss), drawing `keras.random.normal` / `keras.random.uniform` from its SeedGenerator,
training the discriminator then the generator with two optimizers (`zero_grad`, `backward`,
`optimizer.apply`), reporting two `Mean` trackers, and a `GANMonitor` callback that saves
generated images with `keras.utils.array_to_img`. The dataset is a numpy array (no tf.data).
The GAN gets a `call` (the discriminator's scores), which Keras 3 on torch needs before `fit`
builds it."""

import numpy as np
import torch
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

LATENT_DIM = 8


def build(keras):
    layers = keras.layers
    discriminator = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(8, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(LATENT_DIM,)),
            layers.Dense(2 * 2 * 16),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((2, 2, 16)),
            layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(1, (5, 5), padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return discriminator, generator


def define_gan(keras):
    ops = keras.ops

    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            return self.discriminator(inputs)

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn
            self.d_loss_metric = keras.metrics.Mean(name="d_loss")
            self.g_loss_metric = keras.metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_metric, self.g_loss_metric]

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = ops.shape(real_images)[0]
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            generated_images = self.generator(random_latent_vectors)
            combined_images = ops.concatenate([generated_images, real_images], axis=0)
            labels = ops.concatenate(
                [ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
            labels += 0.05 * keras.random.uniform(ops.shape(labels), seed=self.seed_generator)

            self.zero_grad()
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
            d_loss.backward()
            grads = [v.value.grad for v in self.discriminator.trainable_weights]
            with torch.no_grad():
                self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            misleading_labels = ops.zeros((batch_size, 1))

            self.zero_grad()
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
            g_loss.backward()
            grads = [v.value.grad for v in self.generator.trainable_weights]
            with torch.no_grad():
                self.g_optimizer.apply(grads, self.generator.trainable_weights)

            self.d_loss_metric.update_state(d_loss)
            self.g_loss_metric.update_state(g_loss)
            return {"d_loss": self.d_loss_metric.result(),
                    "g_loss": self.g_loss_metric.result()}

    class GANMonitor(keras.callbacks.Callback):
        def __init__(self, folder, num_img=3, latent_dim=128):
            self.folder = folder
            self.num_img = num_img
            self.latent_dim = latent_dim
            self.seed_generator = keras.random.SeedGenerator(42)

        def on_epoch_end(self, epoch, logs=None):
            random_latent_vectors = keras.random.normal(
                shape=(self.num_img, self.latent_dim), seed=self.seed_generator)
            generated_images = self.model.generator(random_latent_vectors)
            generated_images *= 255
            generated_images = ops.convert_to_numpy(generated_images)
            for i in range(self.num_img):
                img = keras.utils.array_to_img(generated_images[i])
                img.save(f"{self.folder}/generated_img_{i}_{epoch}.png")

    return GAN, GANMonitor


def digits():
    rng = np.random.default_rng(0)
    return (rng.random((64, 8, 8, 1)) > 0.6).astype("float32")


def program(keras, folder, weights=None):
    keras.utils.set_random_seed(0)
    GAN, GANMonitor = define_gan(keras)
    discriminator, generator = build(keras)
    if weights is not None:
        set_layer_weights(discriminator, weights["discriminator"])
        set_layer_weights(generator, weights["generator"])
    initial = {"discriminator": layer_weights(discriminator),
               "generator": layer_weights(generator)}
    images = digits()
    latent = np.linspace(-1.0, 1.0, 4 * LATENT_DIM, dtype="float32").reshape(4, LATENT_DIM)
    deterministic = {"generated": generator(latent), "scores": discriminator(images[:4])}
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=LATENT_DIM)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    history = gan.fit(images, epochs=2, batch_size=16, verbose=0,
                      callbacks=[GANMonitor(folder, num_img=3, latent_dim=LATENT_DIM)])
    return {"initial": initial, "deterministic": deterministic, "history": history.history,
            "d_changed": not np.allclose(discriminator.layers[0].get_weights()[0],
                                         initial["discriminator"][discriminator.layers[0].name][0]),
            "optimizer_iterations": (int(gan.d_optimizer.iterations),
                                     int(gan.g_optimizer.iterations))}


def check(result, folder):
    history = result["history"]
    assert set(history) == {"d_loss", "g_loss"}
    assert len(history["d_loss"]) == 2
    assert np.all(np.isfinite(history["d_loss"])) and np.all(np.isfinite(history["g_loss"]))
    assert result["optimizer_iterations"] == (8, 8)
    assert result["d_changed"]
    saved = sorted(path.name for path in folder.iterdir())
    assert saved == [f"generated_img_{i}_{epoch}.png" for i in range(3) for epoch in range(2)]


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, tmp_path), tmp_path)


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, tmp_path), tmp_path)


def test_same_weights_same_outputs_as_keras(real_keras, tmp_path):
    theirs = program(real_keras, tmp_path)
    ours = program(hocsau, tmp_path, weights=theirs["initial"])
    assert_nested_close(ours["deterministic"], theirs["deterministic"], rtol=1e-5, atol=1e-6)

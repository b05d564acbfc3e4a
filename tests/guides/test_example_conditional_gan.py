"""keras.io example "Conditional GAN" (keras-io examples/generative/conditional_gan.py),
adapted to 8x8 random "digits" of 3 classes, a latent size of 8 and two epochs, and written
with the torch train step of the custom-fit guide (`zero_grad`, `backward`,
`optimizer.apply`, `keras.random.normal` from a SeedGenerator): one-hot labels from
`keras.utils.to_categorical`, label maps made with `ops.repeat` (no axis: flattened) and
`ops.reshape` (the example's `repeats=[n]` is given as `n`: Keras 3's torch `repeat` fails on
a list, "Invalid dtype: object"; hocsau takes both, checked below), a ConditionalGAN
overriding `compile` with two optimizers and listing its trackers in `metrics`, fit on
`(images, labels)` arrays (no tf.data), then the interpolation between two classes:
`ops.linspace`, `ops.cast`, `ops.concatenate` and `generator.predict`. The GAN gets a `call`
(the discriminator's scores of images with empty label maps), which Keras 3 on torch needs
before `fit` builds it."""

import numpy as np
import torch
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

NUM_CLASSES = 3
IMAGE_SIZE = 8
LATENT_DIM = 8
NUM_INTERPOLATION = 5


def build(keras):
    layers = keras.layers
    generator_in_channels = LATENT_DIM + NUM_CLASSES
    discriminator = keras.Sequential(
        [
            keras.layers.InputLayer((IMAGE_SIZE, IMAGE_SIZE, 1 + NUM_CLASSES)),
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
            keras.layers.InputLayer((generator_in_channels,)),
            layers.Dense(2 * 2 * generator_in_channels),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((2, 2, generator_in_channels)),
            layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(1, (5, 5), padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return discriminator, generator


def define(keras):
    ops = keras.ops

    def label_maps(one_hot_labels, repeats=IMAGE_SIZE * IMAGE_SIZE):
        image_one_hot_labels = one_hot_labels[:, :, None, None]
        image_one_hot_labels = ops.repeat(image_one_hot_labels, repeats=repeats)
        return ops.reshape(image_one_hot_labels, (-1, IMAGE_SIZE, IMAGE_SIZE, NUM_CLASSES))

    class ConditionalGAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.seed_generator = keras.random.SeedGenerator(1337)
            self.gen_loss_tracker = keras.metrics.Mean(name="generator_loss")
            self.disc_loss_tracker = keras.metrics.Mean(name="discriminator_loss")

        def call(self, images):
            empty_maps = ops.zeros(tuple(ops.shape(images)[:3]) + (NUM_CLASSES,))
            return self.discriminator(ops.concatenate([images, empty_maps], -1))

        @property
        def metrics(self):
            return [self.gen_loss_tracker, self.disc_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def train_step(self, data):
            real_images, one_hot_labels = data
            image_one_hot_labels = label_maps(one_hot_labels)
            batch_size = ops.shape(real_images)[0]
            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            random_vector_labels = ops.concatenate([random_latent_vectors, one_hot_labels],
                                                   axis=1)
            generated_images = self.generator(random_vector_labels)
            fake_image_and_labels = ops.concatenate([generated_images, image_one_hot_labels],
                                                    -1)
            real_image_and_labels = ops.concatenate([real_images, image_one_hot_labels], -1)
            combined_images = ops.concatenate([fake_image_and_labels, real_image_and_labels],
                                              axis=0)
            labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))],
                                     axis=0)
            self.zero_grad()
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
            d_loss.backward()
            grads = [v.value.grad for v in self.discriminator.trainable_weights]
            with torch.no_grad():
                self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

            random_latent_vectors = keras.random.normal(
                shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            random_vector_labels = ops.concatenate([random_latent_vectors, one_hot_labels],
                                                   axis=1)
            misleading_labels = ops.zeros((batch_size, 1))
            self.zero_grad()
            fake_images = self.generator(random_vector_labels)
            fake_image_and_labels = ops.concatenate([fake_images, image_one_hot_labels], -1)
            predictions = self.discriminator(fake_image_and_labels)
            g_loss = self.loss_fn(misleading_labels, predictions)
            g_loss.backward()
            grads = [v.value.grad for v in self.generator.trainable_weights]
            with torch.no_grad():
                self.g_optimizer.apply(grads, self.generator.trainable_weights)

            self.gen_loss_tracker.update_state(g_loss)
            self.disc_loss_tracker.update_state(d_loss)
            return {"g_loss": self.gen_loss_tracker.result(),
                    "d_loss": self.disc_loss_tracker.result()}

    return ConditionalGAN, label_maps


def interpolate_class(keras, trained_gen, interpolation_noise, first_number, second_number):
    ops = keras.ops
    first_label = keras.utils.to_categorical([first_number], NUM_CLASSES)
    second_label = keras.utils.to_categorical([second_number], NUM_CLASSES)
    first_label = ops.cast(first_label, "float32")
    second_label = ops.cast(second_label, "float32")
    percent_second_label = ops.linspace(0, 1, NUM_INTERPOLATION)[:, None]
    percent_second_label = ops.cast(percent_second_label, "float32")
    interpolation_labels = (first_label * (1 - percent_second_label)
                            + second_label * percent_second_label)
    noise_and_labels = ops.concatenate([interpolation_noise, interpolation_labels], 1)
    return trained_gen.predict(noise_and_labels, verbose=0)


def data(keras):
    rng = np.random.default_rng(0)
    digits = (rng.random((48, IMAGE_SIZE, IMAGE_SIZE, 1)) > 0.6).astype("float32")
    return digits, keras.utils.to_categorical(rng.integers(0, NUM_CLASSES, 48), NUM_CLASSES)


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    ConditionalGAN, label_maps = define(keras)
    discriminator, generator = build(keras)
    if weights is not None:
        set_layer_weights(discriminator, weights["discriminator"])
        set_layer_weights(generator, weights["generator"])
    initial = {"discriminator": layer_weights(discriminator),
               "generator": layer_weights(generator)}
    all_digits, all_labels = data(keras)
    noise = np.linspace(-1, 1, LATENT_DIM, dtype="float32")[None]
    interpolation_noise = keras.ops.reshape(
        keras.ops.repeat(noise, repeats=NUM_INTERPOLATION), (NUM_INTERPOLATION, LATENT_DIM))
    untrained = interpolate_class(keras, generator, interpolation_noise, 1, 2)
    maps = label_maps(keras.ops.convert_to_tensor(all_labels[:2]))
    cond_gan = ConditionalGAN(discriminator=discriminator, generator=generator,
                              latent_dim=LATENT_DIM)
    cond_gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    history = cond_gan.fit(all_digits, all_labels, batch_size=16, epochs=2, verbose=0)
    fake_images = interpolate_class(keras, cond_gan.generator, interpolation_noise, 1, 2)
    fake_images *= 255.0
    return {"initial": initial, "untrained": untrained, "maps": maps,
            "history": history.history, "converted": fake_images.astype(np.uint8),
            "labels": all_labels[:2]}


def check(result):
    assert set(result["history"]) == {"g_loss", "d_loss"}
    assert np.isfinite(result["history"]["g_loss"]).all()
    assert result["converted"].shape == (NUM_INTERPOLATION, IMAGE_SIZE, IMAGE_SIZE, 1)
    maps = np.asarray(result["maps"].detach().cpu() if hasattr(result["maps"], "detach")
                      else result["maps"])
    assert maps.shape == (2, IMAGE_SIZE, IMAGE_SIZE, NUM_CLASSES)
    np.testing.assert_array_equal(maps.sum(axis=(1, 2, 3)), IMAGE_SIZE * IMAGE_SIZE)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_interpolation_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["untrained"], theirs["untrained"], rtol=1e-5, atol=1e-6)
    assert_nested_close(ours["maps"], theirs["maps"])


def test_repeat_with_a_one_element_list_as_the_example_writes_it():
    _, label_maps = define(hocsau)
    labels = hocsau.utils.to_categorical([0, 2], NUM_CLASSES)
    np.testing.assert_array_equal(
        label_maps(hocsau.ops.convert_to_tensor(labels), repeats=[IMAGE_SIZE * IMAGE_SIZE]),
        label_maps(hocsau.ops.convert_to_tensor(labels)))

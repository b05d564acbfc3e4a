"""keras.io example "Image segmentation with a U-Net-like architecture" (keras-io
examples/vision/oxford_pets_image_segmentation.py), adapted to random 16x16 images with
trimap-like masks: the example's Xception-style U-Net (Conv2D entry block, SeparableConv2D
blocks with MaxPooling2D and 1x1-projected residuals through `layers.add`, Conv2DTranspose
blocks with UpSampling2D and upsampled residuals, a per-pixel softmax Conv2D), shrunk in its
filters, compiled with "rmsprop" and "sparse_categorical_crossentropy" and fit with a
best-only `ModelCheckpoint("oxford_segmentation.keras")` on validation data.

The data come from the example's earlier `keras.utils.Sequence` class (`OxfordPets`, which
returns batches of numpy arrays) instead of the Keras 3 version's tf.data pipeline, since
TensorFlow is not installed; image files are replaced by arrays held in memory.

Keras 3 on CPU torch cannot train this model: its sparse crossentropy hands torch's 2-D
nll_loss a channels-last view whose backward raises "grad_input must be contiguous". So the
reference run stops before `fit`; the predictions and the evaluated loss of the untrained
model are compared, and hocsau's training is checked on its own."""

import os

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

IMG_SIZE = (16, 16)
NUM_CLASSES = 3
BATCH_SIZE = 4


def define_sequence(keras):
    class OxfordPets(keras.utils.Sequence):
        """Helper to iterate over the data (as Numpy arrays)."""

        def __init__(self, batch_size, img_size, input_imgs, target_imgs, **kwargs):
            super().__init__(**kwargs)
            self.batch_size = batch_size
            self.img_size = img_size
            self.input_imgs = input_imgs
            self.target_imgs = target_imgs

        def __len__(self):
            return len(self.target_imgs) // self.batch_size

        def __getitem__(self, idx):
            """Returns tuple (input, target) correspond to batch #idx."""
            i = idx * self.batch_size
            batch_inputs = self.input_imgs[i: i + self.batch_size]
            batch_targets = self.target_imgs[i: i + self.batch_size]
            x = np.zeros((self.batch_size,) + self.img_size + (3,), dtype="float32")
            for j, img in enumerate(batch_inputs):
                x[j] = img
            y = np.zeros((self.batch_size,) + self.img_size + (1,), dtype="uint8")
            for j, img in enumerate(batch_targets):
                y[j] = np.expand_dims(img, 2)
                # Ground truth labels are 1, 2, 3. Subtract one to make them 0, 1, 2:
                y[j] -= 1
            return x, y

    return OxfordPets


def get_model(keras, img_size, num_classes):
    layers = keras.layers
    inputs = keras.Input(shape=img_size + (3,))
    x = layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for filters in [8, 16]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(
            previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    for filters in [16, 8, 4]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)
    return keras.Model(inputs, outputs)


def images(n=24):
    rng = np.random.default_rng(0)
    inputs = rng.integers(0, 256, (n,) + IMG_SIZE + (3,)).astype("uint8")
    targets = rng.integers(1, NUM_CLASSES + 1, (n,) + IMG_SIZE).astype("uint8")
    return list(inputs), list(targets)


def program(keras, tmp_path, weights=None, train=True):
    keras.utils.set_random_seed(0)
    keras.backend.clear_session()
    model = get_model(keras, IMG_SIZE, NUM_CLASSES)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    OxfordPets = define_sequence(keras)
    input_imgs, target_imgs = images()
    val_samples = 8
    train_gen = OxfordPets(BATCH_SIZE, IMG_SIZE, input_imgs[:-val_samples],
                           target_imgs[:-val_samples])
    val_gen = OxfordPets(BATCH_SIZE, IMG_SIZE, input_imgs[-val_samples:],
                         target_imgs[-val_samples:])
    before = model.predict(val_gen, verbose=0)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    untrained = {"initial": initial, "before": before,
                 "before_loss": model.evaluate(val_gen, verbose=0)}
    if not train:
        return untrained
    path = os.path.join(tmp_path, "oxford_segmentation.keras")
    callbacks = [keras.callbacks.ModelCheckpoint(path, save_best_only=True)]
    history = model.fit(train_gen, epochs=3, validation_data=val_gen, callbacks=callbacks,
                        verbose=0)
    val_preds = model.predict(val_gen, verbose=0)
    mask = np.expand_dims(np.argmax(val_preds[2], axis=-1), axis=-1)
    reloaded = keras.models.load_model(path)
    return {**untrained, "history": history.history,
            "val_preds": val_preds, "mask": mask,
            "reloaded_preds": reloaded.predict(val_gen, verbose=0),
            "best_val_loss": min(history.history["val_loss"]),
            "reloaded_val_loss": reloaded.evaluate(val_gen, verbose=0),
            "parameters": model.count_params()}


def check_untrained(result):
    assert result["before"].shape == (8,) + IMG_SIZE + (NUM_CLASSES,)
    np.testing.assert_allclose(result["before"].sum(-1), 1.0, rtol=1e-5)
    assert result["before_loss"] > 0


def check(result):
    check_untrained(result)
    history = result["history"]
    assert set(history) == {"loss", "val_loss"} and len(history["loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]
    assert result["mask"].shape == IMG_SIZE + (1,)
    assert set(np.unique(result["mask"])) <= {0, 1, 2}
    np.testing.assert_allclose(result["reloaded_val_loss"], result["best_val_loss"],
                               rtol=1e-4)


def test_untrained_program_on_keras(real_keras, tmp_path):
    check_untrained(program(real_keras, tmp_path, train=False))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, tmp_path))


def test_same_weights_same_predictions_and_loss_as_keras(real_keras, tmp_path):
    """Raw 0-255 pixels (the example does not rescale) make logits in the hundreds, so
    float32 rounding in different summation orders moves the softmax by ~1e-5."""
    theirs = program(real_keras, tmp_path, train=False)
    ours = program(hocsau, tmp_path, weights=theirs["initial"], train=False)
    for key in ("before", "before_loss"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-4, path=key)

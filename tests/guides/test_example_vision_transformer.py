"""keras.io example "Image classification with Vision Transformer" (keras-io
examples/vision/image_classification_with_vision_transformer.py), adapted to random 8x8 RGB
"CIFAR" images: the augmentation Sequential (Normalization adapted on the training images,
Resizing, RandomFlip, RandomRotation, RandomZoom), the `Patches` layer built on
`keras.ops.image.extract_patches`, the `PatchEncoder` (Dense projection plus an Embedding of
`ops.arange` positions), transformer blocks (LayerNormalization, MultiHeadAttention with
dropout, gelu MLPs, Add) and the Flatten + MLP head, trained with AdamW, sparse accuracy and
top-5 metrics and a best-only `ModelCheckpoint(save_weights_only=True)` on `val_accuracy`
that the program reloads before `evaluate`. The model code is the example's, shrunk."""

import os

import numpy as np
from guide_helpers import (
    assert_nested_close,
    check_top5_classifier_run,
    layer_weights,
    set_layer_weights,
)

import hocsau

NUM_CLASSES = 10
INPUT_SHAPE = (8, 8, 3)
IMAGE_SIZE, PATCH_SIZE = 12, 4
NUM_PATCHES = (IMAGE_SIZE // PATCH_SIZE) ** 2
PROJECTION_DIM, NUM_HEADS = 8, 2
HIDDEN_DIM = PROJECTION_DIM * NUM_HEADS
TRANSFORMER_UNITS = [HIDDEN_DIM * 2, HIDDEN_DIM]
TRANSFORMER_LAYERS = 2
MLP_HEAD_UNITS = [32, 16]


def define_layers(keras):
    layers, ops = keras.layers, keras.ops

    class Patches(layers.Layer):
        def __init__(self, patch_size):
            super().__init__()
            self.patch_size = patch_size

        def call(self, images):
            input_shape = ops.shape(images)
            batch_size = input_shape[0]
            height = input_shape[1]
            width = input_shape[2]
            channels = input_shape[3]
            num_patches_h = height // self.patch_size
            num_patches_w = width // self.patch_size
            patches = keras.ops.image.extract_patches(images, size=self.patch_size)
            patches = ops.reshape(
                patches,
                (batch_size, num_patches_h * num_patches_w,
                 self.patch_size * self.patch_size * channels),
            )
            return patches

        def get_config(self):
            config = super().get_config()
            config.update({"patch_size": self.patch_size})
            return config

    class PatchEncoder(layers.Layer):
        def __init__(self, num_patches, projection_dim):
            super().__init__()
            self.num_patches = num_patches
            self.projection = layers.Dense(units=projection_dim)
            self.position_embedding = layers.Embedding(
                input_dim=num_patches, output_dim=projection_dim)

        def call(self, patch):
            positions = ops.expand_dims(
                ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
            projected_patches = self.projection(patch)
            encoded = projected_patches + self.position_embedding(positions)
            return encoded

        def get_config(self):
            config = super().get_config()
            config.update({"num_patches": self.num_patches})
            return config

    return Patches, PatchEncoder


def mlp(keras, x, hidden_units, dropout_rate):
    for units in hidden_units:
        x = keras.layers.Dense(units, activation=keras.activations.gelu)(x)
        x = keras.layers.Dropout(dropout_rate)(x)
    return x


def create_vit_classifier(keras, data_augmentation):
    layers = keras.layers
    Patches, PatchEncoder = define_layers(keras)
    inputs = keras.Input(shape=INPUT_SHAPE)
    augmented = data_augmentation(inputs)
    patches = Patches(PATCH_SIZE)(augmented)
    encoded_patches = PatchEncoder(NUM_PATCHES, HIDDEN_DIM)(patches)
    for _ in range(TRANSFORMER_LAYERS):
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
        attention_output = layers.MultiHeadAttention(
            num_heads=NUM_HEADS, key_dim=PROJECTION_DIM, dropout=0.1)(x1, x1)
        x2 = layers.Add()([attention_output, encoded_patches])
        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        x3 = mlp(keras, x3, hidden_units=TRANSFORMER_UNITS, dropout_rate=0.1)
        encoded_patches = layers.Add()([x3, x2])
    representation = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
    representation = layers.Flatten()(representation)
    representation = layers.Dropout(0.5)(representation)
    features = mlp(keras, representation, hidden_units=MLP_HEAD_UNITS, dropout_rate=0.5)
    logits = layers.Dense(NUM_CLASSES)(features)
    return keras.Model(inputs=inputs, outputs=logits)


def data():
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (40,) + INPUT_SHAPE).astype("uint8")
    y_train = rng.integers(0, NUM_CLASSES, (40, 1)).astype("int64")
    return x_train, y_train, x_train[:16], y_train[:16]


def program(keras, tmp_path, weights=None):
    keras.utils.set_random_seed(0)
    layers = keras.layers
    x_train, y_train, x_test, y_test = data()
    data_augmentation = keras.Sequential(
        [
            layers.Normalization(),
            layers.Resizing(IMAGE_SIZE, IMAGE_SIZE),
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(factor=0.02),
            layers.RandomZoom(height_factor=0.2, width_factor=0.2),
        ],
        name="data_augmentation",
    )
    data_augmentation.layers[0].adapt(x_train)
    Patches, _ = define_layers(keras)
    # `[image]` in the example: Keras on torch warns (an error here) on a list of arrays.
    resized_image = keras.ops.image.resize(
        keras.ops.convert_to_tensor(x_train[:1], dtype="float32"),
        size=(IMAGE_SIZE, IMAGE_SIZE))
    patches = Patches(PATCH_SIZE)(resized_image)
    first_patch = keras.ops.reshape(patches[0][0], (PATCH_SIZE, PATCH_SIZE, 3))

    model = create_vit_classifier(keras, data_augmentation)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    inference = model.predict(x_test, verbose=0)
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[
            keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
            keras.metrics.SparseTopKCategoricalAccuracy(5, name="top-5-accuracy"),
        ],
    )
    os.makedirs(tmp_path, exist_ok=True)
    checkpoint_filepath = os.path.join(tmp_path, "checkpoint.weights.h5")
    checkpoint_callback = keras.callbacks.ModelCheckpoint(
        checkpoint_filepath, monitor="val_accuracy", save_best_only=True,
        save_weights_only=True)
    history = model.fit(x=x_train, y=y_train, batch_size=8, epochs=3,
                        validation_split=0.1, callbacks=[checkpoint_callback], verbose=0)
    model.load_weights(checkpoint_filepath)
    _, accuracy, top_5_accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"initial": initial, "inference": inference, "patches": patches,
            "first_patch": first_patch, "history": history.history,
            "evaluation": (accuracy, top_5_accuracy),
            "normalization": data_augmentation.layers[0].get_weights(),
            "checkpoint_exists": os.path.exists(checkpoint_filepath)}


def check(result):
    assert tuple(result["patches"].shape) == (1, NUM_PATCHES, PATCH_SIZE * PATCH_SIZE * 3)
    assert tuple(result["first_patch"].shape) == (PATCH_SIZE, PATCH_SIZE, 3)
    assert result["inference"].shape == (16, NUM_CLASSES)
    check_top5_classifier_run(result, epochs=3)
    assert result["checkpoint_exists"]


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, tmp_path))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, tmp_path))


def test_same_weights_same_inference_as_keras(real_keras, tmp_path):
    """Inference (augmentation off, dropout off) and the patches agree; training draws
    different random augmentations and dropout masks in each library."""
    theirs = program(real_keras, tmp_path / "keras")
    ours = program(hocsau, tmp_path / "hocsau", weights=theirs["initial"])
    for key in ("inference", "patches", "first_patch", "normalization"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-5, atol=1e-5, path=key)

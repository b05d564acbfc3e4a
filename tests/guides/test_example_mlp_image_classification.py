"""keras.io example "Image classification with modern MLP models" (keras-io
examples/vision/mlp_image_classification.py, the Keras 3 version), adapted to random 8x8 RGB
"CIFAR" images: the shared classifier (augmentation Sequential with an adapted Normalization,
Resizing, RandomFlip, RandomZoom; a `Patches` layer over `keras.ops.image.extract_patches`;
a Dense patch embedding; a Sequential of blocks; GlobalAveragePooling1D; Dropout; logits)
with each of the example's three block types: MLP-Mixer (`ops.transpose` token mixing),
FNet (`keras.ops.fft2` of a (real, imaginary) pair) and gMLP (`keras.ops.split` spatial
gating with a Dense whose bias starts at "Ones"), trained with AdamW, ReduceLROnPlateau and
EarlyStopping(restore_best_weights=True)."""

import numpy as np
import pytest
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

NUM_CLASSES = 10
INPUT_SHAPE = (8, 8, 3)
IMAGE_SIZE, PATCH_SIZE = 12, 4
NUM_PATCHES = (IMAGE_SIZE // PATCH_SIZE) ** 2
EMBEDDING_DIM, NUM_BLOCKS, DROPOUT_RATE = 8, 2, 0.2


def define_layers(keras):
    layers, ops = keras.layers, keras.ops

    class Patches(layers.Layer):
        def __init__(self, patch_size, **kwargs):
            super().__init__(**kwargs)
            self.patch_size = patch_size

        def call(self, x):
            patches = keras.ops.image.extract_patches(x, self.patch_size)
            batch_size = keras.ops.shape(patches)[0]
            num_patches = keras.ops.shape(patches)[1] * keras.ops.shape(patches)[2]
            patch_dim = keras.ops.shape(patches)[3]
            out = keras.ops.reshape(patches, (batch_size, num_patches, patch_dim))
            return out

    class MLPMixerLayer(layers.Layer):
        def __init__(self, num_patches, hidden_units, dropout_rate, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.mlp1 = keras.Sequential([
                layers.Dense(units=num_patches, activation="gelu"),
                layers.Dense(units=num_patches),
                layers.Dropout(rate=dropout_rate),
            ])
            self.mlp2 = keras.Sequential([
                layers.Dense(units=num_patches, activation="gelu"),
                layers.Dense(units=hidden_units),
                layers.Dropout(rate=dropout_rate),
            ])
            self.normalize = layers.LayerNormalization(epsilon=1e-6)

        def call(self, inputs):
            x = self.normalize(inputs)
            x_channels = ops.transpose(x, axes=(0, 2, 1))
            mlp1_outputs = self.mlp1(x_channels)
            mlp1_outputs = ops.transpose(mlp1_outputs, axes=(0, 2, 1))
            x = mlp1_outputs + inputs
            x_patches = self.normalize(x)
            mlp2_outputs = self.mlp2(x_patches)
            x = x + mlp2_outputs
            return x

    class FNetLayer(layers.Layer):
        def __init__(self, embedding_dim, dropout_rate, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.ffn = keras.Sequential([
                layers.Dense(units=embedding_dim, activation="gelu"),
                layers.Dropout(rate=dropout_rate),
                layers.Dense(units=embedding_dim),
            ])
            self.normalize1 = layers.LayerNormalization(epsilon=1e-6)
            self.normalize2 = layers.LayerNormalization(epsilon=1e-6)

        def call(self, inputs):
            real_part = inputs
            im_part = keras.ops.zeros_like(inputs)
            x = keras.ops.fft2((real_part, im_part))[0]
            x = x + inputs
            x = self.normalize1(x)
            x_ffn = self.ffn(x)
            x = x + x_ffn
            return self.normalize2(x)

    class gMLPLayer(layers.Layer):  # noqa: N801 (the example's name)
        def __init__(self, num_patches, embedding_dim, dropout_rate, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.channel_projection1 = keras.Sequential([
                layers.Dense(units=embedding_dim * 2, activation="gelu"),
                layers.Dropout(rate=dropout_rate),
            ])
            self.channel_projection2 = layers.Dense(units=embedding_dim)
            self.spatial_projection = layers.Dense(units=num_patches, bias_initializer="Ones")
            self.normalize1 = layers.LayerNormalization(epsilon=1e-6)
            self.normalize2 = layers.LayerNormalization(epsilon=1e-6)

        def spatial_gating_unit(self, x):
            u, v = keras.ops.split(x, indices_or_sections=2, axis=2)
            v = self.normalize2(v)
            v_channels = keras.ops.transpose(v, axes=(0, 2, 1))
            v_projected = self.spatial_projection(v_channels)
            v_projected = keras.ops.transpose(v_projected, axes=(0, 2, 1))
            return u * v_projected

        def call(self, inputs):
            x = self.normalize1(inputs)
            x_projected = self.channel_projection1(x)
            x_spatial = self.spatial_gating_unit(x_projected)
            x_projected = self.channel_projection2(x_spatial)
            return x + x_projected

    return Patches, {"mlpmixer": lambda: MLPMixerLayer(NUM_PATCHES, EMBEDDING_DIM,
                                                       DROPOUT_RATE),
                     "fnet": lambda: FNetLayer(EMBEDDING_DIM, DROPOUT_RATE),
                     "gmlp": lambda: gMLPLayer(NUM_PATCHES, EMBEDDING_DIM, DROPOUT_RATE)}


def build_classifier(keras, blocks, data_augmentation, Patches):
    layers = keras.layers
    inputs = layers.Input(shape=INPUT_SHAPE)
    augmented = data_augmentation(inputs)
    patches = Patches(PATCH_SIZE)(augmented)
    x = layers.Dense(units=EMBEDDING_DIM)(patches)
    x = blocks(x)
    representation = layers.GlobalAveragePooling1D()(x)
    representation = layers.Dropout(rate=DROPOUT_RATE)(representation)
    logits = layers.Dense(NUM_CLASSES)(representation)
    return keras.Model(inputs=inputs, outputs=logits)


def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (40,) + INPUT_SHAPE).astype("uint8")
    y = rng.integers(0, NUM_CLASSES, (40, 1)).astype("int64")
    return x[:32], y[:32], x[32:], y[32:]


def program(keras, kind, weights=None):
    keras.utils.set_random_seed(0)
    layers = keras.layers
    x_train, y_train, x_test, y_test = data()
    data_augmentation = keras.Sequential(
        [layers.Normalization(), layers.Resizing(IMAGE_SIZE, IMAGE_SIZE),
         layers.RandomFlip("horizontal"),
         layers.RandomZoom(height_factor=0.2, width_factor=0.2)],
        name="data_augmentation")
    data_augmentation.layers[0].adapt(x_train)
    Patches, blocks = define_layers(keras)
    block_stack = keras.Sequential([blocks[kind]() for _ in range(NUM_BLOCKS)])
    model = build_classifier(keras, block_stack, data_augmentation, Patches)
    if weights is not None:
        set_layer_weights(block_stack, weights["blocks"])
        set_layer_weights(model, weights["model"])
    initial = {"blocks": layer_weights(block_stack), "model": layer_weights(model)}
    inference = model.predict(x_test, verbose=0)
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=0.005, weight_decay=0.0001),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc"),
                 keras.metrics.SparseTopKCategoricalAccuracy(5, name="top5-acc")])
    reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=5)
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10,
                                                   restore_best_weights=True)
    history = model.fit(x=x_train, y=y_train, batch_size=8, epochs=3, validation_split=0.1,
                        callbacks=[early_stopping, reduce_lr], verbose=0)
    _, accuracy, top_5_accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"initial": initial, "inference": inference, "history": history.history,
            "evaluation": (accuracy, top_5_accuracy),
            "parameters": model.count_params()}


def check(result):
    assert result["inference"].shape == (8, NUM_CLASSES)
    assert np.isfinite(result["inference"]).all()
    history = result["history"]
    assert set(history) == {"loss", "acc", "top5-acc", "val_loss", "val_acc", "val_top5-acc",
                            "learning_rate"}
    assert len(history["loss"]) == 3 and np.isfinite(history["loss"]).all()
    accuracy, top_5 = result["evaluation"]
    assert 0.0 <= accuracy <= top_5 <= 1.0


@pytest.mark.parametrize("kind", ["mlpmixer", "fnet", "gmlp"])
def test_program_on_hocsau(kind):
    check(program(hocsau, kind))


@pytest.mark.parametrize("kind", ["mlpmixer", "fnet", "gmlp"])
def test_same_weights_same_inference_as_keras(real_keras, kind):
    """Inference (augmentation and dropout off) and parameter counts agree; training draws
    different augmentations and dropout masks in each library. Keras's own run is checked
    by the same `check`."""
    theirs = program(real_keras, kind)
    check(theirs)
    ours = program(hocsau, kind, weights=theirs["initial"])
    assert ours["parameters"] == theirs["parameters"]
    assert_nested_close(ours["inference"], theirs["inference"], rtol=1e-5, atol=1e-5)

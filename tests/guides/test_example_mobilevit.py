"""keras.io example "MobileViT: A mobile-friendly Transformer-based model for image
classification" (keras-io examples/vision/mobilevit.py), adapted to random 64x64 images of 5
classes: the example's model code (swish conv blocks, inverted residual blocks calling
`keras.activations.swish` on symbolic tensors, `correct_pad` reading symbolic shapes for a
ZeroPadding2D before a strided "valid" DepthwiseConv2D, a Python `if` on
`keras.ops.equal(x.shape[-1], output_channels)`, MobileViT blocks that unfold the feature map
into patches with Reshape, run transformer blocks and fold back) with its channel numbers
and depths shrunk, trained with CategoricalCrossentropy(label_smoothing=0.1) and a best-only
weights checkpoint reloaded before `evaluate`.

The tf.data pipeline (resizing, random crops and flips, one-hot labels) becomes numpy
arrays with one-hot labels; the TFLite conversion at the end is left out."""

import os

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

PATCH_SIZE, IMAGE_SIZE, EXPANSION_FACTOR, NUM_CLASSES = 4, 64, 2, 5


def define_mobilevit(keras):
    layers = keras.layers

    def conv_block(x, filters=16, kernel_size=3, strides=2):
        conv_layer = layers.Conv2D(filters, kernel_size, strides=strides,
                                   activation=keras.activations.swish, padding="same")
        return conv_layer(x)

    def correct_pad(inputs, kernel_size):
        img_dim = 2 if keras.backend.image_data_format() == "channels_first" else 1
        input_size = inputs.shape[img_dim: (img_dim + 2)]
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size, kernel_size)
        if input_size[0] is None:
            adjust = (1, 1)
        else:
            adjust = (1 - input_size[0] % 2, 1 - input_size[1] % 2)
        correct = (kernel_size[0] // 2, kernel_size[1] // 2)
        return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))

    def inverted_residual_block(x, expanded_channels, output_channels, strides=1):
        m = layers.Conv2D(expanded_channels, 1, padding="same", use_bias=False)(x)
        m = layers.BatchNormalization()(m)
        m = keras.activations.swish(m)
        if strides == 2:
            m = layers.ZeroPadding2D(padding=correct_pad(m, 3))(m)
        m = layers.DepthwiseConv2D(3, strides=strides,
                                   padding="same" if strides == 1 else "valid",
                                   use_bias=False)(m)
        m = layers.BatchNormalization()(m)
        m = keras.activations.swish(m)
        m = layers.Conv2D(output_channels, 1, padding="same", use_bias=False)(m)
        m = layers.BatchNormalization()(m)
        if keras.ops.equal(x.shape[-1], output_channels) and strides == 1:
            return layers.Add()([m, x])
        return m

    def mlp(x, hidden_units, dropout_rate):
        for units in hidden_units:
            x = layers.Dense(units, activation=keras.activations.swish)(x)
            x = layers.Dropout(dropout_rate)(x)
        return x

    def transformer_block(x, transformer_layers, projection_dim, num_heads=2):
        for _ in range(transformer_layers):
            x1 = layers.LayerNormalization(epsilon=1e-6)(x)
            attention_output = layers.MultiHeadAttention(
                num_heads=num_heads, key_dim=projection_dim, dropout=0.1)(x1, x1)
            x2 = layers.Add()([attention_output, x])
            x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
            x3 = mlp(x3, hidden_units=[x.shape[-1] * 2, x.shape[-1]], dropout_rate=0.1)
            x = layers.Add()([x3, x2])
        return x

    def mobilevit_block(x, num_blocks, projection_dim, strides=1):
        local_features = conv_block(x, filters=projection_dim, strides=strides)
        local_features = conv_block(local_features, filters=projection_dim, kernel_size=1,
                                    strides=strides)
        num_patches = int((local_features.shape[1] * local_features.shape[2]) / PATCH_SIZE)
        non_overlapping_patches = layers.Reshape((PATCH_SIZE, num_patches, projection_dim))(
            local_features)
        global_features = transformer_block(non_overlapping_patches, num_blocks,
                                            projection_dim)
        folded_feature_map = layers.Reshape((*local_features.shape[1:-1], projection_dim))(
            global_features)
        folded_feature_map = conv_block(folded_feature_map, filters=x.shape[-1],
                                        kernel_size=1, strides=strides)
        local_global_features = layers.Concatenate(axis=-1)([x, folded_feature_map])
        local_global_features = conv_block(local_global_features, filters=projection_dim,
                                           strides=strides)
        return local_global_features

    def create_mobilevit(num_classes=5):
        inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
        x = layers.Rescaling(scale=1.0 / 255)(inputs)
        x = conv_block(x, filters=4)
        x = inverted_residual_block(x, expanded_channels=4 * EXPANSION_FACTOR,
                                    output_channels=4)
        x = inverted_residual_block(x, expanded_channels=4 * EXPANSION_FACTOR,
                                    output_channels=6, strides=2)
        x = inverted_residual_block(x, expanded_channels=6 * EXPANSION_FACTOR,
                                    output_channels=6)
        x = inverted_residual_block(x, expanded_channels=6 * EXPANSION_FACTOR,
                                    output_channels=8, strides=2)
        x = mobilevit_block(x, num_blocks=2, projection_dim=8)
        x = inverted_residual_block(x, expanded_channels=8 * EXPANSION_FACTOR,
                                    output_channels=8, strides=2)
        x = mobilevit_block(x, num_blocks=1, projection_dim=8)
        x = inverted_residual_block(x, expanded_channels=8 * EXPANSION_FACTOR,
                                    output_channels=10, strides=2)
        x = mobilevit_block(x, num_blocks=1, projection_dim=12)
        x = conv_block(x, filters=16, kernel_size=1, strides=1)
        x = layers.GlobalAvgPool2D()(x)
        outputs = layers.Dense(num_classes, activation="softmax")(x)
        return keras.Model(inputs, outputs)

    return create_mobilevit


def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (20, IMAGE_SIZE, IMAGE_SIZE, 3)).astype("float32")
    y = np.eye(NUM_CLASSES, dtype="float32")[rng.integers(0, NUM_CLASSES, 20)]
    return (x[:12], y[:12]), (x[12:], y[12:])


def program(keras, tmp_path, weights=None):
    keras.utils.set_random_seed(0)
    model = define_mobilevit(keras)(num_classes=NUM_CLASSES)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    (x_train, y_train), (x_val, y_val) = data()
    inference = model.predict(x_val, verbose=0)
    optimizer = keras.optimizers.Adam(learning_rate=0.002)
    loss_fn = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)
    model.compile(optimizer, loss=loss_fn, metrics=["accuracy"])
    checkpoint_filepath = os.path.join(tmp_path, "checkpoint.weights.h5")
    checkpoint_callback = keras.callbacks.ModelCheckpoint(
        checkpoint_filepath, monitor="val_accuracy", save_best_only=True,
        save_weights_only=True)
    history = model.fit(x_train, y_train, batch_size=12, validation_data=(x_val, y_val),
                        epochs=2, callbacks=[checkpoint_callback], verbose=0)
    model.load_weights(checkpoint_filepath)
    _, accuracy = model.evaluate(x_val, y_val, verbose=0)
    return {"initial": initial, "inference": inference, "history": history.history,
            "accuracy": accuracy, "parameters": model.count_params(),
            "layers": len(model.layers)}


def check(result):
    assert result["inference"].shape == (8, NUM_CLASSES)
    np.testing.assert_allclose(result["inference"].sum(1), 1.0, rtol=1e-5)
    history = result["history"]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert np.isfinite(history["loss"]).all() and len(history["loss"]) == 2
    assert result["accuracy"] in history["val_accuracy"]


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, tmp_path))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, tmp_path))


def test_same_weights_same_inference_as_keras(real_keras, tmp_path):
    """The same architecture (layer count, parameters) and, with the same weights, the same
    inference; training differs by the attention and MLP dropout draws."""
    theirs = program(real_keras, tmp_path)
    ours = program(hocsau, tmp_path, weights=theirs["initial"])
    assert (ours["parameters"], ours["layers"]) == (theirs["parameters"], theirs["layers"])
    assert_nested_close(ours["inference"], theirs["inference"], rtol=1e-5, atol=1e-6)

"""keras.io example "Compact Convolutional Transformers" (keras-io examples/vision/cct.py),
adapted to random 12x12 RGB images: the example's `CCTTokenizer` (a Sequential filled with
`add`: Conv2D, ZeroPadding2D, MaxPooling2D), `PositionEmbedding` (a weight sliced with
`keras.ops.slice` and broadcast), added with `encoded_patches += ...` on symbolic tensors,
`StochasticDepth` drawing `keras.random.uniform` from its SeedGenerator when `training`,
`SequencePooling` (softmax attention weights, transpose, matmul, squeeze), MLPs with
`activation=keras.ops.gelu`, the Rescaling / RandomCrop / RandomFlip augmentation, AdamW,
label-smoothed CategoricalCrossentropy from logits, accuracy and top-5 metrics, and a
best-only weights checkpoint reloaded before `evaluate`. Sizes are shrunk."""

import os

import numpy as np
from guide_helpers import (
    assert_nested_close,
    check_top5_classifier_run,
    layer_weights,
    set_layer_weights,
)

import hocsau

NUM_CLASSES, INPUT_SHAPE, IMAGE_SIZE = 10, (12, 12, 3), 12
CONV_LAYERS, PROJECTION_DIM, NUM_HEADS = 2, 8, 2
TRANSFORMER_UNITS = [PROJECTION_DIM, PROJECTION_DIM]
TRANSFORMER_LAYERS, STOCHASTIC_DEPTH_RATE = 2, 0.1


def define_layers(keras):
    layers = keras.layers

    class CCTTokenizer(layers.Layer):
        def __init__(self, kernel_size=3, stride=1, padding=1, pooling_kernel_size=3,
                     pooling_stride=2, num_conv_layers=CONV_LAYERS,
                     num_output_channels=(4, PROJECTION_DIM), positional_emb=True,
                     **kwargs):
            super().__init__(**kwargs)
            self.conv_model = keras.Sequential()
            for i in range(num_conv_layers):
                self.conv_model.add(layers.Conv2D(
                    num_output_channels[i], kernel_size, stride, padding="valid",
                    use_bias=False, activation="relu", kernel_initializer="he_normal"))
                self.conv_model.add(layers.ZeroPadding2D(padding))
                self.conv_model.add(layers.MaxPooling2D(pooling_kernel_size, pooling_stride,
                                                        "same"))
            self.positional_emb = positional_emb

        def call(self, images):
            outputs = self.conv_model(images)
            reshaped = keras.ops.reshape(
                outputs,
                (-1, keras.ops.shape(outputs)[1] * keras.ops.shape(outputs)[2],
                 keras.ops.shape(outputs)[-1]))
            return reshaped

    class PositionEmbedding(keras.layers.Layer):
        def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
            super().__init__(**kwargs)
            if sequence_length is None:
                raise ValueError("`sequence_length` must be an Integer, received `None`.")
            self.sequence_length = int(sequence_length)
            self.initializer = keras.initializers.get(initializer)

        def get_config(self):
            config = super().get_config()
            config.update({"sequence_length": self.sequence_length,
                           "initializer": keras.initializers.serialize(self.initializer)})
            return config

        def build(self, input_shape):
            feature_size = input_shape[-1]
            self.position_embeddings = self.add_weight(
                name="embeddings", shape=[self.sequence_length, feature_size],
                initializer=self.initializer, trainable=True)
            super().build(input_shape)

        def call(self, inputs, start_index=0):
            shape = keras.ops.shape(inputs)
            feature_length = shape[-1]
            sequence_length = shape[-2]
            position_embeddings = keras.ops.convert_to_tensor(self.position_embeddings)
            position_embeddings = keras.ops.slice(
                position_embeddings, (start_index, 0), (sequence_length, feature_length))
            return keras.ops.broadcast_to(position_embeddings, shape)

        def compute_output_shape(self, input_shape):
            return input_shape

    class SequencePooling(layers.Layer):
        def __init__(self):
            super().__init__()
            self.attention = layers.Dense(1)

        def call(self, x):
            attention_weights = keras.ops.softmax(self.attention(x), axis=1)
            attention_weights = keras.ops.transpose(attention_weights, axes=(0, 2, 1))
            weighted_representation = keras.ops.matmul(attention_weights, x)
            return keras.ops.squeeze(weighted_representation, -2)

    class StochasticDepth(layers.Layer):
        def __init__(self, drop_prop, **kwargs):
            super().__init__(**kwargs)
            self.drop_prob = drop_prop
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, x, training=None):
            if training:
                keep_prob = 1 - self.drop_prob
                shape = (keras.ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)
                random_tensor = keep_prob + keras.random.uniform(
                    shape, 0, 1, seed=self.seed_generator)
                random_tensor = keras.ops.floor(random_tensor)
                return (x / keep_prob) * random_tensor
            return x

    return CCTTokenizer, PositionEmbedding, SequencePooling, StochasticDepth


def mlp(keras, x, hidden_units, dropout_rate):
    for units in hidden_units:
        x = keras.layers.Dense(units, activation=keras.ops.gelu)(x)
        x = keras.layers.Dropout(dropout_rate)(x)
    return x


def create_cct_model(keras, data_augmentation):
    layers = keras.layers
    CCTTokenizer, PositionEmbedding, SequencePooling, StochasticDepth = define_layers(keras)
    inputs = layers.Input(INPUT_SHAPE)
    augmented = data_augmentation(inputs)
    cct_tokenizer = CCTTokenizer()
    encoded_patches = cct_tokenizer(augmented)
    sequence_length = encoded_patches.shape[1]
    encoded_patches += PositionEmbedding(sequence_length=sequence_length)(encoded_patches)
    dpr = [x for x in np.linspace(0, STOCHASTIC_DEPTH_RATE, TRANSFORMER_LAYERS)]
    for i in range(TRANSFORMER_LAYERS):
        x1 = layers.LayerNormalization(epsilon=1e-5)(encoded_patches)
        attention_output = layers.MultiHeadAttention(
            num_heads=NUM_HEADS, key_dim=PROJECTION_DIM, dropout=0.1)(x1, x1)
        attention_output = StochasticDepth(dpr[i])(attention_output)
        x2 = layers.Add()([attention_output, encoded_patches])
        x3 = layers.LayerNormalization(epsilon=1e-5)(x2)
        x3 = mlp(keras, x3, hidden_units=TRANSFORMER_UNITS, dropout_rate=0.1)
        x3 = StochasticDepth(dpr[i])(x3)
        encoded_patches = layers.Add()([x3, x2])
    representation = layers.LayerNormalization(epsilon=1e-5)(encoded_patches)
    weighted_representation = SequencePooling()(representation)
    logits = layers.Dense(NUM_CLASSES)(weighted_representation)
    return keras.Model(inputs=inputs, outputs=logits)


def data(keras):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (40,) + INPUT_SHAPE).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, NUM_CLASSES, (40, 1)), NUM_CLASSES)
    return x[:32], y[:32], x[32:], y[32:]


def program(keras, tmp_path, weights=None):
    keras.utils.set_random_seed(0)
    layers = keras.layers
    x_train, y_train, x_test, y_test = data(keras)
    data_augmentation = keras.Sequential(
        [layers.Rescaling(scale=1.0 / 255), layers.RandomCrop(IMAGE_SIZE, IMAGE_SIZE),
         layers.RandomFlip("horizontal")], name="data_augmentation")
    model = create_cct_model(keras, data_augmentation)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    inference = model.predict(x_test, verbose=0)
    optimizer = keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy"),
                 keras.metrics.TopKCategoricalAccuracy(5, name="top-5-accuracy")])
    checkpoint_filepath = os.path.join(tmp_path, "checkpoint.weights.h5")
    checkpoint_callback = keras.callbacks.ModelCheckpoint(
        checkpoint_filepath, monitor="val_accuracy", save_best_only=True,
        save_weights_only=True)
    history = model.fit(x=x_train, y=y_train, batch_size=8, epochs=3, validation_split=0.1,
                        callbacks=[checkpoint_callback], verbose=0)
    model.load_weights(checkpoint_filepath)
    _, accuracy, top_5_accuracy = model.evaluate(x_test, y_test, verbose=0)
    return {"initial": initial, "inference": inference, "history": history.history,
            "evaluation": (accuracy, top_5_accuracy), "parameters": model.count_params()}


def check(result):
    assert result["inference"].shape == (8, NUM_CLASSES)
    check_top5_classifier_run(result, epochs=3)


def test_program_on_keras(real_keras, tmp_path):
    check(program(real_keras, tmp_path))


def test_program_on_hocsau(tmp_path):
    check(program(hocsau, tmp_path))


def test_same_weights_same_inference_as_keras(real_keras, tmp_path):
    """Inference (no augmentation, dropout or stochastic depth) and the parameter count
    agree; training draws different random numbers in each library."""
    theirs = program(real_keras, tmp_path)
    ours = program(hocsau, tmp_path, weights=theirs["initial"])
    assert ours["parameters"] == theirs["parameters"]
    assert_nested_close(ours["inference"], theirs["inference"], rtol=1e-5, atol=1e-5)

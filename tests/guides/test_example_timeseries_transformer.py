"""keras.io example "Timeseries classification with a Transformer model" (keras-io
examples/timeseries/timeseries_classification_transformer.py), adapted to generated two-class
series instead of FordA: the functional `transformer_encoder` blocks (MultiHeadAttention with
attention dropout, residuals, LayerNormalization, kernel-size-1 Conv1D feed-forward whose width
comes from `inputs.shape[-1]`), GlobalAveragePooling1D(data_format="channels_last"), the MLP
head, and training with EarlyStopping(restore_best_weights=True) before `evaluate`."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

LENGTH, n_classes = 24, 2


def readucr(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.choice([-1, 1], size=n)
    t = np.linspace(0, 2 * np.pi, LENGTH)
    x = np.sin(np.outer(np.where(y > 0, 3.0, 1.0), t) + rng.uniform(0, 6, (n, 1)))
    return x + 0.3 * rng.normal(size=x.shape), y.astype(int)


def transformer_encoder(keras, inputs, head_size, num_heads, ff_dim, dropout=0):
    layers = keras.layers
    x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads,
                                  dropout=dropout)(inputs, inputs)
    x = layers.Dropout(dropout)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    res = x + inputs
    x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
    x = layers.Dropout(dropout)(x)
    x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    return x + res


def build_model(keras, input_shape, head_size, num_heads, ff_dim, num_transformer_blocks,
                mlp_units, dropout=0, mlp_dropout=0):
    layers = keras.layers
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for _ in range(num_transformer_blocks):
        x = transformer_encoder(keras, x, head_size, num_heads, ff_dim, dropout)
    x = layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    for dim in mlp_units:
        x = layers.Dense(dim, activation="relu")(x)
        x = layers.Dropout(mlp_dropout)(x)
    outputs = layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def program(keras, weights=None, **fit_options):
    x_train, y_train = readucr(64, 0)
    x_test, y_test = readucr(16, 1)
    x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
    x_test = x_test.reshape((x_test.shape[0], x_test.shape[1], 1))
    y_train[y_train == -1] = 0
    y_test[y_test == -1] = 0
    keras.utils.set_random_seed(0)
    model = build_model(keras, x_train.shape[1:], head_size=8, num_heads=2, ff_dim=4,
                        num_transformer_blocks=2, mlp_units=[16], mlp_dropout=0.4,
                        dropout=0.25)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  metrics=["sparse_categorical_accuracy"])
    before = model.evaluate(x_test, y_test, verbose=0)
    callbacks = [keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)]
    history = model.fit(x_train, y_train, validation_split=0.2, epochs=6, batch_size=16,
                        callbacks=callbacks, verbose=0, **fit_options)
    return {"initial": initial, "before": before, "history": history.history,
            "after": model.evaluate(x_test, y_test, verbose=0),
            "restored_val": model.evaluate(x_train[-13:], y_train[-13:], verbose=0)[0],
            "params": model.count_params(), "output_shape": model.output_shape}


def check(result):
    assert result["output_shape"] == (None, n_classes)
    history = result["history"]
    assert set(history) == {"loss", "sparse_categorical_accuracy", "val_loss",
                            "val_sparse_categorical_accuracy"}
    # restore_best_weights: the model ends on its best epoch's weights.
    np.testing.assert_allclose(result["restored_val"], min(history["val_loss"]), rtol=1e-5)
    # Per block: attention (1 -> 2 heads x 8 -> 1), two LayerNorms, Conv1D 1->4 and 4->1.
    block = (3 * (1 * 2 * 8 + 2 * 8) + (2 * 8 * 1 + 1)) + 2 * 2 + (1 * 4 + 4) + (4 * 1 + 1)
    assert result["params"] == 2 * block + (1 * 16 + 16) + (16 * 2 + 2)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_evaluation_as_keras(real_keras):
    """Attention and Dropout layers draw differently in the two libraries: compared before
    training."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["before"], theirs["before"], rtol=1e-5, atol=1e-6)

"""keras.io example "OCR model for reading Captchas" (keras-io examples/vision/captcha_ocr.py),
adapted to random 40x16 "captchas" of 4 characters from a 6-character vocabulary: the
example's functional model with two named inputs (the image, and the labels fed to a
`CTCLayer` that adds the CTC loss with `add_loss` and returns the predictions), Conv2D /
MaxPooling2D / Reshape / Dense / Dropout, two Bidirectional LSTMs with dropout and a softmax
over the vocabulary plus the CTC blank, compiled with an optimizer only, fit on batches of
{"image", "label"} dicts with EarlyStopping(restore_best_weights=True), then the inference
model `Model(model.input[0], model.get_layer(name="dense2").output)` and greedy decoding.

Changes for hocsau's test bed: the tf.data pipeline becomes a `keras.utils.PyDataset` giving
the same dict batches; the example's TensorFlow CTC helpers become `keras.ops.ctc_loss` and
`keras.ops.ctc_decode` (with the blank as the last class, as TensorFlow's are); the
`StringLookup` character maps run on hocsau only, as Keras's need TensorFlow."""

import numpy as np
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

CHARACTERS = ["2", "3", "b", "d", "m", "x"]
IMG_WIDTH, IMG_HEIGHT = 40, 16
MAX_LENGTH = 4
BATCH_SIZE = 8
DOWNSAMPLE_FACTOR = 4
NUM_CLASSES = len(CHARACTERS) + 2  # StringLookup's OOV index 0, the characters, the blank


def define_ctc(keras):
    layers, ops = keras.layers, keras.ops

    def ctc_batch_cost(y_true, y_pred, input_length, label_length):
        label_length = ops.cast(ops.squeeze(label_length, axis=-1), dtype="int32")
        input_length = ops.cast(ops.squeeze(input_length, axis=-1), dtype="int32")
        y_pred = ops.log(y_pred + keras.backend.epsilon())
        loss = ops.ctc_loss(ops.cast(y_true, "int32"), y_pred, label_length, input_length,
                            mask_index=ops.shape(y_pred)[-1] - 1)
        return ops.expand_dims(loss, 1)

    class CTCLayer(layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = ctc_batch_cost

        def call(self, y_true, y_pred):
            batch_len = ops.cast(ops.shape(y_true)[0], dtype="int64")
            input_length = ops.cast(ops.shape(y_pred)[1], dtype="int64")
            label_length = ops.cast(ops.shape(y_true)[1], dtype="int64")
            input_length = input_length * ops.ones(shape=(batch_len, 1), dtype="int64")
            label_length = label_length * ops.ones(shape=(batch_len, 1), dtype="int64")
            loss = self.loss_fn(y_true, y_pred, input_length, label_length)
            self.add_loss(loss)
            return y_pred

    return CTCLayer


def build_model(keras):
    layers = keras.layers
    CTCLayer = define_ctc(keras)
    input_img = layers.Input(shape=(IMG_WIDTH, IMG_HEIGHT, 1), name="image", dtype="float32")
    labels = layers.Input(name="label", shape=(None,), dtype="float32")
    x = layers.Conv2D(8, (3, 3), activation="relu", kernel_initializer="he_normal",
                      padding="same", name="Conv1")(input_img)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)
    x = layers.Conv2D(8, (3, 3), activation="relu", kernel_initializer="he_normal",
                      padding="same", name="Conv2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)
    new_shape = ((IMG_WIDTH // 4), (IMG_HEIGHT // 4) * 8)
    x = layers.Reshape(target_shape=new_shape, name="reshape")(x)
    x = layers.Dense(16, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.LSTM(16, return_sequences=True, dropout=0.25))(x)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True, dropout=0.25))(x)
    x = layers.Dense(NUM_CLASSES, activation="softmax", name="dense2")(x)
    output = CTCLayer(name="ctc_loss")(labels, x)
    model = keras.models.Model(inputs=[input_img, labels], outputs=output, name="ocr_model_v1")
    model.compile(optimizer=keras.optimizers.Adam())
    return model


def define_dataset(keras):
    class CaptchaBatches(keras.utils.PyDataset):
        """Batches of {"image", "label"} dicts, as the example's tf.data pipeline gives."""

        def __init__(self, images, labels, **kwargs):
            super().__init__(**kwargs)
            self.images, self.labels = images, labels

        def __len__(self):
            return len(self.images) // BATCH_SIZE

        def __getitem__(self, idx):
            rows = slice(idx * BATCH_SIZE, (idx + 1) * BATCH_SIZE)
            return {"image": self.images[rows], "label": self.labels[rows]}

    return CaptchaBatches


def captchas(n=32):
    """Images (transposed to width-major, as the example does) and their label strings."""
    rng = np.random.default_rng(0)
    texts = ["".join(rng.choice(CHARACTERS, MAX_LENGTH)) for _ in range(n)]
    images = rng.random((n, IMG_HEIGHT, IMG_WIDTH, 1)).astype("float32")
    return np.transpose(images, (0, 2, 1, 3)), texts


def encode_labels(texts):
    """The indices StringLookup(vocabulary=CHARACTERS, mask_token=None) gives (0 is OOV)."""
    return np.array([[CHARACTERS.index(c) + 1 for c in text] for text in texts], "float32")


def decode_batch_predictions(keras, pred):
    input_len = np.ones(pred.shape[0]) * pred.shape[1]
    results = keras.ops.ctc_decode(pred, sequence_lengths=input_len, strategy="greedy",
                                   mask_index=NUM_CLASSES - 1)[0][0][:, :MAX_LENGTH]
    return keras.ops.convert_to_numpy(results)


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    model = build_model(keras)
    if weights is not None:
        set_layer_weights(model, weights)
    initial = layer_weights(model)
    images, texts = captchas()
    labels = encode_labels(texts)
    CaptchaBatches = define_dataset(keras)
    train_dataset = CaptchaBatches(images[:24], labels[:24])
    validation_dataset = CaptchaBatches(images[24:], labels[24:])
    first_loss = model.evaluate(validation_dataset, verbose=0)
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10,
                                                   restore_best_weights=True)
    history = model.fit(train_dataset, validation_data=validation_dataset, epochs=4,
                        callbacks=[early_stopping], verbose=0)
    prediction_model = keras.models.Model(model.input[0],
                                          model.get_layer(name="dense2").output)
    preds = prediction_model.predict(images[24:], verbose=0)
    return {"initial": initial, "first_loss": first_loss, "history": history.history,
            "preds": preds, "decoded": decode_batch_predictions(keras, preds),
            "final_loss": model.evaluate(validation_dataset, verbose=0),
            "prediction_inputs": [tuple(t.shape) for t in prediction_model.inputs]}


def check(result):
    history = result["history"]
    assert set(history) == {"loss", "val_loss"} and len(history["loss"]) == 4
    assert history["loss"][-1] < history["loss"][0]
    assert result["first_loss"] > 0
    np.testing.assert_allclose(result["final_loss"], min(history["val_loss"]), rtol=1e-5)
    assert result["preds"].shape == (8, IMG_WIDTH // DOWNSAMPLE_FACTOR, NUM_CLASSES)
    assert result["prediction_inputs"] == [(None, IMG_WIDTH, IMG_HEIGHT, 1)]
    decoded = result["decoded"]
    assert decoded.shape[0] == 8 and decoded.shape[1] <= MAX_LENGTH
    assert decoded.min() >= -1 and decoded.max() < NUM_CLASSES - 1


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_ctc_loss_and_decoding_as_keras(real_keras):
    """Dropout draws differ between the libraries, so training diverges; the untrained loss
    agrees, and so do the trained models' predictions decoded by each library's decoder."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["first_loss"], theirs["first_loss"], rtol=1e-5, atol=1e-6)
    ours_decoded = decode_batch_predictions(hocsau, theirs["preds"])
    np.testing.assert_array_equal(ours_decoded, theirs["decoded"])


def test_string_lookup_maps_characters_both_ways():
    """The example's character maps: indices 1.. for the vocabulary (0 is OOV) and back."""
    layers = hocsau.layers
    char_to_num = layers.StringLookup(vocabulary=CHARACTERS, mask_token=None)
    num_to_char = layers.StringLookup(vocabulary=char_to_num.get_vocabulary(),
                                      mask_token=None, invert=True)
    _, texts = captchas(4)
    split = np.array([list(text) for text in texts])
    indices = char_to_num(split)
    np.testing.assert_array_equal(hocsau.ops.convert_to_numpy(indices), encode_labels(texts))
    assert len(char_to_num.get_vocabulary()) + 1 == NUM_CLASSES
    back = num_to_char(indices)
    assert ["".join(c.decode() if isinstance(c, bytes) else c for c in row)
            for row in np.asarray(back)] == texts

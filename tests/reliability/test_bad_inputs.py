"""Bad input to fit / evaluate / predict, configs and weights: each case gets a ValueError or
TypeError naming the argument, what was expected and what was received, raised before any
training step (no callback called, no weight changed)."""

import json

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import callbacks, layers

X = np.arange(30, dtype="float32").reshape(10, 3) / 30
Y = np.ones((10, 2), "float32")


def dense_model():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def two_input_model():
    a, b = keras.Input((2,), name="a"), keras.Input((2,), name="b")
    model = keras.Model({"a": a, "b": b}, layers.Dense(1)(layers.Concatenate()([a, b])))
    model.compile(optimizer="sgd", loss="mse")
    return model


def classifier():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs)


def subclassed():
    model = Subclassed()
    model.compile(optimizer="sgd", loss="mse")
    return model


def bare_arrays():
    while True:
        yield X


def nothing():
    yield from ()


EMPTY = np.zeros((0, 3), "float32")
STRINGS = np.array([["a", "b", "c"]] * 10)
INCOMPLETE = {"a": np.ones((4, 2), "float32")}
TOO_DEEP_JSON = "[" * 5000 + "]" * 5000
TOO_DEEP = {"config": {}}
_level = TOO_DEEP["config"]
for _ in range(1000):
    _level["config"] = {}
    _level = _level["config"]

# (case, model factory, method, arguments, exception, message fragments)
TRAINING_CASES = [
    ("evaluate on empty arrays", dense_model, "evaluate", dict(x=EMPTY, y=EMPTY[:, :2]),
     ValueError, ["`x` should contain at least one sample", "Received: x with 0 samples",
                  "(0, 3)"]),
    ("fit on empty arrays", dense_model, "fit", dict(x=EMPTY, y=EMPTY[:, :2]), ValueError,
     ["`x` should contain at least one sample"]),
    ("predict on empty arrays", dense_model, "predict", dict(x=EMPTY), ValueError,
     ["`x` should contain at least one sample"]),
    ("evaluate on an empty generator", dense_model, "evaluate", dict(x=nothing()), ValueError,
     ["generator must yield at least one batch", "Received an empty generator"]),
    ("evaluate on an empty DataLoader", dense_model, "evaluate",
     dict(x=torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
         torch.zeros(0, 3), torch.zeros(0, 2)), batch_size=4)),
     ValueError, ["`x` produced no batch", "Received: x of type DataLoader"]),
    ("negative validation_split", dense_model, "fit", dict(x=X, y=Y, validation_split=-0.2),
     ValueError, ["`validation_split` should be a float between 0 and 1",
                  "Received: validation_split=-0.2"]),
    ("validation_split above 1", dense_model, "fit", dict(x=X, y=Y, validation_split=1.5),
     ValueError, ["Received: validation_split=1.5"]),
    ("validation_split of 1", dense_model, "fit", dict(x=X, y=Y, validation_split=1.0),
     ValueError, ["Received: validation_split=1.0"]),
    ("validation_split as a string", dense_model, "fit", dict(x=X, y=Y, validation_split="a"),
     TypeError, ["`validation_split` should be a float", "Received: validation_split='a'"]),
    ("validation_split of a generator", dense_model, "fit",
     dict(x=((X, Y) for _ in range(3)), validation_split=0.2), ValueError,
     ["`validation_split` is only supported for Tensors or NumPy arrays",
      "Received: x of type generator"]),
    ("batch_size=0", dense_model, "fit", dict(x=X, y=Y, batch_size=0), ValueError,
     ["`batch_size` should be a positive integer value", "Received: batch_size=0"]),
    ("batch_size=8.5", dense_model, "fit", dict(x=X, y=Y, batch_size=8.5), ValueError,
     ["Received: batch_size=8.5"]),
    ("batch_size=-4", dense_model, "evaluate", dict(x=X, y=Y, batch_size=-4), ValueError,
     ["Received: batch_size=-4"]),
    ("batch_size='8'", dense_model, "predict", dict(x=X, batch_size="8"), TypeError,
     ["`batch_size` should be a positive integer value", "Received: batch_size='8' of type str"]),
    ("batch_size=True", dense_model, "predict", dict(x=X, batch_size=True), ValueError,
     ["Received: batch_size=True"]),
    ("validation_batch_size=0", dense_model, "fit",
     dict(x=X, y=Y, validation_data=(X, Y), validation_batch_size=0), ValueError,
     ["`validation_batch_size` should be", "Received: validation_batch_size=0"]),
    ("strings for a numeric input (fit)", dense_model, "fit", dict(x=STRINGS, y=Y), TypeError,
     ["expects float32 data, but `x` holds strings", "Received: x of dtype <U1 and shape "
                                                     "(10, 3)"]),
    ("strings for a numeric input (predict)", dense_model, "predict", dict(x=STRINGS),
     TypeError, ["expects float32 data"]),
    ("dict input missing a key (fit)", two_input_model, "fit",
     dict(x=INCOMPLETE, y=np.ones((4, 1), "float32")), ValueError,
     ['Missing data for input "b". You passed a data dictionary with keys [\'a\']. '
      "Expected the following keys: ['a', 'b']"]),
    ("dict input missing a key (predict)", two_input_model, "predict", dict(x=INCOMPLETE),
     ValueError, ['Missing data for input "b"']),
    ("dict validation data missing a key", two_input_model, "fit",
     dict(x={"a": X[:, :2], "b": X[:, 1:]}, y=Y[:, :1],
          validation_data=({"a": X[:, :2]}, Y[:, :1])),
     ValueError, ['Missing data for input "b"']),
    ("generator yielding x only (fit)", dense_model, "fit",
     dict(x=bare_arrays(), steps_per_epoch=2), ValueError,
     ["the generator must return a tuple, either (input,) or (inputs, targets)",
      "Received: ndarray of shape (10, 3)"]),
    ("generator yielding x only (predict)", dense_model, "predict", dict(x=bare_arrays(),
                                                                         steps=1),
     ValueError, ["the generator must return a tuple"]),
    ("class_weight as a list", classifier, "fit",
     dict(x=X, y=np.arange(10) % 3, class_weight=[1.0, 2.0, 3.0]), TypeError,
     ["`class_weight` should be a dict mapping class indices to weights",
      "Received: class_weight=[1.0, 2.0, 3.0] of type list"]),
    ("class_weight with names for keys", classifier, "fit",
     dict(x=X, y=np.arange(10) % 3, class_weight={"cat": 1.0}), ValueError,
     ["`class_weight` keys should be class indices", "Received: class_weight={'cat': 1.0}"]),
    ("class_weight with a string weight", classifier, "fit",
     dict(x=X, y=np.arange(10) % 3, class_weight={0: "high"}), TypeError,
     ["`class_weight` values should be numbers"]),
    ("class_weight for several outputs", two_input_model, "fit",
     dict(x={"a": X[:, :2], "b": X[:, 1:]}, y=[Y[:, :1], Y[:, 1:]], class_weight={0: 1.0}),
     ValueError, ["`class_weight` is only supported for Models with a single output",
                  "Received: y=list"]),
    ("ragged list of lists for x", dense_model, "fit",
     dict(x=[[1.0, 2.0, 3.0], [1.0, 2.0]], y=[[1.0, 2.0], [3.0, 4.0]]), ValueError,
     ["`x` is a list of rows of different lengths (a ragged list)", "pad_sequences",
      "Received: x=list of 2 rows of lengths [2, 3]"]),
    ("ragged list of lists for validation y", dense_model, "fit",
     dict(x=X, y=Y, validation_data=(X[:2], [[1.0, 2.0], [3.0]])), ValueError,
     ["`validation_data's y` is a list of rows of different lengths"]),
    ("string labels", classifier, "fit", dict(x=X, y=np.array(["cat", "dog"] * 5)), TypeError,
     ["`y` holds strings, but losses and metrics compute on numbers", "StringLookup",
      "Received: y of dtype <U3 and shape (10,)"]),
    ("string labels (evaluate)", classifier, "evaluate",
     dict(x=X, y=[np.array(["cat"] * 10)]), TypeError, ["`y` holds strings"]),
    ("string sample weights", dense_model, "fit",
     dict(x=X, y=Y, sample_weight=np.array(["high"] * 10)), TypeError,
     ["`sample_weight` holds strings, but losses and metrics compute on numbers. "
      "Received: sample_weight of dtype <U4 and shape (10,)"]),
    # Found on the host arrays before any step (a GPU kernel would only assert).
    ("sparse labels beyond the classes", classifier, "fit",
     dict(x=X, y=np.arange(10) % 3 + 2), ValueError,
     ["labels outside the valid range [0, 3)", "Received: label values [3, 4]"]),
    ("negative sparse labels in validation data", classifier, "fit",
     dict(x=X, y=np.arange(10) % 3, validation_data=(X, -np.ones(10, "int64"))), ValueError,
     ["labels outside the valid range [0, 3)", "Received: label values [-1]"]),
    ("fit without y for a compiled loss", dense_model, "fit", dict(x=X), ValueError,
     ["`fit` needs targets: the model was compiled with a loss, but `y` is None",
      "Received: y=None"]),
    ("evaluate without y for a compiled loss", dense_model, "evaluate", dict(x=X), ValueError,
     ["`evaluate` needs targets"]),
    ("epochs=-1", dense_model, "fit", dict(x=X, y=Y, epochs=-1), ValueError,
     ["`epochs` should be a non-negative integer", "Received: epochs=-1"]),
    ("epochs=1.5", dense_model, "fit", dict(x=X, y=Y, epochs=1.5), ValueError,
     ["Received: epochs=1.5"]),
    ("epochs='2'", dense_model, "fit", dict(x=X, y=Y, epochs="2"), TypeError,
     ["Received: epochs='2' of type str"]),
    ("steps_per_epoch=0", dense_model, "fit", dict(x=X, y=Y, steps_per_epoch=0), ValueError,
     ["`steps_per_epoch` should be a positive integer value or None",
      "Received: steps_per_epoch=0"]),
    ("steps_per_epoch=-1", dense_model, "fit", dict(x=X, y=Y, steps_per_epoch=-1), ValueError,
     ["Received: steps_per_epoch=-1"]),
    ("steps_per_epoch=1.5", dense_model, "fit", dict(x=X, y=Y, steps_per_epoch=1.5),
     ValueError, ["Received: steps_per_epoch=1.5"]),
    ("validation_steps=0", dense_model, "fit",
     dict(x=X, y=Y, validation_data=(X, Y), validation_steps=0), ValueError,
     ["`validation_steps` should be a positive integer value", "Received: validation_steps=0"]),
    ("validation_freq=0", dense_model, "fit", dict(x=X, y=Y, validation_data=(X, Y),
                                                   validation_freq=0),
     ValueError, ["`validation_freq` should be a positive integer",
                  "Received: validation_freq=0"]),
    ("validation_freq='x'", dense_model, "fit", dict(x=X, y=Y, validation_data=(X, Y),
                                                     validation_freq="x"),
     TypeError, ["Expected `validation_freq` to be a list or int. Received: "
                 "validation_freq=x of the type <class 'str'>."]),
    ("validation_freq=[0, 2]", dense_model, "fit", dict(x=X, y=Y, validation_data=(X, Y),
                                                        validation_freq=[0, 2]),
     ValueError, ["1-based epoch numbers", "Received: validation_freq=[0, 2]"]),
    ("initial_epoch=-1", dense_model, "fit", dict(x=X, y=Y, initial_epoch=-1), ValueError,
     ["`initial_epoch` should be a non-negative integer", "Received: initial_epoch=-1"]),
    ("initial_epoch above epochs", dense_model, "fit", dict(x=X, y=Y, epochs=3,
                                                            initial_epoch=5),
     ValueError, ["`initial_epoch` should not exceed `epochs`",
                  "Received: initial_epoch=5, epochs=3"]),
    ("verbose=3", dense_model, "fit", dict(x=X, y=Y, verbose=3), ValueError,
     ['`verbose` should be "auto", 0, 1 or 2. Received: verbose=3']),
    ("verbose='x'", dense_model, "evaluate", dict(x=X, y=Y, verbose="x"), ValueError,
     ["Received: verbose='x'"]),
    ("verbose=5 in predict", dense_model, "predict", dict(x=X, verbose=5), ValueError,
     ["Received: verbose=5"]),
    ("shuffle='x'", dense_model, "fit", dict(x=X, y=Y, shuffle="x"), ValueError,
     ['`shuffle` should be True, False or "batch". Received: shuffle=\'x\'']),
    ("sample_weight of another length", dense_model, "fit",
     dict(x=X, y=Y, sample_weight=np.ones(5)), ValueError,
     ["Data cardinality is ambiguous", "Received: 'x' sizes: 10, 'y' sizes: 10, "
                                       "'sample_weight' sizes: 5"]),
    ("sample_weight deeper than y", dense_model, "fit",
     dict(x=X, y=Y, sample_weight=np.ones((10, 2, 2))), ValueError,
     ["`sample_weight` should have one weight per sample",
      "Received: sample_weight.shape=(10, 2, 2), y.shape=(10, 2)"]),
    ("x and y of different lengths", dense_model, "fit", dict(x=X, y=Y[:5]), ValueError,
     ["Data cardinality is ambiguous", "Received: 'x' sizes: 10, 'y' sizes: 5"]),
    ("evaluate x and y of different lengths", dense_model, "evaluate", dict(x=X, y=Y[:5]),
     ValueError, ["Data cardinality is ambiguous"]),
    ("validation data of different lengths", dense_model, "fit",
     dict(x=X, y=Y, validation_data=(X, Y[:4])), ValueError,
     ["Data cardinality is ambiguous", "Received: `validation_data` with x of 10 samples, "
                                       "y of 4 samples"]),
    ("validation_data of inputs only", dense_model, "fit",
     dict(x=X, y=Y, validation_data=X), ValueError,
     ["`validation_data` should be a tuple `(x_val, y_val)`",
      "Received: a ndarray of shape (10, 3), without targets"]),
    ("validation_data of 4 parts", dense_model, "fit",
     dict(x=X, y=Y, validation_data=(X, Y, np.ones(10), np.ones(10))), ValueError,
     ["`validation_data` should be a tuple `(x_val, y_val)`", "Received: a tuple of length 4"]),
    ("y with a generator", dense_model, "fit", dict(x=((X, Y) for _ in range(2)), y=Y),
     ValueError, ["`y` and `sample_weight` must not be given",
                  "Received: x=generator, y=ndarray of shape (10, 2)"]),
    ("y with a DataLoader", dense_model, "evaluate",
     dict(x=torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
         torch.zeros(4, 3), torch.zeros(4, 2))), y=Y), ValueError,
     ["`y` and `sample_weight` must not be given", "Received: x=DataLoader"]),
    ("evaluate steps=0", dense_model, "evaluate", dict(x=X, y=Y, steps=0), ValueError,
     ["`steps` should be a positive integer value or None", "Received: steps=0"]),
    ("predict steps=-1", dense_model, "predict", dict(x=X, steps=-1), ValueError,
     ["Received: steps=-1"]),
]


class Recorder(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_test_begin(self, logs=None):
        self.calls.append("test_begin")

    def on_predict_begin(self, logs=None):
        self.calls.append("predict_begin")


@pytest.mark.parametrize("case, make_model, method, arguments, error, fragments", TRAINING_CASES,
                         ids=[case[0] for case in TRAINING_CASES])
def test_bad_training_arguments_are_refused_before_any_step(case, make_model, method, arguments,
                                                            error, fragments):
    model = make_model()
    weights = model.get_weights()
    recorder = Recorder()
    extra = {} if "verbose" in arguments else {"verbose": 0}
    with pytest.raises(error) as raised:
        getattr(model, method)(**arguments, **extra, callbacks=[recorder])
    for fragment in fragments:
        assert fragment in str(raised.value)
    assert recorder.calls == []
    for now, before in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(now, before)


def two_outputs(loss):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, {"a": layers.Dense(1, name="a")(inputs),
                                 "b": layers.Dense(2, name="b")(inputs)})
    model.compile(optimizer="sgd", loss=loss)
    return model


def _set_complex_weights():
    model = dense_model()
    model.set_weights([w.astype(np.complex64) + 1j for w in model.get_weights()])


def _nested_sequential_config():
    config = keras.Sequential([keras.Input((2,)), layers.Dense(1)]).get_config()
    for _ in range(100):  # each nesting adds three levels: 300 in all
        config = {"name": "s", "layers": [{"class_name": "Sequential", "config": config,
                                           "module": "keras", "registered_name": None}]}
    return config


def _set_string_weights():
    layer = layers.Dense(1)
    layer.build((None, 3))
    layer.set_weights([np.array([["a"]] * 3), np.zeros(1)])


def _built(layer, shape):
    layer(np.zeros(shape, "float32"))
    return layer


def _adapted_normalization():
    layer = layers.Normalization()
    layer.adapt(np.arange(12.0).reshape(3, 4))
    return layer


OTHER_CASES = [
    # torch's CPU LSTM kernel reads past a too-narrow input instead of failing: checked first.
    ("LSTM called on more features than built for",
     lambda: _built(layers.LSTM(4), (8, 5, 3))(np.ones((8, 5, 4), "float32")), ValueError,
     ['Input 0 of layer "lstm', "expected axis -1 of input shape to have value 3",
      "received input with shape (8, 5, 4)"]),
    ("LSTM (sequence kernel) called on fewer features",
     lambda: _built(layers.LSTM(32), (128, 4, 3))(np.ones((128, 4, 2), "float32")), ValueError,
     ["expected axis -1 of input shape to have value 3", "shape (128, 4, 2)"]),
    ("GRU called on other features",
     lambda: _built(layers.GRU(4), (8, 5, 3))(np.ones((8, 5, 2), "float32")), ValueError,
     ['layer "gru', "expected axis -1 of input shape to have value 3"]),
    ("SimpleRNN called on other features",
     lambda: _built(layers.SimpleRNN(4), (8, 5, 3))(np.ones((8, 5, 4), "float32")), ValueError,
     ['layer "simple_rnn', "expected axis -1 of input shape to have value 3"]),
    ("Bidirectional around a Dense layer", lambda: layers.Bidirectional(layers.Dense(2)),
     ValueError, ["`Bidirectional` wraps a recurrent layer", "Dense 'dense",
                  "has no `go_backwards`, `return_sequences`"]),
    ("Conv2D kernel larger than the Input",
     lambda: keras.Sequential([keras.Input((4, 4, 3)), layers.Conv2D(2, 5)]), ValueError,
     ["Computed output size of layer 'conv2d", "would be zero or negative",
      "Received: inputs.shape=(None, 4, 4, 3), kernel_size=(5, 5)"]),
    ("dilated Conv1D wider than its input",
     lambda: layers.Conv1D(2, 3, dilation_rate=3)(np.ones((1, 6, 2), "float32")), ValueError,
     ["would be zero or negative", "inputs.shape=(1, 6, 2)"]),
    ("built Conv2D called on smaller images",
     lambda: _built(layers.Conv2D(2, 3), (1, 8, 8, 3))(np.ones((1, 2, 2, 3), "float32")),
     ValueError, ["would be zero or negative", "inputs.shape=(1, 2, 2, 3)"]),
    ("DepthwiseConv2D kernel larger than the input",
     lambda: layers.DepthwiseConv2D(5)(np.ones((1, 3, 3, 2), "float32")), ValueError,
     ["would be zero or negative"]),
    ("evaluate before compile",
     lambda: keras.Sequential([keras.Input((3,)), layers.Dense(2)]).evaluate(X, Y, verbose=0),
     ValueError, ["You must call `compile()` before using the model in `evaluate`"]),
    ("train_on_batch before compile",
     lambda: keras.Sequential([keras.Input((3,)), layers.Dense(2)]).train_on_batch(X, Y),
     ValueError, ["You must call `compile()` before using the model in `train_on_batch`"]),
    # Found by the first step's loss (Keras too checks no shapes before it).
    ("targets of another width than the predictions",
     lambda: dense_model().fit(X, np.ones((10, 3), "float32"), verbose=0), ValueError,
     ["Loss 'mse' needs targets shaped like the model's predictions",
      "Received: y_true.shape=(10, 3), y_pred.shape=(10, 2)"]),
    ("MeanAbsoluteError on class labels for 3 outputs",
     lambda: keras.losses.MeanAbsoluteError()(np.arange(4.0), np.ones((4, 3))), ValueError,
     ["Loss 'mean_absolute_error' needs targets shaped like",
      "Received: y_true.shape=(4,), y_pred.shape=(4, 3)"]),
    ("binary_crossentropy on labels outside [0, 1]",
     lambda: keras.losses.binary_crossentropy(np.array([[3.0], [0.0]]), np.array([[0.4], [0.6]])),
     ValueError, ["binary_crossentropy expects labels between 0 and 1",
                  "sparse_categorical_crossentropy", "Received: labels with values [3.0]"]),
    ("ops.binary_crossentropy on negative labels",
     lambda: keras.ops.binary_crossentropy(np.array([-1.0, 1.0]), np.array([0.4, 0.6])),
     ValueError, ["Received: labels with values [-1.0]"]),
    ("Input with a negative dimension", lambda: keras.Input((-1, 3)), ValueError,
     ["Cannot convert '(-1, 3)' to a shape. Negative dimensions are not allowed."]),
    ("Input with a float dimension", lambda: keras.Input((2.5,)), ValueError,
     ["Cannot convert '(2.5,)' to a shape. Found invalid entry '2.5' of type 'float'."]),
    ("Input with a string batch_shape entry", lambda: keras.Input(batch_shape=(None, "3")),
     ValueError, ["Found invalid entry '3' of type 'str'"]),
    ("y dict without a target for an output that has a loss",
     lambda: two_outputs({"a": "mse", "b": "mse"}).fit(X, {"a": Y[:, :1]}, verbose=0),
     ValueError, ["Output 'b' has a loss but `y` holds no target for it"]),
    ("y dict with a key that is no output",
     lambda: two_outputs("mse").fit(X, {"a": Y[:, :1], "c": Y}, verbose=0), ValueError,
     ["`y` has targets for ['c'], which are not outputs of the model",
      "Output names: ['a', 'b']. Received: y with keys ['a', 'c']"]),
    ("y list shorter than the outputs",
     lambda: two_outputs("mse").fit(X, [Y[:, :1]], verbose=0), ValueError,
     ["`y` should hold one target per model output (or per output that has a loss)",
      "Received: y with 1 target(s)"]),
    ("a string among the callbacks",
     lambda: dense_model().fit(X, Y, callbacks=["early_stopping"], verbose=0), TypeError,
     ["`callbacks` should be a list of `keras.callbacks.Callback` instances",
      "Received: 'early_stopping' of type str"]),
    ("Dense built on one sample without its batch axis",
     lambda: layers.Dense(2)(np.ones(4, "float32")), ValueError,
     ['Input 0 of layer "dense', "expected min_ndim=2, found ndim=1",
      "Full shape received: (4,)"]),
    ("LayerNormalization called on other features",
     lambda: _built(layers.LayerNormalization(), (2, 4))(np.ones((2, 5), "float32")),
     ValueError, ["expected axis -1 of input shape to have value 4",
                  "received input with shape (2, 5)"]),
    ("Normalization adapted on 4 features, called on 5",
     lambda: _adapted_normalization()(np.ones((2, 5), "float32")), ValueError,
     ['layer "normalization', "expected axis -1 of input shape to have value 4"]),
    ("Softmax along an axis the inputs lack",
     lambda: layers.Softmax(axis=3)(np.ones((2, 4), "float32")), ValueError,
     ["Softmax layer 'softmax", "got axis=3, but its inputs have rank 2",
      "Received: inputs with shape (2, 4)"]),
    ("Concatenate along an axis the inputs lack",
     lambda: layers.Concatenate(axis=3)([keras.Input((4,)), keras.Input((4,))]), ValueError,
     ["got `axis=3`, but its inputs have rank 2, so `axis` should be in [-2, 2)"]),
    ("to_categorical of a label beyond num_classes",
     lambda: keras.utils.to_categorical([0, 5, 2], num_classes=3), ValueError,
     ["`to_categorical` got class index 5, but num_classes=3",
      "class indices should be 0 to 2"]),
    ("GlobalMaxPooling1D first called on a 2-D tensor",
     lambda: layers.GlobalMaxPooling1D()(np.ones((2, 4), "float32")), ValueError,
     ['Input 0 of layer "global_max_pooling1d', "expected ndim=3, found ndim=2"]),
    ("CategoryEncoding of a token beyond num_tokens",
     lambda: layers.CategoryEncoding(3, output_mode="multi_hot")(np.array([[0, 5]])),
     ValueError, ["must be in the range 0 <= values < num_tokens with num_tokens=3",
                  "Received: inputs with a largest value of 5"]),
    ("Attention of a query and key with other feature sizes",
     lambda: layers.Attention()([np.ones((2, 3, 4), "float32"), np.ones((2, 5, 6), "float32")]),
     ValueError, ["needs query and key with the same number of features",
                  "Received: query.shape=(2, 3, 4), key.shape=(2, 5, 6)"]),
    ("Attention of a key and value with other step counts",
     lambda: layers.Attention()([keras.Input((3, 4)), keras.Input((5, 4)),
                                 keras.Input((6, 4))]),
     ValueError, ["needs key and value with the same number of steps"]),
    ("Attention on one tensor",
     lambda: layers.Attention()(np.ones((2, 3, 4), "float32")), ValueError,
     ["must be called on a list of inputs", "Received: inputs=a tensor of shape (2, 3, 4)."]),
    ("EinsumDense called on other features",
     lambda: _built(layers.EinsumDense("ab,bc->ac", output_shape=3), (2, 4))(
         np.ones((2, 5), "float32")), ValueError,
     ["equation 'ab,bc->ac' was built with a kernel of shape (4, 3), but this input needs "
      "(5, 3). Received: input with shape (2, 5)"]),
    ("Reshape called on a tensor of another size",
     lambda: layers.Reshape((4, 2))(np.ones((2, 6), "float32")), ValueError,
     ["The total size of the tensor must be unchanged",
      "Received: input_shape=(6,), target_shape=(4, 2)"]),
    ("Reshape with -1 that cannot divide the input",
     lambda: layers.Reshape((-1, 4))(np.ones((2, 6), "float32")), ValueError,
     ["the input size cannot by divided", "input_shape=(6,), target_shape=(-1, 4)"]),
    ("Conv1D on images", lambda: layers.Conv1D(2, 3)(np.ones((2, 5, 5, 3), "float32")),
     ValueError, ["Layer 'conv1d", "expects inputs of rank 3",
                  "Received: inputs with shape (2, 5, 5, 3)"]),

    # A subclassed model declares no inputs: the layer that fails on strings says so.
    ("strings for a subclassed model", lambda: subclassed()(STRINGS), TypeError,
     ["Layer 'dense", "computes on numbers, but received strings",
      "Received: inputs of dtype <U1 and shape (10, 3)"]),
    ("model_from_json nested too deep",
     lambda: keras.models.model_from_json(TOO_DEEP_JSON), ValueError,
     ["`json_string` nests deeper than 256 levels", "Received: json_string nested more"]),
    ("model_from_json of broken JSON", lambda: keras.models.model_from_json('{"class_name": '),
     ValueError, ["`json_string` is not valid JSON", "Received: json_string="]),
    ("Model.from_config nested too deep", lambda: keras.Model.from_config(TOO_DEEP),
     ValueError, ["`config` nests deeper than 256 levels"]),
    ("Sequential.from_config nested too deep",
     lambda: keras.Sequential.from_config(_nested_sequential_config()), ValueError,
     ["`config` nests deeper than 256 levels"]),
    ("Dense(units=2**40)", lambda: keras.Sequential([keras.Input((3,)), layers.Dense(2**40)]),
     ValueError, ["cannot create its weight 'kernel' of shape (3, 1099511627776) and dtype "
                  "float32: 12 TiB do not fit in memory", "Received: shape=(3, 1099511627776)"]),
    ("Dense(units=2**62)", lambda: layers.Dense(2**62).build((None, 3)), ValueError,
     ["cannot create its weight 'kernel'", "Received: shape=(3, 4611686018427387904)"]),
    ("set_weights with complex arrays", _set_complex_weights, TypeError,
     ["weight '", "dense", "has dtype float32, but was given complex values: casting them would "
                       "drop the imaginary part", "Received: a value of dtype complex64 and "
                                                  "shape (3, 2)"]),
    ("Variable.assign with complex values",
     lambda: keras.Variable(np.zeros(2, "float32")).assign(np.array([1 + 2j, 3j])), TypeError,
     ["Variable 'variable' has dtype float32, but was given complex values"]),
    ("Variable.assign_add with a complex tensor",
     lambda: keras.Variable(np.zeros(2, "float32")).assign_add(torch.ones(2, dtype=torch.cfloat)),
     TypeError, ["given complex values", "Received: a value of dtype torch.complex64"]),
    ("set_weights with strings", _set_string_weights, TypeError,
     ["was given non-numeric values", "Received: a value of dtype <U1 and shape (3, 1)"]),
]


@pytest.mark.parametrize("case, call, error, fragments", OTHER_CASES,
                         ids=[case[0] for case in OTHER_CASES])
def test_bad_configs_sizes_and_weights_are_refused(case, call, error, fragments):
    with pytest.raises(error) as raised:
        call()
    for fragment in fragments:
        assert fragment in str(raised.value)


def test_a_real_nested_config_is_well_below_the_depth_bound():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    for _ in range(60):
        model = keras.Sequential([model])
    rebuilt = keras.models.model_from_json(model.to_json())
    assert json.loads(rebuilt.to_json()) == json.loads(model.to_json())


def test_predict_returns_string_outputs_as_numpy_string_arrays():
    lookup = layers.StringLookup(vocabulary=["a", "bb"], invert=True)
    inputs = keras.Input((1,), dtype="int64")
    model = keras.Model(inputs, {"word": lookup(inputs),
                                 "index": layers.Dense(1)(layers.Lambda(
                                     lambda t: t.float())(inputs))})
    ids = np.array([[1], [2], [0], [1], [2]])
    result = model.predict(ids, batch_size=2, verbose=0)
    assert result["word"].dtype.kind == "U" and result["word"].shape == (5, 1)
    assert result["word"].ravel().tolist() == ["a", "bb", "[UNK]", "a", "bb"]
    assert result["index"].shape == (5, 1) and result["index"].dtype == np.float32
    np.testing.assert_array_equal(model.predict_on_batch(ids[:2])["word"], [["a"], ["bb"]])


def _keras_error(build, call):
    """The message Keras 3 gives for the same mistake."""
    import keras as reference

    with pytest.raises(Exception) as raised:
        call(build(reference))
    return str(raised.value)


def _keras_dense(library):
    model = library.Sequential([library.Input((3,)), library.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _keras_two_inputs(library):
    a, b = library.Input((2,), name="a"), library.Input((2,), name="b")
    model = library.Model({"a": a, "b": b}, library.layers.Dense(1)(
        library.layers.Concatenate()([a, b])))
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("build, call, shared", [
    (_keras_two_inputs, lambda m: m.predict(INCOMPLETE, verbose=0),
     'Missing data for input "b". You passed a data dictionary with keys [\'a\']. Expected the '
     "following keys: ['a', 'b']"),
    (_keras_dense, lambda m: m.predict(bare_arrays(), steps=1, verbose=0),
     "When passing a Python generator to a Keras model, the generator must return a tuple, "
     "either (input,) or (inputs, targets) or (inputs, targets, sample_weights). Received: "),
    (_keras_dense, lambda m: m.predict(nothing(), verbose=0),
     "When passing a Python generator to a Keras model, the generator must yield at least one "
     "batch. Received an empty generator."),
    (_keras_dense, lambda m: m.fit(X, Y, validation_data=(X, Y), validation_freq="x",
                                   verbose=0),
     "Expected `validation_freq` to be a list or int. Received: validation_freq=x of the type "
     "<class 'str'>."),
    (_keras_dense, lambda m: m.fit(X, Y, batch_size=8.5, verbose=0),
     "should be a positive integer value"),
    (_keras_dense, lambda m: m.fit(X, Y[:5], verbose=0),
     "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples."),
])
def test_messages_keep_keras_wording_where_keras_has_one(build, call, shared):
    assert shared in _keras_error(build, call)
    with pytest.raises((ValueError, TypeError)) as raised:
        call(build(keras))
    assert shared in str(raised.value)


def test_dict_targets_meet_their_outputs_by_name_in_any_order():
    model = two_outputs({"a": "mse", "b": "mse"})
    x = np.zeros((4, 3), "float32")
    a, b = np.zeros((4, 1), "float32"), np.full((4, 2), 10.0, "float32")
    in_order = model.evaluate(x, {"a": a, "b": b}, verbose=0, return_dict=True)
    reversed_keys = model.evaluate(x, {"b": b, "a": a}, verbose=0, return_dict=True)
    assert in_order == reversed_keys
    assert in_order["a_loss"] == 0.0 and in_order["b_loss"] == 100.0


def test_targets_only_for_the_outputs_with_a_loss_train_those():
    model = two_outputs({"b": "mse"})
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['a/kernel'"):
        history = model.fit(X, {"b": Y}, verbose=0, epochs=2)
    assert len(history.history["loss"]) == 2
    assert history.history["loss"][1] < history.history["loss"][0]


def test_one_callback_alone_is_taken_as_a_list_of_one():
    recorder = Recorder()
    dense_model().fit(X, Y, epochs=1, verbose=0, callbacks=recorder)
    assert recorder.calls == ["train_begin"]

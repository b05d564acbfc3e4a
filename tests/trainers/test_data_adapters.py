"""What `train_step` / `test_step` / `predict_step` receive from each kind of data, against
Keras 3: `x` alone when there are no targets (keras.io's VAE does `self.encoder(data)`),
`(x,)` for a list of inputs, `(x, y)` / `(x, y, sample_weight)` otherwise."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau.trainers.data_adapters.batch_utils import class_weights_to_sample_weights, to_device

X = np.arange(24, dtype="float32").reshape(8, 3)
Y = np.arange(8, dtype="float32").reshape(8, 1)
W = np.linspace(0.5, 1.0, 8).astype("float32")


def _describe(data):
    """The batch's structure: tuples and lists as (...), dicts by key, tensors by shape."""
    if isinstance(data, (tuple, list)):
        return "(" + ", ".join(_describe(d) for d in data) + ")"
    if isinstance(data, dict):
        return "{" + ", ".join(f"{k}: {_describe(v)}" for k, v in data.items()) + "}"
    if data is None:
        return "None"
    assert isinstance(data, torch.Tensor)
    return f"T{tuple(data.shape)}"


def _recording_model(lib, seen):
    class Recorder(lib.Model):
        def call(self, x):
            return x

        def train_step(self, data):
            seen.append(("train", _describe(data)))
            return {"n": 0.0}

        def test_step(self, data):
            seen.append(("test", _describe(data)))
            return {"n": 0.0}

        def predict_step(self, data):
            seen.append(("predict", _describe(data)))
            return torch.zeros(4)

    model = Recorder()
    model.compile("sgd")
    return model


def _generator(*parts):
    def batches():
        for start in (0, 4):
            yield tuple(p[start:start + 4] for p in parts)
    return batches()


def _py_dataset(lib, single):
    class Rows(lib.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            rows = slice(4 * i, 4 * i + 4)
            return X[rows] if single else (X[rows], Y[rows])

    return Rows()


def _loader(*parts):
    return torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(*(torch.from_numpy(p) for p in parts)), batch_size=4)


CASES = {
    "array": lambda lib: dict(x=X),
    "list-of-one": lambda lib: dict(x=[X]),
    "dict": lambda lib: dict(x={"a": X}),
    "x-y": lambda lib: dict(x=X, y=Y),
    "x-y-w": lambda lib: dict(x=X, y=Y, sample_weight=W),
    "class-weight": lambda lib: dict(x=X, y=Y, class_weight={i: 2.0 for i in range(8)}),
    "generator-x": lambda lib: dict(x=_generator(X)),
    "generator-x-y": lambda lib: dict(x=_generator(X, Y)),
    "py-dataset-x": lambda lib: dict(x=_py_dataset(lib, True)),
    "py-dataset-x-y": lambda lib: dict(x=_py_dataset(lib, False)),
    "dataloader-x": lambda lib: dict(x=_loader(X)),
    "dataloader-x-y": lambda lib: dict(x=_loader(X, Y)),
}


@pytest.mark.filterwarnings("ignore:Your input ran out of data")  # Keras, for a generator
@pytest.mark.parametrize("case", list(CASES))
def test_train_step_receives_what_keras_hands_it(case):
    results = []
    for lib in (hocsau, keras):
        seen = []
        _recording_model(lib, seen).fit(**CASES[case](lib), batch_size=4, shuffle=False,
                                        verbose=0)
        results.append(seen)
    assert results[0] == results[1] and len(results[0]) == 2


@pytest.mark.parametrize("case", ["array", "x-y", "dataloader-x-y", "py-dataset-x"])
def test_test_and_predict_steps_receive_what_keras_hands_them(case):
    results = []
    for lib in (hocsau, keras):
        seen = []
        model = _recording_model(lib, seen)
        arguments = CASES[case](lib)
        model.evaluate(**arguments, batch_size=4, verbose=0)
        model.predict(CASES[case](lib)["x"], batch_size=4, verbose=0)
        results.append(seen)
    assert results[0] == results[1]


def test_pack_and_unpack_helpers_match_keras():
    x, y, w = torch.ones(2, 1), torch.zeros(2, 1), torch.ones(2)
    for args in [(x,), ([x, x],), (x, y), (x, y, w)]:
        ours, theirs = hocsau.utils.pack_x_y_sample_weight(*args), \
            keras.utils.pack_x_y_sample_weight(*args)
        assert _describe(ours) == _describe(theirs)
        assert _describe(hocsau.utils.unpack_x_y_sample_weight(ours)) == _describe(
            keras.utils.unpack_x_y_sample_weight(theirs))


def test_class_weights_read_bool_one_hot_targets():
    one_hot = torch.tensor([[True, False], [False, True], [False, True]])
    weights = class_weights_to_sample_weights(one_hot, {0: 0.5, 1: 3.0})
    assert weights.tolist() == [0.5, 3.0, 3.0]


@pytest.mark.parametrize("shuffle", [True, "batch"])
def test_shuffled_batches_follow_one_permutation_per_epoch(shuffle):
    """Each epoch's batches hold every row once, in the order of one permutation drawn from
    the random state (x, y and sample_weight gathered alike, batch by batch)."""
    from hocsau.trainers.data_adapters.array_adapter import ArrayAdapter, _batchwise_permutation

    x = np.arange(30, dtype="float32").reshape(10, 3)
    adapter = ArrayAdapter(x, np.arange(10), np.arange(10) / 10, batch_size=4, shuffle=shuffle)
    torch.manual_seed(3)
    batches = list(adapter)
    torch.manual_seed(3)
    order = (_batchwise_permutation(10, 4, torch.device("cpu")) if shuffle == "batch"
             else torch.randperm(10))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    rows = torch.cat([b[1] for b in batches])
    np.testing.assert_array_equal(rows.numpy(), order.numpy())
    np.testing.assert_array_equal(torch.cat([b[0] for b in batches]).numpy(), x[order.numpy()])
    np.testing.assert_allclose(torch.cat([b[2] for b in batches]).numpy(), order.numpy() / 10)


def test_read_only_arrays_are_copied_and_train(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "x.npy", rng.normal(size=(32, 3)).astype("float32"))
    np.save(tmp_path / "y.npy", rng.normal(size=(32, 1)).astype("float32"))
    x, y = (np.load(tmp_path / f"{n}.npy", mmap_mode="r") for n in ("x", "y"))
    tensor = to_device(x, "cpu")
    assert not np.shares_memory(tensor.numpy(), x)  # torch shares only writable memory
    np.testing.assert_array_equal(tensor.numpy(), x)
    model = hocsau.Sequential([hocsau.Input((3,)), hocsau.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]

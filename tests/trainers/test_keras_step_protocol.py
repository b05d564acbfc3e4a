"""What a custom train_step / test_step sees and returns, and the log format, as in Keras 3
(the patterns of Keras's "customizing fit() with PyTorch" guide)."""

import multiprocessing

import keras
import numpy as np
import pytest
import torch

import hocsau

X = np.random.default_rng(0).random((64, 4)).astype("float32")
Y = X.sum(1, keepdims=True)


def _build(cls, lib=hocsau):
    inputs = lib.Input((4,))
    return cls(inputs, lib.layers.Dense(1)(inputs))


class GuideModel(hocsau.Model):
    """The guide's first example: compiled metrics updated by hand, `x, y = data`."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        weights = list(self.trainable_weights)
        with torch.no_grad():
            self.optimizer.apply([w.grad for w in weights], weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_batches_unpack_as_x_y_and_compiled_metrics_are_one_container():
    model = _build(GuideModel)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    # Keras sorts the step's logs, expanding the container's dict in its place.
    assert list(history.history) == ["mae", "loss"]
    assert all(v > 0 for v in history.history["mae"])
    assert model.metrics_names == ["loss", "compile_metrics"]


class OwnTrackers(hocsau.Model):
    """The guide's second example: metrics kept as attributes, compiled without a loss."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = hocsau.metrics.Mean(name="loss")
        self.mae_metric = hocsau.metrics.MeanAbsoluteError(name="mae")

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = hocsau.losses.mean_squared_error(y, y_pred).mean()
        loss.backward()
        weights = list(self.trainable_weights)
        with torch.no_grad():
            self.optimizer.apply([w.grad for w in weights], weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        assert float(self.compute_loss(y=y, y_pred=y_pred)) == 0.0  # no loss compiled: zero
        self.mae_metric.update_state(y, y_pred)
        return {"mae": self.mae_metric.result()}


def test_attribute_metrics_are_tracked_reset_and_logged():
    model = _build(OwnTrackers)
    model.compile(optimizer="adam")
    assert model.metrics_names == ["loss", "loss", "mae"]  # the compiled tracker, then ours
    history = model.fit(X, Y, epochs=2, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    # Reset each epoch: the second epoch's mean is not the first's.
    assert history.history["loss"][0] != history.history["loss"][1]
    result = model.evaluate(X, Y, verbose=0, return_dict=True)
    with torch.no_grad():
        expected = float(torch.mean(torch.abs(model(torch.from_numpy(X)) - torch.from_numpy(Y))))
    assert result["mae"] == pytest.approx(expected, rel=1e-5)


def test_step_logs_win_when_they_name_other_things():
    class OwnLogs(hocsau.Model):
        def train_step(self, data):
            return {"custom": torch.tensor(3.0)}

    model = _build(OwnLogs)
    model.compile(optimizer="sgd", loss="mse")
    assert model.fit(X, Y, verbose=0).history == {"custom": [3.0]}


def test_log_keys_are_sorted_and_evaluate_lists_follow_keras():
    def run(lib):
        lib.utils.set_random_seed(1)
        inputs = lib.Input((4,))
        a = lib.layers.Dense(1, name="a")(inputs)
        b = lib.layers.Dense(2, name="b", activation="softmax")(inputs)
        model = lib.Model(inputs, [a, b])
        model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"],
                      metrics=[["mae"], ["accuracy"]])
        targets = [Y, (X[:, 0] > 0.5).astype("int64")]
        history = model.fit(X, targets, validation_split=0.25, verbose=0)
        as_dict = model.evaluate(X, targets, verbose=0, return_dict=True)
        as_list = model.evaluate(X, targets, verbose=0)
        return list(history.history), list(as_dict), [as_dict[k] for k in as_dict], as_list

    ours, theirs = run(hocsau), run(keras)
    assert ours[:2] == theirs[:2]
    # The list is in Keras's order of metric names (loss, output losses, metrics).
    order = [theirs[1][theirs[2].index(v)] for v in theirs[3]]
    assert [ours[1][ours[2].index(v)] for v in ours[3]] == order


class _Rows(hocsau.utils.PyDataset):
    def __init__(self):
        super().__init__(workers=2, use_multiprocessing=True)

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return X[:8], Y[:8]


def test_a_failing_step_stops_worker_processes_at_once():
    class Failing(hocsau.Model):
        def train_step(self, data):
            raise RuntimeError("boom")

    model = _build(Failing)
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(RuntimeError, match="boom") as failure:
        model.fit(_Rows(), steps_per_epoch=2, epochs=2, verbose=0)
    # The traceback (held here) keeps fit's frames alive; the pool must be gone anyway.
    assert failure.traceback and multiprocessing.active_children() == []


def _halved_loss_model(lib, with_training: bool):
    """A model whose compute_loss override halves the compiled loss, with or without the
    `training` argument (Keras 3 passes it only to overrides that declare it)."""
    seen = []

    class Halved(lib.Model):
        if with_training:
            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                             training=True):
                seen.append(training)
                return super().compute_loss(x, y, y_pred, sample_weight) * 0.5
        else:
            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                             allow_empty=False):
                seen.append(None)
                return super().compute_loss(x, y, y_pred, sample_weight) * 0.5

    model = _build(Halved, lib)
    model.compile("sgd", "mse")
    return model, seen


@pytest.mark.parametrize("with_training", [True, False])
def test_compute_loss_overrides_get_training_only_when_they_declare_it(with_training):
    theirs, _ = _halved_loss_model(keras, with_training)
    ours, seen = _halved_loss_model(hocsau, with_training)
    ours.set_weights(theirs.get_weights())
    history = ours.fit(X, Y, batch_size=64, epochs=2, verbose=0).history["loss"]
    reference = theirs.fit(X, Y, batch_size=64, epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(history, reference, rtol=1e-5)
    loss = ours.evaluate(X, Y, verbose=0)
    np.testing.assert_allclose(loss, theirs.evaluate(X, Y, verbose=0), rtol=1e-5)
    assert seen == ([True, True, False, False] if with_training else [None] * 4)  # 2 eval batches

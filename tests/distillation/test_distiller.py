"""keras.distillation: Distiller, LogitsDistillation, FeatureDistillation against Keras 3."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import distillation


def _data():
    rng = np.random.default_rng(0)
    return rng.random((16, 4)).astype("float32"), rng.integers(0, 3, 16)


def _pair(lib, name, seed):
    inputs = lib.Input((4,), name="x")
    hidden = lib.layers.Dense(5, activation="relu", name="hid")(inputs)
    model = lib.Model(inputs, lib.layers.Dense(3, name="out")(hidden), name=name)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.standard_normal(w.shape).astype("float32")
                       for w in model.get_weights()])
    return model


def _distiller(lib, logits_loss=None):
    logits = lib.distillation.LogitsDistillation(2.0, loss=logits_loss or lib.losses.KLDivergence())
    feature = lib.distillation.FeatureDistillation("mse", "hid", "hid")
    distiller = lib.distillation.Distiller(_pair(lib, "t", 1), _pair(lib, "s", 2),
                                           [logits, feature], [1.0, 0.5],
                                           student_loss_weight=0.3)
    distiller.compile(optimizer=lib.optimizers.SGD(0.1), metrics=["accuracy"],
                      loss=lib.losses.SparseCategoricalCrossentropy(from_logits=True))
    return distiller


def test_fit_and_evaluate_equal_keras():
    x, y = _data()
    ours, theirs = _distiller(hocsau), _distiller(keras)
    teacher_before = [w.copy() for w in ours.teacher.get_weights()]
    h1 = ours.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    h2 = theirs.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
    assert sorted(h1.history) == sorted(h2.history) == [
        "accuracy", "distillation_loss", "loss", "student_loss", "total_loss"]
    for key in h2.history:
        np.testing.assert_allclose(h1.history[key], h2.history[key], rtol=1e-5)
    for a, b in zip(ours.student.get_weights(), theirs.student.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(ours.teacher.get_weights(), teacher_before, strict=True):
        np.testing.assert_array_equal(a, b)
    e1 = ours.evaluate(x, y, verbose=0, return_dict=True)
    e2 = theirs.evaluate(x, y, verbose=0, return_dict=True)
    assert e1 == pytest.approx(e2, rel=1e-5)
    assert len(ours.weights) == len(theirs.weights) == 8
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 4


def test_logits_distillation_by_hand():
    teacher = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 1.0]])
    student = torch.tensor([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    p = torch.softmax(teacher / 4.0, -1)
    q = torch.softmax(student / 4.0, -1)
    expected = 16.0 * (p * torch.log(p / q)).sum(-1).mean()
    for loss in ("kl_divergence", hocsau.losses.KLDivergence()):
        value = distillation.LogitsDistillation(4.0, loss=loss).compute_loss(teacher, student)
        assert float(value) == pytest.approx(float(expected), rel=1e-5)
    mse = distillation.LogitsDistillation(2.0, loss="mse").compute_loss(teacher, student)
    assert float(mse) == pytest.approx(float(((teacher - student) / 2).pow(2).mean()), rel=1e-6)


def test_feature_distillation_structures():
    t = [torch.ones(2, 3), torch.zeros(2, 3)]
    s = [torch.zeros(2, 3), torch.ones(2, 3)]
    both = distillation.FeatureDistillation(loss=["mse", "mae"]).compute_loss(t, s)
    assert float(both) == pytest.approx(2.0)
    skip = distillation.FeatureDistillation(loss=[None, "mse"]).compute_loss(t, s)
    assert float(skip) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Loss structure mismatch"):
        distillation.FeatureDistillation(loss=["mse"]).compute_loss(t, s)


def _error(make):
    with pytest.raises(Exception) as info:
        make()
    return type(info.value), str(info.value)


@pytest.mark.parametrize("case", ["temperature", "no_loss", "weight", "weights", "missing",
                                  "subclassed", "none"])
def test_errors_equal_keras(case):
    def make(lib):
        d = lib.distillation
        if case == "temperature":
            return lambda: d.LogitsDistillation(temperature=0.0)
        if case == "no_loss":
            return lambda: d.FeatureDistillation(loss=[None, None])
        if case == "none":
            return lambda: d.Distiller(_pair(lib, "t", 1), _pair(lib, "s", 2), None)
        if case == "weight":
            return lambda: d.Distiller(_pair(lib, "t", 1), _pair(lib, "s", 2),
                                       d.LogitsDistillation(), student_loss_weight=1.5)
        if case == "weights":
            return lambda: d.Distiller(_pair(lib, "t", 1), _pair(lib, "s", 2),
                                       [d.LogitsDistillation()], [1.0, 2.0])
        if case == "missing":
            return lambda: d.Distiller(_pair(lib, "t", 1), _pair(lib, "s", 2),
                                       d.FeatureDistillation(teacher_layer_name="nope"))

        class Sub(lib.Model):
            def __init__(self):
                super().__init__()
                self.dense = lib.layers.Dense(3)

            def call(self, x):
                return self.dense(x)

        return lambda: d.Distiller(_pair(lib, "t", 1), Sub(),
                                   d.FeatureDistillation(teacher_layer_name="hid"))

    assert _error(make(hocsau)) == _error(make(keras))


def _saved(lib, path):
    x, y = _data()
    distiller = _distiller(lib)
    distiller.fit(x, y, epochs=1, verbose=0)
    distiller.save(path)
    return distiller.predict(x, verbose=0)


@pytest.mark.parametrize("writer", ["hocsau", "keras"])
def test_keras_files_cross(tmp_path, writer):
    x, _ = _data()
    libs = {"hocsau": hocsau, "keras": keras}
    reader = libs["keras" if writer == "hocsau" else "hocsau"]
    expected = _saved(libs[writer], tmp_path / "d.keras")
    with pytest.warns(UserWarning, match="`compile\\(\\)` was not called"):
        loaded = reader.saving.load_model(tmp_path / "d.keras")
    assert type(loaded).__name__ == "Distiller"
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    assert [type(d).__name__ for d in loaded.distillation_losses] == [
        "LogitsDistillation", "FeatureDistillation"]

"""`hocsau.config` switches and debugging limits, against `keras.config`."""

import logging
import os
import subprocess
import sys
import traceback
import warnings

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import config, layers


def _model():
    model = hocsau.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


DATA = (np.ones((40, 2), "float32"), np.ones((40, 1), "float32"))


def test_max_epochs_and_steps_limit_fit_evaluate_predict():
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    try:
        assert config.max_epochs() == 2 and config.max_steps_per_epoch() == 3
        seen = []
        counter = hocsau.callbacks.LambdaCallback(
            on_train_batch_end=lambda batch, logs: seen.append(batch))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = _model().fit(*DATA, batch_size=4, epochs=5, verbose=0,
                                   callbacks=[counter])
        assert {str(w.message) for w in caught} == {"Limiting epochs to 2",
                                                    "Limiting steps_per_epoch to 3"}
        assert history.epoch == [0, 1] and seen == [0, 1, 2, 0, 1, 2]
        with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 3"):
            assert len(_model().predict(DATA[0], batch_size=4, verbose=0)) == 12
    finally:
        config.set_max_epochs(None)
        config.set_max_steps_per_epoch(None)
    assert len(_model().predict(DATA[0], batch_size=4, verbose=0)) == 40


def test_limits_read_keras_environment_variables():
    env = dict(os.environ, KERAS_MAX_EPOCHS="3", KERAS_MAX_STEPS_PER_EPOCH="7")
    code = "import hocsau; print(hocsau.config.max_epochs(), hocsau.config.max_steps_per_epoch())"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["3", "7"]


def test_flash_attention_switch_matches_keras():
    for lib in (hocsau, keras):
        assert lib.config.is_flash_attention_enabled() is None
        lib.config.disable_flash_attention()
        assert lib.config.is_flash_attention_enabled() is False
        lib.config.enable_flash_attention()
        assert lib.config.is_flash_attention_enabled() is None
    config.disable_flash_attention()
    try:
        layer = layers.GroupQueryAttention(4, 2, 1)
        assert layer._flash_attention is False  # never the flash kernel
    finally:
        config.enable_flash_attention()
    assert layers.GroupQueryAttention(4, 2, 1)._flash_attention is None


def test_dtype_policy_switch_matches_keras():
    for lib in (hocsau, keras):
        lib.config.set_dtype_policy("mixed_bfloat16")
        try:
            assert lib.config.dtype_policy().name == "mixed_bfloat16"
            assert lib.layers.Dense(1).compute_dtype == "bfloat16"
            assert lib.DTypePolicy().name == "mixed_bfloat16"
        finally:
            lib.config.set_dtype_policy("float32")
    assert hocsau.config.dtype_policy() == hocsau.DTypePolicy("float32")
    hocsau.config.set_dtype_policy(None)  # back to following floatx, for the tests after
    assert hocsau.config.dtype_policy().name == hocsau.config.floatx()


def test_interactive_logging_sends_messages_to_logging(capsys, caplog):
    assert config.is_interactive_logging_enabled() == keras.config.is_interactive_logging_enabled()
    hocsau.utils.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="hocsau"):
            _model().fit(*DATA, batch_size=20, epochs=1, verbose=2)
        assert capsys.readouterr().out == ""
        assert any("Epoch 1/1" in record.getMessage() for record in caplog.records)
        assert any("loss:" in record.getMessage() for record in caplog.records)
    finally:
        hocsau.config.enable_interactive_logging()
    _model().fit(*DATA, batch_size=20, epochs=1, verbose=2)
    assert "Epoch 1/1" in capsys.readouterr().out


def test_traceback_filtering_hides_hocsau_frames():
    model = _model()
    for enabled in (True, False):
        (config.enable_traceback_filtering if enabled else config.disable_traceback_filtering)()
        assert config.is_traceback_filtering_enabled() is enabled
        with pytest.raises(ValueError) as info:
            model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), verbose=0)
        files = [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]
        # As in Keras, only the frame re-raising the error stays (traceback_utils).
        inside = [f for f in files if os.sep + "hocsau" + os.sep in f
                  and not f.endswith("traceback_utils.py")]
        assert (inside == []) is enabled, files
    config.enable_traceback_filtering()


def test_backends_other_than_torch_are_refused():
    config.set_backend("torch")
    with pytest.raises(ValueError, match="no 'jax' backend.*KERAS_BACKEND=jax"):
        config.set_backend("jax")
    assert config.is_nnx_enabled() is keras.config.is_nnx_enabled() is False


@pytest.mark.parametrize(("env", "cuda", "expected"), [
    ({}, True, "cuda"),
    ({"LOCAL_RANK": "1"}, True, "cuda:1"),  # torchrun: each process its own GPU
    ({"LOCAL_RANK": "1"}, False, "cpu"),
    ({"HOCSAU_DEVICE": "cuda:2", "LOCAL_RANK": "1"}, True, "cuda:2"),
])
def test_automatic_device_choice(env, cuda, expected, monkeypatch):
    for name in ("HOCSAU_DEVICE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    config.set_device(None)
    try:
        assert config.device() == torch.device(expected)
    finally:
        monkeypatch.undo()
        config.set_device(None)
    assert config.device() == torch.device("cpu")

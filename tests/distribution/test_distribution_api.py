"""The `keras.distribution` objects and the `distribute` shim in one process."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pytest
import torch

import hocsau as keras
from hocsau import distribute, distribution
from hocsau.distribution import errors, process_group


def test_one_process_defaults():
    assert distribution.process_id() == 0 and distribution.num_processes() == 1
    assert distribution.list_devices("cpu") == ["cpu:0"]
    parallel = distribution.DataParallel()
    assert parallel.device_mesh.shape == (1,) and parallel.batch_dim_name == "batch"
    assert parallel.get_data_layout((8, 3)).axes == ("batch", None)
    assert parallel.get_variable_layout(torch.zeros(2, 3)).axes == (None, None)


def test_scope_sets_and_restores_the_global_distribution():
    parallel = distribution.DataParallel()
    assert distribution.distribution() is None
    with parallel.scope():
        assert distribution.distribution() is parallel
    assert distribution.distribution() is None
    with pytest.raises(ValueError, match="Distribution"):
        distribution.set_distribution("data")


def test_device_mesh_and_layout_validation():
    mesh = distribution.DeviceMesh((2, 2), ["batch", "model"], devices=list(range(4)))
    assert mesh.devices.shape == (2, 2) and mesh.axis_size("model") == 2
    with pytest.raises(ValueError, match="Shape does not match"):
        distribution.DeviceMesh((3,), ["batch"], devices=[0, 1])
    with pytest.raises(ValueError, match="Invalid axis names"):
        distribution.TensorLayout(("data", None), mesh)


def test_layout_map_matches_paths_by_regex():
    mesh = distribution.DeviceMesh((1,), ["model"], devices=["cpu:0"])
    layouts = distribution.LayoutMap(mesh)
    layouts["dense.*kernel"] = (None, "model")
    layouts["dense_1/bias"] = ("model",)
    assert layouts["dense_1/kernel"].axes == (None, "model")
    assert layouts["dense_1/kernel"].device_mesh is mesh
    assert layouts["dense_1/bias"].axes == ("model",) and layouts["conv/kernel"] is None
    layouts[".*bias"] = ("model",)
    layouts["dense_2.*"] = (None,)
    with pytest.raises(ValueError, match="matches multiple layout"):
        layouts["dense_2/bias"]  # noqa: B018
    assert len(layouts) == 4 and list(layouts)[0] == "dense.*kernel"


def test_distribute_tensor_in_one_process_keeps_the_tensor():
    mesh = distribution.DeviceMesh((1,), ["batch"], devices=["cpu:0"])
    value = torch.arange(6.0).reshape(3, 2)
    result = distribution.distribute_tensor(value, distribution.TensorLayout(("batch", None),
                                                                              mesh))
    np.testing.assert_array_equal(result.numpy(), value.numpy())


def test_mirrored_strategy_without_torchrun_warns_with_the_command():
    with pytest.warns(UserWarning, match="torchrun --standalone --nproc_per_node=2"):
        strategy = distribute.MirroredStrategy(devices=["/gpu:0", "/gpu:1"])
    assert strategy.num_replicas_in_sync == 1
    assert strategy.distribution.split_batches  # tf.distribute: every batch is global
    with strategy.scope():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
    history = model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 1 and distribution.distribution() is None


def test_multi_worker_strategy_reads_tf_config(monkeypatch):
    config = {"cluster": {"worker": ["host0:12345", "host1:23456"]},
              "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    for name in ("WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK"):
        monkeypatch.setenv(name, "")  # recorded, so what the shim sets is undone after
        monkeypatch.delenv(name)
    distribute._tf_config_to_torchrun_env()
    import os

    assert (os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"]) == ("host0", "12345")
    assert (os.environ["WORLD_SIZE"], os.environ["RANK"]) == ("2", "1")
    assert distribute.experimental.MultiWorkerMirroredStrategy is \
        distribute.MultiWorkerMirroredStrategy


def test_multi_worker_strategy_without_cluster_is_one_worker(monkeypatch):
    for name in ("TF_CONFIG", "WORLD_SIZE", "RANK"):
        monkeypatch.delenv(name, raising=False)
    strategy = distribute.MultiWorkerMirroredStrategy()
    assert strategy.num_replicas_in_sync == 1 and strategy.cluster_resolver.task_id == 0


def test_unavailable_strategies_name_the_alternative():
    for strategy in (distribute.ParameterServerStrategy, distribute.TPUStrategy,
                     distribute.experimental.ParameterServerStrategy):
        with pytest.raises(ValueError, match="DataParallel"):
            strategy()


def _fit_tiny():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, verbose=0)


def test_more_devices_than_processes_names_the_torchrun_command():
    with distribution.DataParallel(devices=["cpu:0", "cpu:1"]).scope():
        with pytest.raises(ValueError, match=r"spans 2 devices but 1 process\(es\) are running"
                                             r".*torchrun --standalone --nproc_per_node=2"):
            _fit_tiny()


def test_world_size_without_a_process_group_is_explained(monkeypatch):
    parallel = distribution.DataParallel()
    monkeypatch.setenv("WORLD_SIZE", "2")
    with parallel.scope(), pytest.raises(ValueError, match=r"WORLD_SIZE=2 is set but this "
                                                           r"process has not joined"):
        _fit_tiny()


GLOO_TIMEOUT = ("[/pytorch/third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:78] Timed out "
                "waiting 2000ms for recv operation to complete")


def test_a_collective_timeout_names_the_process_and_the_collective():
    with pytest.raises(errors.DistributedError) as caught:
        with errors.collective("the all-reduce of metric states"):
            raise RuntimeError(GLOO_TIMEOUT)
    message = str(caught.value)
    assert message.startswith("Process 0 of 1 failed in the all-reduce of metric states: "
                              "another process did not take part in time.")
    assert "HOCSAU_DISTRIBUTED_TIMEOUT" in message and message.endswith(GLOO_TIMEOUT)
    with pytest.raises(RuntimeError, match="^something else$"):  # other errors pass through
        with errors.collective("the all-reduce of metric states"):
            raise RuntimeError("something else")


def test_timeout_from_the_argument_or_the_environment(monkeypatch):
    monkeypatch.delenv("HOCSAU_DISTRIBUTED_TIMEOUT", raising=False)
    assert process_group._timeout(None) == process_group.DEFAULT_TIMEOUT
    assert process_group._timeout(90) == datetime.timedelta(seconds=90)
    monkeypatch.setenv("HOCSAU_DISTRIBUTED_TIMEOUT", "12.5")
    assert process_group._timeout(None) == datetime.timedelta(seconds=12.5)
    with pytest.raises(ValueError, match="Received: timeout='soon'"):
        process_group._timeout("soon")

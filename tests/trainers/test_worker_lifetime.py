"""PyDataset worker processes are tied to the process that started them: the kernel's parent
death signal on Linux, and a thread watching `os.getppid()` everywhere."""

import concurrent.futures
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys

import pytest

from hocsau.trainers.data_adapters import sequence_adapter

_PR_GET_PDEATHSIG = 2
FORK = multiprocessing.get_context("fork")


def _death_signal_and_watcher() -> tuple[int, list[str]]:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    value = ctypes.c_int(-1)
    libc.prctl(_PR_GET_PDEATHSIG, ctypes.byref(value), 0, 0, 0)
    threads = [t.name for t in sequence_adapter.threading.enumerate() if t.daemon]
    return value.value, threads


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_a_worker_asks_the_kernel_for_sigkill_when_its_parent_dies():
    with concurrent.futures.ProcessPoolExecutor(
            1, mp_context=FORK, initializer=sequence_adapter._start_worker,
            initargs=(None, os.getpid())) as pool:
        death_signal, threads = pool.submit(_death_signal_and_watcher).result()
    assert death_signal == signal.SIGKILL
    assert "hocsau-watch-parent" in threads
    assert multiprocessing.active_children() == []


def test_the_watcher_kills_its_process_once_the_parent_changes():
    # Standing for an orphan: the process's parent is not the one it was started by.
    watcher = FORK.Process(target=sequence_adapter._watch_parent, args=(os.getpid() + 10**6,
                                                                        0.01))
    watcher.start()
    watcher.join(30)
    assert watcher.exitcode == -signal.SIGKILL


def test_a_worker_whose_parent_is_already_gone_ends_at_once():
    worker = FORK.Process(target=sequence_adapter._start_worker, args=(None, 10**7))
    worker.start()
    worker.join(30)
    assert worker.exitcode == -signal.SIGKILL


def test_a_live_parent_keeps_the_watcher_waiting():
    watcher = FORK.Process(target=sequence_adapter._watch_parent, args=(os.getpid(), 0.01))
    watcher.start()
    watcher.join(0.5)
    assert watcher.is_alive()
    watcher.kill()
    watcher.join(30)

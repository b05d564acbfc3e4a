"""PyDataset worker processes die with their training process, even when it is killed with
`kill -9` (nothing in it runs to stop them)."""

import os
import signal
import subprocess
import sys
import textwrap
import time

CHILD = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import hocsau

    class Slow(hocsau.utils.PyDataset):
        def __len__(self):
            return 10_000

        def __getitem__(self, index):
            open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
            time.sleep(0.02)
            return np.ones((4, 3), "float32"), np.ones((4, 1), "float32")

    model = hocsau.Sequential([hocsau.Input((3,)), hocsau.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(Slow(workers=2, use_multiprocessing=True), epochs=100, verbose=0)
""")


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its new parent, counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_workers_die_within_seconds_of_a_kill_9_of_the_training_process(tmp_path):
    trainer = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path)],
                               stderr=subprocess.PIPE, text=True)

    def workers():
        return {int(name) for name in os.listdir(tmp_path)} - {trainer.pid}

    try:
        assert _wait_until(lambda: len(workers()) == 2 or trainer.poll() is not None, 120), \
            "the workers did not start"
        assert trainer.poll() is None, trainer.stderr.read()
        pids = workers()
        assert all(_alive(pid) for pid in pids)
        trainer.send_signal(signal.SIGKILL)
        assert trainer.wait(30) == -signal.SIGKILL
        assert _wait_until(lambda: not any(_alive(pid) for pid in pids), 5), \
            f"worker processes {[pid for pid in pids if _alive(pid)]} outlived their parent"
    finally:  # whatever failed above, leave no process behind
        trainer.kill()
        trainer.wait()
        trainer.stderr.close()
        for pid in workers():
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

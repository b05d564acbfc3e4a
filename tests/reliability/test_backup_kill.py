"""BackupAndRestore survives `kill -9` at any point of a backup: a child process trains and
SIGKILLs itself inside the write; a resumed run then ends exactly as an uninterrupted one."""

import os
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from hocsau import callbacks

CALLBACK_TESTS = os.path.join(os.path.dirname(__file__), os.pardir, "callbacks")
sys.path.insert(0, CALLBACK_TESTS)
from test_backup_and_restore import data, make_model  # noqa: E402  (the same model and data)

EPOCHS = 5
KILLED_IN = 2  # the backup written at the end of epoch 2 (next epoch 3) is interrupted

CHILD = textwrap.dedent("""
    import io, os, signal, sys
    import numpy as np
    sys.path.insert(0, os.environ["TEST_DIR"])
    from test_backup_and_restore import data, make_model
    from hocsau import callbacks

    backup_dir, point, double = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    KILLED_IN, EPOCHS = int(sys.argv[4]), int(sys.argv[5])
    armed = False
    real_savez, real_replace = np.savez, os.replace

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def savez(file, **arrays):
        if armed and point == "mid_write":  # half the archive reaches the disk
            buffer = io.BytesIO()
            real_savez(buffer, **arrays)
            file.write(buffer.getvalue()[:len(buffer.getvalue()) // 2])
            file.flush()
            os.fsync(file.fileno())
            die()
        real_savez(file, **arrays)

    def replace(source, target):
        rotating = str(target).endswith(".bkp")
        if armed and point == "before_replace" and not rotating:
            die()
        real_replace(source, target)
        if armed and (point == "after_replace" and not rotating
                      or point == "after_rotate" and rotating):
            die()

    np.savez, os.replace = savez, replace

    class Arm(callbacks.Callback):  # listed first: arms before the backup of this epoch end
        def on_epoch_end(self, epoch, logs=None):
            global armed
            armed = epoch == KILLED_IN

    x, y = data()
    make_model().fit(x, y, epochs=EPOCHS, batch_size=16, verbose=0, callbacks=[
        Arm(), callbacks.BackupAndRestore(backup_dir, double_checkpoint=double)])
""")


@pytest.fixture(scope="module")
def uninterrupted():
    x, y = data()
    model = make_model()
    history = model.fit(x, y, epochs=EPOCHS, batch_size=16, verbose=0).history["loss"]
    return history, model.get_weights()


LATEST, PREVIOUS, TEMPORARY = "training_backup.npz", "training_backup.npz.bkp", "tmp"


@pytest.mark.parametrize("point, double, left, resumes_at", [
    ("mid_write", False, [LATEST, TEMPORARY], KILLED_IN),  # half an archive in the temporary
    ("before_replace", False, [LATEST, TEMPORARY], KILLED_IN),  # complete, never renamed
    ("after_replace", False, [LATEST], KILLED_IN + 1),
    ("after_rotate", True, [PREVIOUS], KILLED_IN),  # the latest became .bkp, no new one yet
])
def test_kill_inside_a_backup_then_resume_equals_an_uninterrupted_run(
        tmp_path, uninterrupted, point, double, left, resumes_at):
    expected_history, expected_weights = uninterrupted
    backup = tmp_path / "backup"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(backup), point, "1" if double else "0", str(KILLED_IN),
         str(EPOCHS)], env={**os.environ, "TEST_DIR": CALLBACK_TESTS}, capture_output=True,
        text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    names = {TEMPORARY if name.endswith(".tmp") else name for name in os.listdir(backup)}
    assert names == set(left)

    x, y = data()
    model = make_model()  # as a new process would: fresh weights and generators
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a kill leaves no state worth a warning
        history = model.fit(x, y, epochs=EPOCHS, batch_size=16, verbose=0,
                            callbacks=[callbacks.BackupAndRestore(backup,
                                                                  double_checkpoint=double)])
    assert len(history.history["loss"]) == EPOCHS - resumes_at
    np.testing.assert_allclose(history.history["loss"], expected_history[resumes_at:],
                               rtol=1e-6)
    for ours, theirs in zip(model.get_weights(), expected_weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert not backup.exists()

"""Seeded mutation fuzz of the three weight-carrying formats, run by test_mutation_fuzz.py in
a subprocess so that a hang or a crash inside libhdf5 cannot take the test run down.

    python fuzz_worker.py FOLDER SEED CASES

writes a small trained model as m.keras, m.weights.h5 and m.h5 into FOLDER, then loads CASES
mutated copies of each (for .keras, half of them mutate an entry inside the archive and keep
the recorded checksums, as a damaged-then-repacked file would). Before each load it prints
`{"start": case}`, after it `{"case", "format", "outcome", "detail"}` (JSON lines, flushed):

    error     a ValueError / FileNotFoundError naming the file
    checksum  a ValueError reporting a SHA-256 mismatch
    same      loaded, every weight as saved
    changed   loaded with other weight values (only formats without checksums may do this)
    bad       any other exception, or a message that does not name the file
"""

import json
import os
import pathlib
import sys

import numpy as np
from hostile_files import entries, rezip

import hocsau
from hocsau import layers, saving


def _model():
    model = hocsau.Sequential([hocsau.Input((4,)), layers.Dense(3, activation="relu"),
                               layers.BatchNormalization(), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 4), "float32"), np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    return model


def _mutate(data: bytes, rng) -> bytes:
    """One to three changed bytes, a truncation, or a block copied over another place."""
    data = bytearray(data)
    kind = rng.integers(5)
    if kind == 0:
        return bytes(data[:rng.integers(1, len(data))])
    if kind == 1:
        size = int(rng.integers(8, 64))
        source, target = rng.integers(0, len(data) - size, 2)
        data[target:target + size] = data[source:source + size]
        return bytes(data)
    for position in rng.choice(len(data), int(rng.integers(1, 4)), replace=False):
        data[position] = (data[position] ^ int(rng.integers(1, 256))) if kind == 2 else \
            (0x00 if kind == 3 else 0xFF)
    return bytes(data)


def _load(path: str, reference):
    if path.endswith(".weights.h5"):
        model = _model_like(reference)
        model.load_weights(path)
        return model
    return saving.load_model(path)


def _model_like(reference):
    model = hocsau.models.clone_model(reference)
    for weight in model.weights:
        weight.data.fill_(-7.0)
    return model


def _outcome(path: str, reference) -> tuple[str, str]:
    try:
        loaded = _load(path, reference)
    except (ValueError, FileNotFoundError) as error:
        message = str(error)
        if os.path.basename(path) not in message:
            return "bad", f"{type(error).__name__}: {message[:300]}"
        return ("checksum" if "SHA-256" in message else "error"), message[:120]
    except Exception as error:  # every other exception is a finding
        return "bad", f"{type(error).__name__}: {str(error)[:300]}"
    same = len(loaded.weights) == len(reference.weights) and all(
        a.shape == b.shape and np.array_equal(a.detach().numpy(), b.detach().numpy())
        for a, b in zip(loaded.weights, reference.weights, strict=True))
    return ("same" if same else "changed"), ""


def _mutated_copies(folder: str, fmt: str, cases: int, rng):
    """(path, bytes) of each mutated file of a format."""
    original = os.path.join(folder, f"m{fmt}")
    raw = pathlib.Path(original).read_bytes()
    for case in range(cases):
        target = os.path.join(folder, f"case{fmt}")
        if fmt == ".keras" and case % 2:
            contents = entries(original)
            name = "model.weights.h5" if case % 4 == 1 else "config.json"
            pathlib.Path(target).write_bytes(raw)
            rezip(target, keep_checksums=True, **{name: _mutate(contents[name], rng)})
        else:
            pathlib.Path(target).write_bytes(_mutate(raw, rng))
        yield case, target


def main(folder: str, seed: int, cases: int) -> None:
    rng = np.random.default_rng(seed)
    reference = _model()
    reference.save(os.path.join(folder, "m.keras"))
    reference.save_weights(os.path.join(folder, "m.weights.h5"))
    reference.save(os.path.join(folder, "m.h5"))
    for fmt in (".keras", ".weights.h5", ".h5"):
        for case, path in _mutated_copies(folder, fmt, cases, rng):
            print(json.dumps({"start": f"{fmt} {case}"}), flush=True)
            outcome, detail = _outcome(path, reference)
            print(json.dumps({"case": case, "format": fmt, "outcome": outcome,
                              "detail": detail}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))

"""Inference latency of one model four ways: `model.predict`, a direct `model(x)` call, the
model exported to ONNX and run by ONNX Runtime, and the model after `quantize("int8")`
(through `predict`), at batch 1 and batch 256, printed as a Markdown table.

Models: seed 000's LeNet and LSTM spam models (benchmarks/lenet.py, lstm_spam.py), and a
Dense-only MLP where int8 matters most (LeNet's time is in its convolutions and the spam
model's in its LSTM, which int8 mode leaves in float32). Run by hand:
`python benchmarks/export.py` (ONNX Runtime needed). Every runtime gets the same number of
threads; the times are the best of `--repeats` interleaved runs of `--calls` calls.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import lenet
import lstm_spam
import numpy as np
import onnxruntime as ort
import torch
from _timing import best_of, machine_line  # noqa: E402  (benchmarks/ is on sys.path)

import hocsau as keras
from hocsau import layers


def build_mlp():
    inputs = keras.Input((784,), name="pixels")
    x = layers.Dense(1024, activation="relu")(inputs)
    x = layers.Dense(1024, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


def sample(name: str, batch: int, rng) -> np.ndarray:
    if name == "LeNet":
        return rng.random((batch, 32, 32, 1), dtype=np.float32)
    if name == "LSTM spam":
        return lstm_spam.padded_ids(rng, batch).astype("float32")  # its Input is float32
    return rng.random((batch, 784), dtype=np.float32)


def onnx_session(model, folder: str, threads: int):
    path = str(Path(folder) / f"{model.name}.onnx")
    model.export(path, format="onnx", verbose=False)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session, session.get_inputs()[0].name


def time_model(name: str, model, quantized, session, batch: int, args, rng) -> dict:
    x = sample(name, batch, rng)
    feed_name = session[1]
    tensor = torch.from_numpy(x)
    calls = args.calls

    def repeat(fn):
        return lambda: [fn() for _ in range(calls)]

    runs = {
        "predict": repeat(lambda: model.predict(x, batch_size=batch, verbose=0)),
        "model(x)": repeat(lambda: model(tensor)),
        "ONNX Runtime": repeat(lambda: session[0].run(None, {feed_name: x})),
        "int8 predict": repeat(lambda: quantized.predict(x, batch_size=batch, verbose=0)),
    }
    for run in runs.values():
        run()  # warm-up
    seconds = best_of(*runs.values(), repeats=args.repeats)
    return {key: s / calls * 1e3 for key, s in zip(runs, seconds, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    builders = {"LeNet": lenet.build_hocsau, "LSTM spam": lstm_spam.build_hocsau,
                "MLP 784-1024-1024-10": build_mlp}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, build in builders.items():
            model, quantized = build(), build()
            quantized.set_weights(model.get_weights())
            quantized.quantize("int8")
            session = onnx_session(model, folder, args.threads)
            for batch in (1, 256):
                times = time_model(name, model, quantized, session, batch, args, rng)
                rows.append((name, batch, times))
    print(machine_line("cpu"))
    print("| model | batch | predict (ms) | model(x) / predict | ONNX Runtime / predict | "
          "int8 predict / predict |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, batch, t in rows:
        base = t["predict"]
        print(f"| {name} | {batch} | {base:.2f} | {t['model(x)'] / base:.2f} | "
              f"{t['ONNX Runtime'] / base:.2f} | {t['int8 predict'] / base:.2f} |")


if __name__ == "__main__":
    main()

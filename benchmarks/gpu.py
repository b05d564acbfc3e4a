"""hocsau `fit` / `predict` against plain PyTorch on a CUDA GPU: the seed models of
`peers.py` and `applications.ResNet50(weights=None)` at 224x224, batch 64, in float32, mixed
bfloat16 and mixed float16 (hocsau: the "mixed_*" dtype policies, float16 with its automatic
`LossScaleOptimizer`; PyTorch: `torch.autocast`, and a `GradScaler` for float16).

Prints one markdown table of ms/step and hocsau / PyTorch ratios (1.00 = the plain loop; lower
is better), timed with `torch.cuda.synchronize()` around each run, the two sides alternating,
best of `--repeats`, after an untimed warm-up epoch each. Both sides get their data already on
the GPU (hocsau channels_last, PyTorch NCHW). Also counts the host syncs in one epoch of the
MLP's `fit` (`torch.cuda.set_sync_debug_mode`). Without CUDA it says so and exits with 0.

    python benchmarks/gpu.py [--models mlp,lenet,lstm,resnet50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings

import torch
from _seed_models import images, messages
from _timing import best_of, machine_line
from _torch_loop import BCE, positive, softmax, torch_fit, torch_predict

PRECISIONS = {"float32": None, "mixed_bfloat16": torch.bfloat16, "mixed_float16": torch.float16}
# name: (title, builder in _seed_models, rows, batch)
MODELS = {
    "mlp": ("MLP 784-128-10, 60,000 rows", "mlp", 60_000, 128),
    "lenet": ("seed 000's LeNet, 11,000 rows", "lenet", 11_000, 256),
    "lstm": ("seed 000's LSTM spam model, 4,457 rows", "lstm_spam", 4_457, 128),
    "resnet50": ("applications.ResNet50, 224x224x3, 1,280 rows", "resnet50", 1_280, 64),
}


def _data(builder: str, rows: int, device):
    """(hocsau x, torch x, y) on `device`: images NHWC for hocsau and NCHW for torch."""
    if builder == "lstm_spam":
        ids, y = messages(rows)
        x = torch.from_numpy(ids).long().to(device)
        return x, x, torch.from_numpy(y).to(device)
    shape = {"mlp": (784,), "lenet": (32, 32, 1), "resnet50": (224, 224, 3)}[builder]
    x, y = images(rows, shape, classes=1000 if builder == "resnet50" else 10)
    xh = torch.from_numpy(x).to(device)
    xt = xh.permute(0, 3, 1, 2).contiguous() if xh.dim() == 4 else xh
    return xh, xt, torch.from_numpy(y).to(device)


def _models(builder: str, policy: str, device):
    """The hocsau model (built under the dtype policy) and its plain torch twin."""
    import _seed_models
    import _torch_loop

    import hocsau as keras
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = getattr(_seed_models, builder)(keras)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    twin = _torch_loop.TorchSpam() if builder == "lstm_spam" else (
        getattr(_torch_loop, f"torch_{builder}")())
    return model, twin.to(device)


def _pair(hocsau_fn, torch_fn, steps: int, repeats: int) -> list[str]:
    """ms/step of each side and their ratio, or why it failed (one failing side must not lose
    the rest of a scarce GPU run)."""
    try:
        hocsau_fn()
        torch_fn()
        times = best_of(hocsau_fn, torch_fn, repeats=repeats)
    except Exception as error:
        return [f"failed: {type(error).__name__}: {str(error)[:100]}", "", ""]
    ms = [1e3 * t / steps for t in times]
    return [f"{ms[0]:.2f}", f"{ms[1]:.2f}", f"{ms[0] / ms[1]:.2f}"]


def time_case(name: str, policy: str, repeats: int, device) -> list[str]:
    """fit and predict ms/step of both sides and their ratios, as table cells."""
    _, builder, rows, batch = MODELS[name]
    amp = PRECISIONS[policy]
    xh, xt, y = _data(builder, rows, device)
    model, twin = _models(builder, policy, device)
    extra = (BCE, positive) if builder == "lstm_spam" else (None, None)
    activation = torch.sigmoid if builder == "lstm_spam" else softmax
    steps = math.ceil(rows / batch)
    return (_pair(lambda: model.fit(xh, y, batch_size=batch, epochs=1, verbose=0),
                  lambda: torch_fit(twin, xt, y, 1, batch, *extra, amp=amp), steps, repeats)
            + _pair(lambda: model.predict(xh, batch_size=batch, verbose=0),
                    lambda: torch_predict(twin, xt, batch, activation, amp), steps, repeats))


def host_syncs_in_fit(device) -> str:
    """How many host syncs torch reports in one epoch of the MLP's fit (469 steps)."""
    xh, _, y = _data("mlp", 60_000, device)
    model, _ = _models("mlp", "float32", device)
    model.fit(xh, y, batch_size=128, epochs=1, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            model.fit(xh, y, batch_size=128, epochs=1, verbose=0)
        finally:
            torch.cuda.set_sync_debug_mode("default")
    sources = sorted({f"{w.filename}:{w.lineno}" for w in caught})
    return f"{len(caught)} in 469 steps" + (f" (from {', '.join(sources[:5])})" if caught else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print(f"no CUDA device: torch {torch.__version__} (CUDA build: {torch.version.cuda}) "
              "sees no GPU; nothing to time. Run this on a machine with an NVIDIA GPU and a "
              "CUDA build of torch.")
        return 0
    device = torch.device("cuda")
    print(f"{machine_line(device)}, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"host syncs in one MLP fit epoch: {host_syncs_in_fit(device)}\n")
    print("| model (batch) | precision | fit hocsau ms/step | fit torch ms/step | ratio "
          "| predict hocsau ms/step | predict torch ms/step | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.models.split(","):
        for policy in args.precisions.split(","):
            try:
                cells = time_case(name, policy, args.repeats, device)
            except Exception as error:  # e.g. out of memory building the model
                cells = [f"failed: {type(error).__name__}: {str(error)[:100]}"] + [""] * 5
            print(f"| {MODELS[name][0]} ({MODELS[name][3]}) | {policy} | "
                  + " | ".join(cells) + " |", flush=True)
            torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())

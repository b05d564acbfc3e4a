"""Data-parallel scaling: samples/s of `fit` on seed 000's LeNet for 1 process, 2 processes (DDP,
launched by torchrun) and 1 process x 2 threads at the same global batch, beside a plain
PyTorch DDP loop (the same network in NCHW, `DistributedDataParallel`, each process taking
every W-th row of a shared permutation, Adam) in the same configurations.

    python benchmarks/distributed.py [--repeats 3] [--epochs 2] [--quick]
    python benchmarks/distributed.py --cuda      # 1 GPU and every GPU, NCCL

On the CPU the processes talk over gloo, one core each; with `--cuda` each process drives
`cuda:LOCAL_RANK` over NCCL (a machine without CUDA says so and exits). Each configuration runs
in fresh processes, the configurations taking turns; the best run of each is kept.
Efficiency = samples/s of W processes / (W x samples/s of 1 process); "vs loop" = hocsau's
samples/s over the plain DDP loop's in the same configuration (above 1: hocsau is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROWS, BATCH = 4096, 256


def _data(rows: int):
    from _seed_models import images

    return images(rows, (32, 32, 1))


def _pin_core() -> None:
    """One core per process when several share the CPU."""
    rank, world = int(os.environ.get("LOCAL_RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    if hasattr(os, "sched_setaffinity") and world > 1:
        os.sched_setaffinity(0, {rank % os.cpu_count()})


def _hocsau_samples_per_s(rows: int, epochs: int, cuda: bool) -> float:
    from _seed_models import lenet

    import hocsau as keras

    keras.distribution.set_distribution(keras.distribution.DataParallel())
    x, y = _data(rows)
    keras.utils.set_random_seed(0)
    model = lenet(keras)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0)
    return rows * epochs / (time.perf_counter() - start)


def _torch_samples_per_s(rows: int, epochs: int, cuda: bool) -> float:
    """The DDP loop a PyTorch user writes: whole arrays on the device, a shared per-epoch
    permutation of which each process takes every W-th row, BATCH / W rows a step."""
    import torch
    import torch.distributed as dist
    from _torch_loop import torch_lenet

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = torch.device(f"cuda:{os.environ.get('LOCAL_RANK', '0')}" if cuda else "cpu")
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo", device_id=device if cuda else None)
    x, y = _data(rows)
    x = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous().to(device)
    y = torch.from_numpy(y).to(device)
    torch.manual_seed(0)
    model = torch_lenet().to(device)
    if world > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    per_rank = BATCH // world

    def epoch(seed: int) -> None:
        order = torch.randperm(rows, generator=torch.Generator().manual_seed(seed))
        mine = order[rank::world].to(device)
        for start in range(0, len(mine), per_rank):
            rows_ = mine[start:start + per_rank]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(x[rows_]), y[rows_]).backward()
            optimizer.step()
        if cuda:
            torch.cuda.synchronize(device)

    epoch(0)  # warm-up
    start = time.perf_counter()
    for seed in range(1, epochs + 1):
        epoch(seed)
    spent = time.perf_counter() - start
    if world > 1:
        dist.destroy_process_group()
    return rows * epochs / spent


def _worker(runner: str, rows: int, epochs: int, cuda: bool) -> None:
    if not cuda:
        _pin_core()
    measure = _hocsau_samples_per_s if runner == "hocsau" else _torch_samples_per_s
    samples_per_s = measure(rows, epochs, cuda)
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps({"samples_per_s": samples_per_s}), flush=True)
    # The figure is out; gloo's threads can abort the interpreter's teardown ("terminate
    # called ..."), which torchrun would report as a failed run.
    sys.stderr.flush()
    os._exit(0)


def _run(runner: str, processes: int, threads: int, args) -> float:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    if args.cuda:
        env.pop("HOCSAU_DEVICE", None)
    else:
        env["HOCSAU_DEVICE"] = "cpu"
    script = [os.path.abspath(__file__), "--worker", runner, "--rows", str(args.rows),
              "--epochs", str(args.epochs)] + (["--cuda"] if args.cuda else [])
    if processes == 1:
        command = [sys.executable, *script]
    else:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
                   f"--nproc_per_node={processes}", *script]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    line = [row for row in done.stdout.splitlines() if row.startswith("{")][-1]
    return json.loads(line)["samples_per_s"]


def _configurations(args) -> dict[str, tuple[int, int]]:
    if args.cuda:
        gpus = __import__("torch").cuda.device_count()
        return {"1 GPU": (1, 1), **({f"{gpus} GPUs": (gpus, 1)} if gpus > 1 else {})}
    return {"1 process x 1 thread": (1, 1), "2 processes x 1 thread": (2, 1),
            "1 process x 2 threads": (1, 2)}


def measure(args) -> dict[tuple[str, str], float]:
    """{(configuration, runner): best samples/s}, the runs taking turns."""
    best: dict[tuple[str, str], float] = {}
    for _ in range(args.repeats):
        for name, (processes, threads) in _configurations(args).items():
            for runner in ("torch", "hocsau"):
                value = _run(runner, processes, threads, args)
                best[name, runner] = max(best.get((name, runner), 0.0), value)
    return best


def table(args, best: dict) -> str:
    import torch

    configurations = _configurations(args)
    names = list(configurations)
    machine = (torch.cuda.get_device_name(0) + ", NCCL" if args.cuda
               else f"{os.cpu_count()} CPUs, gloo")
    lines = [f"seed 000's LeNet 32x32x1, {args.rows} rows, global batch {BATCH}, torch "
             f"{torch.__version__}, {machine}; best of {args.repeats}",
             "| configuration | hocsau samples/s | speed-up | plain DDP loop samples/s | "
             "speed-up | hocsau vs loop |", "|---|---|---|---|---|---|"]
    for name in names:
        ours, loop = best[name, "hocsau"], best[name, "torch"]
        lines.append(f"| {name} | {ours:.0f} | {ours / best[names[0], 'hocsau']:.2f} | "
                     f"{loop:.0f} | {loop / best[names[0], 'torch']:.2f} | {ours / loop:.2f} |")
    for runner in ("hocsau", "torch"):
        if len(names) > 1:  # one GPU: nothing to scale over
            world = configurations[names[1]][0]
            efficiency = best[names[1], runner] / (world * best[names[0], runner])
            lines.append(f"scaling efficiency ({world} processes), {runner}: {efficiency:.2f}")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", choices=("hocsau", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=ROWS, help=argparse.SUPPRESS)
    parser.add_argument("--cuda", action="store_true", help="GPUs with NCCL")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: 1,024 rows, 1 epoch, 1 repeat")
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.rows, args.epochs, args.cuda)
        return
    if args.quick:
        args.rows, args.epochs, args.repeats = 4 * BATCH, 1, 1
    if args.cuda:
        import torch

        if not torch.cuda.is_available():
            print("no CUDA device: run without --cuda for the CPU (gloo) figures")
            return
    print(table(args, measure(args)))


if __name__ == "__main__":
    main()

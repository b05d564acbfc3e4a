#!/usr/bin/env bash
# One check of hocsau on a CUDA machine, about 6 minutes in all: the card and the date,
# benchmarks/gpu.py (hocsau vs plain PyTorch, float32 / mixed bfloat16 / mixed float16), then the
# test suite with every model on the GPU (HOCSAU_DEVICE=cuda; the suite has no CUDA-only tests,
# tests/conftest.py pins the CPU unless told otherwise).
#
#   bash benchmarks/gpu_check.sh prepare   # here, with pip's index: the test-only wheels -> .whl/
#   bash benchmarks/gpu_check.sh           # there, from the repository root (.whl/ carried along)
#
# A GPU machine that cannot reach a package index still needs Keras (the parity reference of the
# tests); `prepare` downloads it and the packages it needs beyond a usual CUDA PyTorch image, for
# PYTHON_VERSION (default 3.12), into WHEELS (default .whl, which git ignores). Time caps: GPU_PY_SECONDS (150), DISTRIBUTED_SECONDS (90)
# and TESTS_SECONDS (150).
set -u
cd "$(dirname "$0")/.."

if [ "${1:-}" = "prepare" ]; then
    python3 -m pip download --no-deps --only-binary=:all: --python-version "${PYTHON_VERSION:-3.12}" \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
        --platform manylinux2014_x86_64 -d "${WHEELS:-.whl}" "keras==3.15.1" namex optree pydot pyparsing
    exit $?
fi

PYTHON="${PYTHON:-python3}"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null \
    || echo "nvidia-smi: not available"
if compgen -G "${WHEELS:-.whl}/*.whl" > /dev/null; then
    "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/hocsau-site "${WHEELS:-.whl}"/*.whl && export PYTHONPATH="/tmp/hocsau-site"
fi
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
"$PYTHON" -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda, '-',
      torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU')"

echo "== benchmarks/gpu.py"
(unset HOCSAU_DEVICE; timeout "${GPU_PY_SECONDS:-150}" "$PYTHON" benchmarks/gpu.py --repeats 2)
echo "gpu.py exit status: $?"

echo "== benchmarks/distributed.py --cuda (1 GPU and every GPU, NCCL, vs a plain DDP loop)"
(unset HOCSAU_DEVICE; timeout "${DISTRIBUTED_SECONDS:-90}" "$PYTHON" benchmarks/distributed.py \
    --cuda --repeats 1 --epochs 2)
echo "distributed.py exit status: $?"

echo "== the test suite on CUDA"
# -v, so that the failures are in the log even when the time cap stops the run.
log=/tmp/hocsau-cuda-tests.log
workers=$("$PYTHON" -c "import os; print(min(8, max(1, (os.cpu_count() or 2) // 2)))")
HOCSAU_DEVICE=cuda timeout "${TESTS_SECONDS:-150}" "$PYTHON" -m pytest -v -p no:cacheprovider \
    -n "$workers" --continue-on-collection-errors tests > "$log" 2>&1
status=$?
echo "pytest exit status: $status$( [ $status = 124 ] && echo ' (stopped at the time cap)')"
echo "passed: $(grep -c ' PASSED' "$log"), failed: $(grep -c ' FAILED' "$log"), errors: $(grep -c ' ERROR' "$log")"
grep -E '^(FAILED|ERROR) |\] (FAILED|ERROR) ' "$log" | head -60
tail -3 "$log"

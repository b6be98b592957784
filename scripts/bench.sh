#!/usr/bin/env bash
# Speed: criterion benchmarks of the native pipeline, native training against the core's
# matrix-product peak (scripts/matmul_peak.py), then the browser benchmarks of the
# release build in headless Chromium: the explorer (tests/e2e/bench.mjs) and live training
# (tests/e2e/bench_training.mjs), then the reference row for training, PyTorch on the CPU
# with one thread (scripts/bench_pytorch.py), when its optional venv is there.
# Run on an otherwise idle machine; results print as tables.
#
#   scripts/bench.sh                  # everything, PyTorch if ~/.cache/convlab/torchenv exists
#   scripts/bench.sh --with-pytorch   # first installs PyTorch there (about 5 GB: the PyPI
#                                     # wheel pulls CUDA libraries even for the CPU)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TORCH_VERSION=2.15.0
torchenv="$HOME/.cache/convlab/torchenv"
if [ "${1:-}" = "--with-pytorch" ] && ! "$torchenv/bin/python" -c "import torch, PIL" 2>/dev/null; then
  python3 -m venv "$torchenv"
  "$torchenv/bin/pip" install --quiet "torch==$TORCH_VERSION" numpy==2.4.6 pillow==13.0.0
fi
scripts/install-tools.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/convlab/target}"
cargo bench --locked -p convlab-core --bench pipeline -- --warm-up-time 1 --measurement-time 5
echo "Native training (examples/train, 20 s; its gflops against the matmul peak below):"
cargo run --quiet --release --locked -p convlab-core --example train -- --seconds 20 --eval-every 100 | tail -n 1
"$HOME/.cache/convlab/pyenv/bin/python" scripts/matmul_peak.py
trunk build --release --dist "$PWD/dist"
(cd tests/e2e && CONVLAB_DIST="$PWD/../../dist" node bench.mjs)
(cd tests/e2e && CONVLAB_DIST="$PWD/../../dist" node bench_training.mjs)
if "$torchenv/bin/python" -c "import torch" 2>/dev/null; then
  echo "PyTorch reference, same network, data and batch (30 s, one thread):"
  "$torchenv/bin/python" scripts/bench_pytorch.py --seconds 30
else
  echo "PyTorch reference skipped: run scripts/bench.sh --with-pytorch to install it."
fi

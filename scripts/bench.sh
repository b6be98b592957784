#!/usr/bin/env bash
# Speed: criterion benchmarks of the native pipeline, then the browser benchmarks of the
# release build in headless Chromium: the explorer (tests/e2e/bench.mjs) and live training
# (tests/e2e/bench_training.mjs).
# Run on an otherwise idle machine; results print as tables.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-tools.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/convlab/target}"
cargo bench --locked --bench pipeline -- --warm-up-time 1 --measurement-time 5
trunk build --release --dist "$PWD/dist"
(cd tests/e2e && CONVLAB_DIST="$PWD/../../dist" node bench.mjs)
(cd tests/e2e && CONVLAB_DIST="$PWD/../../dist" node bench_training.mjs)

#!/usr/bin/env bash
# Runs every test suite ConvLab has, installing whatever is missing first (idempotent):
#   1. formatting and lints (native and wasm32),
#   2. native unit and reference tests of the math (cargo test),
#   3. component tests in headless Chromium (wasm-bindgen-test),
#   4. end-to-end tests of the built app, release and debug builds (Playwright + Chromium).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
scripts/install-tools.sh --test
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# The Python (with numpy) that reads the explorer's downloads in the end-to-end tests.
export CONVLAB_PYTHON="${CONVLAB_PYTHON:-$HOME/.cache/convlab/pyenv/bin/python}"
# One build cache for every clone on this machine: a fresh clone (as CI makes) then
# rebuilds only ConvLab itself, not its dependencies.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/convlab/target}"
started=$SECONDS
step() { printf '\n==> [%4ds] %s\n' "$((SECONDS - started))" "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native and wasm32)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --lib --bins --tests --locked -- -D warnings

step "native tests (the page, and the math in core/)"
cargo test --workspace --locked

step "component tests in headless Chromium (wasm-bindgen-test)"
cargo test --workspace --target wasm32-unknown-unknown --lib --locked

# The engine's tests compiled to wasm32, once per worker build the page can load: plain
# simd128, and relaxed SIMD (node 20 needs a flag for it; Chromium has it on). The
# TensorFlow fixtures, gradient checks, no-allocation and determinism tests run in node;
# nn_wasm checks each build's matrix backend in Chromium.
engine_tests=(--test nn_reference --test nn_gradients --test nn_alloc --test nn_training --test nn_wasm)
step "engine tests in wasm32, simd128 build"
cargo test --workspace --target wasm32-unknown-unknown --locked "${engine_tests[@]}"
step "engine tests in wasm32, relaxed-SIMD build"
relaxed_flag=--experimental-wasm-relaxed-simd
node "$relaxed_flag" -e 0 2>/dev/null || relaxed_flag= # a node where it is on by default
NODE_ARGS="$relaxed_flag" \
  cargo test --workspace --target wasm32-unknown-unknown --locked --features relaxed-simd "${engine_tests[@]}"

step "release build (trunk build --release) and its end-to-end tests"
trunk build --release --dist "$root/dist"
(cd tests/e2e && CONVLAB_DIST="$root/dist" npm test)

step "debug build (trunk build) and its end-to-end tests"
trunk build --dist "$CARGO_TARGET_DIR/dist-debug"
(cd tests/e2e && CONVLAB_DIST="$CARGO_TARGET_DIR/dist-debug" npm test)
step "all suites passed"

#!/usr/bin/env bash
# Installs every tool ConvLab needs to build, serve and test, at pinned versions.
# Idempotent: each tool is checked (by version) before anything is installed, so a
# re-run on a ready machine takes a second or two. Uses only the package registries.
#
#   scripts/install-tools.sh          # build tools (wasm target, trunk, wasm-bindgen, wasm-opt)
#   scripts/install-tools.sh --test   # the above, plus Chromium, chromedriver and npm packages
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal wasm-bindgen in Cargo.lock (pinned with = in Cargo.toml)
BINARYEN_VERSION=132.0.0       # wasm-opt; Trunk.toml names it as version_132
NUMPY_VERSION=2.4.6            # the same numpy and Pillow as tests/reference/requirements.txt
PILLOW_VERSION=13.0.0
ONNX_VERSION=1.23.2            # the ONNX checker and runtime that run the exported model
ONNXRUNTIME_VERSION=1.31.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '[install] %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 12 minutes on 2 cores, once)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes, once)"
  # Not --locked: its lockfile pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  npm install -g "binaryen@$BINARYEN_VERSION" >&2
fi

if [ "$want_test" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >&2
  fi
  # numpy reads the explorer's downloads in the end-to-end tests, as a student's Python would;
  # onnx and onnxruntime check and run the exported model, Pillow reads the shipped images.
  pyenv="$HOME/.cache/convlab/pyenv"
  if ! "$pyenv/bin/python" -c "import numpy, onnx, onnxruntime, PIL" 2>/dev/null; then
    say "installing numpy, onnx, onnxruntime and Pillow in $pyenv"
    python3 -m venv "$pyenv"
    "$pyenv/bin/pip" install --quiet "numpy==$NUMPY_VERSION" "onnx==$ONNX_VERSION" \
      "onnxruntime==$ONNXRUNTIME_VERSION" "pillow==$PILLOW_VERSION" >&2
  fi
  if [ ! -d "$root/tests/e2e/node_modules/playwright-core" ] || [ ! -d "$root/tests/e2e/node_modules/axe-core" ]; then
    say "installing the end-to-end test's npm packages"
    (cd "$root/tests/e2e" && npm ci --no-audit --no-fund >&2)
  fi
fi
say "all tools present"

#!/usr/bin/env bash
# Installs what is missing (first run: ~17 minutes of compiling on 2 cores), then serves
# ConvLab with live reload at http://127.0.0.1:8080/. Extra arguments go to `trunk serve`
# (e.g. --release, --port 9000, --address 0.0.0.0 to reach it from the classroom network).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-tools.sh
export PATH="$HOME/.cargo/bin:$PATH"
# The build cache scripts/test.sh uses too.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/convlab/target}"
exec trunk serve "$@"

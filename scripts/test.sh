#!/usr/bin/env bash
# Sets up (idempotently) and runs the whole test suite. `.ci/run` calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ROCLESS_MODELS="${ROCLESS_MODELS:-$PWD/models}"
bash kernels/build.sh --check
cargo test --workspace --release

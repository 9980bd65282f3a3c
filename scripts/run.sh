#!/usr/bin/env bash
# Sets up and runs the main job on the best device (a real AMD GPU, else the sim).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/models.sh
cargo run --release -q -p harness -- --device auto "$@"

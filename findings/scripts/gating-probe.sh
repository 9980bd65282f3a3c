#!/usr/bin/env bash
# Reproduces the measurements of findings/gating.md with the LLVM 19 tools from apt.
# 1) which instructions assemble on which target; 2) the same kernels compiled for
# gfx1010 and gfx1030, their instruction-set difference, and how many words of the
# gfx1030 object do not decode on gfx1010.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
probe() {
    local ins="$1" r=""
    for m in gfx1010 gfx1011 gfx1030 gfx1100; do
        if echo "$ins" | llvm-mc-19 -arch=amdgcn -mcpu=$m -show-encoding >/dev/null 2>&1; then r="$r $m:yes"; else r="$r $m:no"; fi
    done
    printf '%-42s%s\n' "$ins" "$r"
}
probe "v_mac_f32 v0, v1, v2"; probe "v_mad_f32 v0, v1, v2, v3"; probe "v_madak_f32 v0, v1, v2, 0x3f800000"
probe "v_mac_legacy_f32 v0, v1, v2"; probe "v_fmac_legacy_f32 v0, v1, v2"
probe "v_dot4c_i32_i8 v0, v1, v2"; probe "v_dot2_f32_f16 v0, v1, v2, v3"; probe "v_dot4_i32_i8 v0, v1, v2, v3"
probe "s_store_dword s0, s[0:1], 0x0"; probe "s_atomic_add s0, s[0:1], 0x0"; probe "v_fma_mix_f32 v0, v1, v2, v3"
echo "encodings:"
echo "v_mac_legacy_f32 v0, v1, v2" | llvm-mc-19 -arch=amdgcn -mcpu=gfx1010 -show-encoding | grep encoding
echo "v_fmac_legacy_f32 v0, v1, v2" | llvm-mc-19 -arch=amdgcn -mcpu=gfx1030 -show-encoding | grep encoding
for m in gfx1010 gfx1030; do
    clang-19 -include "$here/gating-prelude.h" -cl-std=CL2.0 -target amdgcn-amd-amdhsa -mcpu=$m -nogpulib -O3 \
        -c "$here/gating-kernels.cl" -o "$tmp/k_$m.o"
    ld.lld-19 -shared "$tmp/k_$m.o" -o "$tmp/k_$m.hsaco"
    llvm-objdump-19 -d --mcpu=$m "$tmp/k_$m.hsaco" | grep -oE '^\s+[a-z][a-z_0-9]+' | tr -d ' \t' | sort -u > "$tmp/ops_$m"
done
echo "mnemonics only in the gfx1030 build: $(comm -23 "$tmp/ops_gfx1030" "$tmp/ops_gfx1010" | tr '\n' ' ')"
echo "mnemonics only in the gfx1010 build: $(comm -13 "$tmp/ops_gfx1030" "$tmp/ops_gfx1010" | tr '\n' ' ')"
echo "gfx1030 object, words that do not decode as gfx1010: $(llvm-objdump-19 -d --mcpu=gfx1010 "$tmp/k_gfx1030.hsaco" | grep -c '\.long' || true)"
llvm-objdump-19 -d --mcpu=gfx1010 "$tmp/k_gfx1030.hsaco" | grep -B1 '\.long' | sed 's/^/    /'

#!/usr/bin/env bash
# Builds probes/kernels/*.cl into committed .hsaco files (gfx1010, wave32; vadd
# also wave64) with clang-19 + ld.lld-19. There is no OpenCL library: kernels
# use __builtin_amdgcn_* (see common.h).
#   build.sh          rebuild in place
#   build.sh --check  rebuild into a temp dir, fail if any committed file differs
set -euo pipefail
cd "$(dirname "$0")"
out=.
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
build() { # name source [extra clang flags...]
  local name=$1 src=$2
  shift 2
  local tmp
  tmp=$(mktemp -d)
  clang-19 -cl-std=CL2.0 -target amdgcn-amd-amdhsa -mcpu=gfx1010 "$@" -nogpulib -O3 \
    -c "$src" -o "$tmp/$name.o"
  ld.lld-19 -shared "$tmp/$name.o" -o "$out/$name.hsaco"
  rm -rf "$tmp"
}
build vadd_w32 vadd.cl
build vadd_w64 vadd.cl -mwavefrontsize64
build matmul matmul.cl
build gemv_q8_0 gemv_q8_0.cl
build gemv_q4_k gemv_q4_k.cl
build bandwidth bandwidth.cl
build flops flops.cl
if [ "$out" != . ]; then
  status=0
  for f in "$out"/*.hsaco; do
    b=$(basename "$f")
    if ! cmp -s "$f" "$b"; then
      echo "probes/kernels/$b differs from a fresh build (run probes/kernels/build.sh)" >&2
      status=1
    fi
  done
  [ $status = 0 ] && echo "probes/kernels: all .hsaco match their sources"
  exit $status
fi

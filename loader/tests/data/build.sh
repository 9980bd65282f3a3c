#!/bin/sh
# Rebuilds the committed .hsaco test inputs of the loader (unit tests need no compiler).
# Requires clang-19 and ld.lld-19 (scripts/setup.sh installs them).
set -eu
cd "$(dirname "$0")"
build() { # build SRC MCPU OUT [extra clang flags...]
    src=$1 mcpu=$2 out=$3; shift 3
    clang-19 -cl-std=CL2.0 -target amdgcn-amd-amdhsa -mcpu="$mcpu" -nogpulib -O3 "$@" -c "$src" -o "$out.o"
    ld.lld-19 -shared "$out.o" -o "$out.hsaco"
    rm -f "$out.o"
}
build args.cl gfx1010 args-gfx1010
build args.cl gfx1010 args-gfx1010-w64 -mwavefrontsize64 -cl-kernel-arg-info
build args.cl gfx1030 args-gfx1030 -cl-kernel-arg-info
build args.cl gfx1100 args-gfx1100
build scratch.cl gfx1010 scratch-gfx1010
build scratch.cl gfx1030 scratch-gfx1030-w64 -mwavefrontsize64
build args.cl gfx1010 args-gfx1010-cov4 -mcode-object-version=4
build args.cl gfx1010 args-gfx1010-cov6 -mcode-object-version=6
# Hand-written descriptor: llvm-mc is the oracle for which bits each .amdhsa_* directive sets.
llvm-mc-19 -triple=amdgcn-amd-amdhsa -mcpu=gfx1010 -filetype=obj directives.s -o directives.o
ld.lld-19 -shared directives.o -o directives-gfx1010.hsaco
rm -f directives.o

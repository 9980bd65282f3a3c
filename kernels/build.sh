#!/usr/bin/env bash
# Builds kernels/src/*.cl into kernels/bin/<target>/<name>.hsaco with clang-19 + ld.lld-19,
# for every target in TARGETS, wave32. Reproducible: fixed flags, sorted inputs, relative
# source paths, no .comment/ident, no build id, so two builds are byte-identical.
#   bash kernels/build.sh           # (re)build into kernels/bin/
#   bash kernels/build.sh --check   # rebuild into a temp dir, fail listing differing files
set -euo pipefail
cd "$(dirname "$0")"
export LC_ALL=C SOURCE_DATE_EPOCH=0

TARGETS=(gfx1010 gfx1030 gfx1100)
CLANG=${CLANG:-clang-19}
LLD=${LLD:-ld.lld-19}
CFLAGS=(-cl-std=CL2.0 -target amdgcn-amd-amdhsa -nogpulib -O3 -mno-wavefrontsize64
        -fno-ident -Isrc)
LDFLAGS=(-shared --build-id=none)
# Extra flags per source file: IEEE float division where the CPU reference's quotient must be
# matched (OpenCL's default allows 2.5 ulp): quant (amax/127, 1/d, -127/max, 1/iscale),
# attention (1/l of the softmax, whose weights are then rounded through f16), norm
# (1 / sqrt(mean + eps)), elementwise (silu's g / (1 + exp(-g))).
declare -A FILE_FLAGS=([quant]="-cl-fp32-correctly-rounded-divide-sqrt"
                       [attention]="-cl-fp32-correctly-rounded-divide-sqrt"
                       [norm]="-cl-fp32-correctly-rounded-divide-sqrt"
                       [elementwise]="-cl-fp32-correctly-rounded-divide-sqrt")

check=0
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

mapfile -t srcs < <(ls src/*.cl | sort)
[ ${#srcs[@]} -gt 0 ] || { echo "error: no kernels/src/*.cl" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $check = 1 ]; then out="$tmp/bin"; else out=bin; fi

build_one() { # target source
    local t=$1 src=$2 name
    name=$(basename "$src" .cl)
    local extra=()
    [ -n "${FILE_FLAGS[$name]:-}" ] && read -ra extra <<<"${FILE_FLAGS[$name]}"
    "$CLANG" "${CFLAGS[@]}" "${extra[@]}" -mcpu="$t" -c "$src" -o "$tmp/$t-$name.o"
    "$LLD" "${LDFLAGS[@]}" "$tmp/$t-$name.o" -o "$out/$t/$name.hsaco"
}

pids=()
for t in "${TARGETS[@]}"; do
    mkdir -p "$out/$t"
    for src in "${srcs[@]}"; do
        build_one "$t" "$src" &
        pids+=($!)
        # two cores on CI: at most 2 compiles at a time
        if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
    done
done
for p in "${pids[@]}"; do wait "$p"; done

if [ $check = 1 ]; then
    bad=0
    for t in "${TARGETS[@]}"; do
        for f in "$out/$t"/*.hsaco; do
            rel="bin/$t/$(basename "$f")"
            if ! cmp -s "$f" "$rel"; then echo "differs: kernels/$rel" >&2; bad=1; fi
        done
        for f in bin/"$t"/*.hsaco; do
            [ -e "$out/$t/$(basename "$f")" ] || { echo "stale: kernels/$f" >&2; bad=1; }
        done
    done
    if [ $bad = 1 ]; then
        echo "error: kernels/bin is out of date ($("$CLANG" --version | head -1)); run bash kernels/build.sh" >&2
        exit 1
    fi
    echo "kernels/build.sh --check: ${#srcs[@]} sources x ${#TARGETS[@]} targets up to date"
else
    # drop outputs whose source is gone
    for t in "${TARGETS[@]}"; do
        for f in bin/"$t"/*.hsaco; do
            [ -e "src/$(basename "$f" .hsaco).cl" ] || rm -f "$f"
        done
    done
    echo "kernels/build.sh: built ${#srcs[@]} sources x ${#TARGETS[@]} targets into kernels/bin"
fi

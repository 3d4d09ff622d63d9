#!/usr/bin/env bash
# ebm_sgemm's small-matrix kernel (runtime/sgemm_small.c) against the old
# call (memset + OpenBLAS sgemm) on the toy trainers' shapes, one thread,
# GFLOP/s from thread CPU time (medians of alternating blocks; see
# bench/sgemm_small.c). Built with the trainers' flags. Writes
# bench/results/sgemm_small.json and prints it. About a minute.
#
#   bash bench/sgemm_small.sh [TRIALS] [PEAK_GFLOPS]   (defaults 5, 156)
#   CFLAGS='-O2' bash bench/sgemm_small.sh    (the host's flags instead)
set -euo pipefail
cd "$(dirname "$0")/.."
CBLAS_INC=$(dirname "$(ls /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h /usr/include/openblas/cblas.h \
  /usr/include/cblas.h 2>/dev/null | head -1)")
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
cc ${CFLAGS:--O3 -march=native -ffp-contract=off -fno-math-errno -fno-trapping-math} -I runtime -I "$CBLAS_INC" \
  bench/sgemm_small.c runtime/sgemm_small.c runtime/sgemm_small_avx2.c runtime/sgemm_small_avx512.c runtime/transpose.c runtime/workers.c \
  runtime/blas_core.c -o "$BIN/sgemm_small" -lopenblas -lm -lpthread
mkdir -p bench/results
"$BIN/sgemm_small" "$@" | tee bench/results/sgemm_small.json.tmp
mv bench/results/sgemm_small.json.tmp bench/results/sgemm_small.json

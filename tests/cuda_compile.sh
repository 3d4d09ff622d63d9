#!/usr/bin/env bash
# The CUDA trainers compile without a GPU (DESIGN 2.4): for every model in
# models/, `ebmforge build --cuda-arch 80` writes model.cu and nvcc compiles it
# without a single warning; the first model is also linked into train-cuda,
# whose fingerprint equals train-cpu's (checkpoints are shared), and which,
# where no GPU exists, refuses to train with a clear message and exit code 1.
# Skips (exit 77) where nvcc is not found.
# usage: bash tests/cuda_compile.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: cuda_compile.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

if ! command -v nvcc >/dev/null && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  echo "SKIP: nvcc not found (PATH, /usr/local/cuda/bin): the CUDA trainers cannot be compiled here"
  exit 77
fi

. tests/support/report.sh

first=
for model in models/*.lua; do
  name=$(basename "$model" .lua)
  out="$TMP/$name"
  if ! "$BIN" build "$model" -o "$out" --cuda-arch 80 >"$TMP/gen_$name.txt" 2>&1; then
    fail "ebmforge build $model: $(tail -n 3 "$TMP/gen_$name.txt")"
    continue
  fi
  cu=$(ls "$out"/*/model.cu 2>/dev/null | head -n 1)
  [ -n "$cu" ] || { fail "$model: no model.cu written"; continue; }
  combo=$(basename "$(dirname "$cu")")
  # the whole trainer for the first model, the model's object for the others
  if [ -z "$first" ]; then first=$name; target=train-cuda; else target="$combo/model_cuda.o"; fi
  start=$(date +%s)
  if ! ninja -C "$out" "$target" >"$TMP/ninja_$name.txt" 2>&1; then
    fail "$model: nvcc: $(grep -m 5 -i 'error' "$TMP/ninja_$name.txt")"
    continue
  fi
  secs=$(( $(date +%s) - start ))
  if grep -qi 'warning' "$TMP/ninja_$name.txt"; then
    fail "$model: nvcc warnings: $(grep -m 5 -i 'warning' "$TMP/ninja_$name.txt")"
  else
    pass "$model: $combo/model.cu compiles without warnings (sm_80, ${secs}s for $target)"
  fi
  fp_c=$(grep -o 'fingerprint = "[0-9a-f]*"' "$out/$combo/model.c")
  fp_cu=$(grep -o 'fingerprint = "[0-9a-f]*"' "$cu")
  if [ -n "$fp_c" ] && [ "$fp_c" = "$fp_cu" ]; then pass "$model: CPU and CUDA trainers share the $fp_c"
  else fail "$model: fingerprints differ: '$fp_c' vs '$fp_cu'"; fi
done

# the linked trainer: info works anywhere; without a GPU, train says so and fails
if [ -n "$first" ]; then
  exe=$(ls "$TMP/$first"/*/train-cuda 2>/dev/null | head -n 1)
  if [ -x "$exe" ] && "$exe" info >"$TMP/info.txt" 2>&1 && grep -q '^fingerprint' "$TMP/info.txt"; then
    pass "$first: train-cuda info"
  else
    fail "$first: train-cuda info: $(tail -n 3 "$TMP/info.txt" 2>/dev/null)"
  fi
  if ! nvidia-smi -L >/dev/null 2>&1; then
    "$exe" train --iters 2 --out "$TMP/run" >"$TMP/nogpu.txt" 2>&1
    rc=$?
    if [ "$rc" -eq 1 ] && grep -q 'no CUDA device' "$TMP/nogpu.txt"; then
      pass "$first: without a GPU train-cuda exits 1: $(tr '\n' ' ' <"$TMP/nogpu.txt")"
    else
      fail "$first: without a GPU train-cuda: exit $rc, $(tail -n 2 "$TMP/nogpu.txt")"
    fi
  fi
fi
finish

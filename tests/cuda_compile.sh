#!/usr/bin/env bash
# The CUDA trainers compile without a GPU (DESIGN 2.4): for every model in
# models/, `ebmforge build --cuda-arch 80` writes model.cu with train-cpu's
# fingerprint (checkpoints are shared) and nvcc compiles it without a single
# warning; the smallest model is also linked into train-cuda, which,
# where no GPU exists, refuses to train with a clear message and exit code 1.
# --no-cuda leaves the CUDA trainer out; a malformed --cuda-arch is refused.
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

# generate every model; the smallest is built into train-cuda with the build's
# own flags and linked; the others' model.cu are compiled two at a time with the
# same flags but an unoptimised host side (nvcc spends most of its time in
# gcc -O3 on the host code; warnings come from the front end and -Wall)
first=
for model in models/*.lua; do
  name=$(basename "$model" .lua)
  if ! "$BIN" build "$model" -o "$TMP/$name" --cuda-arch 80 >"$TMP/gen_$name.txt" 2>&1; then
    fail "ebmforge build $model: $(tail -n 3 "$TMP/gen_$name.txt")"
    continue
  fi
  cu=$(ls "$TMP/$name"/*/model.cu 2>/dev/null | head -n 1)
  [ -n "$cu" ] || { fail "$model: no model.cu written"; continue; }
  fp_c=$(grep -o 'fingerprint = "[0-9a-f]*"' "${cu%.cu}.c")
  fp_cu=$(grep -o 'fingerprint = "[0-9a-f]*"' "$cu")
  if [ -n "$fp_c" ] && [ "$fp_c" = "$fp_cu" ]; then pass "$model: CPU and CUDA trainers share the $fp_c"
  else fail "$model: fingerprints differ: '$fp_c' vs '$fp_cu'"; fi
  echo "$(wc -c <"$cu") $name $cu" >>"$TMP/sources"
done
[ -s "$TMP/sources" ] || finish
first=$(sort -n "$TMP/sources" | head -n 1 | cut -d' ' -f2)
no_warnings() {  # no_warnings WHAT LOG SECONDS
  if grep -qi 'warning' "$2"; then fail "$1: nvcc warnings: $(grep -m 5 -i 'warning' "$2")"
  else pass "$1 compiles without warnings (sm_80, ${3}s)"; fi
}
start=$(date +%s)
if ninja -C "$TMP/$first" train-cuda >"$TMP/ninja_$first.txt" 2>&1; then
  no_warnings "$first: train-cuda (runtime, cuda_rt.cu, model.cu, link)" "$TMP/ninja_$first.txt" $(( $(date +%s) - start ))
else
  fail "$first: ninja train-cuda: $(grep -m 5 -i 'error' "$TMP/ninja_$first.txt")"
fi
nvcc=$(sed -n 's/^nvcc = //p' "$TMP/$first/build.ninja")
nvflags=$(sed -n 's/^nvflags = //p' "$TMP/$first/build.ninja")
compile() {  # compile NAME CU: prints the seconds; the log in $TMP/nvcc_NAME.txt
  local t0=$(date +%s)
  $nvcc $nvflags -Xcompiler -O0 -c "$2" -o "$TMP/$1.o" >"$TMP/nvcc_$1.txt" 2>&1 || echo "FAILED" >>"$TMP/nvcc_$1.txt"
  echo $(( $(date +%s) - t0 )) >"$TMP/secs_$1"
}
running=0
while read -r _ name cu; do
  [ "$name" = "$first" ] && continue
  compile "$name" "$cu" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done < <(sort -n "$TMP/sources")
wait
while read -r _ name cu; do
  [ "$name" = "$first" ] && continue
  if grep -q '^FAILED' "$TMP/nvcc_$name.txt"; then fail "$name: nvcc: $(grep -m 5 -i 'error' "$TMP/nvcc_$name.txt")"
  else no_warnings "$name: model.cu" "$TMP/nvcc_$name.txt" "$(cat "$TMP/secs_$name")"; fi
done <"$TMP/sources"

# --no-cuda: CPU trainers only; a malformed --cuda-arch: exit 2 with a message, nothing written
if "$BIN" build models/toy_mle.lua -o "$TMP/nocuda" --no-cuda >"$TMP/nocuda.txt" 2>&1 &&
   [ ! -e "$TMP/nocuda/mle-langevin/model.cu" ] && ! grep -q train-cuda "$TMP/nocuda/build.ninja"; then
  pass "--no-cuda: no model.cu, no train-cuda target"
else
  fail "--no-cuda: $(tail -n 2 "$TMP/nocuda.txt")"
fi
"$BIN" build models/toy_mle.lua -o "$TMP/badarch" --cuda-arch sm_80 >"$TMP/badarch.txt" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q -- "--cuda-arch" "$TMP/badarch.txt" && grep -q "'sm_80'" "$TMP/badarch.txt" && [ ! -e "$TMP/badarch" ]; then
  pass "--cuda-arch sm_80: $(head -n 1 "$TMP/badarch.txt")"
else
  fail "--cuda-arch sm_80: exit $rc, $(head -n 2 "$TMP/badarch.txt")"
fi

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

#!/usr/bin/env bash
# The sanitizer pass (issue 28): the host and a fast subset of the C tests
# built with AddressSanitizer (leaks included) + UndefinedBehaviorSanitizer
# into out/asan, then one trainer per method family (MLE, bound-based,
# DDAEBM, diffusion bounds) built by that host with
# `ebmforge build --cflags '-fsanitize=address,undefined ...'`, each trained
# a few steps, sampled and evaluated. Any sanitizer report fails the test
# (halt_on_error, -fno-sanitize-recover). Also, under the sanitizers, the
# runtime findings of issue 28 give clean refusals: sample -n 10^9, output to
# /dev/full, a symlinked output, a planted PATH.tmp link.
# usage: bash tests/sanitize.sh [ebmforge]   (the binary is not used: out/asan has its own)
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/support/report.sh

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99
export LSAN_OPTIONS=exitcode=99
B=out/asan
t0=$(date +%s)
probe=$TMP/probe.c
echo 'int main(void) { return 0; }' >"$probe"
if ! cc $SAN "$probe" -o "$TMP/probe" 2>/dev/null || ! "$TMP/probe"; then
  echo "skip: the C compiler cannot build or run with -fsanitize=address,undefined"
  exit 77
fi

# the host and the tests, -O1 (ASan's usual level: fast enough, reports exact)
C_TESTS=(test_npy test_safetensors test_idx_limits test_atomic_file test_png test_metrics test_philox test_image_data)
if ! { cmake -S . -B $B -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="-O1 $SAN" >$TMP/cmake.txt 2>&1 &&
       ninja -C $B -j 2 ebmforge compare_runs "${C_TESTS[@]}" >$TMP/ninja.txt 2>&1; }; then
  fail "sanitized host build: $(tail -n 5 $TMP/cmake.txt $TMP/ninja.txt)"
  finish
fi
for t in "${C_TESTS[@]}"; do
  if $B/$t >$TMP/$t.txt 2>&1; then pass "$t under ASan+UBSan: $(tail -n 1 $TMP/$t.txt)"
  else fail "$t under ASan+UBSan (exit $?): $(grep -m 3 -E 'ERROR|runtime error|FAIL|SUMMARY' $TMP/$t.txt)"; fi
done
echo "note: host and C tests took $(( $(date +%s) - t0 )) s"

# One trainer per method family, built by the sanitized host at -O1 (at -O0
# the evaluation takes twice the CPU time its faster build saves).
tflags="-O1 $SAN -ffp-contract=off"
# (--ldflags too, for one: a link map proves they reach the link line)
rm -f $B/trainers/toy_mle/link.map
for m in toy_mle toy_bb toy_ddaebm toy_bb_sv_diff; do
  ld=()
  [ $m = toy_mle ] && ld=(--ldflags -Wl,-Map=link.map)
  if ! $B/ebmforge build models/$m.lua -o $B/trainers/$m --cflags "$tflags" "${ld[@]}" >$TMP/gen_$m.txt 2>&1; then
    fail "sanitized ebmforge build $m (exit $?): $(grep -m 3 -E 'ERROR|runtime error|SUMMARY|ebmforge:' $TMP/gen_$m.txt)"
    continue
  fi
done
for m in toy_mle toy_bb toy_ddaebm toy_bb_sv_diff; do
  ninja -C $B/trainers/$m -j 2 train-cpu >$TMP/ninja_$m.txt 2>&1 || fail "ninja $m: $(tail -n 5 $TMP/ninja_$m.txt)"
done
if [ -s $B/trainers/toy_mle/link.map ]; then pass "build --ldflags -Wl,-Map=link.map: the map was written by the link"
else fail "build --ldflags: no link map (the flags did not reach the link line)"; fi
echo "note: trainers built after $(( $(date +%s) - t0 )) s"

# run CMD...: exit code and sanitizer reports checked by the callers
san_report() { grep -m 3 -E 'ERROR: (Address|Leak)Sanitizer|runtime error|SUMMARY' "$1"; }
for m in toy_mle toy_bb toy_ddaebm toy_bb_sv_diff; do
  T=$(ls -d $B/trainers/$m/*/train-cpu 2>/dev/null | head -n 1)
  [ -x "$T" ] || { fail "$m: no trainer built"; continue; }
  R=$TMP/run_$m
  if ! "$T" train --iters 4 --log-every 1 --out "$R" >$TMP/train_$m.txt 2>&1; then
    fail "$m train (exit $?): $(san_report $TMP/train_$m.txt; tail -n 2 $TMP/train_$m.txt)"; continue
  fi
  ok=1
  "$T" sample --ckpt "$R/ckpt.safetensors" -n 50 -o "$R/samples.npy" --png "$R/s.png" >$TMP/sample_$m.txt 2>&1 ||
    { ok=0; fail "$m sample (exit $?): $(san_report $TMP/sample_$m.txt; tail -n 2 $TMP/sample_$m.txt)"; }
  # eval: a full one (its own 2000 samples, the chain bounds) of the MLE trainer only, whose
  # sampler is cheapest; the others score their grid and 50 samples (eval --from): minutes saved
  if [ $m = toy_mle ]; then
    "$T" eval --ckpt "$R/ckpt.safetensors" >$TMP/eval_$m.txt 2>&1
  else
    "$T" energy --ckpt "$R/ckpt.safetensors" --grid 256 -o "$R/energy_grid.npy" >$TMP/eval_$m.txt 2>&1 &&
      "$T" eval --from "$R" >>$TMP/eval_$m.txt 2>&1
  fi || { ok=0; fail "$m eval (exit $?): $(san_report $TMP/eval_$m.txt; tail -n 2 $TMP/eval_$m.txt)"; }
  "$T" train --iters 6 --resume "$R/ckpt.safetensors" --out "$R" >$TMP/resume_$m.txt 2>&1 ||
    { ok=0; fail "$m resume (exit $?): $(san_report $TMP/resume_$m.txt; tail -n 2 $TMP/resume_$m.txt)"; }
  [ $ok = 1 ] && pass "$m (${T#$B/trainers/}): train 4 steps, sample, $([ $m = toy_mle ] && echo eval || echo "energy grid + eval --from"), resume to 6: no sanitizer report"
done
echo "note: trainers ran after $(( $(date +%s) - t0 )) s"

# issue 28's runtime reproducers, under the sanitizers (the MLE trainer)
T=$(ls -d $B/trainers/toy_mle/*/train-cpu 2>/dev/null | head -n 1)
C=$TMP/run_toy_mle/ckpt.safetensors
if [ -x "$T" ] && [ -f "$C" ]; then
  "$T" sample --ckpt "$C" -n 1000000000 -o $TMP/big.npy >$TMP/big.txt 2>&1
  rc=$?
  if [ $rc = 2 ] && grep -q -- "-n 1000000000 is over the limit" $TMP/big.txt && [ ! -e $TMP/big.npy ]; then
    pass "sample -n 1000000000: exit 2, '$(head -n 1 $TMP/big.txt)'"
  else fail "sample -n 1000000000: exit $rc: $(head -n 3 $TMP/big.txt)"; fi
  if [ -w /dev/full ]; then
    "$T" sample --ckpt "$C" -n 10 -o /dev/full >$TMP/full.txt 2>&1
    rc=$?
    if [ $rc = 1 ] && grep -q "No space left" $TMP/full.txt && [ -c /dev/full ]; then
      pass "sample -o /dev/full: exit 1, the write error named, /dev/full still a device"
    else fail "sample -o /dev/full: exit $rc, $(head -n 2 $TMP/full.txt), $(ls -l /dev/full)"; fi
  fi
  mkdir -p $TMP/links && : >$TMP/links/real.npy && ln -s real.npy $TMP/links/out.npy
  "$T" sample --ckpt "$C" -n 10 -o $TMP/links/out.npy >$TMP/link.txt 2>&1
  rc=$?
  if [ $rc = 0 ] && [ -L $TMP/links/out.npy ] && [ -s $TMP/links/real.npy ]; then
    pass "sample -o a symlink: written at the target, the link kept"
  else fail "sample -o a symlink: exit $rc, $(ls -l $TMP/links)"; fi
  echo precious >$TMP/links/victim && ln -s victim $TMP/links/p.npy.tmp
  "$T" sample --ckpt "$C" -n 10 -o $TMP/links/p.npy >$TMP/planted.txt 2>&1
  rc=$?
  if [ $rc = 0 ] && [ "$(cat $TMP/links/victim)" = precious ] && [ -s $TMP/links/p.npy ]; then
    pass "a planted p.npy.tmp link: not followed, p.npy written"
  else fail "a planted p.npy.tmp link: exit $rc, victim '$(head -c 40 $TMP/links/victim)'"; fi
fi
echo "note: the sanitizer pass took $(( $(date +%s) - t0 )) s"
finish

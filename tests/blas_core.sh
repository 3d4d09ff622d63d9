#!/usr/bin/env bash
# OpenBLAS kernel choice (runtime/blas_core.c, docs/performance.md): the host
# and a trainer run the same core (so their results stay bit-identical); on a
# CPU with AVX-512 (AVX2 + FMA) a DYNAMIC_ARCH OpenBLAS runs an AVX-512
# (AVX2-or-wider) core even where its own detection falls back to a generic
# one; EBMFORGE_BLAS_CORE=keep keeps OpenBLAS's own choice (as an independent
# probe linked to OpenBLAS reports it) and a user's OPENBLAS_CORETYPE is never
# overridden; the re-exec marker stops a second re-exec; run.json and the start
# event record the core; a bad EBMFORGE_BLAS_CORE is refused (exit 2).
# usage: bash tests/blas_core.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: blas_core.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
unset OPENBLAS_CORETYPE EBMFORGE_BLAS_CORE EBMFORGE_BLAS_DETECTED

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

# what OpenBLAS detects on its own: a probe that does nothing about it
printf '%s\n' 'char *openblas_get_corename(void); char *openblas_get_config(void);' \
  '#include <stdio.h>' 'int main(void) { printf("%s\n%s\n", openblas_get_corename(), openblas_get_config()); return 0; }' \
  >"$TMP/probe.c"
cc "$TMP/probe.c" -o "$TMP/probe" -lopenblas 2>"$TMP/probe.txt" || { echo "cannot link a probe to OpenBLAS: $(head -n 2 "$TMP/probe.txt")"; exit 77; }
detected=$("$TMP/probe" | head -n 1)
config=$("$TMP/probe" | tail -n 1)

sed 's/width = 100/width = 16/; s/K = 20/K = 3/' models/toy_mle.lua >"$TMP/toy_mle.lua"
if ! "$BIN" build "$TMP/toy_mle.lua" -o "$TMP/b" --no-cuda >"$TMP/build.txt" 2>&1 || ! ninja -C "$TMP/b" train-cpu >>"$TMP/build.txt" 2>&1; then
  fail "build: $(tail -n 3 "$TMP/build.txt")"
  finish
fi
T=$(ls "$TMP"/b/*/train-cpu)
host() { "$BIN" --blas-core; }
trainer() { "$T" info | sed -n 's/^blas core *//p'; }
first() { printf '%s\n' "$1" | cut -d' ' -f1; }

# --- default: host and trainer agree, and run the widest core the CPU has ---------
h=$(host) t=$(trainer)
[ -n "$h" ] && [ "$(first "$h")" = "$(first "$t")" ] && pass "host and trainer run the same core: $h" ||
  fail "host '$h' vs trainer '$t'"
flags=$(grep -m1 '^flags' /proc/cpuinfo)
has() { for f in "$@"; do case " $flags " in *" $f "*) ;; *) return 1 ;; esac; done; }
core=$(first "$h")
case "$config" in
  *DYNAMIC_ARCH*)
    if has avx512f avx512bw avx512vl avx512dq; then
      case "$core" in SkylakeX | Cooperlake | SapphireRapids) pass "AVX-512 CPU: an AVX-512 core ($core; OpenBLAS alone: $detected)" ;;
        *) fail "AVX-512 CPU, but the core is $core (OpenBLAS alone: $detected)" ;; esac
    elif has avx2 fma; then
      case "$core" in Haswell | Zen | SkylakeX | Cooperlake | SapphireRapids) pass "AVX2 CPU: core $core" ;;
        *) fail "AVX2 + FMA CPU, but the core is $core" ;; esac
    else
      [ "$core" = "$detected" ] && pass "no AVX2: OpenBLAS's own core ($core)" || fail "no AVX2, yet $core replaced $detected"
    fi ;;
  *) [ "$core" = "$detected" ] && pass "OpenBLAS without DYNAMIC_ARCH: its one core ($core)" || fail "core $core, probe $detected" ;;
esac
if [ "$core" != "$detected" ]; then
  case "$h" in *"chosen by ebmforge; OpenBLAS detected $detected)") pass "the replaced core is named: $h" ;;
    *) fail "core changed from $detected, but the host says '$h'" ;; esac
fi

# --- EBMFORGE_BLAS_CORE=keep: OpenBLAS's own choice, in both -------------------------
export EBMFORGE_BLAS_CORE=keep
h=$(host) t=$(trainer)
[ "$h" = "$detected (detected by OpenBLAS)" ] && [ "$t" = "$h" ] && pass "keep: both run OpenBLAS's own $detected" ||
  fail "keep: host '$h', trainer '$t', probe $detected"
unset EBMFORGE_BLAS_CORE

# --- a user's OPENBLAS_CORETYPE wins (Prescott: any x86-64 runs it; older than any AVX core)
if [ "$(uname -m)" = x86_64 ]; then
  export OPENBLAS_CORETYPE=Prescott
  h=$(host) t=$(trainer)
  [ "$h" = "Prescott (OPENBLAS_CORETYPE=Prescott)" ] && [ "$t" = "$h" ] && pass "OPENBLAS_CORETYPE=Prescott is kept by both" ||
    fail "OPENBLAS_CORETYPE=Prescott: host '$h', trainer '$t'"
  "$T" train --iters 2 --log-every 1 --out "$TMP/user" >/dev/null 2>"$TMP/user.err"
  grep -q '^  "blas_core": "Prescott",$' "$TMP/user/run.json" && grep -q '^  "blas_core_by": "user",$' "$TMP/user/run.json" &&
    head -n 1 "$TMP/user/log.jsonl" | grep -q '"event": "start", .*"blas_core": "Prescott"' &&
    pass "run.json and the start event record the user's core" ||
    fail "user core not recorded: $(grep blas "$TMP/user/run.json" | tr -d '\n') / $(head -c 300 "$TMP/user/log.jsonl")"
  unset OPENBLAS_CORETYPE
fi

# --- the default run records the chosen core ------------------------------------------
"$T" train --iters 2 --log-every 1 --out "$TMP/auto" >/dev/null 2>"$TMP/auto.err"
by=ebmforge; [ "$core" = "$detected" ] && by=openblas
grep -q "^  \"blas_core\": \"$core\",\$" "$TMP/auto/run.json" && grep -q "^  \"blas_core_by\": \"$by\",\$" "$TMP/auto/run.json" &&
  pass "run.json records $core, chosen by $by" || fail "run.json: $(grep blas "$TMP/auto/run.json" | tr -d '\n')"

# --- the marker of a re-exec stops another one ------------------------------------------
h=$(EBMFORGE_BLAS_DETECTED=$detected "$BIN" --blas-core)
[ "$(first "$h")" = "$detected" ] && pass "marker set, OPENBLAS_CORETYPE lost: no second re-exec" || fail "marker ignored: $h"

# --- bad values -----------------------------------------------------------------------
out=$(EBMFORGE_BLAS_CORE=fast "$BIN" --blas-core 2>&1); rc=$?
[ "$rc" = 2 ] && case "$out" in *"EBMFORGE_BLAS_CORE: expected 'auto' or 'keep', not 'fast'"*) true ;; *) false ;; esac &&
  pass "EBMFORGE_BLAS_CORE=fast refused (exit 2)" || fail "EBMFORGE_BLAS_CORE=fast: exit $rc: $out"
finish

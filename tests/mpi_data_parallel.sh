#!/usr/bin/env bash
# Data-parallel training over Open MPI (ebmforge build --mpi-ranks 2):
# - mpirun -np 2 with global batch 200 (100 rows a rank) logs the same losses
#   and ends with the same parameters, Adam moments and sampler state as one
#   process with batch 200, within 1e-5 relative, over 50 steps;
# - a 2-rank run resumes bit-exactly from its own checkpoint;
# - the same two checks for tests/mpi/pcd.lua, whose chains persist across
#   steps and start random: each rank's rows start at their global Philox
#   indices, checkpoints gather them, resuming hands each rank its rows back;
# - launched without mpirun it refuses with the command to use;
# - a killed rank or a hung one ends the job with a message within a timeout;
# - batches that do not split and methods that couple batch rows are refused.
# Skipped (exit 77) where Open MPI (openmpi-bin, libopenmpi-dev) is missing.
# usage: bash tests/mpi_data_parallel.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: mpi_data_parallel.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
COMPARE=$(dirname "$BIN")/compare_runs

if ! command -v mpirun >/dev/null || ! command -v mpicc >/dev/null; then
  echo "SKIP: mpirun or mpicc not found (apt-get install openmpi-bin libopenmpi-dev)"
  exit 77
fi
# Open MPI refuses root unless told; two ranks may exceed the cores of a small machine
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=(mpirun -np 2 --oversubscribe)

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

values() { grep -v '"event": "\(start\|resume\)"' "$1" | sed 's/, "steps_per_s": [^}]*}$/}/'; }

# refusals first: nothing to compile
"$BIN" build models/toy_mle.lua --mpi-ranks 3 -o "$TMP/r3" >"$TMP/r3.txt" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "batch 200 cannot be split evenly over 3 ranks" "$TMP/r3.txt" && [ ! -e "$TMP/r3" ]; then
  pass "batch 200 over 3 ranks is refused (exit 2, nothing written)"
else
  fail "--mpi-ranks 3: exit $rc, $(cat "$TMP/r3.txt")"
fi
"$BIN" build models/toy_ebm0gp.lua --mpi-ranks 2 -o "$TMP/gp" >"$TMP/gp.txt" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "cannot be trained data-parallel" "$TMP/gp.txt"; then
  pass "ebm-0gp (train-mode BatchNorm couples batch rows) is refused: $(head -c 120 "$TMP/gp.txt")"
else
  fail "ebm-0gp --mpi-ranks 2: exit $rc, $(cat "$TMP/gp.txt")"
fi

for b in one:models/toy_mle.lua mpi:models/toy_mle.lua pcd1:tests/mpi/pcd.lua pcd2:tests/mpi/pcd.lua; do
  n=${b%%:*} m=${b#*:} flag=
  case $n in mpi | pcd2) flag="--mpi-ranks 2" ;; esac
  if ! "$BIN" build "$m" $flag -o "$TMP/$n" >"$TMP/gen_$n.txt" 2>&1 || ! ninja -C "$TMP/$n" train-cpu >"$TMP/ninja_$n.txt" 2>&1; then
    fail "build $n: $(tail -n 5 "$TMP/gen_$n.txt" "$TMP/ninja_$n.txt")"
    finish
  fi
done
T1=$TMP/one/mle-langevin/train-cpu
T2=$TMP/mpi/mle-langevin/train-cpu
# start points far from the data (methods.md's U[-4, 4]^2, lr 2e-4): toy_mle's own start in
# the data's square keeps e_gap near 0.01, below what a relative tolerance can compare
SETS=(--set lr=2e-4 --set init_range=4)
pass "built toy_mle and tests/mpi/pcd.lua for one process and for 2 ranks"

"$T1" train "${SETS[@]}" --iters 50 --seed 7 --log-every 1 --out "$TMP/A" >"$TMP/A.txt" 2>&1 || fail "one process: $(tail -n 2 "$TMP/A.txt")"
"${MPIRUN[@]}" "$T2" train "${SETS[@]}" --iters 50 --seed 7 --log-every 1 --out "$TMP/B" >"$TMP/B.txt" 2>&1 ||
  fail "mpirun -np 2: $(grep -v '^step' "$TMP/B.txt" | tail -n 5)"
if out=$("$COMPARE" "$TMP/A" "$TMP/B" 1e-5); then
  pass "2 ranks x 100 rows == 1 process x 200 rows over 50 steps: $out"
else
  fail "2 ranks differ from one process: $out"
fi

# 20 steps, then a 2-rank resume to 50
"${MPIRUN[@]}" "$T2" train "${SETS[@]}" --iters 20 --seed 7 --log-every 1 --out "$TMP/C" >"$TMP/C1.txt" 2>&1 &&
  "${MPIRUN[@]}" "$T2" train --iters 50 --resume "$TMP/C/ckpt.safetensors" --log-every 1 --out "$TMP/C" >"$TMP/C2.txt" 2>&1
rc=$?
if [ $rc -eq 0 ] && cmp -s "$TMP/B/ckpt.safetensors" "$TMP/C/ckpt.safetensors" && cmp -s <(values "$TMP/B/log.jsonl") <(values "$TMP/C/log.jsonl"); then
  pass "2 ranks: 20 steps + resume to 50 == 50 steps (checkpoint byte-identical, same log)"
else
  fail "2-rank resume: exit $rc, $(cmp "$TMP/B/ckpt.safetensors" "$TMP/C/ckpt.safetensors" 2>&1) $(tail -n 2 "$TMP/C2.txt")"
fi

# persistent random chains: the initial rows, the gather and the scatter on resume
P1=$TMP/pcd1/custom/train-cpu
P2=$TMP/pcd2/custom/train-cpu
"$P1" train --iters 30 --seed 3 --out "$TMP/PA" >"$TMP/PA.txt" 2>&1 &&
  "${MPIRUN[@]}" "$P2" train --iters 30 --seed 3 --out "$TMP/PB" >"$TMP/PB.txt" 2>&1 &&
  "${MPIRUN[@]}" "$P2" train --iters 10 --seed 3 --out "$TMP/PC" >"$TMP/PC1.txt" 2>&1 &&
  "${MPIRUN[@]}" "$P2" train --iters 30 --resume "$TMP/PC/ckpt.safetensors" --out "$TMP/PC" >"$TMP/PC2.txt" 2>&1
rc=$?
if [ $rc -eq 0 ] && out=$("$COMPARE" "$TMP/PA" "$TMP/PB" 1e-5); then
  pass "pcd (persistent chains): 2 ranks == 1 process over 30 steps: $out"
else
  fail "pcd: exit $rc, ${out:-$(tail -n 2 "$TMP"/P*.txt)}"
fi
if [ $rc -eq 0 ] && cmp -s "$TMP/PB/ckpt.safetensors" "$TMP/PC/ckpt.safetensors"; then
  pass "pcd: 2 ranks, 10 steps + resume to 30 == 30 steps (the chains go back to their ranks)"
else
  fail "pcd 2-rank resume: $(cmp "$TMP/PB/ckpt.safetensors" "$TMP/PC/ckpt.safetensors" 2>&1)"
fi

"$T2" train --iters 5 --out "$TMP/D" >"$TMP/D.txt" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "built for 2 data-parallel ranks, launched as 1.*mpirun -np 2" "$TMP/D.txt"; then
  pass "without mpirun the 2-rank trainer says how to launch it (exit 2)"
else
  fail "2-rank trainer alone: exit $rc, $(cat "$TMP/D.txt")"
fi

# fault NAME SIGNAL EXPECTED-MESSAGE [trainer options]: a rank gets SIGNAL once training runs
fault() {
  local n=$1 sig=$2 want=$3 t0 rc pid mp ranks
  shift 3
  t0=$(date +%s)
  timeout 60 "${MPIRUN[@]}" "$T2" train --iters 1000000 --log-every 1 --out "$TMP/$n" "$@" >"$TMP/$n.txt" 2>&1 &
  pid=$!
  for _ in $(seq 100); do [ -s "$TMP/$n/log.jsonl" ] && break; sleep 0.2; done
  mp=$(pgrep -P "$pid" mpirun)
  ranks=$(pgrep -P "$mp" -f train-cpu | tr '\n' ' ' | sed 's/ *$//')
  kill "-$sig" ${ranks##* } 2>/dev/null
  wait "$pid"
  rc=$?
  local took=$(($(date +%s) - t0))
  if [ -n "$ranks" ] && [ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "$want" "$TMP/$n.txt"; then
    pass "$n: the job ended in ${took}s (exit $rc): $(grep -m1 "$want" "$TMP/$n.txt")"
  else
    fail "$n: ranks '$ranks', exit $rc after ${took}s (124 = hung until the timeout): $(grep -v '^step' "$TMP/$n.txt" | tail -n 5)"
  fi
}
fault killed_rank KILL "exited on signal 9"
fault hung_rank STOP "no answer from the other ranks for 3 s" --comm-timeout 3

finish

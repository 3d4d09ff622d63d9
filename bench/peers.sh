#!/usr/bin/env bash
# The strongest peers on the same machine, side by side in one run: our
# compiled CPU trainers against JAX jit (bench/jax_toy.py, the whole step in
# one XLA program), PyTorch 2 eager and Debian's PyTorch 1.13 eager
# (bench/torch_toy.py), for the toy methods ebm-0gp, bb-sv-gp, bb-mi-gp,
# mle-langevin, ddaebm and bb-mi-diff, at one thread and at two threads, with
# OpenBLAS sgemm 1024^3 at 1 and 2 threads measured at the start and the end
# of the same run. Writes bench/results/peers.json and the generated tables
# of docs/performance_peers.md (bench/peers_table.py). About 25 minutes.
#
#   bash bench/peers.sh
#   METHODS="ebm-0gp mle-langevin" THREADS="1" ROUNDS=1 SECONDS_PER_RUN=2 RESULT=out/p.json DOC=- bash bench/peers.sh
#
# Threads, every contender alike: taskset -c 0 (one thread) or -c 0,1 (two),
# and OMP_NUM_THREADS = MKL_NUM_THREADS = OPENBLAS_NUM_THREADS = T. Ours:
# --threads T (its OpenBLAS threads). JAX: at one thread
# XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
# (XLA's thread pool takes its size from the affinity mask, so taskset is what
# bounds it); at two threads XLA's defaults. Torch: torch.set_num_threads(T).
#
# Interleaving: ROUNDS rounds; in each round every (threads, method) cell runs
# its four contenders back to back, in an order rotated from round to round,
# so that load from other processes hits all of them alike; the JSON reports
# the median over rounds (all rounds listed) and the load average
# (/proc/loadavg) before and after. Each run waits (within a QUIET_WAIT budget
# of 60 s for the whole run) for idle CPUs and records the CPU time other
# processes used meanwhile (bench/measure.sh).
#
# What is timed: steps/s = timed iterations / their wall-clock seconds after a
# warm-up (20 iterations; 10 for ddaebm and bb-mi-diff), in-process. Ours: the
# trainer's log windows after the warm-up, an iteration count calibrated to
# about SECONDS_PER_RUN (default 3); JAX and torch: a loop of SECONDS_PER_RUN
# seconds. JAX compiles ahead of time before its warm-up: compile_s (lowering
# + XLA compilation) is reported apart; the first round compiles cold, later
# rounds load the executable from a persistent cache under out/bench/ (their
# compile_s is the cache load). GFLOP/s = `train-cpu info` flops/step (the
# matmuls of one iteration) x steps/s for every contender, set against sgemm
# at the same thread count and against the FMA peak (bench/peers_table.py
# says how that is computed).
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A MODEL=([mle-langevin]=toy_mle [ebm-0gp]=toy_ebm0gp [bb-sv-gp]=toy_bb [bb-mi-gp]=toy_bb_mi
                 [ddaebm]=toy_ddaebm [bb-mi-diff]=toy_bb_mi_diff)
METHODS=${METHODS:-ebm-0gp bb-sv-gp bb-mi-gp mle-langevin ddaebm bb-mi-diff}
THREADS=${THREADS:-1 2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
ROUNDS=${ROUNDS:-3}
RESULT=${RESULT:-bench/results/peers.json}
DOC=${DOC:-docs/performance_peers.md}
case ${1:-} in
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "peers.sh: no arguments (see --help); settings come from the environment" >&2; exit 2 ;;
esac
for m in $METHODS; do
  [ -n "${MODEL[$m]:-}" ] || { echo "peers.sh: unknown method '$m' (known: ${!MODEL[*]})" >&2; exit 2; }
done
PY=/usr/bin/python3          # Debian's python3 with python3-torch 1.13 (bench/setup.sh)
VPY=out/peers-venv/bin/python   # JAX and PyTorch 2 (bench/peers_setup.sh)
W=out/bench/peers
RUNS=$W/runs.jsonl
mkdir -p "$W"

bash bench/setup.sh >/dev/null
bash bench/peers_setup.sh >/dev/null
[ -f out/host/build.ninja ] || cmake -S . -B out/host -G Ninja >/dev/null
ninja -C out/host >/dev/null
for m in $METHODS; do
  out/host/ebmforge build "models/${MODEL[$m]}.lua" -o "out/bench/${MODEL[$m]}" >/dev/null
  ninja -C "out/bench/${MODEL[$m]}" train-cpu >/dev/null
done
cc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread bench/sgemm.c -o "$W/sgemm" -lopenblas
bin() { echo "out/bench/${MODEL[$1]}/$1/train-cpu"; }
warmup() { case $1 in ddaebm|bb-mi-diff) echo 10 ;; *) echo 20 ;; esac; }
cpus() { [ "$1" = 1 ] && echo 0 || echo "0-$(( $1 - 1 ))"; }
threads_env() { echo OMP_NUM_THREADS="$1" MKL_NUM_THREADS="$1" OPENBLAS_NUM_THREADS="$1"; }

: >"$RUNS"
rm -rf "$W/jax-cache"
LOAD0=$(cat /proc/loadavg)
T_START=$(date +%s)
WARMUP=20
source bench/measure.sh

declare -A ITERS
calibrate() {  # a short run of ours at one thread: how many iterations fill SECONDS_PER_RUN after the warm-up
  local m=$1 dir="$W/calib-$1" meas w
  w=$(warmup "$1")
  rm -rf "$dir"
  meas=$(measured "$dir.out" taskset -c 0 "$(bin "$m")" train --iters $(( w + 20 )) --threads 1 --seed 1 --out "$dir")
  account "$meas" "$dir.out"
  ITERS[$m]=$(WARMUP=$w parse_log "$dir/log.jsonl" | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["steps_per_s"]; print(max(10, int(r*float(sys.argv[1]))//10*10+10)+int(sys.argv[2]))' "$SECONDS_PER_RUN" "$w")
  echo "calibration: $m, ${ITERS[$m]} iterations" >&2
}

run() {  # run CONTENDER METHOD T ROUND
  local c=$1 m=$2 T=$3 r=$4 w out meas line
  w=$(warmup "$m")
  out="$W/run-$c-$m-T$T"
  echo "round $r T=$T $m: $c ..." >&2
  case $c in
    ours)
      rm -rf "$out"
      meas=$(measured "$out.out" env $(threads_env "$T") taskset -c "$(cpus "$T")" "$(bin "$m")" train \
             --iters "${ITERS[$m]}" --threads "$T" --seed 1 --out "$out")
      account "$meas" "$out.out"
      line=$(WARMUP=$w parse_log "$out/log.jsonl") ;;
    jax)
      local xf=""
      [ "$T" = 1 ] && xf="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
      meas=$(measured "$out.out" env $(threads_env "$T") XLA_FLAGS="$xf" JAX_PLATFORMS=cpu \
             JAX_COMPILATION_CACHE_DIR="$PWD/$W/jax-cache/T$T" JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 \
             taskset -c "$(cpus "$T")" "$VPY" bench/jax_toy.py --method "$m" --seed 1 --warmup "$w" --seconds "$SECONDS_PER_RUN")
      account "$meas" "$out.out"
      line=$(tail -n 1 "$out.out") ;;
    torch2|torch113)
      local py=$PY
      [ "$c" = torch2 ] && py=$VPY
      meas=$(measured "$out.out" env $(threads_env "$T") taskset -c "$(cpus "$T")" "$py" bench/torch_toy.py \
             --method "$m" --threads "$T" --seed 1 --warmup "$w" --seconds "$SECONDS_PER_RUN")
      account "$meas" "$out.out"
      line=$(tail -n 1 "$out.out") ;;
  esac
  merge "$line" "$meas" kind="$c" method="$m" threads="$T" round="$r" warmup_iters="$w" cpus="$(cpus "$T")" >>"$RUNS"
}

sgemm 1
for m in $METHODS; do calibrate "$m"; done
CONTENDERS=(ours jax torch2 torch113)
for r in $(seq 1 "$ROUNDS"); do
  for T in $THREADS; do
    for m in $METHODS; do
      for i in 0 1 2 3; do run "${CONTENDERS[$(( (i + r - 1) % 4 ))]}" "$m" "$T" "$r"; done
    done
  done
done
sgemm 2
LOAD1=$(cat /proc/loadavg)

TRAINERS=$(for m in $METHODS; do
  echo "$m models/${MODEL[$m]}.lua $("$(bin "$m")" info | awk '/^flops\/step/ {f=$2} /^fingerprint/ {p=$2} END {print f, p}')"
done)
VERSIONS=$("$VPY" -c 'import jax, torch; print(jax.__version__, torch.__version__)')
"$PY" bench/peers_table.py collect "$RUNS" "$RESULT" "$TRAINERS" "$LOAD0" "$LOAD1" "$(( $(date +%s) - T_START ))" \
      "$SECONDS_PER_RUN" "$ROUNDS" "$VERSIONS"
if [ "$DOC" != - ]; then "$PY" bench/peers_table.py doc "$RESULT" "$DOC"; fi
"$PY" bench/peers_table.py print "$RESULT"

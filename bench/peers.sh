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
#   COMPILE_ONLY=1 bash bench/peers.sh; KEEP_JAX_CACHE=1 bash bench/peers.sh   # JAX's cold compilations ahead
#
# Threads, every contender alike: taskset -c 0 (one thread) or -c 0,1 (two),
# and OMP_NUM_THREADS = MKL_NUM_THREADS = OPENBLAS_NUM_THREADS = T. Ours:
# --threads T (its OpenBLAS threads). JAX: at one thread
# XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
# (XLA's thread pool takes its size from the affinity mask, so taskset is what
# bounds it); at two threads XLA's defaults. Torch: torch.set_num_threads(T).
# OpenBLAS (ours, torch 1.13, sgemm): where it does not recognise the CPU and
# falls back to its Prescott kernels, OPENBLAS_CORETYPE is set to the CPU's
# (SkylakeX for AVX-512, Haswell for AVX2) and ours also runs as shipped
# at one thread (contender ours_autoblas); set OPENBLAS_CORETYPE yourself
# to choose.
#
# Interleaving: ROUNDS rounds; in each round every (threads, method) cell runs
# its contenders back to back, in an order rotated from round to round,
# so that load from other processes hits all of them alike; the JSON reports
# the median over rounds (all rounds listed) and the load average
# (/proc/loadavg) before and after. Each run waits (within a QUIET_WAIT budget
# of 60 s for the whole run) for idle CPUs and records the CPU time other
# processes used meanwhile (bench/measure.sh).
#
# What is timed: steps/s = timed iterations / their wall-clock seconds after a
# warm-up (20 iterations; ddaebm and bb-mi-diff: 10 for ours, whose log
# windows are 10 iterations, 3 for the others), in-process. Ours: the
# trainer's log windows after the warm-up, an iteration count calibrated to
# about SECONDS_PER_RUN (default 3); JAX and torch: a loop of SECONDS_PER_RUN
# seconds. JAX compiles ahead of time before its warm-up; a first pass
# compiles every (method, threads) cold and records trace_lower_s (tracing,
# autodiff, lowering) and compile_s (XLA), then the timed runs load the
# executable from a persistent cache under out/bench/peers/ (their compile_s
# is the cache load). At one thread the JSON also has steps per CPU second
# (JAX, torch: timed iterations / process CPU time of the timed loop; ours:
# the extra iterations over a short run (warm-up + 10) just before / the
# extra process CPU time), which other processes' load disturbs far less
# than wall time. GFLOP/s = `train-cpu info` flops/step (the
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
W=${PEERS_WORK:-out/bench/peers}   # work folder (runs, logs, the JAX cache)
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
# Debian 12's OpenBLAS (0.3.21) does not know every new CPU model and then falls back to its
# Prescott (SSE3) kernels: on an Emerald Rapids VM (family 6 model 207) sgemm and our trainers
# ran ~2.7x slower. Unless OPENBLAS_CORETYPE is set already, force the kernel that matches the
# CPU's flags for ours, torch 1.13 and sgemm, and run ours once more as shipped (ours_autoblas).
AUTO_CORE=$(env -u OPENBLAS_CORETYPE "$W/sgemm" 64 1 1 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["core"])')
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ "$AUTO_CORE" = Prescott ]; then
  if grep -qw avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
fi
export PEERS_AUTO_CORE=$AUTO_CORE
CONTENDERS=(ours jax torch2 torch113)
[ "${OPENBLAS_CORETYPE:-}" ] && [ "$AUTO_CORE" = Prescott ] && CONTENDERS+=(ours_autoblas)
echo "peers: OpenBLAS detects core $AUTO_CORE; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}; contenders ${CONTENDERS[*]}" >&2
# warm-up iterations: 20; ddaebm and bb-mi-diff (seconds per step in eager torch): 10 for ours (its log
# windows are 10 iterations), 3 for the others
warmup() { case $1:$2 in ddaebm:ours|bb-mi-diff:ours) echo 10 ;; ddaebm:*|bb-mi-diff:*) echo 3 ;; *) echo 20 ;; esac; }
cpus() { [ "$1" = 1 ] && echo 0 || echo "0-$(( $1 - 1 ))"; }
threads_env() { echo OMP_NUM_THREADS="$1" MKL_NUM_THREADS="$1" OPENBLAS_NUM_THREADS="$1"; }

: >"$RUNS"
# JAX's persistent compilation cache and the cold compile times that filled it; KEEP_JAX_CACHE=1
# reuses both from an earlier run or an earlier COMPILE_ONLY=1 pass (on a loaded machine the cold
# compilations take minutes), else both start empty
JC=$W/jax-cache
[ "${KEEP_JAX_CACHE:-0}" = 1 ] || rm -rf "$JC"
mkdir -p "$JC"
touch "$JC/compiles.jsonl"
LOAD0=$(cat /proc/loadavg)
T_START=$(date +%s)
WARMUP=20
source bench/measure.sh

declare -A ITERS
calibrate() {  # a short run of ours at one thread: how many iterations fill SECONDS_PER_RUN after the warm-up
  local m=$1 dir="$W/calib-$1" meas w
  w=$(warmup "$1" ours)
  rm -rf "$dir"
  meas=$(measured "$dir.out" taskset -c 0 "$(bin "$m")" train --iters $(( w + 20 )) --threads 1 --seed 1 --out "$dir")
  account "$meas" "$dir.out"
  ITERS[$m]=$(WARMUP=$w parse_log "$dir/log.jsonl" | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["steps_per_s"]; print(max(20, int(r*float(sys.argv[1]))//10*10+10)+int(sys.argv[2]))' "$SECONDS_PER_RUN" "$w")
  echo "calibration: $m, ${ITERS[$m]} iterations" >&2
}

run() {  # run CONTENDER METHOD T ROUND
  local c=$1 m=$2 T=$3 r=$4 w out meas line extra=()
  w=$(warmup "$m" "$c")
  out="$W/run-$c-$m-T$T"
  echo "round $r T=$T $m: $c ..." >&2
  case $c in
    ours|ours_autoblas)
      local unset=""
      [ "$c" = ours_autoblas ] && unset="-u OPENBLAS_CORETYPE"
      extra=(iters="${ITERS[$m]}")
      rm -rf "$out" "$out-short"
      if [ "$T" = 1 ]; then   # a short run just before (warm-up + 10 iterations): the difference of the two is CPU time per step
        local sm
        sm=$(measured "$out-short.out" env $unset $(threads_env 1) taskset -c 0 "$(bin "$m")" train \
             --iters $(( w + 10 )) --threads 1 --seed 1 --out "$out-short")
        account "$sm" "$out-short.out"
        extra+=(short_iters=$(( w + 10 )) short_cpu_s="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["own_cpu_s"])' "$sm")")
      fi
      meas=$(measured "$out.out" env $unset $(threads_env "$T") taskset -c "$(cpus "$T")" "$(bin "$m")" train \
             --iters "${ITERS[$m]}" --threads "$T" --seed 1 --out "$out")
      account "$meas" "$out.out"
      line=$(WARMUP=$w parse_log "$out/log.jsonl") ;;
    jax|jax_compile)
      local xf="" what=(--warmup "$w" --seconds "$SECONDS_PER_RUN")
      [ "$T" = 1 ] && xf="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
      [ "$c" = jax_compile ] && what=(--warmup 0 --iters 0)
      meas=$(measured "$out.out" env $(threads_env "$T") XLA_FLAGS="$xf" JAX_PLATFORMS=cpu \
             JAX_COMPILATION_CACHE_DIR="$PWD/$JC/T$T" JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0 \
             taskset -c "$(cpus "$T")" "$VPY" bench/jax_toy.py --method "$m" --seed 1 "${what[@]}")
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
  merge "$line" "$meas" kind="$c" method="$m" threads="$T" round="$r" warmup_iters="$w" cpus="$(cpus "$T")" "${extra[@]}" \
        loadavg="$(cut -d' ' -f1 /proc/loadavg)" >>"$RUNS"
}

jax_compile() {  # jax_compile METHOD T: its cold compilation, unless on record with the kept cache
  local rec
  rec=$("$PY" -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["method"] == sys.argv[2] and r["threads"] == int(sys.argv[3]): print(l.strip()); break' "$JC/compiles.jsonl" "$1" "$2")
  if [ -z "$rec" ]; then
    run jax_compile "$1" "$2" 0
    rec=$(tail -n 1 "$RUNS")
    echo "$rec" >>"$JC/compiles.jsonl"
  else
    echo "$rec" >>"$RUNS"
  fi
}

TRAINERS=$(for m in $METHODS; do
  echo "$m models/${MODEL[$m]}.lua $("$(bin "$m")" info | awk '/^flops\/step/ {f=$2} /^fingerprint/ {p=$2} END {print f, p}')"
done)
VERSIONS=$("$VPY" -c 'import jax, torch; print(jax.__version__, torch.__version__)')
report() {  # report N: the JSON and the doc from the N rounds done so far, with the load average now
  "$PY" bench/peers_table.py collect "$RUNS" "$RESULT" "$TRAINERS" "$LOAD0" "$(cat /proc/loadavg)" \
        "$(( $(date +%s) - T_START ))" "$SECONDS_PER_RUN" "$1" "$VERSIONS"
  if [ "$DOC" != - ]; then "$PY" bench/peers_table.py doc "$RESULT" "$DOC"; fi
}

# JAX's cold compilations first (compile times on record), so that every timed round loads the cache alike
for T in $THREADS; do for m in $METHODS; do jax_compile "$m" "$T"; done; done
if [ "${COMPILE_ONLY:-0}" = 1 ]; then echo "peers: COMPILE_ONLY=1: JAX cache filled ($JC)" >&2; exit 0; fi
sgemm 1
for m in $METHODS; do calibrate "$m"; done
N=${#CONTENDERS[@]}
for r in $(seq 1 "$ROUNDS"); do
  for T in $THREADS; do
    for m in $METHODS; do
      for i in $(seq 0 $(( N - 1 ))); do
        c=${CONTENDERS[$(( (i + r - 1) % N ))]}
        [ "$c" = ours_autoblas ] && [ "$T" != 1 ] && continue   # the shipped BLAS's cost shows at one thread
        run "$c" "$m" "$T" "$r"
      done
      # written after every cell, so that a run cut short leaves what it measured on record
      report "$r"
    done
  done
done
sgemm 2
report "$ROUNDS"
"$PY" bench/peers_table.py print "$RESULT"

#!/usr/bin/env bash
# The image models' training step against the strongest peers on the same
# machine, one thread each: our compiled CPU trainers against JAX jit
# (bench/jax_fmnist.py, the whole step in one XLA program), PyTorch 2 eager
# (bench/torch_fmnist.py under out/peers-venv) and Debian's PyTorch 1.13
# eager (bench/torch_fmnist.py under /usr/bin/python3), for
# models/fmnist_bb_narrow.lua, fmnist_0gp_narrow.lua, fmnist_mle_narrow.lua,
# fmnist_bb.lua and fmnist_mle.lua, with OpenBLAS sgemm 1024^3 measured at the start and the end
# of the same run. Writes bench/results/peers_image.json and the generated
# "Image models" table of docs/performance_peers.md
# (bench/peers_image_table.py). About 25 minutes on a quiet 2-CPU machine
# (the full-width fmnist_mle step alone takes some 25 s on one core).
#
#   bash bench/peers_image.sh
#   MODELS="fmnist_bb_narrow fmnist_0gp_narrow" ITERS_NARROW=3 RESULT=out/pi.json DOC=- bash bench/peers_image.sh
#   K_FULL=5 bash bench/peers_image.sh   # fmnist_mle with 5 Langevin steps (a bench-only copy of the model)
#
# Before the timing, each model's initial checkpoint (`train-cpu train
# --iters 0`) is loaded into the JAX and PyTorch 2 nets and their energies
# of a fixed batch (64 training pictures, 64 uniform-noise pictures) are
# compared with ours (bench/image_peers_check.py); the JSON records the
# largest relative differences and the run stops if one exceeds 1e-4.
#
# Threads, every contender alike: taskset -c 0, OMP_NUM_THREADS =
# MKL_NUM_THREADS = OPENBLAS_NUM_THREADS = 1, OPENBLAS_CORETYPE as
# bench/measure.sh picks it (`ebmforge --blas-core`: SkylakeX where OpenBLAS
# falls back to Prescott); ours --threads 1; JAX
# XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1";
# torch torch.set_num_threads(1).
#
# What is timed, in-process after a warm-up (WARMUP_NARROW 2 / WARMUP_FULL 1
# iterations; ITERS_NARROW 8 / ITERS_FULL 2 timed ones; narrow = base < 64):
# steps/s = timed iterations / their wall-clock seconds (ours: the per-step
# times of log.jsonl, --log-every 1), and steps per CPU second, which other
# processes' load disturbs far less (JAX, torch: timed iterations / process
# CPU time of the timed loop; ours: the extra iterations over a run of the
# warm-up alone just before / the extra process CPU time). JAX compiles ahead
# of time (trace_lower_s, compile_s in the JSON; no persistent cache). One
# round; the order of the contenders is rotated from model to model. GFLOP/s
# = `train-cpu info` flops/step x steps/s for every contender.
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
  -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "peers_image.sh: no arguments (see --help); settings come from the environment" >&2; exit 2 ;;
esac
MODELS=${MODELS:-fmnist_bb_narrow fmnist_0gp_narrow fmnist_mle_narrow fmnist_bb fmnist_mle}
ITERS_NARROW=${ITERS_NARROW:-8} WARMUP_NARROW=${WARMUP_NARROW:-2}
ITERS_FULL=${ITERS_FULL:-2} WARMUP_FULL=${WARMUP_FULL:-1}
K_FULL=${K_FULL:-}
RESULT=${RESULT:-bench/results/peers_image.json}
DOC=${DOC:-docs/performance_peers.md}
for n in "$ITERS_NARROW" "$WARMUP_NARROW" "$ITERS_FULL" "$WARMUP_FULL" ${K_FULL:+"$K_FULL"}; do
  case "$n" in ''|*[!0-9]*) echo "peers_image.sh: ITERS_*, WARMUP_* and K_FULL must be non-negative integers, got '$n'" >&2; exit 2 ;; esac
done
for m in $MODELS; do
  [ -f "models/$m.lua" ] || { echo "peers_image.sh: no model models/$m.lua" >&2; exit 2; }
done
PY=/usr/bin/python3                       # Debian's python3 with python3-torch 1.13 (bench/setup.sh)
VPY=${PEERS_VENV:-out/peers-venv}/bin/python   # JAX and PyTorch 2 (bench/peers_setup.sh)
W=out/bench/peers_image
RUNS=$W/runs.jsonl
mkdir -p "$W"

bash bench/setup.sh >/dev/null
bash bench/peers_setup.sh >/dev/null
[ -f out/host/build.ninja ] || cmake -S . -B out/host -G Ninja >/dev/null
ninja -C out/host >/dev/null
cc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread bench/sgemm.c -o "$W/sgemm" -lopenblas

# per model: method, base width, K (mle-langevin), the model file built (a bench-only copy where K_FULL changes K)
declare -A METHOD BASE K SRC
for m in $MODELS; do
  src=models/$m.lua
  METHOD[$m]=$(out/host/ebmforge check "$src" | sed -n 's/.*: method \([a-z0-9-]*\),.*/\1/p')
  case ${METHOD[$m]} in bb-sv-gp|ebm-0gp|mle-langevin) ;; *) echo "peers_image.sh: $src: method '${METHOD[$m]}' has no peer" >&2; exit 2 ;; esac
  b=$(sed -n 's/.*image_energy *{[^}]*base = \([0-9]*\).*/\1/p' "$src")
  BASE[$m]=${b:-64}   # nets_image.lua's default
  K[$m]=$(sed -n 's/^ *K = \([0-9]*\),.*/\1/p' "$src")
  if [ "${METHOD[$m]}" = mle-langevin ] && [ -n "$K_FULL" ] && [ "${BASE[$m]}" -ge 64 ] && [ "$K_FULL" != "${K[$m]}" ]; then
    sed "s/^  K = ${K[$m]}, /  K = $K_FULL, /; s/^  name = \"$m\"/  name = \"${m}_K$K_FULL\"/" "$src" >"$W/${m}_K$K_FULL.lua"
    grep -q "^  K = $K_FULL, " "$W/${m}_K$K_FULL.lua" || { echo "peers_image.sh: could not set K in a copy of $src" >&2; exit 1; }
    src=$W/${m}_K$K_FULL.lua
    K[$m]=$K_FULL
  fi
  SRC[$m]=$src
  out/host/ebmforge build "$src" -o "$W/build-$m" --no-cuda >/dev/null
  nice -n 10 ninja -j2 -C "$W/build-$m" train-cpu >/dev/null
done
bin() { echo "$W/build-$1/${METHOD[$1]}/train-cpu"; }
narrow() { [ "${BASE[$1]}" -lt 64 ]; }
iters() { if narrow "$1"; then echo "$ITERS_NARROW"; else echo "$ITERS_FULL"; fi; }
warmup() { if narrow "$1"; then echo "$WARMUP_NARROW"; else echo "$WARMUP_FULL"; fi; }
ONE=(env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0)

: >"$RUNS"
LOAD0=$(cat /proc/loadavg)
T_START=$(date +%s)
WARMUP=0   # parse_log's: set per model below
source bench/measure.sh   # measured, account, merge, parse_log, sgemm; sets OPENBLAS_CORETYPE

# the same nets: our initial checkpoint's energies (and generator pictures) in JAX and PyTorch 2
"$VPY" -c 'import sys; sys.path.insert(0, "bench"); import numpy as np, jax_fmnist as jf
x = jf.load_fmnist()[:64]
u = np.random.default_rng(0).uniform(-1, 1, (64, 1024)).astype(np.float32)
np.save(sys.argv[1], np.concatenate([x, u]).astype(np.float32))' "$W/check_x.npy"
for m in $MODELS; do
  d=$W/check-$m
  rm -rf "$d"
  "$(bin "$m")" train --iters 0 --out "$d" >/dev/null
  "$(bin "$m")" energy --ckpt "$d/ckpt.safetensors" --input "$W/check_x.npy" -o "$d/energy.npy" >/dev/null
  act=leaky_relu
  [ "${METHOD[$m]}" = mle-langevin ] && act=silu
  line=$(JAX_PLATFORMS=cpu "$VPY" bench/image_peers_check.py "$d/ckpt.safetensors" "$W/check_x.npy" "$d/energy.npy" --act "$act") \
    || { echo "peers_image.sh: $m: the peers' nets do not compute ours: $line" >&2; exit 1; }
  echo "check $m: $line" >&2
  merge "$line" kind=check model="$m" >>"$RUNS"
done

run() {  # run CONTENDER MODEL
  local c=$1 m=$2 n w out meas line extra=() targs
  n=$(iters "$m") w=$(warmup "$m")
  out=$W/run-$c-$m
  echo "$(date -u +%T) $m: $c ($w + $n iterations) ..." >&2
  targs=(--method "${METHOD[$m]}" --base "${BASE[$m]}" --K "${K[$m]:-60}" --seed 1 --warmup "$w" --iters "$n")
  case $c in
    ours)
      rm -rf "$out" "$out-short"
      local sm   # the warm-up alone, just before: the difference of the two runs is CPU time per step
      sm=$(measured "$out-short.out" "${ONE[@]}" "$(bin "$m")" train --iters "$w" --threads 1 --seed 1 --log-every 1 --out "$out-short")
      account "$sm" "$out-short.out"
      meas=$(measured "$out.out" "${ONE[@]}" "$(bin "$m")" train --iters $(( w + n )) --threads 1 --seed 1 --log-every 1 --out "$out")
      account "$meas" "$out.out"
      extra=(short_iters="$w" short_cpu_s="$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["own_cpu_s"])' "$sm")")
      line=$(WARMUP=$w parse_log "$out/log.jsonl") ;;
    jax)
      meas=$(measured "$out.out" "${ONE[@]}" env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \
             JAX_PLATFORMS=cpu "$VPY" bench/jax_fmnist.py "${targs[@]}")
      account "$meas" "$out.out"
      line=$(tail -n 1 "$out.out") ;;
    torch2|torch113)
      local py=$PY
      [ "$c" = torch2 ] && py=$VPY
      meas=$(measured "$out.out" "${ONE[@]}" "$py" bench/torch_fmnist.py "${targs[@]}" --threads 1)
      account "$meas" "$out.out"
      line=$(tail -n 1 "$out.out") ;;
  esac
  merge "$line" "$meas" kind="$c" model="$m" method="${METHOD[$m]}" base="${BASE[$m]}" K="${K[$m]:-null}" \
        warmup_iters="$w" "${extra[@]}" loadavg="$(cut -d' ' -f1 /proc/loadavg)" >>"$RUNS"
}

TRAINERS=$(for m in $MODELS; do
  echo "$m ${SRC[$m]} ${METHOD[$m]} ${BASE[$m]} ${K[$m]:-null} $("$(bin "$m")" info | awk '/^flops\/step/ {f=$2} /^fingerprint/ {p=$2} END {print f, p}')"
done)
VERSIONS=$("$VPY" -c 'import jax, torch; print(jax.__version__, torch.__version__)')
report() {
  "$PY" bench/peers_image_table.py collect "$RUNS" "$RESULT" "$TRAINERS" "$LOAD0" "$(cat /proc/loadavg)" \
        "$(( $(date +%s) - T_START ))" "$VERSIONS"
  if [ "$DOC" != - ]; then "$PY" bench/peers_image_table.py doc "$RESULT" "$DOC"; fi
}

sgemm 1
CONTENDERS=(ours jax torch2 torch113)
i=0
for m in $MODELS; do
  for j in 0 1 2 3; do run "${CONTENDERS[$(( (i + j) % 4 ))]}" "$m"; done
  i=$(( i + 1 ))
  report   # after every model, so that a run cut short leaves what it measured on record
done
sgemm 2
report
"$PY" bench/peers_image_table.py print "$RESULT"

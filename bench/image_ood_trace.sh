#!/usr/bin/env bash
# Why a narrow minimax model's OOD AUROC against uniform noise differs
# between ours and PyTorch (docs/results.md, "Narrow image models"): both
# sides trained as bench/image_narrow.sh trains them (MODEL, default
# models/fmnist_0gp_narrow.lua; models/fmnist_bb_narrow.lua too;
# one thread, no warm-up, same seed numbers), but stopped every EVERY
# iterations to evaluate the energy on fixed pictures (bench/image_ood_trace.py
# probes: the Fashion-MNIST test split, uniform noise and constant pictures of
# `train-cpu eval --ood-sets`, darker and brighter noise, the path from test
# pictures to noise; the same for every seed, as are `eval --ood-sets`'s) and
# on the generator's samples. Ours stops by
# `train --iters N --resume` legs (bit-exact continuation), PyTorch in
# process (bench/image_ood_trace.py torch restores its RNG after each stop).
# SIDES: ours, torch, and ours@CORE: ours again under OPENBLAS_CORETYPE=CORE
# (e.g. ours@Haswell), whose kernels round differently from SkylakeX's: the
# same method, seed and streams, only the roundoff differs.
# INIT_SEEDS: the energy at iteration 0 only, for more seeds (initialisation).
#
# usage: bash bench/image_ood_trace.sh [ITERS (2000)] [EVERY (100)] [SEEDS ("1")] [SIDES ("ours torch")] [INIT_SEEDS ("1 2 3 4 5")]
#   MODEL=models/fmnist_bb_narrow.lua   the bb-sv-gp model instead (work folder
#     out/bench/image_ood_trace_<name>, RESULT bench/results/image_ood_trace_<name>.json)
#   T=path/to/ebm-0gp/train-cpu   use this trainer instead of building one from
#     the model with out/host/ebmforge (docs/results.md used the study's, built
#     from 604db49: the same rounding, so its 1,000-iteration AUROCs reappear)
#   RESULT=path.json (default bench/results/image_ood_trace_0gp.json)
#   OPENBLAS_CORETYPE=SkylakeX: as the study ran (bench/image_narrow.sh)
# Work folder: out/bench/image_ood_trace/ (fmnist_0gp_narrow; other models
# out/bench/image_ood_trace_<name>/): {ours,torch,ours_CORE}_s<SEED>/it_<N>/, init/.
# One process at a time, at `nice -n 10`, one thread each. About 0.3 s (ours)
# and 0.5 s (PyTorch) of CPU per iteration, plus some 10 s per stop.
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${1:-2000} EVERY=${2:-100} SEEDS=${3:-1} SIDES=${4:-ours torch} INIT_SEEDS=${5:-1 2 3 4 5}
for n in "$ITERS" "$EVERY"; do case "$n" in ''|*[!0-9]*|0) echo "image_ood_trace.sh: ITERS and EVERY must be positive integers, got '$n'" >&2; exit 2 ;; esac; done
MODEL=${MODEL:-models/fmnist_0gp_narrow.lua}
name=$(basename "$MODEL" .lua)
method=$(out/host/ebmforge check "$MODEL" | sed -n 's/.*: method \([a-z0-9-]*\),.*/\1/p')
case "$method" in ebm-0gp|bb-sv-gp) ;; *) echo "image_ood_trace.sh: $MODEL: method '$method' is not ebm-0gp or bb-sv-gp" >&2; exit 2 ;; esac
if [ "$name" = fmnist_0gp_narrow ]; then   # where docs/results.md's trace of it lives
  W=out/bench/image_ood_trace RESULT=${RESULT:-bench/results/image_ood_trace_0gp.json}
else
  W=out/bench/image_ood_trace_$name RESULT=${RESULT:-bench/results/image_ood_trace_$name.json}
fi
PY=/usr/bin/python3   # Debian's python3 with python3-torch and numpy
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
mkdir -p "$W/init" "$(dirname "$RESULT")"
if [ -z "${T:-}" ]; then
  out/host/ebmforge build "$MODEL" -o "$W/build" --no-cuda >/dev/null
  nice -n 10 ninja -j2 -C "$W/build" train-cpu >/dev/null
  T=$W/build/$method/train-cpu
fi
run() { nice -n 10 "$@"; }
# the energies of a checkpoint (our side) on the probes and on 1,000 samples of its averaged generator
ours_stop() {
  local d=$1
  run "$T" energy --ckpt "$d/ckpt.safetensors" --input "$W/probes.npy" -o "$d/E_probes.npy" >/dev/null
  run "$T" sample --ckpt "$d/ckpt.safetensors" -n 1000 -o "$d/samples.npy" >/dev/null
  run "$T" energy --ckpt "$d/ckpt.safetensors" --input "$d/samples.npy" -o "$d/E_samples.npy" >/dev/null
}

# the pictures of bench/image_narrow.sh's seed 1 (a one-step checkpoint's `eval --ood-sets`)
if [ ! -f "$W/probes.npy" ]; then
  run "$T" train --iters 1 --seed 1 --out "$W/sets/ckpt" >/dev/null 2>&1
  run "$T" eval --ckpt "$W/sets/ckpt/ckpt.safetensors" --ood-sets "$W/sets" >/dev/null
  run $PY bench/image_ood_trace.py probes "$W/sets" "$W/probes.npy"
fi

for side in $SIDES; do
  case $side in ours|torch) ;; *) continue ;; esac
  for s in $INIT_SEEDS; do   # iteration 0: the initial energy of each seed
    d=$W/init/${side}_s$s/it_0
    [ -f "$d/E_probes.npy" ] && continue
    if [ "$side" = ours ]; then
      run "$T" train --iters 0 --seed "$s" --out "$d" >/dev/null 2>&1 && ours_stop "$d"
    else
      run $PY bench/image_ood_trace.py torch "$s" 0 1 "$W/probes.npy" "$W/init/${side}_s$s" 8 "$method"
    fi
  done
done

for s in $SEEDS; do
  for side in $SIDES; do
    echo "$(date -u +%T) seed $s: $side to $ITERS iterations, stopping every $EVERY"
    if [ "$side" = torch ]; then
      [ -f "$W/torch_s$s/it_$ITERS/E_probes.npy" ] ||
        run $PY bench/image_ood_trace.py torch "$s" "$ITERS" "$EVERY" "$W/probes.npy" "$W/torch_s$s" 8 "$method"
      continue
    fi
    # ours@CORE: the same run under OPENBLAS_CORETYPE=CORE, whose kernels round differently (the roundoff's effect)
    core=${side#ours@} r=ours_${side#ours@}_s$s
    [ "$side" = ours ] && core=${OPENBLAS_CORETYPE:-} r=ours_s$s
    prev=""
    for ((n = 0; n <= ITERS; n += EVERY)); do
      d=$W/$r/it_$n
      if [ ! -f "$d/E_probes.npy" ]; then
        OPENBLAS_CORETYPE=$core run "$T" train --iters "$n" --seed "$s" --threads 1 --log-every 10 --out "$d" \
          ${prev:+--resume "$prev"} >/dev/null 2>&1
        OPENBLAS_CORETYPE=$core ours_stop "$d"
      fi
      prev=$d/ckpt.safetensors
    done
    # one log over the legs, for the summary
    cat "$W/$r"/it_*/log.jsonl 2>/dev/null | grep -v '"event"' | sort -t: -k2 -n | uniq >"$W/$r/log.jsonl"
  done
done

run $PY bench/image_ood_trace.py summary "$W" "$RESULT" "$(git rev-parse --short HEAD)" "$MODEL"   # every run in $W
echo "wrote $RESULT"

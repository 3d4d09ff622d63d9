#!/usr/bin/env bash
# A narrow image model (models/fmnist_*_narrow.lua) trained to two stated
# budgets on one CPU thread, ours beside the PyTorch reference
# (bench/torch_fmnist.py at the model's base width, K, seed and the image
# hyper-parameters of methods.md §8), both scored by the same code (§7.4):
# - FD-FMNIST: Frechet distance of 2,000 samples (the EMA generator, or the
#   K-step Langevin sampler for mle-langevin) to the test split, in the
#   features of the ebmforge-trained classifier models/fmnist_classifier.lua;
#   the same distance for 2,000 training pictures is the floor;
# - OOD AUROC of -E(x): Fashion-MNIST test against MNIST test (5,000 digits,
#   bench/mnist_idx.sh), uniform noise and constant pictures; PyTorch's energy
#   is scored on exactly the pictures ours was (`train-cpu eval --ood-sets`);
# - steps/s and CPU seconds per iteration of both, in the same run.
# Budget 2 is a continuation of budget 1 (ours `train --resume`, PyTorch
# `--resume ckpt.pt`), so each seed trains BUDGET2 iterations in all.
# Same seed number on both sides, but not the same random streams: the data
# order (shuffled epochs, last partial batch dropped, on both sides), the
# initialisation and the noise come from Philox (ours) and torch's generator.
# One process at a time, at `nice -n 10`, one thread each.
#
# usage: bash bench/image_narrow.sh MODEL.lua [BUDGET1 (1500)] [BUDGET2 (3000)] [SEEDS ("1 2")]
#   RESULT=path.json (default bench/results/image_narrow_<model name>.json)
#   OPENBLAS_CORETYPE=SkylakeX (for example) reaches both sides' OpenBLAS: on a
#   VM whose processor model is hidden OpenBLAS falls back to its Prescott
#   kernels (the JSON records the core each side got; docs/results.md).
#   CLF_ITERS=N trains the FD classifier for N iterations instead of its 5
#   epochs (2,343 of batch 128; some 20 minutes of one busy core): for smoke
#   tests only, since FD values compare only under the same classifier. It is
#   trained once per N and kept in out/bench/image_narrow/classifier/run_<N or 5epochs>.
# Sample grids (not committed): out/bench/image_narrow/<name>/grids/{ours,torch}_s<SEED>_<ITERS>.png
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bash bench/image_narrow.sh MODEL.lua [BUDGET1] [BUDGET2] [SEEDS]" >&2; exit 2; }
MODEL=$1
B1=${2:-1500} B2=${3:-3000} SEEDS=${4:-1 2}
for n in "$B1" "$B2"; do case "$n" in ''|*[!0-9]*|0) echo "image_narrow.sh: budgets must be positive integers, got '$n'" >&2; exit 2 ;; esac; done
[ "$B2" -gt "$B1" ] || { echo "image_narrow.sh: BUDGET2 ($B2) must exceed BUDGET1 ($B1): it continues it" >&2; exit 2; }
EBM=out/host/ebmforge PY=/usr/bin/python3   # Debian's python3 with python3-torch
summary=$("$EBM" check "$MODEL")   # MODEL: method M, data D, ...
method=$(sed -n 's/.*: method \([a-z0-9-]*\),.*/\1/p' <<<"$summary")
name=$(sed -n 's/^ *name = "\([^"]*\)".*/\1/p' "$MODEL")
base=$(sed -n 's/.*image_energy *{[^}]*base = \([0-9]*\).*/\1/p' "$MODEL")
K=$(sed -n 's/^ *K = \([0-9]*\),.*/\1/p' "$MODEL")
case "$method" in bb-sv-gp|ebm-0gp|mle-langevin) ;; *) echo "image_narrow.sh: $MODEL: method '$method' has no PyTorch reference" >&2; exit 2 ;; esac
grep -q ', data fashion-mnist,' <<<"$summary" || { echo "image_narrow.sh: $MODEL: not a Fashion-MNIST model ($summary)" >&2; exit 2; }
base=${base:-64}   # nets_image.lua's default: the wide models (fmnist_bb.lua, ...) work too
RESULT=${RESULT:-bench/results/image_narrow_$name.json}
W=out/bench/image_narrow/$name
CW=out/bench/image_narrow/classifier   # shared by every model's run
CLF_ITERS=${CLF_ITERS:-}
case "$CLF_ITERS" in *[!0-9]*|0*) echo "image_narrow.sh: CLF_ITERS must be a positive integer, got '$CLF_ITERS'" >&2; exit 2 ;; esac
CR=$CW/run_${CLF_ITERS:-5epochs}
mkdir -p "$W/grids" "$CW" "$(dirname "$RESULT")"
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
run() { nice -n 10 "$@"; }
# CPU and wall seconds of one command, to $W/time_<tag>
timed() { local tag=$1; shift; /usr/bin/time -o "$W/time_$tag" -f "%U %S %e" nice -n 10 "$@"; }

"$EBM" build models/fmnist_classifier.lua -o "$CW/build" --no-cuda >/dev/null
"$EBM" build "$MODEL" -o "$W/build" --no-cuda >/dev/null
nice -n 10 ninja -j2 -C "$CW/build" train-cpu >/dev/null && nice -n 10 ninja -j2 -C "$W/build" train-cpu >/dev/null
C=$CW/build/classifier/train-cpu T=$W/build/$method/train-cpu
[ -f out/data/mnist/t10k-images-idx3-ubyte.gz ] || bash bench/mnist_idx.sh >/dev/null

echo "$(date -u +%T) classifier (${CLF_ITERS:-2343} iterations, once: $CR)"
[ -f "$CR/ckpt.safetensors" ] || run $C train --seed 0 ${CLF_ITERS:+--iters "$CLF_ITERS"} --out "$CR" >/dev/null 2>&1
run $C eval --ckpt "$CR/ckpt.safetensors" >"$W/clf_eval.json"
run $C fd --ckpt "$CR/ckpt.safetensors" --samples fashion-mnist -n 2000 >"$W/fd_floor.json"

torch_args=(--method "$method" --base "$base" --threads 1 --warmup 0)
[ "$method" = mle-langevin ] && torch_args+=(--K "${K:?$MODEL: no K = N line}")
score() {  # score SIDE SEED ITERS: samples -> FD, grid; ours also OOD (PyTorch scored itself)
  local side=$1 s=$2 n=$3 d=$W/$1_s$2_$3
  if [ "$side" = ours ]; then
    run $T sample --ckpt "$d/ckpt.safetensors" -n 2000 -o "$d/samples.npy" --png "$d/samples.png" >/dev/null
    run $T eval --ckpt "$d/ckpt.safetensors" --ood-mnist out/data/mnist >"$d/ood.json"
  fi
  run $C fd --ckpt "$CR/ckpt.safetensors" --samples "$d/samples.npy" >"$d/fd.json"
  cp "$d/samples.png" "$W/grids/${side}_s${s}_$n.png"
}
load() { cut -d' ' -f1-3 /proc/loadavg; }
for s in $SEEDS; do
  # the pictures both energies are scored on, from a one-step checkpoint of this seed
  run $T train --iters 1 --seed "$s" --out "$W/sets_s$s/ckpt" >/dev/null 2>&1
  run $T eval --ckpt "$W/sets_s$s/ckpt/ckpt.safetensors" --ood-mnist out/data/mnist --ood-sets "$W/sets_s$s" >/dev/null
  prev_o="" prev_t=""
  for n in "$B1" "$B2"; do
    echo "$(date -u +%T) seed $s: ours to $n iterations (load $(load))"
    load >"$W/load_ours_s${s}_$n"
    timed "ours_s${s}_$n" $T train --iters "$n" --seed "$s" --threads 1 --out "$W/ours_s${s}_$n" --log-every 10 \
      ${prev_o:+--resume "$prev_o"} >/dev/null 2>&1
    load >>"$W/load_ours_s${s}_$n"
    score ours "$s" "$n"
    echo "$(date -u +%T) seed $s: PyTorch to $n iterations (load $(load))"
    load >"$W/load_torch_s${s}_$n"
    timed "torch_s${s}_$n" $PY bench/torch_fmnist.py "${torch_args[@]}" --seed "$s" --iters "$n" \
      ${prev_t:+--resume "$prev_t"} --out "$W/torch_s${s}_$n" --ood-sets "$W/sets_s$s" >"$W/torch_s${s}_$n.json"
    load >>"$W/load_torch_s${s}_$n"
    score torch "$s" "$n"
    prev_o=$W/ours_s${s}_$n/ckpt.safetensors prev_t=$W/torch_s${s}_$n/ckpt.pt
  done
done

cores="ours: $(OPENBLAS_VERBOSE=2 $T info 2>&1 | sed -n 's/^Core: //p' | head -1), PyTorch: $(OPENBLAS_VERBOSE=2 $PY -c \
  'import torch; torch.nn.Linear(4, 4)(torch.zeros(2, 4))' 2>&1 | sed -n 's/^Core: //p' | head -1)"
OPENBLAS_CORE="$cores${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}" \
"$PY" bench/image_narrow_table.py "$W" "$RESULT" "$MODEL" "$method" "$base" "${K:-}" "$B1 $B2" "$SEEDS" \
  "$(git rev-parse --short HEAD)" "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)" "${CLF_ITERS:-5 epochs}"
echo "sample grids: $W/grids/"

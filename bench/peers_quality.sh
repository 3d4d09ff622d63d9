#!/usr/bin/env bash
# Does the JAX step of bench/jax_toy.py train? Trains ours and JAX for the
# same iterations on the same data set and scores both with the same code
# (`train-cpu eval --from DIR`: grid NLL, KL, MMD^2, modes), so that the
# peers benchmark (bench/peers.sh) times working steps.
#   bash bench/peers_quality.sh ITERS SEED METHOD...   (METHOD of jax_toy.py)
# Writes bench/results/peers_quality_<ITERS>.json (one run per method and seed,
# runs of other methods/seeds in an earlier file kept) and leaves each side's
# energy_grid.npy / samples.npy under out/bench/peers-quality/<method>-<iters>-<seed>/{ours,jax}.
set -euo pipefail
cd "$(dirname "$0")/.."
iters=$1 seed=$2
shift 2
declare -A MODEL=([mle-langevin]=toy_mle [ebm-0gp]=toy_ebm0gp [bb-sv-gp]=toy_bb [bb-mi-gp]=toy_bb_mi
                 [ddaebm]=toy_ddaebm [bb-mi-diff]=toy_bb_mi_diff)
# models/toy_mle.lua ships lr 1e-3 and start range 1.5 (docs/results.md); jax_toy.py runs
# methods.md's 2e-4, U[-4, 4]^2 and no penalty, so ours runs those too
declare -A SPEC_SETS=([mle-langevin]="--set lr=2e-4 --set init_range=4 --set rho=0")
bash bench/peers_setup.sh >/dev/null
PY=out/peers-venv/bin/python
[ -f out/host/build.ninja ] || cmake -S . -B out/host -G Ninja >/dev/null
ninja -C out/host >/dev/null
res=bench/results/peers_quality_$iters.json
runs=out/bench/peers-quality/runs-$iters-$seed.jsonl
mkdir -p out/bench/peers-quality
: >"$runs"
for m in "$@"; do
  [ -n "${MODEL[$m]:-}" ] || { echo "peers_quality.sh: unknown method '$m' (known: ${!MODEL[*]})" >&2; exit 2; }
  b=out/bench/${MODEL[$m]}
  out/host/ebmforge build "models/${MODEL[$m]}.lua" -o "$b" >/dev/null && ninja -C "$b" train-cpu >/dev/null
  T=$b/$m/train-cpu
  o=out/bench/peers-quality/$m-$iters-$seed
  rm -rf "$o" && mkdir -p "$o/ours" "$o/jax"
  # shellcheck disable=SC2086
  $T train --iters "$iters" --seed "$seed" --out "$o/ours" --log-every 1000 ${SPEC_SETS[$m]:-} >/dev/null 2>&1
  $T energy --ckpt "$o/ours/ckpt.safetensors" --grid 256 -o "$o/ours/energy_grid.npy" >/dev/null
  $T sample --ckpt "$o/ours/ckpt.safetensors" -n 2000 -o "$o/ours/samples.npy" >/dev/null
  XLA_FLAGS=--xla_cpu_multi_thread_eigen=false "$PY" bench/jax_toy.py --method "$m" --iters "$iters" --warmup 0 \
    --seed "$seed" --out "$o/jax" >"$o/jax/run.json"
  echo "{\"method\": \"$m\", \"seed\": $seed, \"ours\": $($T eval --from "$o/ours"), \"jax\": $($T eval --from "$o/jax"), \"jax_run\": $(cat "$o/jax/run.json")}" >>"$runs"
  echo "peers_quality: $m done" >&2
done
"$PY" - "$runs" "$res" "$iters" "$(git rev-parse --short HEAD)" <<'PYEOF'
import json, os, sys
runs_path, res, iters, commit = sys.argv[1:]
new = [json.loads(l) for l in open(runs_path)]
old = json.load(open(res))["runs"] if os.path.exists(res) else []
key = lambda r: (r["method"], r["seed"])
keep = {key(r) for r in new}
runs = sorted([r for r in old if key(r) not in keep] + new, key=key)
json.dump({"iters": int(iters), "data": "25gaussians", "commit": commit, "scorer": "train-cpu eval --from DIR", "runs": runs},
          open(res, "w"), indent=1)
for r in runs:
    print("%-13s seed %d  grid NLL ours %.3f  jax %.3f" % (r["method"], r["seed"], r["ours"]["test_nll_grid"], r["jax"]["test_nll_grid"]))
PYEOF

#!/usr/bin/env bash
# The overview PNGs of issue 5 ("density and samples for every method as a
# grid of panels"), from scratch: for each data set named, trains every toy
# method at seed 1 by bench/toy_stability.sh (which records and scores each
# run) at the budgets below, then draws out/figures/overview_<data>.png and
# overview_<data>_log.png from those runs (bench/stability_verdict.py overview;
# the figures are not committed: this command regenerates them).
# usage: bash bench/toy_overview.sh DATA...      (about 30 min a data set, 1 core)
# Budgets: the papers' 150k for the gradient-penalty methods (ebm-0gp is also
# kept at 20k, its panel where the 150k run stops on Inf), 20k for ebm-lb and
# DDAEBM, 4k for the diffusion-bound methods (each step runs the T=4 chain
# and its bound; 4k already fits every set, see bench/results/toy_stability.md).
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { sed -n 2,11p "$0" >&2; exit 2; }
for data in "$@"; do
  while read -r method stages; do
    bash bench/toy_stability.sh "$method" "$stages" 1 "$data" || exit 1
  done <<'BUDGETS'
ebm-0gp 20000 150000
ebm-lb 20000
bb-sv-gp 150000
bb-mi-gp 150000
bb-sv-diff 4000
bb-mi-diff 4000
ddaebm 20000
BUDGETS
  /usr/bin/python3 bench/stability_verdict.py overview bench/results "$data" || exit 1
done

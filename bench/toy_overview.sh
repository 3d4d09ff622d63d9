#!/usr/bin/env bash
# The overview PNGs of issue 5 ("density and samples for every method as a
# grid of panels"), as a study (`ebmforge study`, docs/studies.md): every toy
# method at seed 1 on the data sets named, at the budgets below; the study's
# report draws out/bench/overview/overview_<data>.png and _log.png, copied to
# out/figures/ (figures are regenerated, not committed).
# usage: bash bench/toy_overview.sh DATA...      (about 30 min a data set, 1 core)
# Budgets: the papers' 150k for the gradient-penalty methods, 20k for ebm-lb,
# DDAEBM and the MLE methods, 4k for the diffusion-bound methods (each step
# runs the T=4 chain and its bound; 4k already fits every set).
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { sed -n 2,10p "$0" >&2; exit 2; }
data=""
for d in "$@"; do data="$data\"$d\", "; done
mkdir -p out/bench/overview
m=$PWD/models
cat >out/bench/overview/overview.lua <<STUDY
study {
  name = "toy_overview",
  models = {
    { file = "$m/toy_ebm0gp.lua", budgets = { 20000, 150000 } },
    { file = "$m/toy_ebm_lb.lua", budgets = { 20000 } },
    { file = "$m/toy_bb.lua", budgets = { 150000 } },
    { file = "$m/toy_bb_mi.lua", budgets = { 150000 } },
    { file = "$m/toy_bb_sv_diff.lua", budgets = { 4000 } },
    { file = "$m/toy_bb_mi_diff.lua", budgets = { 4000 } },
    { file = "$m/toy_ddaebm.lua", budgets = { 20000 } },
    { file = "$m/toy_mle.lua", budgets = { 20000 } },
    { file = "$m/toy_mle_gd.lua", budgets = { 20000 } },
  },
  data = { ${data%, } },
  seeds = { 1 },
  budgets = { 20000 },
}
STUDY
out/host/ebmforge study out/bench/overview/overview.lua --out out/bench/overview -j "${J:-$(nproc)}" || exit 1
mkdir -p out/figures
for d in "$@"; do cp out/bench/overview/overview_"$d".png out/bench/overview/overview_"$d"_log.png out/figures/; done

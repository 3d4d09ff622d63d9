#!/usr/bin/env bash
# Stability of one toy method across data sets and seeds, now a study
# (`ebmforge study`, docs/studies.md): this writes the study file and runs it.
# usage: bash bench/toy_stability.sh METHOD "ITERS..." "SEEDS" DATA...
#   METHOD: mle-langevin mle-gd bb-sv-gp bb-mi-gp bb-sv-diff bb-mi-diff ebm-0gp ebm-lb ddaebm
#   e.g.  bash bench/toy_stability.sh ebm-0gp "20000 40000" "1 2 3 4 5" 25gaussians moons
# Ascending ITERS are the budgets of one run, trained in resumed stages and
# scored at each. Every call shares the study directory out/bench/stability/
# (J=N runs N at a time, default the number of cores): runs and stages finished
# before are kept, so the table (out/bench/stability/report.md, .csv, .json,
# rewritten at the end) grows with each call.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 4 ] || { sed -n 2,12p "$0" >&2; exit 2; }
method=$1 stages=$2 seeds=$3
shift 3
case $method in
  mle-langevin) model=toy_mle ;;
  mle-gd) model=toy_mle_gd ;;
  bb-sv-gp) model=toy_bb ;;
  bb-mi-gp) model=toy_bb_mi ;;
  bb-sv-diff) model=toy_bb_sv_diff ;;
  bb-mi-diff) model=toy_bb_mi_diff ;;
  ebm-0gp) model=toy_ebm0gp ;;
  ebm-lb) model=toy_ebm_lb ;;
  ddaebm) model=toy_ddaebm ;;
  *) echo "unknown method $method" >&2; exit 2 ;;
esac
list() { local s=""; for x in "$@"; do s="$s$x, "; done; echo "${s%, }"; }
quoted() { local s=""; for x in "$@"; do s="$s\"$x\", "; done; echo "${s%, }"; }
mkdir -p out/bench/stability
f=out/bench/stability/$method.lua
# shellcheck disable=SC2086
cat >"$f" <<STUDY
study {
  name = "toy_stability",
  models = { "$PWD/models/$model.lua" },
  data = { $(quoted "$@") },
  seeds = { $(list $seeds) },
  budgets = { $(list $stages) },
}
STUDY
exec out/host/ebmforge study "$f" --out out/bench/stability -j "${J:-$(nproc)}"

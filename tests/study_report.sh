#!/usr/bin/env bash
# `ebmforge report DIR` against arithmetic: a study directory made by hand
# (three seeds of one cell with known eval values, a fourth that diverged, a
# second method with a parameter grid) must give the verdict counts, the means
# and the sample standard deviations computed here, in report.csv, report.json
# and report.md; the mode-weight columns; a loss-curve figure per data set x
# method x parameters from the seeds' log.jsonl.
# usage: bash tests/study_report.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: study_report.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

D=$TMP/study
stage() {   # DIR SEED ITERS VERDICT [KL MMD]: a finished stage
  mkdir -p "$1/seed$2"
  echo "{\"iters\": $3, \"verdict\": \"$4\", \"seed\": $2, \"trainer_exit\": 0}" >"$1/seed$2/verdict_$3.json"
  [ $# -gt 4 ] && echo "{\"kl\": $5, \"mmd2\": $6, \"grid_flagged\": true, \"bounds\": [1, 2], \"note\": \"x\"}" >"$1/seed$2/eval_$3.json"
  return 0
}
stage "$D/moons/alpha" 1 100 ok 1 0.5
stage "$D/moons/alpha" 2 100 collapsed 2 0.25
stage "$D/moons/alpha" 3 100 unfit 4 0.75
stage "$D/moons/alpha" 4 100 diverged
stage "$D/moons/alpha" 1 200 ok 0.5 0.1
stage "$D/moons/beta/lr=0.1,w=2" 7 100 ok 3 1e-3
echo '{"kl": 3, "mode_tv_density": 0.25, "mode_tv_samples": 0.125, "modes": [{"weight": 0.5, "density": 0.1, "samples": 0.2}]}' \
  >"$D/moons/beta/lr=0.1,w=2/seed7/eval_100.json"
for s in 1 2; do printf '{"iter": 0, "event": "start"}\n{"iter": 50, "loss": %s, "wall": 1}\n{"iter": 100, "loss": 2}\n' $s \
  >"$D/moons/alpha/seed$s/log.jsonl"; done
printf '{"iter": 50, "loss_e": 1}\n{"iter": 100, "loss_e": 3}\n' >"$D/moons/beta/lr=0.1,w=2/seed7/log.jsonl"
stage "$D/moons/gamma" 1 100 ok 1 0.5

"$BIN" report "$D" >"$TMP/out.txt" 2>&1 || { fail "report: $(cat "$TMP/out.txt")"; finish; }
pass "report ran"
row() { grep "^moons,$1,$2,$3," "$D/report.csv"; }
col() { head -n 1 "$D/report.csv" | tr ',' '\n' | grep -n "^$1\$" | cut -d: -f1; }
val() { local c; c=$(col "$2"); [ -z "$c" ] || echo "$1" | cut -d, -f"$c"; }
r=$(row alpha "" 100)
# kl over the seeds that did not diverge: 1, 2, 4 -> mean 7/3, sd sqrt(((1-7/3)^2+(2-7/3)^2+(4-7/3)^2)/2) = sqrt(7/3)
want=$(awk 'BEGIN { m = 7/3; printf "%.6f %.6f", m, sqrt(((1-m)^2 + (2-m)^2 + (4-m)^2) / 2) }')
got=$(awk -v a="$(val "$r" kl_mean)" -v b="$(val "$r" kl_sd)" 'BEGIN { printf "%.6f %.6f", a, b }')
[ "$got" = "$want" ] && pass "kl mean and sd over 3 seeds: $got" || fail "kl mean sd: got $got, want $want ($r)"
[ "$(val "$r" kl_n)" = 3 ] && pass "kl over 3 seeds (the diverged one has none)" || fail "kl_n: $(val "$r" kl_n)"
got=$(awk -v a="$(val "$r" mmd2_mean)" -v b="$(val "$r" mmd2_sd)" 'BEGIN { printf "%.6f %.6f", a, b }')
[ "$got" = "0.500000 0.250000" ] && pass "mmd2 mean and sd: $got" || fail "mmd2: $got"
counts="$(val "$r" seeds) $(val "$r" ok) $(val "$r" diverged) $(val "$r" collapsed) $(val "$r" unfit)"
[ "$counts" = "4 1 1 1 1" ] && pass "verdict counts: $counts" || fail "verdict counts: $counts"
[ "$(val "$r" grid_flagged_mean)" = "" ] && pass "booleans, strings and arrays are not metrics" || fail "grid_flagged counted"
r=$(row alpha "" 200)
[ "$(val "$r" kl_mean),$(val "$r" kl_sd)" = "0.5,0" ] && pass "one seed: sd 0" || fail "one seed: $r"
r=$(grep '^moons,beta,"lr=0.1,w=2",100,' "$D/report.csv")
[ -n "$r" ] && pass "a grid cell, its params quoted in the CSV" || fail "grid cell missing: $(cat "$D/report.csv")"
grep -q '"params": "lr=0.1,w=2", "iters": 100, "seeds": \[7\], "verdicts": {"ok": 1' "$D/report.json" && pass "report.json cell" ||
  fail "report.json: $(cat "$D/report.json")"
grep -q '"unfit_nll": 4.1588830' "$D/report.json" && pass "report.json thresholds" || fail "no thresholds in report.json"
grep -q '^| alpha | - | 100 | 4 | 1 | 1 | 1 | 1 | - | 2.333 ± 1.5 | 0.5 ± 0.25 | - | - | - |$' "$D/report.md" && pass "report.md row" ||
  fail "report.md: $(grep alpha "$D/report.md")"
grep -q '^| beta | lr=0.1,w=2 | 100 | 1 | 1 | 0 | 0 | 0 | - | 3 ± 0 | - | - | 0.25 ± 0 | 0.125 ± 0 |$' "$D/report.md" &&
  pass "report.md: the mode-weight columns (the nested per-mode array is not a metric)" || fail "report.md: $(grep beta "$D/report.md")"
png() { [ "$(head -c 4 "$1" 2>/dev/null | tail -c 3)" = PNG ]; }
png "$D/loss_moons_alpha.png" && png "$D/loss_moons_beta_lr-0.1_w-2.png" &&
  pass "loss curves: one PNG per method and parameters" || fail "loss curves: $(ls "$D"; cat "$TMP/out.txt")"
grep -q 'loss_moons_beta_lr-0.1_w-2.png' "$D/report.md" && pass "report.md lists the loss curves" || fail "report.md: no loss curves listed"
[ ! -e "$D/loss_moons_gamma.png" ] && pass "no figure without a log" || fail "a figure without a log"
finish

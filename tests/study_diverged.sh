#!/usr/bin/env bash
# A run that stops on NaN/Inf is judged diverged at that stage and every
# later one, without training again. The model (tests/support/rollback.lua): one
# parameter w moving by -1 a step and a logged sqrt(3.5 + w), NaN at iteration
# 5: the trainer exits 3 there. Budgets 3, 10, 20: stage 3 trains (but has no
# sampler to score: diverged, "eval failed"); stage 10 stops at iteration 5
# (trainer_exit 3, the trainer's message as the reason); stage 20 is diverged
# without a trainer run. Started again, the study changes nothing.
# usage: bash tests/study_diverged.sh /abs/path/to/ebmforge   (from the repository root)
set -u
BIN=${1:?usage: study_diverged.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

cp tests/support/rollback.lua "$TMP/nan.lua"
cat >"$TMP/s.lua" <<EOF
study { models = { "nan.lua" }, data = { "moons" }, seeds = { 1 }, budgets = { 3, 10, 20 }, ckpt_every = 2, log_every = 1 }
EOF
"$BIN" study "$TMP/s.lua" -j 1 --out "$TMP/o" --build-dir "$TMP/build" >"$TMP/1.txt" 2>&1
rc=$?
R=$TMP/o/moons/custom/seed1
[ $rc -eq 0 ] && pass "the study finishes (exit 0: a diverged run is a result)" || fail "exit $rc: $(tail -n 5 "$TMP/1.txt")"
grep -q '"verdict": "diverged".*"trainer_exit": 0, "reason": "eval failed"' "$R/verdict_3.json" && pass "stage 3: diverged, eval failed" ||
  fail "stage 3: $(cat "$R/verdict_3.json")"
grep -q '"verdict": "diverged".*"trainer_exit": 3, "reason": "[^"]*iteration 5, phase energy: headroom is NaN' "$R/verdict_10.json" &&
  pass "stage 10: stopped at iteration 5 on NaN (exit 3)" || fail "stage 10: $(cat "$R/verdict_10.json")"
grep -q '"verdict": "diverged".*"trainer_exit": 3' "$R/verdict_20.json" && pass "stage 20: diverged with it" || fail "stage 20: $(cat "$R/verdict_20.json")"
[ "$(grep -c 'headroom is NaN' "$R/train.txt")" -eq 1 ] && pass "trained to the NaN once" || fail "train.txt: $(cat "$R/train.txt")"
grep -q '| custom | - | 20 | 1 | 0 | 1 | 0 | 0 |' "$TMP/o/report.md" && pass "report: 1 diverged at 20" || fail "report.md: $(cat "$TMP/o/report.md")"
sums=$(md5sum "$R"/verdict_*.json)
"$BIN" study "$TMP/s.lua" -j 1 --out "$TMP/o" --build-dir "$TMP/build" >"$TMP/2.txt" 2>&1
[ "$(md5sum "$R"/verdict_*.json)" = "$sums" ] && [ "$(grep -c 'headroom is NaN' "$R/train.txt")" -eq 1 ] &&
  pass "started again: nothing trained, same verdicts" || fail "the second start changed something"
finish

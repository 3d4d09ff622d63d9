#!/usr/bin/env bash
# `ebmforge study` end to end (docs/studies.md), on a small variant of
# studies/quick.lua (two methods, one data set, two seeds, two budgets: the
# suite runs on a loaded 2-core machine; STUDY_QUICK_FULL=1 runs
# studies/quick.lua itself). A study runs uninterrupted (A); a second copy (B)
# is killed with SIGKILL twice, once while its first stages train and once
# after some stages have finished, and started again each time: B must end
# with every stage's eval JSON, verdict, samples, energy grid and checkpoint
# identical (cmp) to A's, and a killed study must leave no trainer running.
# Also: bad study files exit 2 with path:line; a parameter grid runs as
# `train --set` where the trainer takes it (else that part is skipped).
# usage: bash tests/study_quick.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: study_quick.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

if [ "${STUDY_QUICK_FULL:-0}" = 1 ]; then
  STUDY=$ROOT/studies/quick.lua
else
  STUDY=$TMP/small.lua
  cat >"$STUDY" <<EOF
study {
  name = "small",
  models = { "$ROOT/models/toy_mle.lua", "$ROOT/models/toy_ebm_lb.lua" },
  data = { "moons" },
  seeds = { 1, 2 },
  budgets = { 60, 120 },
  ckpt_every = 20,
  log_every = 20,
  samples = 500,
}
EOF
fi

# --- bad study files: path:line, exit 2, nothing written
bad_study() {   # LABEL LINE BODY: BODY is the study file; LINE, that of its study{ call (where Lua places the error)
  local f=$TMP/bad_$1.lua
  printf '%s\n' "$3" >"$f"
  "$BIN" study "$f" --out "$TMP/bad_out" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$? first
  first=$(head -n 1 "$TMP/stderr")
  if [ "$rc" -ne 2 ]; then fail "bad study $1: exit $rc, expected 2 ($first)"
  elif [ "${first#"$f:$2:"}" = "$first" ]; then fail "bad study $1: '$first' does not start with $f:$2:"
  elif [ -e "$TMP/bad_out" ]; then fail "bad study $1: wrote $TMP/bad_out"
  else pass "bad study $1: $first"; fi
}
M=$ROOT/models/toy_mle.lua
bad_study unknown_field 1 "study { models = {\"$M\"}, data = {\"moons\"}, seeds = {1},
  budgets = {10}, sedes = {1} }"
bad_study budgets_order 1 "study { models = {\"$M\"}, data = {\"moons\"}, seeds = {1}, budgets = {20, 10} }"
bad_study unknown_data 1 "study { models = {\"$M\"}, data = {\"moon\"}, seeds = {1}, budgets = {10} }"
bad_study no_study 1 "x = 1"
"$BIN" study --help | grep -q -- "--out DIR" && pass "study --help" || fail "study --help"
"$BIN" report --help | grep -q "report.csv" && pass "report --help" || fail "report --help"

# --- A: uninterrupted (also builds the trainers, shared with B)
T0=$(date +%s)
"$BIN" study "$STUDY" -j 2 --out "$TMP/a" --build-dir "$TMP/build" >"$TMP/a.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "study A finished in $(( $(date +%s) - T0 )) s" || { fail "study A: exit $rc: $(tail -n 5 "$TMP/a.txt")"; finish; }
n_eval=$(find "$TMP/a" -name 'eval_*.json' | wc -l)
[ "$n_eval" -gt 0 ] && pass "A scored $n_eval stages" || fail "A wrote no eval JSON"
for f in report.md report.csv report.json; do [ -s "$TMP/a/$f" ] && pass "A wrote $f" || fail "A has no $f"; done
ls "$TMP"/a/overview_*.png >/dev/null 2>&1 && pass "A drew overviews" || fail "A drew no overview"

# the verdicts follow from the numbers beside them (docs/studies.md: thresholds)
field() { sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p" "$2"; }
bad_verdicts=0
for v in $(find "$TMP/a" -name 'verdict_*.json'); do
  want=$(awk -v x="$(field trainer_exit "$v")" -v r="$(field var_ratio "$v")" -v m="$(field modes_covered "$v")" \
             -v n="$(field n_modes "$v")" -v nll="$(field test_nll_grid "$v")" 'BEGIN {
    if (x != 0 || r == "null") print "\"diverged\"";
    else if (r < 0.25 || (n != "null" && m < n / 2)) print "\"collapsed\"";
    else if (nll == "null" || nll > log(64)) print "\"unfit\""; else print "\"ok\"" }')
  [ "$want" = "$(field verdict "$v")" ] || { bad_verdicts=$((bad_verdicts + 1)); echo "verdict of $v: want $want"; cat "$v"; }
done
[ $bad_verdicts -eq 0 ] && pass "every verdict follows from its thresholds" || fail "$bad_verdicts verdicts disagree with their numbers"

# --- B: killed (SIGKILL) twice, restarted each time
kill_when() {   # PATTERN: start B, SIGKILL it when a file matching PATTERN exists under $TMP/b
  "$BIN" study "$STUDY" -j 2 --out "$TMP/b" --build-dir "$TMP/build" >>"$TMP/b.txt" 2>&1 &
  local pid=$! waited=0
  while [ $waited -lt 600 ] && kill -0 $pid 2>/dev/null && [ -z "$(find "$TMP/b" -name "$1" 2>/dev/null | head -n 1)" ]; do
    sleep 0.2; waited=$((waited + 1))
  done
  if kill -0 $pid 2>/dev/null; then
    kill -9 $pid; wait $pid 2>/dev/null
    sleep 0.5
    # the study's workers and trainers die with it (PR_SET_PDEATHSIG)
    if pgrep -f -- "$TMP/b/" >/dev/null; then fail "processes of the killed study B still run"; else pass "SIGKILL at '$1' left no process"; fi
  else
    wait $pid; fail "study B ended before it was killed ($1)"
  fi
}
kill_when 'ckpt.safetensors'
kill_when 'verdict_*.json'
"$BIN" study "$STUDY" -j 2 --out "$TMP/b" --build-dir "$TMP/build" >>"$TMP/b.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "study B, restarted, finished" || fail "study B restarted: exit $rc: $(tail -n 5 "$TMP/b.txt")"

# --- every stage's files identical
same=0 diff=0
while read -r f; do
  rel=${f#"$TMP/a/"}
  if cmp -s "$f" "$TMP/b/$rel"; then same=$((same + 1)); else diff=$((diff + 1)); echo "differs or missing: $rel"; fi
done < <(find "$TMP/a" \( -name 'eval_*.json' -o -name 'verdict_*.json' -o -name 'samples_*.npy' -o -name 'energy_grid_*.npy' \
                          -o -name 'stage_*.safetensors' \) | sort)
nb=$(find "$TMP/b" -name 'eval_*.json' | wc -l)
if [ $diff -eq 0 ] && [ $same -gt 0 ] && [ "$nb" -eq "$n_eval" ]; then pass "killed and restarted study: $same files identical to the uninterrupted one's"
else fail "killed and restarted study: $diff files differ, $same identical, $nb of $n_eval eval JSON"; fi
cmp -s "$TMP/a/report.csv" "$TMP/b/report.csv" && pass "same report.csv" || fail "report.csv differs"

# --- a parameter grid: one run directory per value, all of one trainer
cat >"$TMP/grid.lua" <<EOF
study { models = { "$M" }, data = { "moons" }, seeds = { 1, 2 }, budgets = { 10 }, samples = 200,
  params = { lr = { 0.001, 0.002 } } }
EOF
"$BIN" study "$TMP/grid.lua" --list --out "$TMP/g" --build-dir "$TMP/build" >"$TMP/list.txt" 2>/dev/null
if [ "$(grep -c "^$TMP/g/moons/mle-langevin/lr=0.00[12]/seed[12] $TMP/build/toy_mle/mle-langevin/train-cpu 10\$" "$TMP/list.txt")" -eq 4 ] &&
   [ "$(wc -l <"$TMP/list.txt")" -eq 4 ] && [ ! -e "$TMP/g" ]; then pass "--list: 2 values x 2 seeds, one trainer, nothing written"
else fail "--list of the grid: $(cat "$TMP/list.txt")"; fi
if "$TMP/build/toy_mle/mle-langevin/train-cpu" train --help 2>&1 | grep -q -- '--set'; then
  "$BIN" study "$TMP/grid.lua" -j 2 --out "$TMP/g" --build-dir "$TMP/build" >"$TMP/g.txt" 2>&1
  n=$(find "$TMP/g" -name 'verdict_10.json' | wc -l)
  [ "$n" -eq 4 ] && pass "grid lr = {0.001, 0.002} x 2 seeds: 4 runs" || fail "grid: $n runs: $(tail -n 3 "$TMP/g.txt")"
else
  echo "SKIP running the parameter grid: this trainer takes no train --set (run-time parameters not merged)"
  "$BIN" study "$TMP/grid.lua" --out "$TMP/g" --build-dir "$TMP/build" >"$TMP/g.txt" 2>&1
  rc=$?
  if [ $rc -eq 2 ] && grep -q -- "--set" "$TMP/g.txt"; then pass "a grid without train --set is refused (exit 2)"
  else fail "a grid without train --set: exit $rc: $(tail -n 2 "$TMP/g.txt")"; fi
fi
finish

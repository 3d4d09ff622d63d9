#!/usr/bin/env bash
# The command line: --help of ebmforge and of each subcommand exits 0 with a
# `usage:` line; missing or unknown commands and bad options exit 2, and a
# rejected `run` creates no output directory.
# usage: bash tests/cli_help.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: cli_help.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

MODEL=models/toy_mle.lua

# expect_help LABEL ARGS...: exit 0 and a stdout line starting with "usage:"
expect_help() {
  local label=$1
  shift
  "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    fail "$label: exit code $rc, expected 0"
  elif ! grep -q '^usage:' "$TMP/stdout"; then
    fail "$label: no line starting with 'usage:' on stdout"
  else
    pass "$label"
  fi
}

# expect_usage_error LABEL ARGS...: exit 2 with a message on stderr
expect_usage_error() {
  local label=$1
  shift
  "$BIN" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$?
  if [ "$rc" -ne 2 ]; then
    fail "$label: exit code $rc, expected 2"
  elif [ ! -s "$TMP/stderr" ]; then
    fail "$label: nothing on stderr"
  else
    pass "$label"
  fi
}

# expect_run_rejected LABEL ARGS...: `run` exits 2 and creates no $TMP/out
expect_run_rejected() {
  local label=$1
  shift
  rm -rf "$TMP/out"
  expect_usage_error "$label" run "$@"
  if [ -e "$TMP/out" ]; then
    fail "$label: created the output directory"
    rm -rf "$TMP/out"
  else
    pass "$label: no output directory"
  fi
}

expect_help "ebmforge --help" --help
expect_help "ebmforge -h" -h
for cmd in run ir check pack overview plot doc study report; do
  expect_help "ebmforge $cmd --help" "$cmd" --help
done

expect_usage_error "ebmforge (no arguments)" 
expect_usage_error "ebmforge frobnicate (unknown command)" frobnicate
expect_usage_error "ebmforge check (no model)" check
expect_usage_error "ebmforge pack (no directory)" pack
expect_usage_error "ebmforge pack (a directory without trainers)" pack "$TMP"
expect_usage_error "ebmforge overview (no runs)" overview -o "$TMP/o.png"
expect_usage_error "ebmforge overview --bogus" overview --bogus "$TMP"
expect_usage_error "ebmforge plot (no run)" plot
expect_usage_error "ebmforge plot (nothing to draw)" plot "$TMP"
expect_usage_error "ebmforge plot --format jpg" plot "$TMP" --format jpg
expect_usage_error "ebmforge doc --bogus" doc --bogus
expect_usage_error "ebmforge build --mpi-ranks 1" build "$MODEL" --mpi-ranks 1 -o "$TMP/never"
expect_usage_error "ebmforge ir --bogus" ir "$MODEL" --bogus
expect_usage_error "ebmforge study (no file)" study
expect_usage_error "ebmforge study -j 0" study studies/quick.lua -j 0
expect_usage_error "ebmforge study --bogus" study studies/quick.lua --bogus
expect_usage_error "ebmforge study (missing file)" study "$TMP/no_such_study.lua"
expect_usage_error "ebmforge report (no directory)" report
expect_usage_error "ebmforge report (not a directory)" report "$TMP/none"

expect_run_rejected "run --iters x" "$MODEL" --iters x --out "$TMP/out"
expect_run_rejected "run --iters 0" "$MODEL" --iters 0 --out "$TMP/out"
expect_run_rejected "run --seed -1" "$MODEL" --seed -1 --out "$TMP/out"
expect_run_rejected "run --log-every 2.5" "$MODEL" --log-every 2.5 --out "$TMP/out"
expect_run_rejected "run --bogus" "$MODEL" --bogus --out "$TMP/out"
expect_run_rejected "run --iters (no value)" "$MODEL" --out "$TMP/out" --iters
expect_run_rejected "run (two model files)" "$MODEL" "$MODEL" --out "$TMP/out"

# a model file that does not exist: an error naming it (exit 1 or 2), no output
rm -rf "$TMP/out"
"$BIN" run "$TMP/no_such_model.lua" --out "$TMP/out" >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
if [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
  fail "run (missing model file): exit code $rc, expected 1 or 2"
elif ! grep -qF "no_such_model.lua" "$TMP/stderr"; then
  fail "run (missing model file): the error does not name the file"
elif [ -e "$TMP/out" ]; then
  fail "run (missing model file): created the output directory"
else
  pass "run (missing model file)"
fi

# every docs/ file a --help text cites exists
for cmd in "" run ir build check pack overview plot doc; do
  "$BIN" $cmd --help 2>/dev/null
done | grep -o 'docs/[A-Za-z0-9_./-]*\.md' | sort -u >"$TMP/cited"
[ -s "$TMP/cited" ] || fail "no --help text cites a docs/ file"
while read -r f; do
  if [ -f "$f" ]; then pass "--help cites $f, which exists"; else fail "--help cites $f, which does not exist"; fi
done <"$TMP/cited"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# The trainers' command line (runtime/cli.c): every command's --help
# comes from its option table, and every option that help lists is one the
# parser takes; bad arguments exit 2 with a message naming the argument (the
# nearest option for a typo, the valid values for a bad number) and write
# nothing.
# usage: bash tests/trainer_cli.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: trainer_cli.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish
. tests/support/cli_checks.sh # check_help, expect_bad (of $CLI_BIN)
command -v ninja >/dev/null || { echo "SKIP: ninja not installed"; exit 77; }

"$BIN" build models/toy_mle.lua -o "$TMP/b" --no-cuda >"$TMP/build.txt" 2>&1 &&
  ninja -C "$TMP/b" train-cpu >>"$TMP/build.txt" 2>&1 || { fail "building toy_mle: $(tail -n 5 "$TMP/build.txt")"; finish; }
T=$TMP/b/mle-langevin/train-cpu

# --help of each command, and each option it lists: given without its value,
# the parser knows it ("needs a value"), so help and parsing agree
CLI_BIN=$T
for cmd in train sample energy eval fd info; do
  check_help train-cpu "$cmd"
  [ -s "$TMP/valued.txt" ] || [ "$cmd" = info ] || fail "$cmd --help lists no option with a value"
done
pass "every option with a value that a --help lists is parsed"
"$T" train --help | grep -qF -- '[--set NAME=VALUE]...' && pass "train --help: --set is repeatable" ||
  fail "train --help does not say --set repeats"
"$T" train --help | grep -q '^  lr ' && pass "train --help ends with the run-time parameters" ||
  fail "train --help lacks the parameter table"

N="$TMP/never"
expect_bad "a typo" "unknown option '--iter'; did you mean --iters?" train --iter 5 --out "$N"
expect_bad "an unknown option" "unknown option '--bogus'" train --out "$N" --bogus
expect_bad "a stray word" "unexpected argument 'stray'" train --out "$N" stray
expect_bad "a missing value" "--iters needs a value: --iters N" train --out "$N" --iters
expect_bad "not a number" "--iters needs a non-negative integer, not 'x'" train --out "$N" --iters x
expect_bad "a fraction for an integer" "--log-every needs a positive integer, not '2.5'" train --out "$N" --log-every 2.5
expect_bad "a negative seed" "--seed needs a non-negative integer, not '-1'" train --out "$N" --seed -1
expect_bad "an integer past the long range" "--iters needs a non-negative integer" train --out "$N" --iters 99999999999999999999
expect_bad "a factor at the open end" "--nan-lr-factor needs a number in (0, 1), not '1'" train --out "$N" --nan-lr-factor 1
expect_bad "a NaN factor" "--nan-lr-factor needs a number in (0, 1), not 'nan'" train --out "$N" --nan-lr-factor nan
expect_bad "an unknown parameter" "did you mean 'lr'" train --out "$N" --set lrr=1
expect_bad "a grid too fine" "--grid needs an integer in 2..4096, not '4097'" energy --ckpt "$N/c" --grid 4097 -o "$N/e.npy"
expect_bad "a zero range" "--range needs a positive number, not '0'" energy --ckpt "$N/c" --grid 8 --range 0 -o "$N/e.npy"
expect_bad "a required option" "--ckpt CKPT is required" sample -o "$N/s.npy"
expect_bad "fd -n 1" "-n needs an integer >= 2, not '1'" fd --ckpt "$N/c" --samples "$N/s.npy" -n 1
expect_bad "info takes no options" "unknown option '--out'" info --out "$N"
expect_bad "an unknown command" "unknown command 'trian'" trian --out "$N"

# -h anywhere wins over a bad argument; the last of a repeated option counts
"$T" train --bogus -h >/dev/null 2>&1 && pass "-h after a bad option prints help (exit 0)" || fail "-h after a bad option"
"$T" train --iters 9 --iters 2 --log-every 1 --out "$TMP/twice" >/dev/null 2>&1 &&
  [ "$(grep -vc '"event"' "$TMP/twice/log.jsonl")" = 2 ] && pass "--iters 9 --iters 2 trains 2 steps" ||
  fail "a repeated --iters: $(tail -n 2 "$TMP/twice/log.jsonl" 2>&1)"
finish

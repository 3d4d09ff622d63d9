#!/usr/bin/env bash
# ebmforge's command line (runtime/cli.c, the trainers' parser): every
# command's --help comes from its option table and lists the options the
# command has always taken; every option with a value that help lists is one
# the parser takes; an unknown option and an out-of-range number exit 2 with
# a message naming them, and write nothing.
# usage: bash tests/host_cli.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: host_cli.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
. tests/support/report.sh     # $TMP (removed on exit), pass, fail, finish
. tests/support/cli_checks.sh # check_help, expect_bad (of $CLI_BIN)
CLI_BIN=$BIN

# the options each command takes (scripts, tests and docs call them): none may disappear
declare -A OPTS=(
  [run]="--iters --seed --out --data --log-every --f64 --combo --set --config"
  [ir]="--program"
  [build]="-o --cflags --ldflags --cc --mpi-ranks --cuda-arch --no-cuda"
  [check]=""
  [pack]="-o"
  [doc]="-o --check"
  [plot]="--format -o --title --data --view"
  [overview]="-o --title --range --size --log --data --view"
  [study]="-j --out --build-dir --list"
  [report]=""
)

for cmd in "${!OPTS[@]}"; do
  check_help ebmforge "$cmd"
  sed -n '/^options:/,/^$/p' "$TMP/help.txt" | grep -E '^  -' | awk '{print $1}' >"$TMP/listed.txt"
  for opt in ${OPTS[$cmd]}; do
    grep -qxF -- "$opt" "$TMP/listed.txt" || fail "$cmd --help does not list $opt"
  done
  expect_bad "$cmd --bogus" "unknown option '--bogus'" "$cmd" --bogus
done

M=models/toy_mle.lua
N=$TMP/never
# every number has a range, said in the message
expect_bad "run --iters 0" "--iters needs an integer in 1..1000000000, not '0'" run "$M" --out "$N" --iters 0
expect_bad "run --seed -1" "--seed needs a non-negative integer, not '-1'" run "$M" --out "$N" --seed -1
expect_bad "run --log-every 2.5" "--log-every needs an integer in 1..1000000000, not '2.5'" run "$M" --out "$N" --log-every 2.5
expect_bad "build --mpi-ranks 1" "--mpi-ranks needs an integer in 2..4096, not '1'" build "$M" -o "$N" --mpi-ranks 1
expect_bad "build --mpi-ranks 4097" "--mpi-ranks needs an integer in 2..4096" build "$M" -o "$N" --mpi-ranks 4097
expect_bad "overview --size 99" "--size needs an integer in 100..2048, not '99'" overview -o "$N/o.png" "$N" --size 99
expect_bad "overview --range 0" "--range needs a positive number, not '0'" overview -o "$N/o.png" "$N" --range 0
expect_bad "overview --view inf" "--view needs a positive number, not 'inf'" overview -o "$N/o.png" "$N" --view inf
expect_bad "plot --view 0" "--view needs a positive number, not '0'" plot "$N" --view 0
expect_bad "study -j 0" "-j needs an integer in 1..1024, not '0'" study studies/quick.lua --out "$N" -j 0
expect_bad "study -j 1025" "-j needs an integer in 1..1024, not '1025'" study studies/quick.lua --out "$N" -j 1025
# values checked by the option's own parser
expect_bad "plot --format jpg" "--format needs png, pdf or svg, not 'jpg'" plot "$N" --format jpg
expect_bad "overview -o x.jpg" "-o needs a .png, .pdf or .svg file name, not '$N/o.jpg'" overview -o "$N/o.jpg" "$N"
expect_bad "build --cuda-arch 8a" "--cuda-arch needs architectures such as 80,90, not '8a'" build "$M" -o "$N" --cuda-arch 8a
# arguments: required, counted, and typos of options and commands
expect_bad "check (no model)" "check needs MODEL.lua" check
expect_bad "check (two models)" "unexpected argument '$M' after MODEL.lua" check "$M" "$M"
expect_bad "overview (no run)" "overview needs at least one [LABEL=]DIR" overview -o "$N/o.png"
expect_bad "overview (no -o)" "-o OUT is required" overview "$N"
expect_bad "a typo of an option" "unknown option '--iter'; did you mean --iters?" run "$M" --out "$N" --iter 5
expect_bad "a typo of a command" "unknown command 'chek'; did you mean check?" chek "$M"
expect_bad "doc: a model without --check" "unexpected argument '$M'" doc "$M"
expect_bad "doc --check without models" "--check needs MODEL.lua" doc --check
expect_bad "--version takes no options" "unknown option '--bogus'" --version --bogus

# -h anywhere wins over a bad argument
"$BIN" study --bogus -h >/dev/null 2>&1 && pass "-h after a bad option prints help (exit 0)" || fail "-h after a bad option"
# the program's help lists every command that has a --help of its own
"$BIN" --help >"$TMP/main.txt" || fail "ebmforge --help: exit $?"
for cmd in "${!OPTS[@]}"; do
  grep -qE "^  $cmd( |$)" "$TMP/main.txt" || fail "ebmforge --help does not list $cmd"
done
finish

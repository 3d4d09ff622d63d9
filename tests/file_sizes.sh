#!/usr/bin/env bash
# House rule: no source file in generator/ or runtime/ (recursively: .c, .h,
# .cu, .lua) is over 700 lines; a longer one is named with its length, to be
# split by job. The check first runs on a planted tree with a 701-line file
# (it must fail there and accept a 700-line one), then on this repository.
# usage: bash tests/file_sizes.sh [ebmforge]   (the binary is not used)
set -u

cd "$(dirname "$0")/.." || exit 1
. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish
LIMIT=700

# too_long ROOT: "path: N lines" for each file over the limit, path relative to ROOT
too_long() {
  (cd "$1" && find generator runtime -type f \( -name '*.c' -o -name '*.h' -o -name '*.cu' -o -name '*.lua' \) 2>/dev/null |
    sort | while read -r f; do
      n=$(wc -l <"$f")
      [ "$n" -gt "$LIMIT" ] && echo "$f: $n lines (the limit is $LIMIT)"
    done)
}

P=$TMP/planted
mkdir -p "$P/runtime/cuda" "$P/generator/lua"
seq 1 $((LIMIT + 1)) >"$P/runtime/cuda/long.cu"
seq 1 $LIMIT >"$P/generator/lua/at_limit.lua"
seq 1 $((LIMIT * 2)) >"$P/generator/notes.txt"   # not a source file
too_long "$P" >"$TMP/planted.txt"
if [ "$(cat "$TMP/planted.txt")" = "runtime/cuda/long.cu: $((LIMIT + 1)) lines (the limit is $LIMIT)" ]; then
  pass "planted: the $((LIMIT + 1))-line file is named, the $LIMIT-line one and a .txt are not"
else
  fail "planted: expected runtime/cuda/long.cu alone, got: $(cat "$TMP/planted.txt")"
fi

too_long . >"$TMP/real.txt"
if [ -s "$TMP/real.txt" ]; then
  while read -r line; do fail "$line"; done <"$TMP/real.txt"
else
  pass "every .c, .h, .cu and .lua file of generator/ and runtime/ has at most $LIMIT lines"
fi
finish

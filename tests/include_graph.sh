#!/usr/bin/env bash
# The include structure of generator/ and runtime/ stays one-way:
#  - no include cycle: no two of the project's modules (X.c with X.h and a
#    private X_priv.h, or a lone header) include each other, directly or
#    through other headers (a header cycle is one such);
#  - runtime/ never includes generator/, and the runtime's layers include only
#    downward: runtime/ <- runtime/dist/ <- runtime/trainer/, runtime/cuda/;
#  - every include resolves with the include paths the build uses.
# Each file is preprocessed with `cc -MM -MG` and those paths; the closure of
# its includes gives the module graph, whose cycles `tsort` reports. The check
# first runs on a planted tree with a cycle and an upward include (it must
# fail there), then on this repository.
# usage: bash tests/include_graph.sh [ebmforge]   (the binary is not used)
set -u

cd "$(dirname "$0")/.." || exit 1
. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish
CC=${CC:-cc}
command -v "$CC" >/dev/null && command -v tsort >/dev/null || { echo "SKIP: needs $CC and tsort"; exit 77; }

# CUDA sources are preprocessed as C++ where a C++ front end is installed, else
# as C (a bare Debian has no cc1plus; -MM only follows the #includes either way)
cxx=c
echo | "$CC" -x c++ -E - >/dev/null 2>&1 && cxx=c++

# the directories a file of DIR may include from (DIR relative to the root)
allowed() {
  case $1 in
    generator) echo "generator runtime" ;;
    generator/tools) echo "generator generator/tools runtime" ;;
    generator/main.c) echo "generator generator/tools runtime" ;;   # main() dispatches to the tools too
    runtime) echo "runtime" ;;
    runtime/dist) echo "runtime runtime/dist" ;;
    runtime/trainer) echo "runtime runtime/dist runtime/trainer" ;;
    runtime/cuda) echo "runtime runtime/dist runtime/cuda" ;;
    *) echo "" ;;
  esac
}

# the -I flags a file of DIR is compiled with (CMakeLists.txt, templates/build.ninja.in,
# generator/build_cmd.c's nvflags); runtime/ gets the trainers' (wider) paths so that an
# upward include resolves and is reported by name instead of as missing
include_flags() {
  local r=$1
  case $2 in
    generator | generator/tools) echo "-I$r/generator -I$r/generator/tools -I$r/runtime -DEBM_SOURCE_DIR=\"$r\" -DEBM_CBLAS_INCLUDE=\"\" -DEBM_TRAINER_LIBS=\"\"" ;;
    runtime/cuda) echo "-I$r/runtime -I$r/runtime/trainer -I$r/runtime/dist -I$r/runtime/cuda" ;;
    *) echo "-I$r/runtime -I$r/runtime/trainer -I$r/runtime/dist" ;;
  esac
}

# Module dependencies that close a cycle and are known, each with who removes
# it (none today; an entry is "FROM_MODULE TO_MODULE").
KNOWN_EDGES=()

# check_tree ROOT: prints one line per problem; the count of problems is the line count
check_tree() {
  local root out edges names f rel dir rule node lang deps d drel ddir dnode ok a
  root=$(cd "$1" && pwd -P)
  out=$(mktemp -d "$TMP/check.XXXX")
  edges=$out/edges
  : >"$edges"
  find "$root/generator" "$root/runtime" -type f \( -name '*.h' -o -name '*.c' -o -name '*.cu' \) 2>/dev/null | sort >"$out/files"
  # every project header's name: a missing include with such a name is a path the build does not reach
  sed -n 's|.*/||; /\.h$/p' "$out/files" | sort -u >"$out/names"
  while read -r f; do
    rel=${f#"$root"/}
    dir=$(dirname "$rel")
    node=${rel%.*}
    node=${node%_priv}
    lang=c
    case $f in *.cu) lang=$cxx ;; esac
    [ "$dir" = runtime/cuda ] && lang=$cxx
    # from an empty directory: a name that does not resolve stays a bare name (-MG)
    if ! deps=$(cd "$out" && "$CC" -MM -MG $(include_flags "$root" "$dir") -x "$lang" "$f" 2>"$out/err"); then
      echo "$rel: cc -MM failed: $(head -n 3 "$out/err" | tr '\n' ' ')"
      continue
    fi
    for d in $(printf '%s\n' "$deps" | sed 's/^[^:]*://; s/\\$//'); do
      [ "$d" = "$f" ] && continue
      if [ ! -e "$d" ]; then   # unresolved: a system header (fine) or one of ours out of reach
        grep -qxF "$(basename "$d")" "$out/names" && echo "$rel: includes \"$d\", which the build's include paths do not reach"
        continue
      fi
      d=$(realpath "$d")
      case $d in "$root"/generator/* | "$root"/runtime/*) ;; *) continue ;; esac
      drel=${d#"$root"/}
      ddir=$(dirname "$drel")
      dnode=${drel%.*}
      dnode=${dnode%_priv}
      ok=0
      rule=$dir
      [ "$rel" = generator/main.c ] && rule=$rel
      for a in $(allowed "$rule"); do [ "$a" = "$ddir" ] && ok=1; done
      [ $ok = 1 ] || echo "$rel: includes $drel (files of $dir/ may include only from: $(allowed "$rule"))"
      [ "$dnode" != "$node" ] && echo "$node $dnode" >>"$edges"
    done
  done <"$out/files"
  cp "$edges" "$TMP/last_edges"
  sort -u "$edges" | grep -vxF -f <(printf '%s\n' "${KNOWN_EDGES[@]}") | tsort >/dev/null 2>"$out/loops"
  # GNU tsort: "tsort: -: input contains a loop:", then one "tsort: NODE" line per member, per loop
  awk '/input contains a loop/ { if (m) print "include cycle among:" m; m = ""; next }
       { sub(/^tsort: /, ""); m = m " " $0 } END { if (m) print "include cycle among:" m }' "$out/loops"
}

# a planted tree: a.h and b.h include each other; runtime/up.c reaches into
# runtime/trainer/ and generator/; it must fail on all three
P=$TMP/planted
mkdir -p "$P/runtime/trainer" "$P/generator"
printf '#ifndef A_H\n#define A_H\n#include "b.h"\n#endif\n' >"$P/runtime/a.h"
printf '#ifndef B_H\n#define B_H\n#include "a.h"\n#endif\n' >"$P/runtime/b.h"
printf '#include "cmd.h"\n#include "../generator/gen.h"\n' >"$P/runtime/up.c"
printf '/* a trainer header */\n' >"$P/runtime/trainer/cmd.h"
printf '/* a generator header */\n' >"$P/generator/gen.h"
check_tree "$P" >"$TMP/planted.txt"
grep -q '^include cycle among: .*runtime/a runtime/b' "$TMP/planted.txt" && pass "a planted cycle a.h <-> b.h is found" ||
  fail "a planted cycle is not found: $(cat "$TMP/planted.txt")"
grep -q '^runtime/up.c: includes runtime/trainer/cmd.h' "$TMP/planted.txt" && pass "a planted upward include is found" ||
  fail "a planted upward include is not found: $(cat "$TMP/planted.txt")"
grep -q '^runtime/up.c: includes generator/gen.h' "$TMP/planted.txt" && pass "runtime/ including generator/ is found" ||
  fail "runtime/ including generator/ is not found: $(cat "$TMP/planted.txt")"

# this repository
check_tree . >"$TMP/real.txt"
n=$(find generator runtime -type f \( -name '*.h' -o -name '*.c' -o -name '*.cu' \) | wc -l)
if [ -s "$TMP/real.txt" ]; then
  while read -r line; do fail "$line"; done <"$TMP/real.txt"
else
  pass "$n files of generator/ and runtime/: no include cycle, no upward include, every include resolves"
fi
for e in "${KNOWN_EDGES[@]}"; do
  grep -qxF "$e" "$TMP/last_edges" || echo "NOTE the known edge '$e' is gone: remove it from KNOWN_EDGES"
done
finish

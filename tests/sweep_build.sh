#!/usr/bin/env bash
# Sweeps (DESIGN.md §2.6): models/toy_bounds.lua declares
# sweep{method = 4 methods, width = {64, 128}}; `ebmforge build` writes one
# trainer per combination under one build.ninja, named <method>-width<w>;
# Ninja builds them all; each trains a few steps with its own width and
# method (its log has the method's terms, its checkpoint the width's shapes).
set -u
EBMFORGE=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
check() { if [ "$2" = 1 ]; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
combos="bb-sv-gp-width64 bb-sv-gp-width128 bb-mi-gp-width64 bb-mi-gp-width128 ebm-0gp-width64 ebm-0gp-width128 ebm-lb-width64 ebm-lb-width128"
ok=0; "$EBMFORGE" build models/toy_bounds.lua -o "$TMP/out" --cflags "-O1" 2>"$TMP/gen.log" && ok=1
check "build writes one build.ninja for the sweep" $ok
got=$(cd "$TMP/out" && ls -d */ | tr -d / | sort | tr '\n' ' ')
want=$(printf '%s\n' $combos | sort | tr '\n' ' ')
ok=0; [ "$got" = "$want" ] && ok=1
check "one directory per combination: $got" $ok
ok=0; [ "$(grep -c '^build .*/train-cpu: link' "$TMP/out/build.ninja")" = 8 ] && ok=1
check "build.ninja links 8 trainers" $ok
ok=0; ninja -C "$TMP/out" train-cpu >"$TMP/ninja.log" 2>&1 && ok=1
check "ninja builds every trainer" $ok
for c in $combos; do
  t="$TMP/out/$c/train-cpu"
  ok=0
  if "$t" train --iters 3 --log-every 1 --seed 1 --out "$TMP/run-$c" 2>/dev/null; then
    method=${c%-width*} width=${c##*-width}
    log=$(tail -n 1 "$TMP/run-$c/log.jsonl")
    info=$("$t" info)
    case $method in
      bb-*-gp) term='"P": ' ;;
      ebm-0gp) term='"penalty": ' ;;
      *) term='"e_fake": ' ;;
    esac
    # the energy's first layer is [width, 2]
    case "$log" in *'"iter": 3'*"$term"*) printf '%s' "$info" | grep -q "energy.fc1.weight *\[$width,2\]" && ok=1 ;; esac
  fi
  check "$c trains 3 steps with its method's terms and width $width" $ok
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

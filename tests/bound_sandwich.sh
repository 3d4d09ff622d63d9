#!/usr/bin/env bash
# methods.md §7.3: for trained toy models with (a)-type generators, the Jensen
# lower bound and the chi^2 upper bound on log Z enclose the grid-exact log Z
# within 3 standard errors (eval's sandwich_ok; where the generator folds, the
# lower side is "not certified" rather than failed, as §7.3 says). bb-sv-gp's
# generator must stay injective. A wrong Jacobian, sigma_min, det, Gaussian
# constant or grid normalisation breaks the inequality.
set -u
EBMFORGE=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
check() { if [ "$2" = 1 ]; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
"$EBMFORGE" build models/toy_bb.lua -o "$TMP/bb" 2>/dev/null && "$EBMFORGE" build models/toy_ebm0gp.lua -o "$TMP/gp" 2>/dev/null &&
  ninja -C "$TMP/bb" train-cpu >/dev/null && ninja -C "$TMP/gp" train-cpu >/dev/null || { echo "FAIL build"; echo "0 passed, 1 failed"; exit 1; }
for t in "$TMP/bb/bb-sv-gp/train-cpu" "$TMP/gp/ebm-0gp/train-cpu"; do
  name=$(basename "$(dirname "$t")")
  for iters in 1000; do
    "$t" train --iters $iters --seed 4 --out "$TMP/$name-$iters" 2>/dev/null
    json=$("$t" eval --ckpt "$TMP/$name-$iters/ckpt.safetensors")
    get() { printf '%s' "$json" | tr ',' '\n' | sed -n "s/.*\"$1\": *//p" | tr -d '}'; }
    ok=0; [ "$(get sandwich_ok)" = true ] && ok=1
    check "$name after $iters steps: log Z_lb $(get log_z_lb) +- $(get log_z_lb_se) <= log Z $(get log_z_wide) <= log Z_ub $(get log_z_ub) +- $(get log_z_ub_se) (lower certified: $(get lower_certified))" $ok
    if [ "$name" = bb-sv-gp ]; then
      ok=0; [ "$(get lower_certified)" = true ] && ok=1
      check "$name after $iters steps: generator injective (sign(det J) minority $(get sign_minority))" $ok
    fi
  done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

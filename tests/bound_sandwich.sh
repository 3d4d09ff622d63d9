#!/usr/bin/env bash
# methods.md §7.3: for a trained toy model of every single-EBM method
# (bb-sv-gp, bb-mi-gp, ebm-0gp, ebm-lb; the width-64 trainers of the sweep
# models/toy_bounds.lua), the Jensen lower bound and the chi^2 upper bound on
# log Z enclose the grid-exact log Z within 3 standard errors (eval's
# sandwich_ok; where an (a)-type generator folds, the lower side is "not
# certified" rather than failed, as §7.3 says; where fewer than 100 chi^2
# weights are effective, the upper side is "not certified": its SE is then
# meaningless), hence L_lb <= L <= L_ub.
# bb-sv-gp's generator must stay injective; (b)'s bound needs no injectivity.
# A wrong Jacobian, sigma_min, det, encoder density, Gaussian constant or grid
# normalisation breaks the inequality.
set -u
EBMFORGE=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
check() { if [ "$2" = 1 ]; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
"$EBMFORGE" build models/toy_bounds.lua -o "$TMP/b" 2>/dev/null &&
  ninja -C "$TMP/b" bb-sv-gp-width64/train-cpu bb-mi-gp-width64/train-cpu ebm-0gp-width64/train-cpu ebm-lb-width64/train-cpu >/dev/null ||
  { echo "FAIL build"; echo "0 passed, 1 failed"; exit 1; }
for m in bb-sv-gp bb-mi-gp ebm-0gp ebm-lb; do
  t="$TMP/b/$m-width64/train-cpu"
  name=$m
  for iters in 1000; do
    "$t" train --iters $iters --seed 4 --out "$TMP/$name-$iters" 2>/dev/null
    json=$("$t" eval --ckpt "$TMP/$name-$iters/ckpt.safetensors")
    get() { printf '%s' "$json" | tr ',' '\n' | sed -n "s/.*\"$1\": *//p" | tr -d '}'; }
    ok=0; [ "$(get sandwich_ok)" = true ] && ok=1
    check "$name after $iters steps: L_lb $(get L_lb) <= L $(get L) <= L_ub $(get L_ub); log Z_lb $(get log_z_lb) +- $(get log_z_lb_se) <= log Z $(get log_z_wide) <= log Z_ub $(get log_z_ub) +- $(get log_z_ub_se) (lower certified: $(get lower_certified); upper: ESS $(get ess), certified $(get upper_certified))" $ok
    if [ "$name" = bb-sv-gp ]; then
      ok=0; [ "$(get lower_certified)" = true ] && ok=1
      check "$name after $iters steps: generator injective (sign(det J) minority $(get sign_minority))" $ok
    fi
    if [ "$name" = ebm-lb ]; then
      ok=0; [ "$(get upper_certified)" = true ] && ok=1
      check "$name after $iters steps: the upper side is certified (ESS $(get ess) >= 100), so the check above covers it" $ok
    fi
    if [ "$name" = bb-mi-gp ]; then
      ok=0; [ "$(get lower_certified)" = true ] && [ "$(get sign_minority)" = 0.0000 ] && ok=1
      check "$name after $iters steps: the lower bound needs no injectivity (certified)" $ok
    fi
  done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# methods.md §7.3: for a trained toy model of every single-EBM method
# (bb-sv-gp, bb-mi-gp, ebm-0gp, ebm-lb; the width-64 trainers of the sweep
# models/toy_bounds.lua), the Jensen lower bound and the chi^2 upper bound on
# log Z enclose the grid-exact log Z within 3 standard errors (eval's
# sandwich_ok; where an (a)-type generator folds, the lower side is "not
# certified" rather than failed, as §7.3 says; where fewer than 100 chi^2
# weights are effective, the upper side is "not certified": its SE is then
# meaningless), hence L_lb <= L <= L_ub.
# One of up to three bb-sv-gp runs must have an injective generator (so the
# lower side is checked); (b)'s bound needs no injectivity.
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
# Whether a run certifies a side depends on its trajectory: a randomly
# initialised generator can be folded and stay so, and an ESS of 100 is not
# guaranteed after 1000 steps. Float results differ between CPUs (OpenBLAS
# picks its kernels by CPU), so one fixed seed can certify on one machine and
# not on another. Hence: every run must satisfy the sandwich, and of up to
# three seeds, the first run that certifies the side a method must exercise
# ends that method's runs; none certifying is a failure.
for m in bb-sv-gp bb-mi-gp ebm-0gp ebm-lb; do
  t="$TMP/b/$m-width64/train-cpu"
  certified=0 tried=""
  for seed in 4 1 2; do
    name="$m seed $seed after 1000 steps"
    "$t" train --iters 1000 --seed $seed --out "$TMP/$m-$seed" 2>/dev/null
    json=$("$t" eval --ckpt "$TMP/$m-$seed/ckpt.safetensors")
    get() { printf '%s' "$json" | tr ',' '\n' | sed -n "s/.*\"$1\": *//p" | tr -d '}'; }
    ok=0; [ "$(get sandwich_ok)" = true ] && ok=1
    check "$name: L_lb $(get L_lb) <= L $(get L) <= L_ub $(get L_ub); log Z_lb $(get log_z_lb) +- $(get log_z_lb_se) <= log Z $(get log_z_wide) <= log Z_ub $(get log_z_ub) +- $(get log_z_ub_se) (lower certified: $(get lower_certified); upper: ESS $(get ess), certified $(get upper_certified))" $ok
    tried="$tried $seed"
    case $m in
      bb-sv-gp)   # the Jensen lower bound is checked only where the generator is injective
        [ "$(get lower_certified)" = true ] && certified=1
        why="a generator injective (sign(det J) minority 0.0000), so the lower side is checked" ;;
      bb-mi-gp)   # (b)'s bound needs no injectivity: certified at every seed
        [ "$(get lower_certified)" = true ] && [ "$(get sign_minority)" = 0.0000 ] && certified=1
        why="the lower bound certified, needing no injectivity" ;;
      ebm-lb)
        [ "$(get upper_certified)" = true ] && certified=1
        why="the upper side certified (ESS >= 100), so the sandwich covers it" ;;
      *) certified=1 why="" ;;
    esac
    [ $certified = 1 ] && break
  done
  [ -n "$why" ] && check "$m: $why (seeds tried:$tried)" $certified
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

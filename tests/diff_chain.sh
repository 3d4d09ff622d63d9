#!/usr/bin/env bash
# The chain bounds of the diffusion methods (methods.md §3d, §7.3) end to end:
# 1. tests/diff_models/exact_sv.lua, a bb-sv-diff model whose per-step
#    proposal is exactly the conditional EBM: eval's per-step A_k, grid
#    quadrature log Z_k and C_k must agree to 1e-4 nats and the lower, grid
#    and upper ELBO coincide. A wrong constant, coefficient, column of the
#    chain_bounds entry, time embedding or quadrature breaks the equality.
# 2. a small ddaebm trained for 300 steps: eval reports finite bounds with
#    A_k <= C_k per step and the lower ELBO <= the upper within 3 SE.
set -u
EBMFORGE=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0 failed=0
check() { if [ "$2" = 1 ]; then passed=$((passed + 1)); echo "PASS $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi; }
cat > "$TMP/small_ddaebm.lua" <<'EOF'
model {
  name = "small_ddaebm", method = "ddaebm", data = "25gaussians", batch = 64, iters = 300, M_eval = 64,
  energy = nets.ddaebm_energy { width = 32 },
  generator = nets.ddaebm_generator { width = 32 }, encoder = nets.ddaebm_encoder { width = 32 },
}
EOF
# -O1: these trainers are small and compile four times faster than at -O3
CF="-O1 -ffp-contract=off"
"$EBMFORGE" build tests/diff_models/exact_sv.lua -o "$TMP/ex" --cflags "$CF" 2>/dev/null &&
  "$EBMFORGE" build "$TMP/small_ddaebm.lua" -o "$TMP/dd" --cflags "$CF" 2>/dev/null &&
  ninja -C "$TMP/ex" train-cpu >/dev/null && ninja -C "$TMP/dd" train-cpu >/dev/null || { echo "FAIL build"; echo "0 passed, 1 failed"; exit 1; }

# value of "key" in a JSON fragment
get() { printf '%s' "$1" | tr ',' '\n' | sed -n "s/.*\"$2\": *//p" | tr -d '}]' | head -1; }
# the object of step k in eval's "chain"."steps"
step() { printf '%s' "$1" | sed 's/.*"steps": \[//' | tr '{' '\n' | grep "\"k\": $2,"; }
small() { awk -v x="$1" -v t="$2" 'BEGIN { exit !(x == x + 0 && (x < 0 ? -x : x) <= t) }'; }

T=$TMP/ex/bb-sv-diff/train-cpu
"$T" train --iters 1 --seed 1 --out "$TMP/ex-run" 2>/dev/null
json=$("$T" eval --ckpt "$TMP/ex-run/ckpt.safetensors")
for k in 0 1 2 3; do
  s=$(step "$json" $k)
  ok=0
  small "$(get "$s" lo_gap)" 1e-4 && small "$(get "$s" up_gap)" 1e-4 && [ "$(get "$s" pass_fraction)" = 1.0000 ] && ok=1
  check "exact proposal, step $k: A $(get "$s" A) = log Z grid $(get "$s" log_z) = C $(get "$s" C)" $ok
done
lb=$(get "$json" elbo_lb) ub=$(get "$json" elbo_ub) mid=$(get "$json" elbo_grid)
ok=0
small "$(awk -v a="$lb" -v b="$ub" 'BEGIN { print a - b }')" 1e-4 && small "$(awk -v a="$lb" -v b="$mid" 'BEGIN { print a - b }')" 1e-4 &&
  [ "$(get "$json" chain_ok)" = true ] && ok=1
check "exact proposal: ELBO lower $lb = grid $mid = upper $ub, chain_ok" $ok

T=$TMP/dd/ddaebm/train-cpu
"$T" train --iters 300 --seed 2 --out "$TMP/dd-run" 2>/dev/null
json=$("$T" eval --ckpt "$TMP/dd-run/ckpt.safetensors")
for k in 0 1 2 3; do
  s=$(step "$json" $k)
  ok=0
  [ "$(get "$s" ordered)" = true ] && small "$(get "$s" A)" 1e6 && small "$(get "$s" C)" 1e6 && ok=1
  check "ddaebm after 300 steps, step $k: A $(get "$s" A) <= C $(get "$s" C) (grid log Z $(get "$s" log_z))" $ok
done
ok=0
[ "$(get "$json" ordered)" = true ] && small "$(get "$json" elbo_lb)" 1e6 && small "$(get "$json" elbo_ub)" 1e6 && ok=1
check "ddaebm after 300 steps: ELBO lower $(get "$json" elbo_lb) +- $(get "$json" elbo_lb_se) <= upper $(get "$json" elbo_ub) +- $(get "$json" elbo_ub_se)" $ok
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

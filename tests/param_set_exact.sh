#!/usr/bin/env bash
# Run-time parameters are exact (docs/parameters.md). For toy_bb, toy_mle and
# toy_ddaebm, a trainer run with `--set` of the learning rate, a penalty or
# entropy weight and (toy_mle) the Langevin step, noise, step count K and start range writes the same
# checkpoint, byte for byte, as a trainer built from a copy of the model file
# with those values written in (and differs from a run at the defaults, so a
# --set that changed nothing would fail). With the same --set, the interpreter
# (`ebmforge run --set`) logs the same values as the trainer bit for bit; a
# run of 10 steps resumed without --set for 10 more equals 20 steps in one
# (the checkpoint records the values); a resume that changes a value logs a
# param_changed event and says so on stderr. Bad --set / --config values exit 2.
# usage: bash tests/param_set_exact.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: param_set_exact.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

export OPENBLAS_NUM_THREADS=1
# the trainer also logs its speed, wall time and learning rates (the interpreter does not)
strip() { grep -v '"event"' "$1" | sed 's/, "lr_[a-z0-9_]*": [^,}]*//g; s/, "steps_per_s": [^,}]*//; s/, "wall": [^,}]*//'; }

build() {   # build MODEL_FILE DIR -> prints the train-cpu path
  "$BIN" build "$1" -o "$2" --no-cuda >"$2.txt" 2>&1 && ninja -C "$2" train-cpu >>"$2.txt" 2>&1 && ls "$2"/*/train-cpu
}

# model, --set arguments, then sed expressions writing the same values into a copy of the model file
check_model() {
  local model=$1 sets=$2 edits=$3
  local t c
  if ! t=$(build "models/$model.lua" "$TMP/$model"); then fail "$model: build: $(tail -n 3 "$TMP/$model.txt")"; return; fi
  sed -e "$edits" "models/$model.lua" >"$TMP/$model-edited.lua"
  if cmp -s "models/$model.lua" "$TMP/$model-edited.lua"; then fail "$model: the edits changed nothing in the model file"; return; fi
  if ! c=$(build "$TMP/$model-edited.lua" "$TMP/$model-edited"); then fail "$model: edited build: $(tail -n 3 "$TMP/$model-edited.txt")"; return; fi
  # shellcheck disable=SC2086
  "$t" train --iters 20 --seed 5 --log-every 5 --out "$TMP/$model-set" $sets >/dev/null 2>&1
  "$c" train --iters 20 --seed 5 --log-every 5 --out "$TMP/$model-built" >/dev/null 2>&1
  "$t" train --iters 20 --seed 5 --log-every 5 --out "$TMP/$model-default" >/dev/null 2>&1
  local a="$TMP/$model-set/ckpt.safetensors" b="$TMP/$model-built/ckpt.safetensors"
  if [ -s "$a" ] && cmp -s "$a" "$b"; then pass "$model: $sets writes the checkpoint of a build with those values in the model file"
  else fail "$model: the --set checkpoint and the edited build's differ"; fi
  if [ -s "$TMP/$model-default/ckpt.safetensors" ] && ! cmp -s "$a" "$TMP/$model-default/ckpt.safetensors"; then
    pass "$model: and it differs from a run at the defaults"
  else fail "$model: --set changed nothing"; fi
  # shellcheck disable=SC2086
  "$BIN" run "models/$model.lua" --iters 20 --seed 5 --log-every 5 --out "$TMP/$model-interp" $sets >/dev/null 2>&1
  local x y
  x=$(strip "$TMP/$model-interp/log.jsonl" 2>/dev/null) y=$(strip "$TMP/$model-set/log.jsonl" 2>/dev/null)
  if [ "$(printf '%s\n' "$x" | grep -c '"iter"')" = 4 ] && [ "$x" = "$y" ]; then
    pass "$model: the interpreter with the same --set logs the same values bit for bit"
  else fail "$model: interpreter and trainer logs differ with --set:
$(diff <(printf '%s\n' "$x") <(printf '%s\n' "$y") | head -n 4)"; fi
  # shellcheck disable=SC2086
  "$t" train --iters 10 --seed 5 --log-every 5 --out "$TMP/$model-half" $sets >/dev/null 2>&1
  "$t" train --iters 20 --log-every 5 --out "$TMP/$model-half" --resume "$TMP/$model-half/ckpt.safetensors" >/dev/null 2>&1
  if cmp -s "$a" "$TMP/$model-half/ckpt.safetensors"; then pass "$model: 10 steps with --set, resumed without it for 10 more, equal 20 in one run"
  else fail "$model: the resumed run did not keep the recorded values"; fi
}

check_model toy_bb "--set lr=3e-4 --set w_H=0.5 --set thre=0.25" \
  's/lr = 2e-4/lr = 3e-4/; s/w_H = 1,/w_H = 0.5, thre = 0.25,/'
# K is a run-time count, built for at most K_max: the edited file keeps K_max, so that both
# trainers have one fingerprint and their checkpoints compare byte for byte
check_model toy_mle "--set lr=3e-4 --set alpha=0.05 --set eta=0.02 --set K=7 --set init_range=3" \
  's/lr = 1e-3/lr = 3e-4/; s/K = 20, K_max = 100, alpha = 0.1, eta = 0.01, init_range = 1.5/K = 7, K_max = 100, alpha = 0.05, eta = 0.02, init_range = 3/'
check_model toy_ddaebm "--set lr=2e-4 --set r1_gamma=0.05 --set w_ent=0.2" \
  's/lr = 1e-4/lr = 2e-4/; s/r1_gamma = 0.02, w_ent = 0.1/r1_gamma = 0.05, w_ent = 0.2/'

# a resume that changes a value: an event line and a note on stderr
t=$(ls "$TMP"/toy_mle/*/train-cpu 2>/dev/null)
if [ -n "$t" ]; then
  "$t" train --iters 10 --seed 5 --out "$TMP/ev" >/dev/null 2>&1
  "$t" train --iters 12 --out "$TMP/ev" --resume "$TMP/ev/ckpt.safetensors" --set alpha=0.07 >/dev/null 2>"$TMP/ev.err"
  if grep -q '"event": "param_changed", "name": "alpha", "from": 0.10000000000000001, "to": 0.070000000000000007' "$TMP/ev/log.jsonl" &&
    grep -q 'alpha = 0.07' "$TMP/ev.err"; then pass "toy_mle: a changed value on resume is logged as an event and said on stderr"
  else fail "toy_mle: no param_changed event: $(grep event "$TMP/ev/log.jsonl") / $(cat "$TMP/ev.err")"; fi
  # refused with exit 2, nothing written
  printf '{"lr": "fast"}' >"$TMP/bad.json"
  for args in "--set lr=-1" "--set beta1=1" "--set eps=0" "--set alpha=nan" "--set lrr=1" "--set alpha=abc" "--set K=2.5" \
    "--set K=101" "--set K=0" "--config $TMP/bad.json"; do
    # shellcheck disable=SC2086
    "$t" train --iters 2 --out "$TMP/refused" $args >/dev/null 2>"$TMP/refused.err"
    rc=$?
    if [ $rc = 2 ] && [ ! -e "$TMP/refused" ] && grep -q -- "${args%% *}" "$TMP/refused.err"; then pass "toy_mle: '$args' is refused with exit 2 naming it"
    else fail "toy_mle: '$args' gave exit $rc: $(cat "$TMP/refused.err")"; fi
  done
  if "$t" train --iters 2 --out "$TMP/refused" --set lrr=1 2>&1 | grep -q "did you mean 'lr'"; then pass "toy_mle: an unknown name suggests the nearest"
  else fail "toy_mle: no suggestion for lrr"; fi
  printf '{"alpha": 0.05, "eta": 0.02, "lr": 3e-4, "K": 7, "init_range": 3}' >"$TMP/good.json"
  "$t" train --iters 20 --seed 5 --log-every 5 --out "$TMP/cfg" --config "$TMP/good.json" >/dev/null 2>&1
  if cmp -s "$TMP/cfg/ckpt.safetensors" "$TMP/toy_mle-set/ckpt.safetensors"; then pass "toy_mle: --config FILE.json sets the same values as --set"
  else fail "toy_mle: --config and --set runs differ"; fi
  if "$t" info | grep -q '^  alpha  *0.1 '; then pass "toy_mle: info lists the parameters with their defaults"
  else fail "toy_mle: info does not list alpha"; fi
fi
finish

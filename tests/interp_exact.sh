#!/usr/bin/env bash
# The compiled CPU trainers and the reference interpreter (f32) agree bit for
# bit, not only within test_parity's tolerance: from the same seed, every
# logged value of 40 steps is the same float (log.jsonl prints 9 significant
# digits, which round-trip a float). Guards every emitter change that
# reorders arithmetic (fused loops, reductions, broadcasts read in place)
# against the interpreter's order. Models: toy_bb (bb-sv-gp: spectral norm,
# BatchNorm, PReLU, JVPs and a gradient of a gradient), toy_ddaebm (the
# diffusion nets, sums over every axis of [200, 300]), toy_mle (Langevin),
# toy_bb_logdet (the exact log|det J| entropy).
# usage: bash tests/interp_exact.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: interp_exact.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

# the trainer also logs a start event, its learning rates, speed and wall time
strip() { grep -v '"event"' "$1" | sed 's/, "lr_[a-z0-9_]*": [^,}]*//g; s/, "steps_per_s": [^,}]*//; s/, "wall": [^,}]*//'; }
for model in toy_bb toy_bb_logdet toy_ddaebm toy_mle; do
  if ! "$BIN" build "models/$model.lua" -o "$TMP/$model" --no-cuda >"$TMP/$model.txt" 2>&1 ||
    ! ninja -C "$TMP/$model" train-cpu >>"$TMP/$model.txt" 2>&1; then
    fail "$model: build: $(tail -n 3 "$TMP/$model.txt")"
    continue
  fi
  t=$(ls "$TMP/$model"/*/train-cpu)
  OPENBLAS_NUM_THREADS=1 "$BIN" run "models/$model.lua" --iters 40 --log-every 10 --seed 3 --out "$TMP/$model-interp" >/dev/null 2>&1
  OPENBLAS_NUM_THREADS=1 "$t" train --iters 40 --log-every 10 --seed 3 --out "$TMP/$model-c" >/dev/null 2>&1
  a=$(strip "$TMP/$model-interp/log.jsonl" 2>/dev/null) b=$(strip "$TMP/$model-c/log.jsonl" 2>/dev/null)
  rows=$(printf '%s\n' "$a" | grep -c '"iter"')
  if [ "$rows" = 4 ] && [ "$a" = "$b" ]; then
    pass "$model: interpreter and trainer log the same values at all 4 logged steps"
  else
    fail "$model: the logs differ ($rows interpreter rows); first difference:
$(diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -n 4)"
  fi
done
finish

#!/usr/bin/env bash
# A model of 3-D points end to end: a float64 [600, 3] .npy made here (by
# make_points) and named by the model file (`data = "pts3.npy"`, beside it)
# sets the input width at build time; mle-langevin (built-in toy net), ebm-0gp
# (built-in generator) and a custom energy each train, sample and evaluate.
# The trainer agrees bit for bit with the interpreter on 3-D data, draws no
# 2-D figures, and eval reports MMD^2 and energy statistics on held-out rows.
# usage: bash tests/data_3d.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: data_3d.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
MAKE_POINTS=$(dirname "$BIN")/make_points
[ -x "$MAKE_POINTS" ] || { echo "make_points not built beside $BIN (ninja make_points)"; exit 77; }

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

M=$TMP/models
mkdir -p "$M"
"$MAKE_POINTS" "$M/pts3.npy" 600 3 5 f64 || { fail "make_points"; finish; }
cat >"$M/mle3.lua" <<'LUA'
model { name = "mle3", method = "mle-langevin", data = "pts3.npy", batch = 64, iters = 100, log_every = 10,
  energy = nets.toy_energy { width = 32, act = "silu" }, K = 5, alpha = 0.1, eta = 0.01, init_range = 4 }
LUA
cat >"$M/gen3.lua" <<'LUA'
model { name = "gen3", method = "ebm-0gp", data = "pts3.npy", batch = 64, iters = 100, log_every = 10,
  energy = nets.toy_energy { width = 32 }, generator = nets.toy_generator { width = 32, latent = 3 } }
LUA
cat >"$M/custom3.lua" <<'LUA'
-- a custom energy on D columns: persistent Langevin chains, and the two entry
-- points the trainer's sample/energy/eval commands use
local entries = require "entries"
model { name = "custom3", method = "custom", data = "pts3.npy", batch = 48, iters = 100, log_every = 10,
  build = function(cfg)
    local B, D = cfg.batch, cfg.D
    local E = nets.toy_energy{ width = 24, act = "silu" }.build("energy")
    local opt = adam{ lr = 1e-3, betas = {0, 0.9}, eps = 1e-6 }
    local x = ebm.state("chains", {B, D}, {"uniform", -4, 4})
    phase("chains", function(p)
      p:set(x, x - 0.1 * ebm.grad(ebm.sum(E(x)), x) + 0.01 * ebm.normal({B, D}))
    end)
    phase("energy", function(p)
      local loss = ebm.mean(E(ebm.data({B, D}))) - ebm.mean(E(ebm.stop_gradient(x)))
      p:minimize(loss, E.params, opt)
      p:log("loss", loss)
    end)
    entries.energy(E, D)
    entries.sample(B, D, function(s) phase("sample", function(p) p:set(s, x) end) end)
  end,
}
LUA

# build every trainer (from another directory: the data path is the model file's neighbour)
for m in mle3 gen3 custom3; do
  if (cd "$TMP" && "$BIN" build "$M/$m.lua" -o "$TMP/b_$m" --no-cuda >"$TMP/build_$m.txt" 2>&1 &&
      ninja -C "$TMP/b_$m" train-cpu >>"$TMP/build_$m.txt" 2>&1); then
    pass "$m: built from a model file naming pts3.npy"
  else
    fail "$m: build: $(tail -n 3 "$TMP/build_$m.txt")"
  fi
done
[ "$failed" -eq 0 ] || finish

T=$(ls "$TMP"/b_mle3/*/train-cpu)
"$T" info | grep -q 'energy.fc1.weight *\[32,3\]' && pass "mle3: the energy's first layer is [32, 3] (D from the .npy header)" ||
  fail "mle3: info: $("$T" info | grep fc1)"

# the interpreter and the trainer agree bit for bit on 3-D data
strip() { grep -v '"event"' "$1" | sed 's/, "lr_[a-z0-9_]*": [^,}]*//g; s/, "steps_per_s": [^,}]*//; s/, "wall": [^,}]*//'; }
OPENBLAS_NUM_THREADS=1 "$BIN" run "$M/mle3.lua" --iters 20 --log-every 10 --seed 3 --out "$TMP/interp" >/dev/null 2>&1
OPENBLAS_NUM_THREADS=1 "$T" train --iters 20 --log-every 10 --seed 3 --out "$TMP/c" >/dev/null 2>"$TMP/c.err"
a=$(strip "$TMP/interp/log.jsonl" 2>/dev/null) b=$(strip "$TMP/c/log.jsonl" 2>/dev/null)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(printf '%s\n' "$a" | grep -c '"iter"')" = 2 ]; then
  pass "mle3: interpreter and trainer log the same values (bit-exact on 3-D data)"
else
  fail "mle3: logs differ: $(diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -n 4 | tr '\n' ' ')"
fi
[ "$(grep -c 'float64 values: rounded to float32' "$TMP/c.err")" = 1 ] && pass "float64 data: said once on stderr" ||
  fail "float64 note: $(cat "$TMP/c.err" | head -n 3)"

# json_num FILE KEY: the number after "KEY": (first occurrence)
json_num() { grep -o "\"$2\": [-0-9.e+naif]*" "$1" | head -n 1 | sed 's/.*: //'; }
finite() { awk -v x="$1" 'BEGIN { exit !(x != "" && x == x + 0 && x < 1e300 && x > -1e300) }'; }

for m in mle3 gen3 custom3; do
  T=$(ls "$TMP"/b_$m/*/train-cpu)
  R=$TMP/run_$m
  "$T" train --iters 30 --log-every 10 --out "$R" >/dev/null 2>"$TMP/train_$m.err"
  rc=$?
  if [ $rc = 0 ] && [ -s "$R/ckpt.safetensors" ] && grep -q '"shape": \[600, 3\], "dtype": "float64"' "$R/run.json" &&
     [ ! -e "$R/density.png" ] && [ ! -e "$R/samples.png" ] && ! grep -q 'plot' "$TMP/train_$m.err"; then
    pass "$m: 30 steps (exit 0), run.json records [600, 3] float64, no 2-D figures attempted"
  else
    fail "$m: train exit $rc: $(grep -v '^step\|\rstep' "$TMP/train_$m.err" | tail -n 2) files: $(ls "$R" | tr '\n' ' ')"
    continue
  fi
  "$T" sample --ckpt "$R/ckpt.safetensors" -n 50 -o "$TMP/s_$m.npy" 2>"$TMP/sample_$m.err" &&
    head -c 128 "$TMP/s_$m.npy" | grep -q "'shape': (50, 3)" && pass "$m: sample writes [50, 3]" ||
    fail "$m: sample: $(tail -n 1 "$TMP/sample_$m.err")"
  "$T" energy --ckpt "$R/ckpt.safetensors" --input "$TMP/s_$m.npy" -o "$TMP/e_$m.npy" 2>"$TMP/energy_$m.err" &&
    head -c 128 "$TMP/e_$m.npy" | grep -q "'shape': (50,)" && pass "$m: energy --input of the samples writes [50]" ||
    fail "$m: energy: $(tail -n 1 "$TMP/energy_$m.err")"
  "$T" energy --ckpt "$R/ckpt.safetensors" --grid 8 -o "$TMP/g.npy" 2>"$TMP/grid.err"
  rc=$?
  [ $rc = 2 ] && grep -q 'more than 2 columns' "$TMP/grid.err" && pass "$m: energy --grid refused for 3-D points (exit 2)" ||
    fail "$m: energy --grid: exit $rc $(tail -n 1 "$TMP/grid.err")"
  "$T" eval --ckpt "$R/ckpt.safetensors" --json "$TMP/eval_$m.json" >"$TMP/eval_$m.out" 2>"$TMP/eval_$m.err"
  rc=$?
  J=$TMP/eval_$m.json
  mmd=$(json_num "$J" mmd2)
  et=$(grep -o '"energy_test": {"mean": [-0-9.e+naif]*' "$J" | sed 's/.*: //')
  en=$(grep -o '"energy_noise": {"mean": [-0-9.e+naif]*' "$J" | sed 's/.*: //')
  if [ $rc = 0 ] && cmp -s "$J" "$TMP/eval_$m.out" && grep -q '"test": {"source": "split", "rows": 60, "of": 600' "$J" &&
     [ "$(json_num "$J" dims)" = 3 ] && finite "$mmd" && finite "$et" && finite "$en" && ! grep -q 'test_nll_grid' "$J"; then
    pass "$m: eval: 60 held-out rows (split), dims 3, mmd2 $mmd, energy test $et / noise $en, no grid metrics"
  else
    fail "$m: eval exit $rc: $(head -c 400 "$J" 2>/dev/null) $(tail -n 1 "$TMP/eval_$m.err")"
  fi
done
grep -q 'no log Z bracket' "$TMP/eval_gen3.json" && pass "gen3: eval says why there is no log Z bracket (no bounds entry in 3-D)" ||
  fail "gen3: eval JSON: $(head -c 300 "$TMP/eval_gen3.json")"
finish

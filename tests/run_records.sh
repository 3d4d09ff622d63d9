#!/usr/bin/env bash
# Run records (docs/runs.md): a run on a user's .npy writes run.json with every
# field (checked by a tiny parser), opens log.jsonl with a `start` event and
# logs wall time and learning rates on every line; `train --resume` and `eval`
# without --data use the recorded file (the resumed run equals one run on that
# file, byte for byte; eval scores its 30 held-out rows); another file, a
# changed file and a missing file are refused with a reason (exit 2) unless
# --data-changed; --resume with --iters at or below the step is refused;
# --test-data is recorded and used by eval.
# usage: bash tests/run_records.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: run_records.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
MAKE_POINTS=$(dirname "$BIN")/make_points
[ -x "$MAKE_POINTS" ] || { echo "make_points not built beside $BIN (ninja make_points)"; exit 77; }

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

sed 's/width = 100/width = 16/; s/K = 20/K = 3/' models/toy_mle.lua >"$TMP/toy_mle.lua"
if ! "$BIN" build "$TMP/toy_mle.lua" -o "$TMP/b" --no-cuda >"$TMP/build.txt" 2>&1 || ! ninja -C "$TMP/b" train-cpu >>"$TMP/build.txt" 2>&1; then
  fail "build: $(tail -n 3 "$TMP/build.txt")"
  finish
fi
T=$(ls "$TMP"/b/*/train-cpu)
D=$TMP/data
mkdir -p "$D"
"$MAKE_POINTS" "$D/u.npy" 300 2 1 && "$MAKE_POINTS" "$D/v.npy" 300 2 2 && "$MAKE_POINTS" "$D/w.npy" 77 2 3 || { fail "make_points"; finish; }
U=$(realpath "$D/u.npy")

# --- run.json: every field -----------------------------------------------------
"$T" train --data "$D/u.npy" --iters 20 --seed 4 --log-every 5 --set alpha=0.25 --out "$TMP/one" >/dev/null 2>"$TMP/one.err" ||
  fail "train on u.npy: $(tail -n 1 "$TMP/one.err")"
"$T" train --data "$D/u.npy" --iters 10 --seed 4 --log-every 5 --threads 1 --set alpha=0.25 --out "$TMP/r" >/dev/null 2>"$TMP/r.err" ||
  fail "train 10 steps on u.npy: $(tail -n 1 "$TMP/r.err")"
J=$TMP/r/run.json
# field KEY: the value of a top-level key of run.json (one a line, as the trainer writes it)
field() { sed -n "s/^  \"$1\": \\(.*\\)$/\\1/p" "$J" | sed 's/,$//'; }
sha=$(sha256sum "$U" | cut -d' ' -f1)
fp=$("$T" info | sed -n 's/^fingerprint *//p')
miss=""
[ "$(field model_file)" = "\"$(realpath "$TMP/toy_mle.lua")\"" ] || miss="$miss model_file=$(field model_file)"
[ "$(field model)" = '"toy_mle"' ] || miss="$miss model"
[ "$(field combination)" = '"mle-langevin"' ] || miss="$miss combination"
[ "$(field fingerprint)" = "\"$fp\"" ] || miss="$miss fingerprint"
[ "$(field seed)" = 4 ] || miss="$miss seed"
[ "$(field threads)" = 1 ] || miss="$miss threads"
[ "$(field host)" = "\"$(hostname)\"" ] || miss="$miss host=$(field host)"
v=$("$BIN" --version)
[ -n "$v" ] && [ "$(field ebmforge_version)" = "\"$v\"" ] || miss="$miss ebmforge_version=$(field ebmforge_version) (ebmforge --version: $v)"
field start | grep -q '^"20[0-9-]*T[0-9:]*Z"$' || miss="$miss start"
field end | grep -q '^"20[0-9-]*T[0-9:]*Z"$' || miss="$miss end"
[ "$(field status)" = '"done"' ] && [ "$(field step)" = 10 ] || miss="$miss status/step"
# every parameter, the --set one at its set value
p=$(field params)
case "$p" in '{"lr": '*'"alpha": 0.25,'*'"eta": '*'}') ;; *) miss="$miss params=$p" ;; esac
data=$(field data)
case "$data" in *"\"path\": \"$U\", \"sha256\": \"$sha\", \"shape\": [300, 2], \"dtype\": \"float32\""*) ;; *) miss="$miss data=$data" ;; esac
case "$data" in *'"test": {"source": "split", "rows": 30'*) ;; *) miss="$miss data.test" ;; esac
if [ -z "$miss" ]; then pass "run.json: model file, combination, fingerprint, seed, threads, host, version, start/end, data path+sha256(=sha256sum)+shape+dtype, params"
else fail "run.json lacks or misstates:$miss"; fi
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$J" && pass "run.json is valid JSON" || fail "run.json is not JSON"
fi
[ ! -e "$TMP/r/run.json.tmp" ] && pass "run.json written atomically (no .tmp left)" || fail "run.json.tmp left behind"

# --- log.jsonl ---------------------------------------------------------------------
L=$TMP/r/log.jsonl
head -n 1 "$L" | grep -q "^{\"iter\": 0, \"event\": \"start\", \"time\": \"20[0-9-]*T[0-9:]*Z\", \"model\": \"toy_mle\", \"combination\": \"mle-langevin\", .*\"seed\": 4, \"data\": {\"kind\": \"npy\", \"path\": \"$U\"" &&
  pass "log.jsonl opens with a start event naming model, combination, seed and data" || fail "first log line: $(head -n 1 "$L" | cut -c1-300)"
rows=$(grep -vc '"event"' "$L") good=$(grep -v '"event"' "$L" | grep -c '"lr_adam1": 0.001, "steps_per_s": [0-9.e+]*, "wall": [0-9.]*}$')
[ "$rows" = 2 ] && [ "$good" = 2 ] && pass "every iteration line carries lr_adam1 (0.001, the model's rate) and wall seconds" ||
  fail "log lines: $(grep -v '"event"' "$L" | head -n 1)"

# --- resume and eval without --data use the recorded file ---------------------------
cp "$TMP/r/ckpt.safetensors" "$TMP/ckpt10"
"$T" train --resume "$TMP/r/ckpt.safetensors" --iters 20 --log-every 5 --out "$TMP/r" >/dev/null 2>"$TMP/r2.err"
rc=$?
if [ $rc = 0 ] && cmp -s "$TMP/r/ckpt.safetensors" "$TMP/one/ckpt.safetensors" && grep -q "\"path\": \"$U\"" "$J" &&
   grep -q '"event": "resume"' "$L" && grep -q '"resumed_from": {"checkpoint"' "$J"; then
  pass "resume without --data trains on the recorded u.npy: 10 + 10 steps == 20 steps on u.npy (byte-identical)"
else
  fail "resume without --data: exit $rc $(tail -n 1 "$TMP/r2.err"), $(cmp "$TMP/r/ckpt.safetensors" "$TMP/one/ckpt.safetensors" 2>&1)"
fi
"$T" eval --ckpt "$TMP/r/ckpt.safetensors" >"$TMP/eval.json" 2>"$TMP/eval.err"
rc=$?
[ $rc = 0 ] && grep -q '^{"test": {"source": "split", "rows": 30, "of": 300' "$TMP/eval.json" && grep -q '"n_test": 30,' "$TMP/eval.json" &&
  pass "eval without --data scores the recorded file's 30 held-out rows (JSON says source split)" ||
  fail "eval without --data: exit $rc: $(head -c 300 "$TMP/eval.json") $(tail -n 1 "$TMP/eval.err")"

# --- refusals ------------------------------------------------------------------------
# refused LABEL NEEDLE CMD...: exit 2 with NEEDLE on stderr
refused() {
  local label=$1 needle=$2
  shift 2
  "$@" >"$TMP/ref.out" 2>"$TMP/ref.err"
  local rc=$?
  if [ $rc = 2 ] && grep -q -- "$needle" "$TMP/ref.err"; then pass "$label: exit 2: $(grep -m 1 -- "$needle" "$TMP/ref.err" | cut -c1-200)"
  else fail "$label: exit $rc, stderr: $(tail -n 1 "$TMP/ref.err")"; fi
}
cp "$TMP/ckpt10" "$TMP/k.safetensors"
refused "resume --data another file" "pass --data-changed" "$T" train --resume "$TMP/k.safetensors" --data "$D/v.npy" --iters 20 --out "$TMP/x1"
[ ! -e "$TMP/x1" ] && cmp -s "$TMP/k.safetensors" "$TMP/ckpt10" && pass "the refused resume wrote nothing" || fail "the refused resume wrote files"
refused "eval --data another file" "sha256" "$T" eval --ckpt "$TMP/k.safetensors" --data "$D/v.npy"
refused "resume a toy set instead" "trained on $U" "$T" train --resume "$TMP/k.safetensors" --data 25gaussians --iters 20 --out "$TMP/x2"
"$T" train --resume "$TMP/k.safetensors" --data "$D/v.npy" --data-changed --iters 12 --out "$TMP/x3" >/dev/null 2>"$TMP/x3.err"
rc=$?
[ $rc = 0 ] && grep -q "\"path\": \"$(realpath "$D/v.npy")\"" "$TMP/x3/run.json" && grep -q 'note: --data-changed' "$TMP/x3.err" &&
  pass "--data-changed: the resume trains on v.npy (exit 0), says so, run.json records v.npy" || fail "--data-changed: exit $rc $(tail -n 1 "$TMP/x3.err")"
cp "$D/u.npy" "$D/u.bak"
cp "$D/v.npy" "$D/u.npy"   # the recorded file, changed in place
refused "resume after the recorded file changed" "the recorded data changed" "$T" train --resume "$TMP/k.safetensors" --iters 20 --out "$TMP/x4"
refused "eval after the recorded file changed" "the recorded data changed" "$T" eval --ckpt "$TMP/k.safetensors"
rm "$D/u.npy"
refused "resume with the recorded file missing" "recorded data cannot be read ($U" "$T" train --resume "$TMP/k.safetensors" --iters 20 --out "$TMP/x5"
refused "eval with the recorded file missing" "$U" "$T" eval --ckpt "$TMP/k.safetensors"
mv "$D/u.bak" "$D/u.npy"
refused "resume with --iters at the checkpoint's step" "is at step 10: --iters 10 leaves nothing to train" "$T" train --resume "$TMP/k.safetensors" --iters 10 --out "$TMP/x6"
refused "resume with --iters below the checkpoint's step" "is at step 10: --iters 5" "$T" train --resume "$TMP/k.safetensors" --iters 5 --out "$TMP/x6"
[ ! -e "$TMP/x6" ] && pass "the refused --iters resumes wrote nothing" || fail "a refused --iters resume wrote $TMP/x6"

# --- --test-data ------------------------------------------------------------------------
"$T" train --data "$D/u.npy" --test-data "$D/w.npy" --iters 5 --out "$TMP/t" >/dev/null 2>"$TMP/t.err" || fail "train --test-data: $(tail -n 1 "$TMP/t.err")"
grep -q '"rows_train": 300, "test": {"source": "file", "path": "'"$(realpath "$D/w.npy")"'"' "$TMP/t/run.json" &&
  pass "--test-data: run.json records the test file and trains on all 300 rows" || fail "--test-data run.json: $(grep data "$TMP/t/run.json")"
"$T" eval --ckpt "$TMP/t/ckpt.safetensors" >"$TMP/t.json" 2>"$TMP/te.err"
grep -q '^{"test": {"source": "file", "path": ".*w.npy", "sha256": "'"$(sha256sum "$D/w.npy" | cut -d' ' -f1)"'"}' "$TMP/t.json" && grep -q '"n_test": 77,' "$TMP/t.json" &&
  pass "eval uses the recorded --test-data file (77 rows, JSON says source file)" || fail "eval of a --test-data run: $(head -c 300 "$TMP/t.json") $(tail -n 1 "$TMP/te.err")"
"$T" eval --ckpt "$TMP/ckpt10" >"$TMP/toy.json" 2>/dev/null
"$T" train --iters 3 --out "$TMP/toy" >/dev/null 2>&1 && "$T" eval --ckpt "$TMP/toy/ckpt.safetensors" >"$TMP/toy.json" 2>/dev/null
grep -q '^{"test": {"source": "fresh", "note": "fresh draws' "$TMP/toy.json" && grep -q '"n_test": 20000,' "$TMP/toy.json" &&
  pass "a toy-set run's eval says its 20,000 held-out points are fresh draws" || fail "toy eval JSON: $(head -c 200 "$TMP/toy.json")"
finish

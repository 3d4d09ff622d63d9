#!/usr/bin/env bash
# `train --nan-retries N --nan-lr-factor F` (DESIGN 2.5): a non-finite step
# goes back to the last checkpoint and continues with every learning rate
# times F. The model: one parameter w (0 at the start), loss w with Adam at
# rate 1 (a constant gradient: each step moves w by lr_scale), and a logged
# term sqrt(3.5 + w), NaN once w < -3.5. With --ckpt-every 3: w = -4 at
# iteration 5 is NaN; back to step 3 (w = -3) at scale 0.1, the run ends at
# iteration 8 with w = -3.4 logged, one rollback logged at iter 3, a checkpoint
# carrying lr_scale 0.1; 6 iterations + resume to 8 equal 8 in one run byte for
# byte; a factor that cannot avoid the NaN exhausts the retries (exit 3); bad
# flags exit 2.
# usage: bash tests/nan_rollback.sh /abs/path/to/ebmforge   (from the repository root)
set -u
BIN=${1:?usage: nan_rollback.sh /path/to/ebmforge}
. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

cp tests/support/rollback.lua "$TMP/rollback.lua"
"$BIN" build "$TMP/rollback.lua" -o "$TMP/b" --no-cuda >"$TMP/gen.txt" 2>&1 && ninja -C "$TMP/b" train-cpu >"$TMP/ninja.txt" 2>&1 ||
  { fail "build: $(tail -n 3 "$TMP/gen.txt" "$TMP/ninja.txt")"; finish; }
T=$TMP/b/custom/train-cpu
flags="--log-every 1 --ckpt-every 3 --nan-retries 2 --nan-lr-factor 0.1"

$T train --iters 8 $flags --out "$TMP/a" >/dev/null 2>"$TMP/a.err"
rc=$?
[ "$rc" = 0 ] && grep -q 'iteration 5, phase energy: headroom is NaN: back to step 3 with learning rates x 0.1 (retry 1 of 2)' "$TMP/a.err" &&
  pass "a NaN at iteration 5 goes back to step 3 at scale 0.1 and the run ends (exit 0)" ||
  fail "rollback run: exit $rc: $(tail -n 2 "$TMP/a.err")"
ev=$(grep -c '"event": "nan_rollback"' "$TMP/a/log.jsonl")
grep -q '^{"iter": 3, "event": "nan_rollback", "failed_iter": 5, "error": "phase energy: headroom is NaN", "lr_scale": 0.10000000000000001, "retry": 1}$' "$TMP/a/log.jsonl" &&
  [ "$ev" = 1 ] && pass "one rollback line at iter 3 in log.jsonl" || fail "rollback lines: $(grep event "$TMP/a/log.jsonl")"
its=$(grep -v '"event"' "$TMP/a/log.jsonl" | grep -o '^{"iter": [0-9]*' | grep -o '[0-9]*$' | tr '\n' ' ')
[ "$its" = "1 2 3 4 5 6 7 8 " ] && pass "the abandoned iterations' lines are gone: iterations $its" || fail "logged iterations: $its"
w8=$(grep '^{"iter": 8,' "$TMP/a/log.jsonl" | sed 's/.*"w": \([-0-9.e]*\).*/\1/')
awk -v w="${w8:-0}" 'BEGIN { d = w + 3.4; exit !(d < 1e-5 && d > -1e-5) }' &&
  pass "w at iteration 8 = -3 - 4 x 0.1 (logged $w8): the lower rate was used" || fail "w at iteration 8: ${w8:-missing}, want -3.4"
head -c 600 "$TMP/a/ckpt.safetensors" | grep -q '"lr_scale":"0.10000000000000001"' &&
  pass "the checkpoint carries lr_scale 0.1" || fail "checkpoint metadata: $(head -c 600 "$TMP/a/ckpt.safetensors" | tr -cd '[:print:]' | grep -o '__metadata__.*')"

$T train --iters 6 $flags --out "$TMP/r" >/dev/null 2>&1 && $T train --resume "$TMP/r/ckpt.safetensors" --iters 8 --log-every 1 --out "$TMP/r" >/dev/null 2>&1
cmp -s "$TMP/r/ckpt.safetensors" "$TMP/a/ckpt.safetensors" &&
  cmp -s <(grep -v '"event": "\(start\|resume\)"' "$TMP/r/log.jsonl" | sed 's/, "steps_per_s.*//') \
    <(grep -v '"event": "\(start\|resume\)"' "$TMP/a/log.jsonl" | sed 's/, "steps_per_s.*//') &&
  pass "6 iterations (with the rollback) + resume to 8 = 8 in one run: checkpoints and logs identical" ||
  fail "resume after a rollback differs from one run"

$T train --iters 8 --ckpt-every 3 --nan-retries 1 --nan-lr-factor 0.9 --out "$TMP/x" >/dev/null 2>"$TMP/x.err"
rc=$?
[ "$rc" = 3 ] && grep -q 'no retry left (--nan-retries 1)' "$TMP/x.err" &&
  pass "a factor too weak to avoid the NaN: retries exhausted, exit 3" || fail "exhausted retries: exit $rc: $(tail -n 2 "$TMP/x.err")"

for bad in "--nan-lr-factor 1" "--nan-lr-factor 0" "--nan-retries -1" "--nan-retries x"; do
  $T train --iters 2 $bad --out "$TMP/bad" >/dev/null 2>"$TMP/bad.err"
  rc=$?
  [ "$rc" = 2 ] && [ ! -e "$TMP/bad" ] && pass "train $bad: exit 2, nothing written ($(head -n 1 "$TMP/bad.err"))" ||
    fail "train $bad: exit $rc"
done
finish

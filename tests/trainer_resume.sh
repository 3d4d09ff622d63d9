#!/usr/bin/env bash
# Generated trainers resume bit-exactly (DESIGN 2.5): for toy_mle and
# toy_ebm0gp (here with the generator's EMA, ema = 0.99, whose averages are
# buffers in the checkpoint), 300 steps in one run and 100 steps + a resume to 300 write
# byte-identical checkpoints; the seed comes from the checkpoint, so a resume
# passing another --seed (here twice: 100 -> 200 -> 300) changes nothing; the
# resumed log.jsonl continues the old one (iterations 1..300, same values);
# --threads 2 writes the same checkpoint as one thread (no GEMM here is split).
# usage: bash tests/trainer_resume.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: trainer_resume.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

# the two trainers, generated and compiled side by side (one core each)
cp models/toy_mle.lua "$TMP/toy_mle.lua"
sed 's/^}$/  ema = 0.99,\n}/' models/toy_ebm0gp.lua >"$TMP/toy_ebm0gp.lua"
for m in mle:toy_mle gp:toy_ebm0gp; do
  if ! "$BIN" build "$TMP/${m#*:}.lua" -o "$TMP/${m%%:*}" >"$TMP/gen_${m%%:*}.txt" 2>&1; then
    fail "ebmforge build ${m#*:}.lua: $(tail -n 3 "$TMP/gen_${m%%:*}.txt")"
    finish
  fi
done
ninja -C "$TMP/mle" -j 1 train-cpu >"$TMP/ninja_mle.txt" 2>&1 &
pid=$!
ninja -C "$TMP/gp" -j 1 train-cpu >"$TMP/ninja_gp.txt" 2>&1
rc_gp=$?
wait "$pid"
rc_mle=$?
for m in mle:$rc_mle gp:$rc_gp; do
  if [ "${m#*:}" -ne 0 ]; then fail "ninja -C ${m%%:*}: $(tail -n 5 "$TMP/ninja_${m%%:*}.txt")"; else pass "ninja -C ${m%%:*}"; fi
done
[ "$failed" -eq 0 ] || finish

# iterations of a log, one a line (not the start/resume events opening each session)
iters() { grep -v '"event"' "$1" | grep -o '^{"iter": [0-9]*' | grep -o '[0-9]*$'; }
# a log without its events and timings (steps/s and wall time differ run to run)
values() { grep -v '"event"' "$1" | sed 's/, "steps_per_s": [^}]*}$/}/'; }
# the "step" metadata of a checkpoint, from its JSON header
ckpt_step() {
  local h
  h=$(od -An -tu8 -N8 "$1" | tr -d ' ')
  head -c $((8 + h)) "$1" | tail -c +9 | grep -o '"step":"[0-9]*"' | grep -o '[0-9]\+'
}

# check NAME TRAINER
check() {
  local n=$1 T=$2 D=$TMP/run_$1 pid rc_a rc_b1 rc_b2 rc_c1 rc_c2 rc_d rc_e
  mkdir -p "$D"
  # A: 300 steps, while B runs its first 100 steps
  "$T" train --iters 300 --seed 11 --log-every 1 --out "$D/A" >"$D/A.txt" 2>&1 &
  pid=$!
  "$T" train --iters 100 --seed 11 --log-every 1 --out "$D/B" >"$D/B1.txt" 2>&1
  rc_b1=$?
  cp -r "$D/B" "$D/C"
  cp "$D/B/ckpt.safetensors" "$D/C/ckpt.safetensors.100"
  # E: B's 100 steps at --threads 2 (every GEMM of these toy nets stays on one OpenBLAS thread)
  "$T" train --iters 100 --seed 11 --threads 2 --out "$D/E" >"$D/E.txt" 2>&1
  rc_e=$?
  wait "$pid"
  rc_a=$?
  # B: resume to 300; C: resume to 200 and then 300, each time with another seed
  "$T" train --resume "$D/B/ckpt.safetensors" --iters 300 --log-every 1 --out "$D/B" >"$D/B2.txt" 2>&1 &
  pid=$!
  "$T" train --resume "$D/C/ckpt.safetensors" --iters 200 --seed 12345 --log-every 1 --out "$D/C" >"$D/C1.txt" 2>&1
  rc_c1=$?
  "$T" train --resume "$D/C/ckpt.safetensors" --iters 300 --seed 777 --log-every 1 --out "$D/C" >"$D/C2.txt" 2>&1
  rc_c2=$?
  wait "$pid"
  rc_b2=$?
  # D: a resume with nothing left to do is refused (exit 2), writing nothing
  "$T" train --resume "$D/B/ckpt.safetensors" --iters 300 --out "$D/D" >"$D/D.txt" 2>&1
  rc_d=$?
  if [ "$rc_d" = 2 ] && grep -q 'is at step 300: --iters 300 leaves nothing to train' "$D/D.txt" && [ ! -e "$D/D" ]; then
    pass "$n: resuming at step 300 with --iters 300 is refused (exit 2, says so, writes nothing)"
  else
    fail "$n: resume with --iters at the checkpoint's step: exit $rc_d, $(tail -n 1 "$D/D.txt"), $(ls "$D/D" 2>&1 | tr '\n' ' ')"
  fi
  rc_d=0

  if [ "$rc_a$rc_b1$rc_b2$rc_c1$rc_c2$rc_d$rc_e" = 0000000 ]; then
    pass "$n: every run exits 0"
  else
    fail "$n: exit codes A=$rc_a B=$rc_b1,$rc_b2 C=$rc_c1,$rc_c2 D=$rc_d E=$rc_e (last stderr: $(tail -n 1 "$D"/*.txt | tr '\n' ' '))"
    return
  fi
  if cmp -s "$D/E/ckpt.safetensors" "$D/C/ckpt.safetensors.100"; then
    pass "$n: 100 steps at --threads 2 == 100 steps at --threads 1 (checkpoints byte-identical)"
  else
    fail "$n: --threads 2 changed the 100-step checkpoint: $(cmp "$D/E/ckpt.safetensors" "$D/C/ckpt.safetensors.100" 2>&1)"
  fi
  if cmp -s "$D/A/ckpt.safetensors" "$D/B/ckpt.safetensors"; then
    pass "$n: 300 steps == 100 steps + resume to 300 (checkpoints byte-identical)"
  else
    fail "$n: 100 steps + resume differs from 300 steps: $(cmp "$D/A/ckpt.safetensors" "$D/B/ckpt.safetensors" 2>&1)"
  fi
  if cmp -s "$D/A/ckpt.safetensors" "$D/C/ckpt.safetensors"; then
    pass "$n: resumes passing --seed 12345, then 777, still equal the seed-11 run (seed from the checkpoint)"
  else
    fail "$n: a resume with another --seed differs: $(cmp "$D/A/ckpt.safetensors" "$D/C/ckpt.safetensors" 2>&1)"
  fi
  local s
  s=$(ckpt_step "$D/B/ckpt.safetensors")
  if [ "$s" = 300 ]; then
    pass "$n: the resumed checkpoint says step 300"
  else
    fail "$n: the resumed checkpoint's step is '$s', expected 300"
  fi
  local x
  for x in A B C; do
    if iters "$D/$x/log.jsonl" | cmp -s - <(seq 1 300); then
      pass "$n: $x/log.jsonl has iterations 1..300, contiguous"
    else
      fail "$n: $x/log.jsonl iterations are not 1..300: $(iters "$D/$x/log.jsonl" | tr '\n' ' ' | cut -c1-200)"
    fi
  done
  for x in B C; do
    if cmp -s <(values "$D/A/log.jsonl") <(values "$D/$x/log.jsonl"); then
      pass "$n: $x/log.jsonl logs the values of the one-run log"
    else
      fail "$n: $x/log.jsonl values differ from A's: $(diff <(values "$D/A/log.jsonl") <(values "$D/$x/log.jsonl") | head -n 3 | tr '\n' ' ')"
    fi
  done
}

check toy_mle "$TMP/mle/mle-langevin/train-cpu"
check toy_ebm0gp "$TMP/gp/ebm-0gp/train-cpu"

finish

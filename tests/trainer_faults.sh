#!/usr/bin/env bash
# Generated trainers survive faults (DESIGN 2.5):
#  (a) SIGKILL at random moments of a run checkpointing every step: the
#      checkpoint, if any, loads; a leftover ckpt.safetensors.tmp is ignored by
#      loading and replaced by the next save; the log resumed in place is
#      contiguous (lines logged past the checkpoint are dropped on resume);
#  (b) SIGTERM and SIGINT: exit 0, the stop and the checkpoint named on
#      stderr, a checkpoint at that step that loads, a log ending there;
#  (c) damaged checkpoints (truncated, flipped bytes, empty, missing, another
#      model's) are refused with exit code 2, a reason, and no output;
#  (d) bad --data files are refused with exit code 2, a reason, and no output;
#      a good one trains;
#  (e) a loss that becomes NaN at a known step stops the trainer and the
#      interpreter alike with exit code 3, naming the step and the term.
# Trial delays of (a) come from $RANDOM and are printed with each check.
# usage: bash tests/trainer_faults.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: trainer_faults.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# A model whose logged term "blowup" = sqrt(2.5 - step) is NaN from step 3 on
# (ebm.step() is the 0-based iteration).
cat >"$TMP/nan_at_3.lua" <<'EOF'
model {
  name = "nan_at_3", method = "custom", data = "25gaussians", batch = 16,
  build = function(cfg)
    local E = nets.toy_energy{ width = 8, act = "silu" }.build("energy")
    local opt = adam{ lr = 1e-3, betas = {0, 0.9}, eps = 1e-6 }
    phase("energy", function(p)
      local e = ebm.mean(E(ebm.data({16, 2})))
      local blowup = ebm.sqrt(2.5 - ebm.step())
      p:minimize(e + blowup, E.params, opt)
      p:log("energy_mean", e)
      p:log("blowup", blowup)
    end)
  end,
}
EOF

# three trainers, compiled side by side
for m in mle:models/toy_mle.lua gp:models/toy_ebm0gp.lua nan:$TMP/nan_at_3.lua; do
  if ! "$BIN" build "${m#*:}" -o "$TMP/${m%%:*}" >"$TMP/gen_${m%%:*}.txt" 2>&1; then
    fail "ebmforge build ${m#*:}: $(tail -n 3 "$TMP/gen_${m%%:*}.txt")"
    finish
  fi
done
ninja -C "$TMP/mle" -j 1 train-cpu >"$TMP/ninja_mle.txt" 2>&1 &
p_mle=$!
ninja -C "$TMP/gp" -j 1 train-cpu >"$TMP/ninja_gp.txt" 2>&1 &
p_gp=$!
ninja -C "$TMP/nan" -j 1 train-cpu >"$TMP/ninja_nan.txt" 2>&1
rc_nan=$?
wait "$p_mle"
rc_mle=$?
wait "$p_gp"
rc_gp=$?
for m in mle:$rc_mle gp:$rc_gp nan:$rc_nan; do
  if [ "${m#*:}" -ne 0 ]; then fail "ninja -C ${m%%:*}: $(tail -n 5 "$TMP/ninja_${m%%:*}.txt")"; else pass "ninja -C ${m%%:*}"; fi
done
[ "$failed" -eq 0 ] || finish
MLE=$TMP/mle/mle-langevin/train-cpu
GP=$TMP/gp/ebm-0gp/train-cpu
NAN=$TMP/nan/custom/train-cpu

iters() { grep -v '"event"' "$1" | grep -o '^{"iter": [0-9]*' | grep -o '[0-9]*$'; }
# the "step" metadata of a checkpoint, from its JSON header
ckpt_step() {
  local h
  h=$(od -An -tu8 -N8 "$1" | tr -d ' ')
  head -c $((8 + h)) "$1" | tail -c +9 | grep -o '"step":"[0-9]*"' | grep -o '[0-9]\+'
}
# contiguous LOG N: the log's iterations are exactly 1..N
contiguous() { iters "$1" | cmp -s - <(seq 1 "$2"); }
last_line() { tail -n 1 "$1" 2>/dev/null | cut -c1-240 | LC_ALL=C tr -c "[:print:]\n" "?"; }

# ---- (a) SIGKILL at random moments -------------------------------------------
stray=0
withckpt=0
for i in 1 2 3 4 5 6 7 8; do
  if [ $((i % 2)) -eq 1 ]; then T=$GP; tn=toy_ebm0gp; else T=$MLE; tn=toy_mle; fi
  ms=$((50 + RANDOM % 1451))
  delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
  K=$TMP/kill$i
  label="SIGKILL trial $i ($tn after ${delay}s)"
  "$T" train --ckpt-every 1 --iters 100000 --log-every 1 --seed "$i" --out "$K" >"$K.txt" 2>&1 &
  pid=$!
  pids+=("$pid")
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  { wait "$pid"; } 2>/dev/null
  rc=$?
  if [ "$rc" -ne 137 ]; then fail "$label: the trainer ended with $rc before the kill ($(last_line "$K.txt"))"; continue; fi
  ls "$K"/*.tmp >/dev/null 2>&1 && { stray=$((stray + 1)); tmpnote=", a .tmp left behind"; } || tmpnote=""
  if [ ! -e "$K/ckpt.safetensors" ]; then
    # killed before the first checkpoint: a new run in the same place works
    "$T" train --iters 2 --log-every 1 --out "$K" >"$K.fresh.txt" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && ! ls "$K"/*.tmp >/dev/null 2>&1 && contiguous "$K/log.jsonl" 2; then
      pass "$label: no checkpoint yet$tmpnote; a new run in the same directory exits 0, no .tmp left"
    else
      fail "$label: no checkpoint yet; a new run in the same directory: exit $rc, files: $(ls "$K" | tr '\n' ' ')"
    fi
    continue
  fi
  withckpt=$((withckpt + 1))
  s=$(ckpt_step "$K/ckpt.safetensors")
  # a copy loads in a fresh directory
  mkdir -p "$K.copy"
  cp "$K/ckpt.safetensors" "$K.copy/ckpt.safetensors"
  "$T" train --resume "$K.copy/ckpt.safetensors" --iters $((s + 2)) --out "$K.copy/out" >"$K.copy.txt" 2>&1
  rc=$?
  if [ -n "$s" ] && [ "$rc" -eq 0 ] && [ "$(ckpt_step "$K.copy/out/ckpt.safetensors")" = $((s + 2)) ]; then
    pass "$label: the checkpoint (step $s$tmpnote) loads and trains on to step $((s + 2))"
  else
    fail "$label: the checkpoint (step '$s') does not resume: exit $rc: $(last_line "$K.copy.txt")"
  fi
  # resuming in place, next to whatever the kill left: exit 0, no .tmp, a contiguous log
  "$T" train --resume "$K/ckpt.safetensors" --iters $((s + 2)) --log-every 1 --out "$K" >"$K.inplace.txt" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && ! ls "$K"/*.tmp >/dev/null 2>&1 && contiguous "$K/log.jsonl" $((s + 2)); then
    pass "$label: resuming in place exits 0, leaves no .tmp, log.jsonl is 1..$((s + 2)) contiguous"
  else
    fail "$label: resuming in place: exit $rc ($(last_line "$K.inplace.txt")), files: $(ls "$K" | tr '\n' ' '), log iterations: $(iters "$K/log.jsonl" | tail -n 4 | tr '\n' ' ')"
  fi
done
echo "note: $stray of 8 kills left ckpt.safetensors.tmp (ignored when loading, replaced by the next save); $withckpt had a checkpoint"

# ---- (b) SIGTERM and SIGINT --------------------------------------------------
for sig in TERM:terminated INT:interrupted; do
  S=$TMP/sig_${sig%%:*}
  "$MLE" train --iters 100000 --ckpt-every 7 --log-every 1 --out "$S" >"$S.out" 2>"$S.err" &
  pid=$!
  pids+=("$pid")
  sleep 1.5
  kill -s "${sig%%:*}" "$pid"
  wait "$pid"
  rc=$?
  msg=$(grep "${sig#*:} at step" "$S.err")
  n=$(printf '%s\n' "$msg" | sed -n 's/.* at step \([0-9]*\): checkpoint written to \(.*\)$/\1/p')
  where=$(printf '%s\n' "$msg" | sed -n 's/.* at step \([0-9]*\): checkpoint written to \(.*\)$/\2/p')
  if [ "$rc" -eq 0 ] && [ -n "$n" ] && [ "$where" = "$S/ckpt.safetensors" ]; then
    pass "SIG${sig%%:*}: exit 0, stderr says '${sig#*:} at step $n', names $where"
  else
    fail "SIG${sig%%:*}: exit $rc, stderr: $(tail -n 2 "$S.err" | tr '\n' ' ')"
    continue
  fi
  s=$(ckpt_step "$S/ckpt.safetensors")
  if [ "$s" = "$n" ] && [ "$n" -gt 0 ] && [ "$n" -lt 100000 ] && contiguous "$S/log.jsonl" "$n" && [ ! -e "$S/ckpt.safetensors.tmp" ]; then
    pass "SIG${sig%%:*}: the checkpoint's step is $n (0 < $n < 100000), log.jsonl is 1..$n, no .tmp"
  else
    fail "SIG${sig%%:*}: checkpoint step '$s', message step $n, last log line: $(last_line "$S/log.jsonl")"
  fi
  "$MLE" train --resume "$S/ckpt.safetensors" --iters $((n + 1)) --out "$S.resumed" >"$S.resumed.txt" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ]; then pass "SIG${sig%%:*}: the checkpoint resumes (exit 0)"; else fail "SIG${sig%%:*}: resume exit $rc: $(last_line "$S.resumed.txt")"; fi
done

# ---- (c) damaged checkpoints -------------------------------------------------
"$MLE" train --iters 3 --seed 4 --out "$TMP/good_mle" >/dev/null 2>&1
"$GP" train --iters 3 --seed 4 --out "$TMP/good_gp" >/dev/null 2>&1
GOOD=$TMP/good_mle/ckpt.safetensors
if [ ! -s "$GOOD" ] || [ ! -s "$TMP/good_gp/ckpt.safetensors" ]; then fail "3-step runs wrote no checkpoints"; finish; fi
H=$(od -An -tu8 -N8 "$GOOD" | tr -d ' ')
SIZE=$(stat -c %s "$GOOD")

# flip FILE OFFSET [MASK]: XOR one byte (default 0xff)
flip() {
  local v
  v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf %03o $((v ^ ${3:-255})))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# offset of the first byte after the first occurrence of STRING in FILE
after() { echo $(($(grep -abo -F "$2" "$1" | head -n 1 | cut -d: -f1) + ${#2})); }
# refused LABEL CKPT [MUST-MENTION...]: the mle trainer refuses CKPT with exit 2, a reason, no output
refused() {
  local label=$1 ck=$2 out=$TMP/refused_out rc word
  shift 2
  rm -rf "$out"
  "$MLE" train --resume "$ck" --iters 5 --out "$out" >"$TMP/refused.out" 2>"$TMP/refused.err"
  rc=$?
  local why
  why=$(grep -a -m 1 'cannot resume: ' "$TMP/refused.err" | LC_ALL=C tr -c '[:print:]\n' '?')
  if [ "$rc" -ne 2 ] || [ -z "$why" ]; then
    fail "$label: exit $rc, expected 2 with 'cannot resume: reason' (stderr: $(last_line "$TMP/refused.err"))"
    return
  fi
  if [ -e "$out" ]; then fail "$label: refused, but $out was created"; return; fi
  for word in "$@"; do
    case "$why" in *"$word"*) ;; *) fail "$label: the reason does not mention '$word': $why"; return ;; esac
  done
  pass "$label: exit 2, nothing written: ${why#*cannot resume: }"
}

for cut in 4 8 100 $((8 + H / 2)) $((8 + H - 1)) $((8 + H)) $((8 + H + 1000)) $((SIZE - 1)); do
  head -c "$cut" "$GOOD" >"$TMP/cut.st"
  refused "checkpoint truncated to $cut of $SIZE bytes" "$TMP/cut.st"
done
cp "$GOOD" "$TMP/grown.st"
printf 'x' >>"$TMP/grown.st"
refused "checkpoint with a byte appended" "$TMP/grown.st"
for off in $((8 + H + 5)) $((8 + H + (SIZE - 8 - H) / 2)) $((SIZE - 1)); do
  cp "$GOOD" "$TMP/flip.st"
  flip "$TMP/flip.st" "$off"
  refused "flipped data byte at $off" "$TMP/flip.st" corrupt
done
cp "$GOOD" "$TMP/flip.st"
flip "$TMP/flip.st" "$((SIZE - 3))" 1
refused "one flipped data bit at $((SIZE - 3))" "$TMP/flip.st" corrupt
hdr_flip() { # LABEL OFFSET [MASK]
  cp "$GOOD" "$TMP/flip.st"
  flip "$TMP/flip.st" "$2" "${3:-255}"
  refused "flipped header byte: $1 (offset $2)" "$TMP/flip.st"
}
hdr_flip "length, low byte" 0
hdr_flip "length, high byte" 7
hdr_flip "the opening brace" 8
hdr_flip "inside the first tensor name" 12
hdr_flip "a dtype" "$(after "$GOOD" '"dtype":"F')"
hdr_flip "a data offset" "$(after "$GOOD" '"data_offsets":[')"
hdr_flip "the format" "$(after "$GOOD" '"format":"')"
hdr_flip "the fingerprint" "$(after "$GOOD" '"fingerprint":"')"
hdr_flip "the step value" "$(after "$GOOD" '"step":"')"
hdr_flip "the seed value" "$(after "$GOOD" '"seed":"')"
# a digit that stays a digit ('5' -> '4') keeps the JSON valid: the metadata crc must catch it
cp "$GOOD" "$TMP/flip.st"
flip "$TMP/flip.st" "$(after "$GOOD" '"step":"')" 1
refused "step digit changed to another digit" "$TMP/flip.st" metadata
cp "$GOOD" "$TMP/flip.st"
flip "$TMP/flip.st" "$(after "$GOOD" '"model":"')" 1
refused "model name letter changed" "$TMP/flip.st" metadata
cp "$GOOD" "$TMP/flip.st"
flip "$TMP/flip.st" "$(after "$GOOD" '"data":"')" 1
refused "recorded data name letter changed" "$TMP/flip.st" metadata
hdr_flip "the optimizer_steps value" "$(after "$GOOD" '"optimizer_steps":"')"
hdr_flip "the crc32 value" "$(after "$GOOD" '"crc32":"')" 1
hdr_flip "its last byte" $((8 + H - 1))
: >"$TMP/empty.st"
refused "empty checkpoint" "$TMP/empty.st"
refused "missing checkpoint" "$TMP/no_such_ckpt.safetensors" no_such_ckpt
refused "a directory as checkpoint" "$TMP/good_mle" directory
printf 'not a checkpoint at all\n' >"$TMP/text.st"
refused "a text file as checkpoint" "$TMP/text.st"
GPFP=$("$GP" info | sed -n 's/^fingerprint *//p')
refused "toy_ebm0gp checkpoint given to the toy_mle trainer" "$TMP/good_gp/ckpt.safetensors" toy_ebm0gp "$GPFP"
rm -rf "$TMP/refused_out"
"$GP" train --resume "$GOOD" --iters 5 --out "$TMP/refused_out" >/dev/null 2>"$TMP/refused.err"
rc=$?
MLEFP=$("$MLE" info | sed -n 's/^fingerprint *//p')
if [ "$rc" -eq 2 ] && grep -aq "toy_mle" "$TMP/refused.err" && grep -aq "$MLEFP" "$TMP/refused.err" && [ ! -e "$TMP/refused_out" ]; then
  pass "toy_mle checkpoint given to the toy_ebm0gp trainer: exit 2, names toy_mle and $MLEFP"
else
  fail "toy_mle checkpoint given to the toy_ebm0gp trainer: exit $rc: $(last_line "$TMP/refused.err")"
fi
if "$MLE" train --resume "$GOOD" --iters 5 --out "$TMP/good_resumed" >/dev/null 2>&1; then
  pass "the undamaged checkpoint resumes (exit 0)"
else
  fail "the undamaged checkpoint does not resume"
fi

# ---- (d) --data files --------------------------------------------------------
# npy_header FILE DESCR SHAPE [FORTRAN]: a .npy 1.0 header, data to be appended
npy_header() {
  local dict="{'descr': '$2', 'fortran_order': ${4:-False}, 'shape': $3, }"
  local hl=$(((10 + ${#dict} + 1 + 63) / 64 * 64 - 10))
  printf '\x93NUMPY\x01\x00' >"$1"
  printf "\\x$(printf %02x $((hl % 256)))\\x$(printf %02x $((hl / 256)))" >>"$1"
  printf "%-$((hl - 1))s\n" "$dict" >>"$1"
}
F1='\x00\x00\x80\x3f'   # 1.0f
FM1='\x00\x00\x80\xbf'  # -1.0f
F2='\x00\x00\x00\x40'   # 2.0f
FH='\x00\x00\x00\x3f'   # 0.5f
FNAN='\x00\x00\xc0\x7f' # NaN
FINF='\x00\x00\x80\x7f' # +Inf
D1='\x00\x00\x00\x00\x00\x00\xf0\x3f' # 1.0 as <f8
P8="$F1$FM1$F2$FH$FM1$F1$FH$F2"       # 8 floats

D=$TMP/npy
mkdir -p "$D"
npy_header "$D/good.npy" '<f4' '(5, 2)'; printf "$P8$F1$F2" >>"$D/good.npy"
npy_header "$D/f8.npy" '<f8' '(4, 2)'; for _ in 1 2 3 4 5 6 7 8; do printf "$D1" >>"$D/f8.npy"; done
npy_header "$D/rank1.npy" '<f4' '(8,)'; printf "$P8" >>"$D/rank1.npy"
npy_header "$D/int.npy" '<i4' '(4, 2)'; printf "$P8" >>"$D/int.npy"
npy_header "$D/rank3.npy" '<f4' '(2, 2, 2)'; printf "$P8" >>"$D/rank3.npy"
npy_header "$D/cols3.npy" '<f4' '(4, 3)'; printf "$P8$F1$F1$F1$F1" >>"$D/cols3.npy"
npy_header "$D/nan.npy" '<f4' '(4, 2)'; printf "$F1$F1$F1$FNAN$F1$F1$F1$F1" >>"$D/nan.npy"
npy_header "$D/inf.npy" '<f4' '(4, 2)'; printf "$F1$F1$F1$F1$F1$FINF$F1$F1" >>"$D/inf.npy"
npy_header "$D/truncated.npy" '<f4' '(4, 2)'; printf "$F1$F1$F1$F1$F1$F1$F1" >>"$D/truncated.npy"
npy_header "$D/trailing.npy" '<f4' '(4, 2)'; printf "$P8$F1" >>"$D/trailing.npy"
npy_header "$D/empty_rows.npy" '<f4' '(0, 2)'
npy_header "$D/bigendian.npy" '>f4' '(4, 2)'; printf "$P8" >>"$D/bigendian.npy"
npy_header "$D/fortran.npy" '<f4' '(4, 2)' True; printf "$P8" >>"$D/fortran.npy"
head -c 40 "$D/good.npy" >"$D/header_cut.npy"
printf 'x,y\n1,2\n3,4\n' >"$D/text.npy"
: >"$D/empty.npy"
{ printf '\x93NUMPX'; tail -c +7 "$D/good.npy"; } >"$D/magic.npy"
cp "$D/good.npy" "$D/good.txt"

# bad_data LABEL FILE: the mle trainer refuses --data FILE with exit 2, a reason, no output
bad_data() {
  local out=$TMP/data_out rc why
  rm -rf "$out"
  "$MLE" train --data "$2" --iters 5 --out "$out" >/dev/null 2>"$TMP/data.err"
  rc=$?
  why=$(grep -a -m 1 'bad --data: ' "$TMP/data.err" | LC_ALL=C tr -c '[:print:]\n' '?')
  if [ "$rc" -ne 2 ] || [ -z "$why" ]; then
    fail "--data $1: exit $rc, expected 2 with 'bad --data: reason' (stderr: $(last_line "$TMP/data.err"))"
  elif [ -e "$out" ]; then
    fail "--data $1: refused, but $out was created"
  else
    pass "--data $1: exit 2, nothing written: ${why#*bad --data: }"
  fi
}
bad_data "dtype <i4" "$D/int.npy"
bad_data "rank 1" "$D/rank1.npy"
bad_data "rank 3" "$D/rank3.npy"
bad_data "3 columns" "$D/cols3.npy"
bad_data "a NaN value" "$D/nan.npy"
bad_data "an Inf value" "$D/inf.npy"
bad_data "truncated data" "$D/truncated.npy"
bad_data "trailing bytes" "$D/trailing.npy"
bad_data "zero rows" "$D/empty_rows.npy"
bad_data "big-endian >f4" "$D/bigendian.npy"
bad_data "fortran_order True" "$D/fortran.npy"
bad_data "truncated header" "$D/header_cut.npy"
bad_data "bad magic" "$D/magic.npy"
bad_data "a CSV file named .npy" "$D/text.npy"
bad_data "an empty file" "$D/empty.npy"
bad_data "a missing file" "$D/missing.npy"
mkdir -p "$D/dir.npy"
bad_data "a directory" "$D/dir.npy"
bad_data "a file that is not .npy (taken as a data set name)" "$D/good.txt"
rm -rf "$TMP/data_ok"
"$MLE" train --data "$D/good.npy" --iters 5 --out "$TMP/data_ok" >/dev/null 2>"$TMP/data.err"
rc=$?
if [ "$rc" -eq 0 ] && [ -s "$TMP/data_ok/ckpt.safetensors" ]; then
  pass "--data a valid float32 [5, 2] file: a 5-step run exits 0 and writes its checkpoint"
else
  fail "--data a valid float32 [5, 2] file: exit $rc: $(last_line "$TMP/data.err")"
fi
rm -rf "$TMP/data_f8"
"$MLE" train --data "$D/f8.npy" --iters 5 --out "$TMP/data_f8" >/dev/null 2>"$TMP/data_f8.err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c 'float64 values: rounded to float32' "$TMP/data_f8.err")" = 1 ] &&
  grep -q '"dtype": "float64"' "$TMP/data_f8/run.json"; then
  pass "--data a float64 [4, 2] file: trains (exit 0), said once on stderr, run.json records dtype float64"
else
  fail "--data a float64 file: exit $rc: $(last_line "$TMP/data_f8.err")"
fi

# ---- (e) a loss that becomes NaN ---------------------------------------------
"$NAN" train --iters 10 --log-every 1 --ckpt-every 2 --out "$TMP/nan_c" >/dev/null 2>"$TMP/nan_c.err"
rc_c=$?
"$BIN" run "$TMP/nan_at_3.lua" --iters 10 --out "$TMP/nan_i" >/dev/null 2>"$TMP/nan_i.err"
rc_i=$?
msg_c=$(grep -a -m 1 'NaN' "$TMP/nan_c.err")
msg_i=$(grep -a -m 1 'NaN' "$TMP/nan_i.err")
where() { printf '%s\n' "$1" | grep -o 'iteration [0-9]*, phase [a-z_]*: [a-z_]* is NaN' | tr -d ',:'; }
if [ "$rc_c" -eq 3 ] && [ "$(where "$msg_c")" = "iteration 4 phase energy blowup is NaN" ]; then
  pass "NaN: the trainer exits 3: $msg_c"
else
  fail "NaN: the trainer exits $rc_c, stderr: $(last_line "$TMP/nan_c.err")"
fi
if [ "$rc_i" -eq 3 ] && [ "$(where "$msg_i")" = "iteration 4 phase energy blowup is NaN" ]; then
  pass "NaN: the interpreter exits 3 naming the same step and term: $msg_i"
else
  fail "NaN: the interpreter exits $rc_i, stderr: $(last_line "$TMP/nan_i.err")"
fi
if contiguous "$TMP/nan_c/log.jsonl" 3 && [ "$(ckpt_step "$TMP/nan_c/ckpt.safetensors")" = 2 ]; then
  pass "NaN: the trainer logged iterations 1..3 and kept the step-2 checkpoint"
else
  fail "NaN: log iterations $(iters "$TMP/nan_c/log.jsonl" | tr '\n' ' '), checkpoint step '$(ckpt_step "$TMP/nan_c/ckpt.safetensors" 2>/dev/null)'"
fi
"$NAN" train --resume "$TMP/nan_c/ckpt.safetensors" --iters 10 --out "$TMP/nan_c" >/dev/null 2>"$TMP/nan_r.err"
rc=$?
if [ "$rc" -eq 3 ] && [ "$(where "$(grep -a -m 1 NaN "$TMP/nan_r.err")")" = "iteration 4 phase energy blowup is NaN" ]; then
  pass "NaN: resuming the step-2 checkpoint stops again at iteration 4 (exit 3)"
else
  fail "NaN: resuming the step-2 checkpoint: exit $rc: $(last_line "$TMP/nan_r.err")"
fi

finish

#!/usr/bin/env bash
# Data-parallel CUDA trainers compile and link without a GPU (issue 8, NCCL):
# - `ebmforge build --mpi-ranks 2` of the toy model, where nvcc, NCCL and Open
#   MPI are found, also writes the sharded model.cu (the CPU trainer's
#   fingerprint, its batch-row Philox offsets, the NCCL all-reduce) and a
#   train-cuda target; every object compiles with -Werror (nvcc: all-warnings)
#   and train-cuda links NCCL and MPI;
# - without a GPU, `mpirun -np 2 train-cuda train` exits non-zero with "no CUDA
#   device" on both ranks, no crash; `ebmforge pack` lists libnccl;
# - NCCL_HOME naming a folder without NCCL: a one-line note, train-cpu only;
# - a build without --mpi-ranks names neither NCCL nor MPI;
# - where two GPUs exist (built for the present one's architecture then): 20
#   steps of mpirun -np 2 train-cuda match mpirun -np 2 train-cpu within 1e-3
#   relative (+ 1e-5: losses near zero), and a 2-rank GPU run resumed from its
#   own step-10 checkpoint ends where the 20-step run ends.
# Skips (exit 77) where nvcc, mpicc/mpirun or NCCL are not found.
# usage: bash tests/nccl_compile.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: nccl_compile.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
COMPARE=$(dirname "$BIN")/compare_runs
cd "$(dirname "$0")/.." || exit 1

if ! command -v nvcc >/dev/null && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  echo "SKIP: nvcc not found (PATH, /usr/local/cuda/bin): the CUDA trainers cannot be compiled here"
  exit 77
fi
if ! command -v mpicc >/dev/null || ! command -v mpirun >/dev/null; then
  echo "SKIP: mpicc or mpirun not found (apt-get install openmpi-bin libopenmpi-dev)"
  exit 77
fi

. tests/support/report.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU')
arch=80
[ "${gpus:-0}" -gt 0 ] && arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d ' .')
D=$TMP/dp
"$BIN" build models/toy_mle.lua --mpi-ranks 2 --cuda-arch "$arch" -o "$D" >"$TMP/gen.txt" 2>&1 || {
  fail "ebmforge build --mpi-ranks 2: $(tail -n 3 "$TMP/gen.txt")"
  finish
}
if grep -q "nccl.h and libnccl.so not found" "$TMP/gen.txt"; then
  echo "SKIP: $(grep -m 1 'nccl.h' "$TMP/gen.txt" | sed 's/^ebmforge: note: //')"
  exit 77
fi
C=$D/mle-langevin
fp_c=$(grep -o 'fingerprint = "[0-9a-f]*"' "$C/model.c")
fp_cu=$(grep -o 'fingerprint = "[0-9a-f]*"' "$C/model.cu" 2>/dev/null)
if [ -n "$fp_c" ] && [ "$fp_c" = "$fp_cu" ]; then pass "the sharded model.cu shares train-cpu's $fp_c"
else fail "model.cu: fingerprints '$fp_c' vs '$fp_cu'"; fi
# rank r's rows of the sampler's Philox draws start at r x 200 in both trainers; one all-reduce per optimiser phase
off_c=$(grep -c 's->rank \* 200u' "$C/model.c")
off_cu=$(grep -c 'c->rank \* 200u' "$C/model.cu")
n_c=$(grep -c 's->allreduce(comm' "$C/model.c")
n_cu=$(grep -c 'cuda_allreduce_mean(d' "$C/model.cu")
if [ "$off_c" -gt 0 ] && [ "$off_c" = "$off_cu" ] && [ "$n_c" -gt 0 ] && [ "$n_c" = "$n_cu" ] &&
   grep -q '&cuda_nccl[,}]' "$C/model.cu"; then
  pass "model.cu offsets $off_cu batch-row draws by the rank and all-reduces $n_cu phase(s), as model.c"
else
  fail "model.cu: rank offsets $off_cu vs $off_c, all-reduces $n_cu vs $n_c"
fi

# everything with -Werror (a copy of build.ninja with stricter flags), on one core
sed -e 's/^nvflags = .*/& -Werror all-warnings -Xcompiler -Werror/' -e 's/^cflags = .*/& -Werror/' "$D/build.ninja" >"$D/werror.ninja"
start=$(date +%s)
if ninja -C "$D" -f werror.ninja -j 1 mle-langevin/train-cuda >"$TMP/ninja.txt" 2>&1; then
  pass "train-cuda (cuda_nccl.cu, cuda_rt.cu, model.cu, the MPI runtime) builds with -Werror ($(( $(date +%s) - start ))s)"
else
  fail "ninja train-cuda with -Werror: $(grep -m 5 -iE 'error|warning' "$TMP/ninja.txt")"
  finish
fi
if ldd "$C/train-cuda" | grep -q 'libnccl' && ldd "$C/train-cuda" | grep -q 'libmpi'; then
  pass "train-cuda links $(ldd "$C/train-cuda" | grep -oE 'lib(nccl|mpi)\.so\.[0-9]+' | sort -u | tr '\n' ' ')"
else
  fail "train-cuda does not link NCCL and MPI: $(ldd "$C/train-cuda" | tr '\n' ' ')"
fi
if "$C/train-cuda" info >"$TMP/info.txt" 2>&1 && grep -q '^ranks *2' "$TMP/info.txt"; then
  pass "train-cuda info: $(grep '^ranks' "$TMP/info.txt")"
else
  fail "train-cuda info: $(tail -n 3 "$TMP/info.txt")"
fi

if [ "${gpus:-0}" -eq 0 ]; then
  timeout 60 mpirun -np 2 --oversubscribe "$C/train-cuda" train --iters 2 --out "$TMP/run" >"$TMP/nogpu.txt" 2>&1
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$(grep -c 'no CUDA device' "$TMP/nogpu.txt")" -eq 2 ] &&
     ! grep -qiE 'segmentation|exited on signal|core dumped' "$TMP/nogpu.txt"; then
    pass "without a GPU, mpirun -np 2 train-cuda exits $rc: $(grep -m 1 'no CUDA device' "$TMP/nogpu.txt")"
  else
    fail "without a GPU, mpirun -np 2 train-cuda: exit $rc, $(head -n 5 "$TMP/nogpu.txt")"
  fi
fi

if "$BIN" pack "$C" -o "$TMP/dp.tar.gz" >"$TMP/pack.txt" 2>&1 && tar -xzf "$TMP/dp.tar.gz" -C "$TMP" &&
   grep -q '"soname": "libnccl.so' "$TMP"/dp-mle-langevin/manifest.json; then
  pass "ebmforge pack: the manifest lists $(grep -o '"soname": "libnccl[^"]*"' "$TMP"/dp-mle-langevin/manifest.json)"
else
  fail "ebmforge pack: $(tail -n 2 "$TMP/pack.txt")"
fi

MPIRUN=(mpirun -np 2 --oversubscribe)
if [ "${gpus:-0}" -ge 2 ]; then
  run() {  # run EXE DIR ARGS...: 2 ranks, seed 3, every step logged
    local exe=$1 dir=$2
    shift 2
    timeout 300 "${MPIRUN[@]}" "$exe" train --seed 3 --log-every 1 --out "$dir" "$@" >"$dir.txt" 2>&1 ||
      { fail "mpirun -np 2 $(basename "$exe") train $*: $(grep -v '^step' "$dir.txt" | tail -n 3)"; return 1; }
  }
  if ninja -C "$D" train-cpu >"$TMP/ninja_cpu.txt" 2>&1 && run "$C/train-cpu" "$TMP/cpu2" --iters 20 &&
     run "$C/train-cuda" "$TMP/gpu2" --iters 20; then
    if out=$("$COMPARE" "$TMP/cpu2" "$TMP/gpu2" 1e-3 1e-5); then pass "2 GPUs (NCCL) == 2 CPU ranks over 20 steps: $out"
    else fail "2 GPUs (NCCL) vs 2 CPU ranks: $out"; fi
    if run "$C/train-cuda" "$TMP/gpu_r" --iters 10 && run "$C/train-cuda" "$TMP/gpu_r" --iters 20 --resume "$TMP/gpu_r/ckpt.safetensors"; then
      if out=$("$COMPARE" "$TMP/gpu2" "$TMP/gpu_r" 1e-6 1e-7); then pass "2 GPUs: 10 steps + resume to 20 == 20 steps: $out"
      else fail "2 GPUs: resumed run differs: $out"; fi
    fi
  fi
elif [ "${gpus:-0}" -eq 1 ]; then
  echo "NOTE one GPU: NCCL runs one rank per GPU, the 2-rank GPU run needs two"
fi

# no NCCL where NCCL_HOME points: the CPU MPI trainer only, with a note
NCCL_HOME=$TMP/none "$BIN" build models/toy_mle.lua --mpi-ranks 2 --cuda-arch 80 -o "$TMP/nonccl" >"$TMP/nonccl.txt" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ "$(grep -c 'note:' "$TMP/nonccl.txt")" -eq 1 ] && grep -q 'building the CPU MPI trainer only' "$TMP/nonccl.txt" &&
   [ ! -e "$TMP/nonccl/mle-langevin/model.cu" ] && ! grep -q 'train-cuda' "$TMP/nonccl/build.ninja" &&
   grep -q 'train-cpu' "$TMP/nonccl/build.ninja"; then
  pass "NCCL not found: $(grep 'note:' "$TMP/nonccl.txt")"
else
  fail "NCCL_HOME without NCCL: exit $rc, $(cat "$TMP/nonccl.txt")"
fi
# one process: nothing depends on NCCL or MPI
"$BIN" build models/toy_mle.lua --cuda-arch 80 -o "$TMP/one" >"$TMP/one.txt" 2>&1
if grep -q 'train-cuda' "$TMP/one/build.ninja" && ! grep -qE -- '-lnccl|nccl_|cuda_nccl|-lmpi|mpi_libs|dist_mpi|mpicc' "$TMP/one/build.ninja" &&
   ! grep -q 'cuda_nccl' "$TMP/one/mle-langevin/model.cu"; then
  pass "without --mpi-ranks neither build.ninja nor model.cu names NCCL or MPI"
else
  fail "without --mpi-ranks: $(grep -E -- '-lnccl|nccl_|cuda_nccl|-lmpi|mpi_libs|dist_mpi|mpicc' "$TMP/one/build.ninja" | head -n 3)"
fi
finish

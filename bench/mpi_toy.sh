#!/usr/bin/env bash
# Data-parallel scaling on this machine: toy mle-langevin (global batch 200)
# as one process (1 and 2 OpenBLAS threads) and as 2 MPI ranks of 100 rows
# each (ebmforge build --mpi-ranks 2, 1 thread a rank); then an image model
# (bench/models/mpi_image.lua: fmnist_mle's method and network, narrowed,
# global batch 32 on Fashion-MNIST) as one process and as 2 ranks of 16 rows.
# Writes bench/results/mpi_toy.json and prints it. About two minutes. Not a test.
#
#   bash bench/mpi_toy.sh
#   ITERS=3000 IMG_ITERS=200 ROUNDS=3 NICE=-10 RESULT=path.json bash bench/mpi_toy.sh
#
# NICE=-10 (root) runs every configuration under `nice -n -10`, for a machine
# that other jobs keep busy; recorded in the JSON. MPI_FLAGS (default
# `--mca mpi_yield_when_idle 1`): a rank waiting in a collective yields its
# core instead of spinning, which on a busy machine lets the rank it waits
# for run (2x faster here); on dedicated nodes spinning has less latency.
# steps/s: iterations over the wall-clock seconds of the trainer's own log
# windows (log.jsonl, every 50 iterations; image: every 10) after a warm-up
# (100 iterations; image: 20), so
# start-up, MPI_Init, checkpoint and plots are outside; best of ROUNDS,
# configurations interleaved. Communication: the bytes rank 0 handed to MPI
# collectives per step, as the trainer reports them (gradients + logged
# values in one MPI_Allreduce, a 4-byte stop flag, and the final checkpoint's
# gather spread over the run). The load average before and after is recorded:
# other jobs on a shared machine slow every configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${ITERS:-1000}
IMG_ITERS=${IMG_ITERS:-80}
ROUNDS=${ROUNDS:-2}
RESULT=${RESULT:-bench/results/mpi_toy.json}
W=out/bench_mpi
NICE=${NICE:-0}
N=(nice -n "$NICE")
MPI_FLAGS=${MPI_FLAGS:---mca mpi_yield_when_idle 1}
PY=/usr/bin/python3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

command -v mpirun >/dev/null || { echo "bench: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)" >&2; exit 1; }
if [ ! -f out/host/build.ninja ]; then cmake -S . -B out/host -G Ninja >/dev/null; fi
ninja -C out/host >/dev/null
out/host/ebmforge build models/toy_mle.lua -o "$W/one" 2>/dev/null
out/host/ebmforge build models/toy_mle.lua --mpi-ranks 2 -o "$W/mpi2" 2>/dev/null
IMG=bench/models/mpi_image.lua
out/host/ebmforge build $IMG -o "$W/img_one" 2>/dev/null
out/host/ebmforge build $IMG --mpi-ranks 2 -o "$W/img_mpi2" 2>/dev/null
for d in one mpi2 img_one img_mpi2; do ninja -C "$W/$d" train-cpu >/dev/null; done

rate() {  # rate LOG WARMUP: steps/s over the log windows after the warm-up
  "$PY" - "$1" "${2:-100}" <<'PYEOF'
import json, sys
rows = [r for r in map(json.loads, open(sys.argv[1])) if "steps_per_s" in r]  # not the events
prev, n, s = 0, 0, 0.0
for r in rows:
    k = r["iter"] - prev
    if prev >= int(sys.argv[2]):
        n += k; s += k / r["steps_per_s"]
    prev = r["iter"]
print(n / s)
PYEOF
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A best=([one_t1]=0 [one_t2]=0 [mpi2]=0 [img_one]=0 [img_mpi2]=0)
comm=""
img_comm=""
MPIRUN=(mpirun -np 2 --oversubscribe --bind-to none $MPI_FLAGS)
for round in $(seq "$ROUNDS"); do
  for cfg in one_t1 one_t2 mpi2 img_one img_mpi2; do
    D=$W/run_$cfg
    rm -rf "$D"
    case $cfg in
      one_t1) "${N[@]}" "$W/one/mle-langevin/train-cpu" train --iters "$ITERS" --log-every 50 --out "$D" >"$W/$cfg.txt" 2>&1 ;;
      one_t2) "${N[@]}" "$W/one/mle-langevin/train-cpu" train --iters "$ITERS" --log-every 50 --threads 2 --out "$D" >"$W/$cfg.txt" 2>&1 ;;
      mpi2) "${N[@]}" "${MPIRUN[@]}" "$W/mpi2/mle-langevin/train-cpu" train --iters "$ITERS" --log-every 50 --out "$D" >"$W/$cfg.txt" 2>&1
            comm=$(grep -o 'sent [0-9]* bytes per step into [0-9.]* collectives' "$W/$cfg.txt") ;;
      img_one) "${N[@]}" "$W/img_one/mle-langevin/train-cpu" train --iters "$IMG_ITERS" --log-every 10 --out "$D" >"$W/$cfg.txt" 2>&1 ;;
      img_mpi2) "${N[@]}" "${MPIRUN[@]}" "$W/img_mpi2/mle-langevin/train-cpu" train --iters "$IMG_ITERS" --log-every 10 --out "$D" >"$W/$cfg.txt" 2>&1
            img_comm=$(grep -o 'sent [0-9]* bytes per step into [0-9.]* collectives' "$W/$cfg.txt") ;;
    esac
    warm=100
    case $cfg in img_*) warm=20 ;; esac
    r=$(rate "$D/log.jsonl" $warm)
    echo "round $round $cfg: $r steps/s"
    best[$cfg]=$("$PY" -c "print(max(float('$r'), float('${best[$cfg]}')))")
  done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
PARAMS=$("$W/one/mle-langevin/train-cpu" info | awk '$1 == "parameters" {print $2}')
bytes=$(echo "$comm" | awk '{print $2}')
calls=$(echo "$comm" | awk '{print $7}')
IMG_PARAMS=$("$W/img_one/mle-langevin/train-cpu" info | awk '$1 == "parameters" {print $2}')
IMG_FLOPS=$("$W/img_one/mle-langevin/train-cpu" info | awk '$1 == "flops/step" {print $2}')
img_bytes=$(echo "$img_comm" | awk '{print $2}')
img_calls=$(echo "$img_comm" | awk '{print $7}')
mkdir -p "$(dirname "$RESULT")"
"$PY" - "$RESULT" <<PYEOF
import json, os, platform, sys
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
one, two, mpi = ${best[one_t1]}, ${best[one_t2]}, ${best[mpi2]}
img_one, img_mpi = ${best[img_one]}, ${best[img_mpi2]}
res = {
  "benchmark": "toy mle-langevin (models/toy_mle.lua), global batch 200, K = 20 Langevin steps",
  "machine": {"cpu": cpu, "cores": os.cpu_count(), "mpi": "$(mpirun --version | head -n 1)", "mpirun_flags": "-np 2 --oversubscribe --bind-to none $MPI_FLAGS",
              "loadavg_before": "$LOAD0", "loadavg_after": "$LOAD1"},
  "iters_per_run": $ITERS, "image_iters_per_run": $IMG_ITERS, "rounds": $ROUNDS, "nice": $NICE,
  "steps_per_s": {"1 process, 1 thread": round(one, 1), "1 process, 2 OpenBLAS threads": round(two, 1),
                  "2 MPI ranks x 100 rows, 1 thread each": round(mpi, 1)},
  "speedup_2_ranks_vs_1_process": round(mpi / one, 3),
  "communication_per_step": {
    "bytes_sent_by_each_rank_into_collectives": int("$bytes"), "collectives_per_step": float("$calls"),
    "parameters": int("$PARAMS"),
    "what": "one MPI_Allreduce of every parameter gradient (float32) plus the 4 logged means, one 4-byte stop-flag all-reduce; a ring all-reduce moves 2 (R-1)/R times the payload per rank"},
  "image": {
    "benchmark": "bench/models/mpi_image.lua: mle-langevin on Fashion-MNIST padded to 32x32, fmnist_mle's SNGAN-style SiLU energy at base width 8, K = 5, global batch 32",
    "parameters": int("$IMG_PARAMS"), "matmul_and_conv_flops_per_step": float("$IMG_FLOPS"),
    "steps_per_s": {"1 process, 1 thread": round(img_one, 2), "2 MPI ranks x 16 rows, 1 thread each": round(img_mpi, 2)},
    "speedup_2_ranks_vs_1_process": round(img_mpi / img_one, 3),
    "communication_per_step": {"bytes_sent_by_each_rank_into_collectives": int("$img_bytes"), "collectives_per_step": float("$img_calls")}},
  "scaling_note": (
    "Per step every rank all-reduces 4 bytes per parameter, independent of the batch and, for ring or "
    "tree all-reduces, at most about twice that in traffic per rank however many nodes join; latency "
    "grows with log R (tree) or R (ring). Compute per rank falls as B/R, so a step costs "
    "compute(B/R) + allreduce(P, R): this toy (10,502 parameters, 42 KB) computes only a few ms per "
    "step, so beyond a few ranks latency dominates; models with larger per-rank batches (weak scaling: "
    "keep B/R fixed and grow B with R) keep the network share small. Each rank also draws the whole "
    "data batch (B x D floats) to keep exact single-process equivalence, O(B) per rank; checkpoints "
    "gather the batch-row state to rank 0 once per checkpoint. On a shared 2-core machine where other "
    "jobs hold the cores (load average above), two ranks that must meet every step wait for each "
    "other's time slices: there, runs vary by tens of percent (0.7x to 1.05x of one process) and show "
    "the mechanism's cost, not its scaling; on the idle machine 2 ranks ran 1.67x (toy) and 1.90x (image). The image model sends 4 bytes per parameter as well "
    "(47 k parameters, 188 KB) against about 1.9 GFLOP of convolutions and matmuls per step: some "
    "10,000 FLOP per byte against 4,600 for the toy (0.19 GFLOP per 42 KB), and a step of hundreds of "
    "milliseconds instead of about ten, so the all-reduce's fixed latency weighs far less. The all-reduce of an optimiser phase "
    "runs after that phase's whole backward pass and before Adam, without overlap with compute (no "
    "bucketing); the next phase's compute waits for it. CUDA trainers built with --mpi-ranks send the "
    "same payload through NCCL, inside the step's captured CUDA Graph, one rank per GPU; not measured "
    "here (no GPU)."),
}
json.dump(res, open(sys.argv[1], "w"), indent=2)
print(json.dumps(res, indent=2))
PYEOF

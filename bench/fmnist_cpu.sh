#!/usr/bin/env bash
# Speed of the compiled Fashion-MNIST CPU trainers against PyTorch eager
# (bench/torch_fmnist.py), side by side in one run: fmnist_mle
# (mle-langevin) and fmnist_bb (bb-sv-gp). Writes bench/results/fmnist_cpu.json
# and prints a table. One iteration is seconds to a minute on one core, so a
# run is long: about 15 minutes at the defaults on a quiet machine (K = 60).
#
#   bash bench/fmnist_cpu.sh
#   K=5 ITERS=2 ROUNDS=1 THREADS="1 2" METHODS="bb-sv-gp" QUIET_WAIT=60 NICE=-10 RESULT=path.json bash bench/fmnist_cpu.sh
#
# K: Langevin steps of fmnist_mle on both sides (the model's 60 by default).
# Another K builds a bench-only copy of models/fmnist_mle.lua with only that
# line changed (out/bench/fmnist_mle_K<K>.lua); the JSON states K, and its
# flops/step is that trainer's own.
#
# What is measured (both sides alike, as bench/toy_cpu.sh): steps/s = timed
# iterations / wall-clock seconds of those iterations, after WARMUP (1)
# untimed iterations, in-process. Ours: `train-cpu train --log-every 1`, the
# sum of the per-iteration times of log.jsonl after the warm-up (start-up,
# data loading and the final checkpoint are outside). Torch: perf_counter
# around each of its ITERS (2) timed iterations. Also kept: the median
# per-iteration rate, the whole-process wall and CPU time, and the CPU time
# other processes used during each run (/proc/stat); a result row is flagged
# disturbed when they used more than 0.2 CPUs. Before each run the script
# waits for idle CPUs, up to QUIET_WAIT seconds in all. ROUNDS (2) rounds,
# interleaved; the best counts, all are listed.
#
# Threads: ours `--threads T` (OpenBLAS threads; the rest single-threaded);
# torch torch.set_num_threads(T) with OPENBLAS_NUM_THREADS=1 (torch's
# convolutions run in oneDNN/its own OpenMP threads; OpenBLAS does the
# Linear layers). FLOPs: `train-cpu info` flops/step (the matmuls and
# convolutions of one training iteration) for both sides, against OpenBLAS
# sgemm 1024^3 at the start and end of the run. Not a test: not in ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-60}
ITERS=${ITERS:-2}
WARMUP=${WARMUP:-1}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-1}
METHODS=${METHODS:-mle-langevin bb-sv-gp}
RESULT=${RESULT:-bench/results/fmnist_cpu.json}
PY=/usr/bin/python3   # Debian's python3 with python3-torch, not a pyenv one
W=out/bench
RUNS=$W/fmnist_runs.jsonl
case "$K" in ''|*[!0-9]*|0) echo "fmnist_cpu.sh: K must be a positive integer, got '$K'" >&2; exit 2 ;; esac

bash bench/setup.sh
mkdir -p "$W"
if [ ! -f out/host/build.ninja ]; then cmake -S . -B out/host -G Ninja >/dev/null; fi
ninja -C out/host >/dev/null
# the model file of each method; fmnist_mle with another K is a copy with that line changed
declare -A MODEL=([mle-langevin]=models/fmnist_mle.lua [bb-sv-gp]=models/fmnist_bb.lua)
if [ "$K" != 60 ]; then
  MODEL[mle-langevin]=$W/fmnist_mle_K$K.lua
  sed "s/^  K = 60, /  K = $K, /" models/fmnist_mle.lua >"${MODEL[mle-langevin]}"
  grep -q "^  K = $K, " "${MODEL[mle-langevin]}" || { echo "fmnist_cpu.sh: could not set K in a copy of models/fmnist_mle.lua" >&2; exit 1; }
fi
dir_of() { local f=${MODEL[$1]##*/}; echo "$W/${f%.lua}"; }
bin() { echo "$(dir_of "$1")/$1/train-cpu"; }
for m in $METHODS; do
  [ -n "${MODEL[$m]:-}" ] || { echo "fmnist_cpu.sh: unknown method '$m' (mle-langevin, bb-sv-gp)" >&2; exit 2; }
  echo "building $m (${MODEL[$m]}) ..." >&2
  out/host/ebmforge build "${MODEL[$m]}" -o "$(dir_of "$m")" --no-cuda >/dev/null
  ninja -C "$(dir_of "$m")" train-cpu >/dev/null
done
cc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread bench/sgemm.c -o "$W/sgemm" -lopenblas

: >"$RUNS"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(date +%s)
source bench/measure.sh

ours() {
  local m=$1 T=$2 r=$3 dir="$W/fmnist-ours-$1-T$2" meas
  rm -rf "$dir"
  echo "ours  $m threads=$T round $r: $WARMUP + $ITERS iterations ..." >&2
  meas=$(measured "$dir.out" "$(bin "$m")" train --iters $((WARMUP + ITERS)) --log-every 1 --threads "$T" --seed 1 --out "$dir")
  account "$meas" "$dir.out"
  merge "$(parse_log "$dir/log.jsonl")" "$meas" kind=ours method="$m" threads="$T" round="$r" \
        pinned="train-cpu --threads $T (openblas_set_num_threads($T)); OPENBLAS_NUM_THREADS unset" >>"$RUNS"
}

torch_run() {
  local m=$1 T=$2 r=$3 out="$W/fmnist-torch-$1-T$2.out" meas
  echo "torch $m threads=$T round $r: $WARMUP + $ITERS iterations ..." >&2
  meas=$(measured "$out" env OPENBLAS_NUM_THREADS=1 "$PY" bench/torch_fmnist.py --method "$m" --threads "$T" --K "$K" \
         --seed 1 --warmup "$WARMUP" --iters "$ITERS")
  account "$meas" "$out"
  local med
  med=$(tail -n 1 "$out" | "$PY" -c 'import json,sys; r=sorted(json.load(sys.stdin)["iter_steps_per_s"]); print(r[len(r)//2])')
  merge "$(tail -n 1 "$out")" "$meas" window_steps_per_s_median="$med" kind=torch method="$m" threads="$T" round="$r" \
        pinned="OPENBLAS_NUM_THREADS=1, torch.set_num_threads($T)" >>"$RUNS"
}

sgemm 1
for r in $(seq 1 "$ROUNDS"); do
  for m in $METHODS; do
    for T in $THREADS; do
      ours "$m" "$T" "$r"
      torch_run "$m" "$T" "$r"
    done
  done
done
sgemm 2
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$(dirname "$RESULT")"
INFO=()
for m in $METHODS; do
  INFO+=("$m" "${MODEL[$m]}" "$("$(bin "$m")" info | awk '/^flops\/step/ {print $2}')" "$("$(bin "$m")" info | awk '/^fingerprint/ {print $2}')")
done
"$PY" - "$RUNS" "$RESULT" "$LOAD0" "$LOAD1" "$(( $(date +%s) - T_START ))" "$K" "$ITERS" "$WARMUP" "$ROUNDS" \
      "${NICE:-0}" "${QUIET_WAIT:-60}" "${INFO[@]}" <<'EOF'
import json, os, platform, subprocess, sys, time
runs_path, result, load0, load1, elapsed, K, iters, warmup, rounds, nice, quiet = sys.argv[1:12]
info = sys.argv[12:]
trainers = {info[i]: {"model": info[i + 1], "flops_per_step": float(info[i + 2]), "fingerprint": info[i + 3]}
            for i in range(0, len(info), 4)}
runs = [json.loads(l) for l in open(runs_path)]
sg = [r for r in runs if r["kind"] == "sgemm"]
peak = {t: max(r["gflops"][t] for r in sg) for t in sg[0]["gflops"]}
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), None)

def side(rs, m, T):
    r = max(rs, key=lambda r: r["steps_per_s"])
    g = trainers[m]["flops_per_step"] * r["steps_per_s"] / 1e9
    return {"steps_per_s": round(r["steps_per_s"], 4), "iteration_steps_per_s_median": round(r["window_steps_per_s_median"], 4),
            "gflops": round(g, 2), "fraction_of_sgemm_peak": round(g / peak[str(T)], 4) if str(T) in peak else None,
            "timed_iters": r["timed_iters"], "timed_s": round(r["timed_s"], 2), "process_wall_s": round(r["process_wall_s"], 2),
            "process_cpu_s": round(r["own_cpu_s"], 2), "pinned": r["pinned"],
            "other_processes_cpus": round(r["other_cpu_s"] / r["process_wall_s"], 3),
            "rounds_steps_per_s": [round(x["steps_per_s"], 4) for x in rs]}

table = []
for m in trainers:
    for T in sorted({r["threads"] for r in runs if r.get("method") == m}):
        sel = lambda kind: [r for r in runs if r["kind"] == kind and r["method"] == m and r["threads"] == T]
        o, t = side(sel("ours"), m, T), side(sel("torch"), m, T)
        table.append({"method": m, "model": trainers[m]["model"], "threads": T, "K": int(K) if m == "mle-langevin" else None,
                      "flops_per_step": trainers[m]["flops_per_step"], "ours": o, "torch": t,
                      "ratio_ours_over_torch": round(o["steps_per_s"] / t["steps_per_s"], 3),
                      "ratio_iteration_median": round(o["iteration_steps_per_s_median"] / t["iteration_steps_per_s_median"], 3),
                      # robust to other processes, but counts start-up (torch: import, data) and the warm-up too
                      "ratio_process_cpu_s": round(t["process_cpu_s"] / o["process_cpu_s"], 3),
                      "disturbed": o["other_processes_cpus"] > 0.2 or t["other_processes_cpus"] > 0.2})

def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()

import torch
doc = {
    "benchmark": "fmnist_cpu: compiled Fashion-MNIST CPU trainers vs PyTorch eager (bench/torch_fmnist.py), batch 64, 32x32",
    "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "git_commit": sh("git rev-parse HEAD"),
    "git_dirty_sources": bool(sh("git status --porcelain --untracked-files=no -- generator runtime templates models bench")),
    "K_mle": int(K), "K_note": "Langevin steps of fmnist_mle on both sides" + ("" if K == "60" else " (reduced from the model's 60)"),
    "trainers": trainers,
    "machine": {"cpu_model": cpu, "nproc": os.cpu_count(), "kernel": platform.release(), "loadavg_start": load0, "loadavg_end": load1},
    "software": {"torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available(), "openblas": sg[0]["openblas"],
                 "python": platform.python_version(), "cc": sh("cc --version | head -1"),
                 "trainer_cflags": "-O3 -march=native -ffp-contract=off -fno-math-errno -fno-trapping-math (ebmforge build default)"},
    "protocol": {"timed_iters": int(iters), "warmup_iters": int(warmup), "rounds": int(rounds), "nice": int(nice),
                 "quiet_wait_budget_s": float(quiet),
                 "steps_per_s": "timed iterations / wall-clock seconds of those iterations after the warm-up, in-process; "
                                "ours: sum of log.jsonl per-iteration times (--log-every 1); torch: perf_counter per iteration; best round",
                 "flops": "flops_per_step = train-cpu info flops/step, used for both sides",
                 "other_processes_cpus": "CPU-seconds other processes used during the run per wall second; > 0.2 flags the row disturbed",
                 "ratio_process_cpu_s": "torch's whole-process CPU seconds over ours (same iterations on both sides): a cross-check "
                                        "on a loaded machine; includes start-up and warm-up"},
    "sgemm_1024_gflops": {"best": peak, "runs": sg},
    "results": table,
    "runs": [r for r in runs if r["kind"] != "sgemm"],
    "elapsed_s": int(elapsed),
}
with open(result + ".tmp", "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
os.replace(result + ".tmp", result)
print("\nsgemm 1024^3: %s GFLOP/s (threads: GFLOP/s, best of the run)" % peak)
print("%-13s %2s %3s  %9s %9s  %7s %7s %7s  %7s %7s  %s" % ("method", "T", "K", "ours/s", "torch/s", "ratio", "r(med)", "r(cpu)", "GF ours", "GF trch", "other load o/t"))
for r in table:
    o, t = r["ours"], r["torch"]
    print("%-13s %2d %3s  %9.4f %9.4f  %6.2fx %6.2fx %6.2fx  %7.2f %7.2f  %.2f/%.2f" % (
        r["method"], r["threads"], r["K"] or "-", o["steps_per_s"], t["steps_per_s"], r["ratio_ours_over_torch"],
        r["ratio_iteration_median"], r["ratio_process_cpu_s"], o["gflops"], t["gflops"], o["other_processes_cpus"],
        t["other_processes_cpus"]))
bad = [r for r in table if r["disturbed"]]
if bad:
    print("WARNING: other processes used > 0.2 CPUs during %s; rerun on a quiet machine"
          % ", ".join("%s T=%d" % (r["method"], r["threads"]) for r in bad))
print("wrote %s (load average %s -> %s, %ss)" % (result, load0, load1, elapsed))
EOF

#!/usr/bin/env bash
# Speed of the compiled CPU trainers against PyTorch eager, side by side in
# one run: toy mle-langevin and ebm-0gp (`paper` preset) at 1 and 2 threads,
# bb-sv-gp (`paper` preset) and ddaebm (toy code defaults) at 1 thread;
# on request (--methods) bb-sv-diff and bb-mi-diff at 1 thread.
# Writes bench/results/toy_cpu.json and prints a table. About 5 minutes.
#
#   bash bench/toy_cpu.sh [--methods bb-sv-gp,ddaebm]
#   SECONDS_PER_RUN=5 ROUNDS=2 QUIET_WAIT=60 NICE=-10 RESULT=path.json bash bench/toy_cpu.sh
#
# --methods LIST (or METHODS="a b"): the subset to run, in that order.
#
# What is measured (both sides alike): steps/s = timed iterations / wall-clock
# seconds of those iterations, after a 20-iteration warm-up, in-process
# (monotonic clock), over >= SECONDS_PER_RUN seconds. Ours: a fixed iteration
# count chosen by a short calibration run so that the timed part lasts about
# SECONDS_PER_RUN; its time is the sum of the trainer's log windows after the
# warm-up (log.jsonl has the rate of every 10 iterations, so start-up,
# checkpoint and plots are outside). Torch (bench/torch_toy.py): a loop timed
# for SECONDS_PER_RUN seconds. Also kept: the median rate over 10-iteration
# windows (robust to short interference), the whole-process wall time, and
# the CPU time other processes used during each run (/proc/stat). Before each
# run the script waits for the CPUs to be idle, up to QUIET_WAIT seconds in
# all. Each configuration runs ROUNDS times, interleaved with the others;
# the best round counts and all are listed. Runs never overlap.
#
# Threads: ours `--threads T` (OpenBLAS threads; the rest of a trainer is
# single-threaded). Torch: torch.set_num_threads(T) with OPENBLAS_NUM_THREADS=1
# (torch.set_num_threads does not reach OpenBLAS); at T = 2 torch also runs
# with OPENBLAS_NUM_THREADS=2, and the JSON gives the ratio against torch's
# fastest configuration with at most T threads as well.
#
# FLOPs: `train-cpu info` flops/step (the matmuls of one training iteration)
# is used for both sides; achieved GFLOP/s = flops/step x steps/s, set
# against OpenBLAS sgemm 1024^3 measured at the start and end of the run
# (bench/sgemm.c, best of 20 calls). Not a test: not part of ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# method -> model file (models/<name>.lua) and the thread counts it runs at
declare -A MODEL=([mle-langevin]=toy_mle [ebm-0gp]=toy_ebm0gp [bb-sv-gp]=toy_bb [ddaebm]=toy_ddaebm
                 [bb-sv-diff]=toy_bb_sv_diff [bb-mi-diff]=toy_bb_mi_diff)
declare -A THREADS=([mle-langevin]="1 2" [ebm-0gp]="1 2" [bb-sv-gp]=1 [ddaebm]=1 [bb-sv-diff]=1 [bb-mi-diff]=1)
METHODS=${METHODS:-mle-langevin ebm-0gp bb-sv-gp ddaebm}
while [ $# -gt 0 ]; do
  case $1 in
    --methods) [ $# -ge 2 ] || { echo "toy_cpu.sh: --methods needs a list" >&2; exit 2; }; METHODS=${2//,/ }; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "toy_cpu.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for m in $METHODS; do
  [ -n "${MODEL[$m]:-}" ] || { echo "toy_cpu.sh: unknown method '$m' (known: ${!MODEL[*]})" >&2; exit 2; }
done
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-2}
RESULT=${RESULT:-bench/results/toy_cpu.json}
WARMUP=20
PY=/usr/bin/python3   # Debian's python3 with python3-torch, not a pyenv one
W=out/bench
RUNS=$W/runs.jsonl

bash bench/setup.sh
if [ ! -f out/host/build.ninja ]; then cmake -S . -B out/host -G Ninja >/dev/null; fi
ninja -C out/host >/dev/null
for m in $METHODS; do
  out/host/ebmforge build "models/${MODEL[$m]}.lua" -o "$W/${MODEL[$m]}" >/dev/null
  ninja -C "$W/${MODEL[$m]}" train-cpu >/dev/null
done
CBLAS_INC=/usr/include/x86_64-linux-gnu/openblas-pthread
cc -O2 -I"$CBLAS_INC" bench/sgemm.c -o "$W/sgemm" -lopenblas
bin() { echo "$W/${MODEL[$1]}/$1/train-cpu"; }

: >"$RUNS"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(date +%s)

source bench/measure.sh

declare -A ITERS
calibrate() {  # a short run of ours: how many iterations fill SECONDS_PER_RUN
  local m=$1 dir="$W/calib-$1" meas
  rm -rf "$dir"
  meas=$(measured "$dir.out" "$(bin "$m")" train --iters 100 --threads 1 --seed 1 --out "$dir")
  account "$meas" "$dir.out"
  ITERS[$m]=$(parse_log "$dir/log.jsonl" | "$PY" -c 'import json,sys; r=json.load(sys.stdin)["steps_per_s"]; print(int(r*float(sys.argv[1]))//10*10+10+int(sys.argv[2]))' "$SECONDS_PER_RUN" "$WARMUP")
  echo "calibration: $m, ${ITERS[$m]} iterations for ~${SECONDS_PER_RUN}s" >&2
}

ours() {
  local m=$1 T=$2 r=$3 dir="$W/run-ours-$1-T$2" meas
  rm -rf "$dir"
  echo "ours  $m threads=$T round $r: ${ITERS[$m]} iterations ..." >&2
  meas=$(measured "$dir.out" "$(bin "$m")" train --iters "${ITERS[$m]}" --threads "$T" --seed 1 --out "$dir")
  account "$meas" "$dir.out"
  merge "$(parse_log "$dir/log.jsonl")" "$meas" kind=ours method="$m" threads="$T" round="$r" iters="${ITERS[$m]}" \
        warmup_iters="$WARMUP" pinned="train-cpu --threads $T (openblas_set_num_threads($T)); OPENBLAS_NUM_THREADS unset" >>"$RUNS"
}

torch_run() {
  local m=$1 T=$2 r=$3 ob=$4 variant=$5 out="$W/run-torch-$1-T$2-$5.out" meas
  echo "torch $m threads=$T OPENBLAS_NUM_THREADS=$ob round $r ..." >&2
  meas=$(measured "$out" env OPENBLAS_NUM_THREADS="$ob" "$PY" bench/torch_toy.py --method "$m" --threads "$T" \
         --seed 1 --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN")
  account "$meas" "$out"
  merge "$(tail -n 1 "$out")" "$meas" kind=torch variant="$variant" method="$m" threads="$T" round="$r" \
        pinned="OPENBLAS_NUM_THREADS=$ob, torch.set_num_threads($T)" >>"$RUNS"
}

sgemm 1
for m in $METHODS; do calibrate "$m"; done
for r in $(seq 1 "$ROUNDS"); do
  for m in $METHODS; do
    for T in ${THREADS[$m]}; do
      ours "$m" "$T" "$r"
      torch_run "$m" "$T" "$r" 1 pinned
      if [ "$T" -gt 1 ]; then torch_run "$m" "$T" "$r" "$T" "blas$T"; fi
    done
  done
done
sgemm 2
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$(dirname "$RESULT")"
TRAINERS=$(for m in $METHODS; do
  echo "$m models/${MODEL[$m]}.lua $("$(bin "$m")" info | awk '/^flops\/step/ {f=$2} /^fingerprint/ {p=$2} END {print f, p}')"
done)
"$PY" - "$RUNS" "$RESULT" "$TRAINERS" "$LOAD0" "$LOAD1" "$(( $(date +%s) - T_START ))" \
      "$SECONDS_PER_RUN" "$ROUNDS" "$WARMUP" "${NICE:-0}" "${QUIET_WAIT:-60}" <<'EOF'
import json, os, platform, subprocess, sys, time
runs_path, result, trainers, load0, load1, elapsed, secs, rounds, warmup, nice, quiet = sys.argv[1:]
runs = [json.loads(l) for l in open(runs_path)]
trainers = {m: {"model": mf, "flops_per_step": float(f), "fingerprint": fp}
            for m, mf, f, fp in (l.split() for l in trainers.splitlines())}
flops = {m: t["flops_per_step"] for m, t in trainers.items()}

def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return None

cpu = {}
for line in open("/proc/cpuinfo"):
    k, _, v = line.partition(":")
    k, v = k.strip(), v.strip()
    if k in ("model name", "cpu family", "model", "stepping", "cpu MHz") and k not in cpu:
        cpu[k] = v
import torch
sg = [r for r in runs if r["kind"] == "sgemm"]
peak = {t: max(r["gflops"][t] for r in sg) for t in sg[0]["gflops"]}

def best(rs):
    return max(rs, key=lambda r: r["steps_per_s"]) if rs else None

def r2(v):
    return None if v is None else round(v, 2)

def side(r, m, T):
    if r is None:
        return None
    g = flops[m] * r["steps_per_s"] / 1e9
    return {"steps_per_s": round(r["steps_per_s"], 2),
            "window_steps_per_s_median": r2(r["window_steps_per_s_median"]),
            "gflops": round(g, 2), "fraction_of_sgemm_peak": round(g / peak[str(T)], 4),
            "timed_iters": r["timed_iters"], "timed_s": round(r["timed_s"], 3),
            "process_wall_s": round(r["process_wall_s"], 3), "pinned": r["pinned"],
            "other_processes_cpus": round(r["other_cpu_s"] / r["process_wall_s"], 3),
            "rounds_steps_per_s": None}

table = []
for m in trainers:
    for T in sorted({r["threads"] for r in runs if r.get("method") == m and r["kind"] == "ours"}):
        sel = lambda kind, v=None: [r for r in runs if r["kind"] == kind and r["method"] == m and r["threads"] == T
                                    and (v is None or r.get("variant") == v)]
        o, tp = best(sel("ours")), best(sel("torch", "pinned"))
        tv = best(sel("torch", "blas%d" % T)) if T > 1 else None
        row = {"method": m, "threads": T, "flops_per_step": flops[m], "ours": side(o, m, T), "torch": side(tp, m, T)}
        row["ours"]["rounds_steps_per_s"] = [round(r["steps_per_s"], 2) for r in sel("ours")]
        row["torch"]["rounds_steps_per_s"] = [round(r["steps_per_s"], 2) for r in sel("torch", "pinned")]
        row["ratio_ours_over_torch"] = round(o["steps_per_s"] / tp["steps_per_s"], 3)
        row["ratio_window_median"] = (round(o["window_steps_per_s_median"] / tp["window_steps_per_s_median"], 3)
                                      if o["window_steps_per_s_median"] and tp["window_steps_per_s_median"] else None)
        if tv:
            row["torch_openblas_threads_%d" % T] = side(tv, m, T)
            row["torch_openblas_threads_%d" % T]["rounds_steps_per_s"] = [round(r["steps_per_s"], 2) for r in sel("torch", "blas%d" % T)]
        # a run during which other processes kept more than a fifth of a CPU busy is flagged
        row["disturbed"] = any(x["other_processes_cpus"] > 0.2 for x in (row["ours"], row["torch"]))
        # the most conservative ratio: torch's fastest configuration using at most T threads
        cands = [r for r in runs if r["kind"] == "torch" and r["method"] == m and r["threads"] <= T]
        fastest = max(cands, key=lambda r: r["steps_per_s"])
        row["fastest_torch_with_at_most_T_threads"] = {"steps_per_s": round(fastest["steps_per_s"], 2), "pinned": fastest["pinned"]}
        row["ratio_ours_over_fastest_torch"] = round(o["steps_per_s"] / fastest["steps_per_s"], 3)
        table.append(row)

git = sh("git rev-parse HEAD")
dirty = sh("git status --porcelain --untracked-files=no -- generator runtime templates models bench/torch_toy.py bench/toy_cpu.sh")
doc = {
    "benchmark": "toy_cpu: compiled CPU trainers vs PyTorch eager, toy 2-D, batch 200",
    "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "git_commit": git, "git_dirty_sources": bool(dirty),
    "trainers": {m: {"model": t["model"], "fingerprint": t["fingerprint"]} for m, t in trainers.items()},
    "machine": {"cpu_model": cpu.get("model name"), "cpu_family": cpu.get("cpu family"), "cpu_model_number": cpu.get("model"),
                "nproc": os.cpu_count(), "kernel": platform.release(),
                "loadavg_start": load0, "loadavg_end": load1,
                "note": "a shared 2-vCPU VM; other processes may run during the benchmark (see loadavg)"},
    "software": {"torch": torch.__version__, "torch_blas": "libblas.so.3 -> " + os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
                 "openblas": sg[0]["openblas"], "openblas_core": sg[0]["core"], "python": platform.python_version(),
                 "cc": sh("cc --version | head -1"), "trainer_cflags": "-O3 -march=native -ffp-contract=off -fno-math-errno -fno-trapping-math (build.ninja of ebmforge build)"},
    "protocol": {
        "seconds_per_run": float(secs), "rounds": int(rounds), "warmup_iters": int(warmup),
        "nice": int(nice), "quiet_wait_budget_s": float(quiet),
        "steps_per_s": "timed iterations / wall-clock seconds of those iterations after the warm-up, in-process monotonic clock; "
                       "ours: sum of the log.jsonl windows (10 iterations each) after the warm-up, fixed iteration count from a calibration run; "
                       "torch: perf_counter around a loop timed for seconds_per_run; best of the rounds (all rounds listed)",
        "window_steps_per_s_median": "median rate over 10-iteration windows of the best round",
        "process_wall_s": "whole process incl. start-up (torch: Python + import torch + model build + warm-up), for reference",
        "other_processes_cpus": "CPU-seconds used by other processes during the run (/proc/stat minus the run's own rusage) per wall second; "
                                "each run first waits (within a QUIET_WAIT budget) for the CPUs to be < 10% busy; a result row with > 0.2 on either "
                                "side is flagged disturbed",
        "threads": "ours: --threads T = OpenBLAS threads, rest single-threaded; torch: torch.set_num_threads(T) with OPENBLAS_NUM_THREADS=1 "
                   "(torch.set_num_threads does not set OpenBLAS's threads); at T=2 also OPENBLAS_NUM_THREADS=2 (key torch_openblas_threads_2); "
                   "ratio_ours_over_torch is against the pinned configuration (same thread count), ratio_ours_over_fastest_torch against "
                   "torch's fastest configuration with at most T threads in this run",
        "flops": "flops_per_step = train-cpu info flops/step (matmuls of one training iteration), used for both sides",
        "same_work": "same nets and init scheme, batch 200, fresh 25gaussians batch every iteration, every logged quantity "
                     "computed every step on both sides; mle-langevin: K=20, alpha 0.1, eta 0.01, Adam(2e-4, (0, 0.9), 1e-6); "
                     "ebm-0gp, bb-sv-gp: `paper` preset (spectral norm, lambda_t = 0.7 (2307+t)^-0.55, tau 0), w_H = 1, "
                     "Adam(2e-4, (0, 0.9), 1e-6), exact 2x2 sigma_min, bb-sv-gp's bound (c) with q_b = z + d grad_z log sigma_min; "
                     "ddaebm: T=4, beta 0.01/0.1, width 300, R1 gamma 0.02, Adam(1e-4, (0, 0.9), 1e-8) for f and for G+q "
                     "(torch computes the shared fake once per iteration; ours recomputes it with batch statistics in the "
                     "generator phase)",
    },
    "sgemm_1024_gflops": {"best": peak, "runs": sg},
    "results": table,
    "runs": [r for r in runs if r["kind"] != "sgemm"],
    "elapsed_s": int(elapsed),
}
with open(result + ".tmp", "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
os.replace(result + ".tmp", result)

print("\nsgemm 1024^3: %s GFLOP/s at 1 / 2 threads (best of the run)" % " / ".join("%.1f" % peak[t] for t in ("1", "2")))
print("%-13s %2s  %9s %9s  %7s %7s  %7s %7s  %5s %5s  %s" % ("method", "T", "ours/s", "torch/s", "ratio", "r(med)", "GF ours", "GF trch", "%pk o", "%pk t", "other load o/t"))
for r in table:
    o, t = r["ours"], r["torch"]
    print("%-13s %2d  %9.1f %9.1f  %6.2fx %6sx  %7.2f %7.2f  %4.1f%% %4.1f%%  %.2f/%.2f" % (
        r["method"], r["threads"], o["steps_per_s"], t["steps_per_s"], r["ratio_ours_over_torch"],
        "%.2f" % r["ratio_window_median"] if r["ratio_window_median"] else "-", o["gflops"], t["gflops"], 100 * o["fraction_of_sgemm_peak"], 100 * t["fraction_of_sgemm_peak"],
        o["other_processes_cpus"], t["other_processes_cpus"]))
    k = "torch_openblas_threads_%d" % r["threads"]
    if k in r:
        print("%-13s %2s  %9s %9.1f  %6.2fx  (torch with OPENBLAS_NUM_THREADS=%d)" % ("", "", "", r[k]["steps_per_s"],
              r["ours"]["steps_per_s"] / r[k]["steps_per_s"], r["threads"]))
    f = r["fastest_torch_with_at_most_T_threads"]
    if r["threads"] > 1:
        print("%-13s %2s  %9s %9.1f  %6.2fx  (torch's fastest with <= %d threads: %s)" % ("", "", "", f["steps_per_s"],
              r["ratio_ours_over_fastest_torch"], r["threads"], f["pinned"]))
bad = [r for r in table if r["disturbed"]]
if bad:
    print("WARNING: other processes used > 0.2 CPUs during %s; rerun on a quiet machine"
          % ", ".join("%s T=%d" % (r["method"], r["threads"]) for r in bad))
print("steps/s: best of %s rounds; ratio = ours/torch; r(med) = ratio of median 10-iteration window rates; GF = GFLOP/s from flops/step; "
      "%%pk = of sgemm at the same thread count; other load = CPUs used by other processes during the run\nwrote %s (load average %s -> %s, %ss)" % (rounds, result, load0, load1, elapsed))
EOF

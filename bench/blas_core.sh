#!/usr/bin/env bash
# What ebmforge's choice of OpenBLAS kernels (runtime/blas_core.c) is worth
# here, before and after in one run, one thread throughout:
# - sgemm 1024^3 (bench/sgemm.c, best of 20 calls) on the core OpenBLAS
#   detects by itself ("before") and with OPENBLAS_CORETYPE set to the core
#   ebmforge picks ("after");
# - steps/s of four toy trainers (bb-mi-gp, bb-sv-gp, ebm-0gp, mle-langevin;
#   the models' defaults, seed 1, --threads 1, OPENBLAS_NUM_THREADS=1) with
#   EBMFORGE_BLAS_CORE=keep ("before") and without ("after"); steps/s from
#   log.jsonl after a 20-iteration warm-up (bench/measure.sh), and, less
#   sensitive to other load, iterations per CPU second of the whole process.
# ROUNDS rounds (default 3), before/after order alternating; the best round
# counts and all are listed, with the load average and the CPU time other
# processes used during each run. Writes bench/results/blas_core.json and
# prints a table. About 3 minutes on an idle machine. Not part of ctest.
#
#   ROUNDS=3 QUIET_WAIT=30 RESULT=path.json bash bench/blas_core.sh
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
ROUNDS=${ROUNDS:-3}
QUIET_WAIT=${QUIET_WAIT:-30}
RESULT=${RESULT:-bench/results/blas_core.json}
PY=/usr/bin/python3
W=out/bench_blas
RUNS=$W/runs.jsonl
WARMUP=20
declare -A MODEL=([bb-mi-gp]=toy_bb_mi [bb-sv-gp]=toy_bb [ebm-0gp]=toy_ebm0gp [mle-langevin]=toy_mle)
declare -A ITERS=([bb-mi-gp]=1500 [bb-sv-gp]=1500 [ebm-0gp]=2000 [mle-langevin]=1000)
METHODS="bb-mi-gp bb-sv-gp ebm-0gp mle-langevin"
unset OPENBLAS_CORETYPE EBMFORGE_BLAS_CORE EBMFORGE_BLAS_DETECTED OPENBLAS_NUM_THREADS

if [ ! -f out/host/build.ninja ]; then cmake -S . -B out/host -G Ninja >/dev/null; fi
ninja -C out/host ebmforge >/dev/null
mkdir -p "$W"
for m in $METHODS; do
  out/host/ebmforge build "models/${MODEL[$m]}.lua" -o "$W/${MODEL[$m]}" --no-cuda >/dev/null
  ninja -C "$W/${MODEL[$m]}" train-cpu >/dev/null
done
cc -O2 -I/usr/include/x86_64-linux-gnu/openblas-pthread bench/sgemm.c -o "$W/sgemm" -lopenblas
bin() { echo "$W/${MODEL[$1]}/$1/train-cpu"; }
CORE=$(out/host/ebmforge --blas-core | cut -d' ' -f1)
DETECTED=$(EBMFORGE_BLAS_CORE=keep out/host/ebmforge --blas-core | cut -d' ' -f1)
echo "OpenBLAS detects $DETECTED; ebmforge runs $CORE" >&2

: >"$RUNS"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
source bench/measure.sh

sgemm_run() {  # sgemm_run before|after ROUND
  local core=$DETECTED meas
  [ "$1" = after ] && core=$CORE
  meas=$(measured "$W/sgemm.out" env OPENBLAS_CORETYPE="$core" "$W/sgemm" 1024 20 1)
  account "$meas" "$W/sgemm.out"
  merge "$(cat "$W/sgemm.out")" "$meas" kind=sgemm side="$1" round="$2" load="$(cut -d' ' -f1 /proc/loadavg)" >>"$RUNS"
}
trainer_run() {  # trainer_run METHOD before|after ROUND
  local m=$1 mode=auto dir="$W/run-$1-$2" meas core
  [ "$2" = before ] && mode=keep
  rm -rf "$dir"
  echo "$m $2 round $3: ${ITERS[$m]} iterations ..." >&2
  meas=$(measured "$dir.out" env -u OPENBLAS_CORETYPE EBMFORGE_BLAS_CORE=$mode OPENBLAS_NUM_THREADS=1 "$(bin "$m")" train \
         --iters "${ITERS[$m]}" --threads 1 --seed 1 --log-every 10 --out "$dir")
  account "$meas" "$dir.out"
  core=$(sed -n 's/^  "blas_core": "\(.*\)",$/\1/p' "$dir/run.json")
  merge "$(parse_log "$dir/log.jsonl")" "$meas" kind=trainer method="$m" side="$2" round="$3" core="$core" \
        iters="${ITERS[$m]}" load="$(cut -d' ' -f1 /proc/loadavg)" >>"$RUNS"
}

for r in $(seq 1 "$ROUNDS"); do
  sides="before after"; [ $((r % 2)) = 0 ] && sides="after before"
  for s in $sides; do sgemm_run "$s" "$r"; done
  for m in $METHODS; do for s in $sides; do trainer_run "$m" "$s" "$r"; done; done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$(dirname "$RESULT")"
"$PY" - "$RUNS" "$RESULT" "$LOAD0" "$LOAD1" "$DETECTED" "$CORE" "$(cat "$W/sgemm.out")" "$(git rev-parse HEAD)" <<'EOF'
import json, sys, time
runs_path, result, load0, load1, detected, core, sgemm_line, git = sys.argv[1:]
runs = [json.loads(l) for l in open(runs_path)]
cpu = {}
for line in open("/proc/cpuinfo"):
    k, _, v = line.partition(":")
    k, v = k.strip(), v.strip()
    if k in ("model name", "cpu family", "model", "stepping") and k not in cpu:
        cpu[k] = v

def sel(**kw):
    return [r for r in runs if all(r.get(k) == v for k, v in kw.items())]

def other(r):  # CPUs' worth of other processes' work during the run
    return round(r["other_cpu_s"] / r["process_wall_s"], 2)

sg = {}
for s in ("before", "after"):
    rs = sel(kind="sgemm", side=s)
    sg[s] = {"core": rs[0]["core"], "gflops_best": max(r["gflops"]["1"] for r in rs),
             "rounds": [{"gflops": r["gflops"]["1"], "load": r["load"], "other_processes_cpus": other(r)} for r in rs]}
sg["speedup"] = round(sg["after"]["gflops_best"] / sg["before"]["gflops_best"], 2)

trainers = {}
for m in dict.fromkeys(r["method"] for r in runs if r["kind"] == "trainer"):
    row = {}
    for s in ("before", "after"):
        rs = sel(kind="trainer", method=m, side=s)
        row[s] = {"core": rs[0]["core"], "iters": rs[0]["iters"],
                  "steps_per_s_best": round(max(r["steps_per_s"] for r in rs), 1),
                  "steps_per_cpu_s_best": round(max(r["iters"] / r["own_cpu_s"] for r in rs), 1),
                  "rounds": [{"steps_per_s": round(r["steps_per_s"], 1),
                              "window_steps_per_s_median": round(r["window_steps_per_s_median"], 1),
                              "steps_per_cpu_s": round(r["iters"] / r["own_cpu_s"], 1),
                              "process_wall_s": round(r["process_wall_s"], 2), "load": r["load"],
                              "other_processes_cpus": other(r)} for r in rs]}
    row["speedup_steps_per_s"] = round(row["after"]["steps_per_s_best"] / row["before"]["steps_per_s_best"], 2)
    row["speedup_steps_per_cpu_s"] = round(row["after"]["steps_per_cpu_s_best"] / row["before"]["steps_per_cpu_s_best"], 2)
    trainers[m] = row

doc = {"benchmark": "blas_core: OpenBLAS's own core vs the one ebmforge picks, one thread",
       "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "git": git, "cpu": cpu,
       "openblas": json.loads(sgemm_line)["openblas"], "openblas_detects": detected, "ebmforge_runs": core,
       "loadavg_start": load0, "loadavg_end": load1,
       "sgemm_1024_1thread": sg, "trainers_1thread": trainers,
       "notes": "steps_per_s: timed iterations / wall seconds after a 20-iteration warm-up (log.jsonl); "
                "steps_per_cpu_s: all iterations / CPU seconds of the whole process (start-up and end-of-run "
                "samples and grid included), less sensitive to other processes on a shared machine; "
                "other_processes_cpus: CPUs' worth of other processes' work during the run (/proc/stat)."}
json.dump(doc, open(result, "w"), indent=1)
open(result, "a").write("\n")
print("OpenBLAS detects %s, ebmforge runs %s; load average %s -> %s" % (detected, core, load0, load1))
print("sgemm 1024^3, 1 thread: %.1f -> %.1f GFLOP/s (%.2fx)" % (sg["before"]["gflops_best"], sg["after"]["gflops_best"], sg["speedup"]))
print("| method | before steps/s | after steps/s | speed-up | per CPU s before | after | speed-up |")
print("|---|---|---|---|---|---|---|")
for m, r in trainers.items():
    print("| %s | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |" % (m, r["before"]["steps_per_s_best"], r["after"]["steps_per_s_best"],
          r["speedup_steps_per_s"], r["before"]["steps_per_cpu_s_best"], r["after"]["steps_per_cpu_s_best"], r["speedup_steps_per_cpu_s"]))
EOF

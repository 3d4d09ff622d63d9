# Shared by the CPU benchmarks (toy_cpu.sh, fmnist_cpu.sh), sourced after
# they set PY (a python3 with json), W (the work folder), RUNS (the JSONL file
# of runs) and WARMUP (iterations before the timed part): runs each timed
# command after waiting for idle CPUs, records the CPU time other processes
# used meanwhile, reads a trainer's log.jsonl, and measures sgemm.

# measured OUTFILE CMD...: runs CMD (stdout+stderr to OUTFILE) after waiting,
# within what is left of the QUIET_WAIT budget, for the CPUs to be idle;
# prints JSON: its wall time, its own CPU seconds, and the CPU seconds that
# other processes used meanwhile (/proc/stat), so interference from
# elsewhere on the machine is on record with every run.
QUIET_LEFT=${QUIET_WAIT:-60}
# Every process of a run (ours, PyTorch's OpenBLAS, the sgemm probe) runs the
# OpenBLAS kernels the trainers pick for themselves (`ebmforge --blas-core`,
# docs/performance.md), unless the caller set OPENBLAS_CORETYPE: a fair
# comparison, and an sgemm peak of the kernels ours run.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -x out/host/ebmforge ]; then
  OPENBLAS_CORETYPE=$(out/host/ebmforge --blas-core | cut -d' ' -f1)
  export OPENBLAS_CORETYPE
fi
# NICE=-10 (root): every timed command runs under `nice -n -10`, for a machine
# that other long jobs keep busy; recorded in the JSON.
NICE=${NICE:-}
measured() {
  local out=$1; shift
  if [ -n "$NICE" ]; then set -- nice -n "$NICE" "$@"; fi
  "$PY" - "$out" "$QUIET_LEFT" "$@" <<'EOF'
import json, os, resource, subprocess, sys, time
tck = os.sysconf("SC_CLK_TCK")
def busy():
    v = list(map(int, open("/proc/stat").readline().split()[1:9]))
    return (sum(v) - v[3] - v[4]) / tck
out, budget, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
ncpu = os.cpu_count()
w0 = time.monotonic()
while True:  # until < 10% of the CPUs were busy over 0.5 s, or the budget is spent
    b0, t0 = busy(), time.monotonic()
    time.sleep(0.5)
    frac = (busy() - b0) / ((time.monotonic() - t0) * ncpu)
    if frac < 0.10 or time.monotonic() - w0 >= budget:
        break
waited = time.monotonic() - w0
b0, t0, r0 = busy(), time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as f:
    rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
t1, b1, r1 = time.monotonic(), busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
own = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(json.dumps({"rc": rc, "process_wall_s": t1 - t0, "own_cpu_s": own, "other_cpu_s": max(0.0, b1 - b0 - own),
                  "other_busy_before": round(frac, 3), "waited_for_quiet_s": round(max(0.0, waited - 0.5), 2)}))
EOF
}
# spends the wait of a measured run from the quiet budget; fails on rc != 0
account() {
  QUIET_LEFT=$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(max(0.0, float(sys.argv[2]) - d["waited_for_quiet_s"]))' "$1" "$QUIET_LEFT")
  if [ "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["rc"])' "$1")" != 0 ]; then
    echo "bench: run failed ($1); its output: $2" >&2; cat "$2" >&2; exit 1
  fi
}

# parse_log LOG: timed iterations and seconds of a trainer's log.jsonl after the warm-up
parse_log() {
  "$PY" - "$1" "$WARMUP" <<'EOF'
import json, sys
rows = [r for r in map(json.loads, open(sys.argv[1])) if "steps_per_s" in r]  # not the events
w = int(sys.argv[2])
prev, n, s, win = 0, 0, 0.0, []
for r in rows:
    k = r["iter"] - prev
    if prev >= w:  # a window's rate is its iterations over its wall-clock seconds
        n += k; s += k / r["steps_per_s"]; win.append(r["steps_per_s"])
    prev = r["iter"]
win.sort()
print(json.dumps({"timed_iters": n, "timed_s": s, "steps_per_s": n / s, "window_steps_per_s_median": win[len(win) // 2]}))
EOF
}

# merge JSON1 JSON2 KEY=VALUE...: one JSON line (values: JSON if they parse, else strings)
merge() {
  "$PY" - "$@" <<'EOF'
import json, sys
d = {}
for a in sys.argv[1:]:
    if a.startswith("{"):
        d.update(json.loads(a))
    else:
        k, _, v = a.partition("=")
        try: d[k] = json.loads(v)
        except ValueError: d[k] = v
d.pop("last", None)
print(json.dumps(d))
EOF
}

sgemm() {
  echo "sgemm 1024^3 (round $1) ..." >&2
  local meas
  meas=$(measured "$W/sgemm.out" "$W/sgemm" 1024 20 1 2)
  account "$meas" "$W/sgemm.out"
  merge "$(cat "$W/sgemm.out")" "$meas" kind=sgemm round="$1" >>"$RUNS"
}

#!/usr/bin/env bash
# How long the papers' toy study (studies/papers_toy.lua: 9 methods x 9 toy
# sets x 5 seeds, scored at 20k/50k/100k/150k iterations, 100k last for the
# diffusion methods) takes on this machine, ours against the peers.
# Training: one-thread steps per CPU second of every contender from
# bench/results/peers.json (ours, JAX jit, PyTorch 2 and 1.13 eager, measured
# side by side; read here, not rerun); a method the peers run lacks takes its
# nearest relative's rate (named in the JSON). Scoring (samples, energy grid,
# eval, verdict: the same code for every side): measured, by running the
# same study at seed 1 with one stage of ITERS iterations (default 200)
# through `ebmforge study -j 2`, trainers built beforehand; the study's CPU
# time less its trainers' (ITERS / ours' rate per run) over its stages.
# Projected: CPU hours = sum over runs of budget / rate + stages x scoring;
# wall hours at -j 2 = CPU / 2 (bench/results/study_scaling.json: -j 2 takes
# 0.47x -j 1). CPU time, unlike wall time, holds on a busy machine.
# Writes bench/results/study_walltime.json. About 10 minutes.
#
#   bash bench/study_walltime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${ITERS:-200}
dir=out/bench/study_walltime
rm -rf "$dir"
mkdir -p "$dir"
sed -e "s/^local bound = .*/local bound = { $ITERS }/" -e "s/^local diffusion = .*/local diffusion = { $ITERS }/" \
  -e 's/seeds = { 1, 2, 3, 4, 5 }/seeds = { 1 }/' -e 's/name = "papers_toy"/name = "walltime"/' \
  -e "s|\"\\.\\./models/|\"$PWD/models/|" studies/papers_toy.lua >"$dir/walltime.lua"
sed -n 's|.*file = "\([^"]*\)".*|\1|p' "$dir/walltime.lua" | while read -r f; do
  name=$(sed -n 's/^ *name = "\([^"]*\)".*/\1/p' "$f")
  out/host/ebmforge build "$f" -o "$dir/build/$name" --no-cuda >/dev/null 2>&1
  ninja -C "$dir/build/$name" >/dev/null
done
TIMEFORMAT="%R %U %S"
t=$( { time out/host/ebmforge study "$dir/walltime.lua" -j 2 --out "$dir/study" --build-dir "$dir/build" >"$dir/study.txt" 2>&1; } 2>&1 )
read -r wall user sys <<<"$t"
/usr/bin/python3 - "$dir/study" "$ITERS" "$wall" "$user" "$sys" "$(cat /proc/loadavg)" <<'PY'
import glob, json, os, subprocess, sys
root, iters = sys.argv[1], int(sys.argv[2])
wall, user, sys_s = map(float, sys.argv[3:6])
peers = json.load(open("bench/results/peers.json"))
rate = {}
for c in peers["results"]:
    if c["threads"] == 1:
        for who, v in c["contenders"].items():
            if who in ("ours", "jax", "torch2", "torch113") and v.get("steps_per_cpu_s_median"):
                rate.setdefault(who, {})[c["method"]] = v["steps_per_cpu_s_median"]
stand_in = {"mle-gd": "mle-langevin", "ebm-lb": "ebm-0gp", "bb-sv-diff": "bb-mi-diff"}
get = lambda r, m: r.get(m) or r.get(stand_in.get(m))
methods = [json.load(open(f))["method"] for f in glob.glob(os.path.join(root, "*", "*", "seed1", "run.json"))]
train_cpu = sum(iters / get(rate["ours"], m) for m in methods)
score_cpu = (user + sys_s - train_cpu) / len(methods)     # one stage per run here
diffusion = {"bb-sv-diff", "bb-mi-diff", "ddaebm"}
def study_hours(r):
    cpu = 0.0
    for m in sorted(set(methods)):
        budget, stages = (100000, 3) if m in diffusion else (150000, 4)
        cpu += 9 * 5 * (budget / get(r, m) + stages * score_cpu)
    return {"cpu_h": round(cpu / 3600, 1), "wall_h_j2": round(cpu / 7200, 1), "wall_days_j2": round(cpu / 7200 / 24, 1)}
out = {
    "what": "studies/papers_toy.lua (405 runs, 1,485 stages): training from the peers' measured rates, scoring measured",
    "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
    "cpu": open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip(),
    "cores": os.cpu_count(),
    "scoring_study": {"iters": iters, "runs": len(methods), "wall_s": wall, "cpu_s": round(user + sys_s, 1),
                      "train_cpu_s_estimated": round(train_cpu, 1), "score_cpu_s_per_stage": round(score_cpu, 2),
                      "loadavg_after": sys.argv[6]},
    "steps_per_cpu_s": rate, "peers_file_date": peers.get("date_utc"), "stand_in": stand_in,
    "projected": {w: study_hours(r) for w, r in rate.items()},
}
json.dump(out, open("bench/results/study_walltime.json", "w"), indent=1)
print(json.dumps(out["scoring_study"], indent=1)); print(json.dumps(out["projected"], indent=1))
PY

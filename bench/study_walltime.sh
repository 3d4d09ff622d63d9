#!/usr/bin/env bash
# How long the papers' toy study (studies/papers_toy.lua: 9 methods x 9 toy
# sets x 5 seeds, scored at 20k/50k/100k/150k iterations, 100k last for the
# diffusion methods) takes on this machine, ours against the peers.
# Measured: the same study at seed 1 and one stage of ITERS iterations
# (default 2000), run by `ebmforge study -j 2` with the trainers built
# beforehand: each run's training rate (steps/s from run.json) and the CPU
# cost of scoring a stage (the study's CPU time less its trainers').
# Projected: the full study's CPU hours = sum over runs of budget / rate +
# stages x scoring, and its wall hours at -j 2 (CPU / 2). The peers' rates
# are the one-thread steps per CPU second of bench/results/peers.json (JAX
# jit, PyTorch 2 eager, PyTorch 1.13 eager; read, not rerun); a method the
# peers run does not have takes its nearest relative's rate (named in the
# JSON). Writes bench/results/study_walltime.json. About 15 minutes.
#
#   bash bench/study_walltime.sh            # ITERS=1000 for a quicker look
set -euo pipefail
cd "$(dirname "$0")/.."
ITERS=${ITERS:-2000}
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
/usr/bin/python3 - "$dir/study" "$ITERS" "$wall" "$user" "$sys" <<'PY'
import glob, json, os, subprocess, sys
root, iters, wall, user, sys_s = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:6])
rate, train_s = {}, 0.0
for rj in glob.glob(os.path.join(root, "*", "*", "seed1", "run.json")):
    r = json.load(open(rj))
    rate.setdefault(r["method"], []).append(iters / r["wall_s"])
    train_s += r["wall_s"]
runs = sum(len(v) for v in rate.values())
score_cpu = (user + sys_s - train_s) / runs          # CPU seconds to score one stage
ours = {m: sorted(v)[len(v) // 2] for m, v in rate.items()}   # median over the 9 sets
peers = json.load(open("bench/results/peers.json"))
peer_rate = {}
for c in peers["results"]:
    if c["threads"] == 1:
        for who, v in c["contenders"].items():
            if who in ("jax", "torch2", "torch113") and v.get("steps_per_cpu_s_median"):
                peer_rate.setdefault(who, {})[c["method"]] = v["steps_per_cpu_s_median"]
stand_in = {"mle-gd": "mle-langevin", "ebm-lb": "ebm-0gp", "bb-sv-diff": "bb-mi-diff"}
diffusion = {"bb-sv-diff", "bb-mi-diff", "ddaebm"}
def study_hours(rates):
    cpu = 0.0
    for m in ours:
        budget, stages = (100000, 3) if m in diffusion else (150000, 4)
        r = rates.get(m) or rates.get(stand_in.get(m))
        if r is None: return None
        cpu += 9 * 5 * (budget / r + stages * score_cpu)
    return {"cpu_h": round(cpu / 3600, 1), "wall_h_j2": round(cpu / 7200, 1)}
out = {
    "what": "studies/papers_toy.lua (405 runs, 1,485 stages) projected from a measured one-stage study",
    "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
    "cpu": open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip(),
    "cores": os.cpu_count(),
    "measured": {"iters": iters, "runs": runs, "wall_s": wall, "cpu_s": round(user + sys_s, 1),
                 "train_s": round(train_s, 1), "score_cpu_s_per_stage": round(score_cpu, 2),
                 "ours_steps_per_s_median_over_sets": {m: round(v, 1) for m, v in sorted(ours.items())}},
    "peers_steps_per_cpu_s": peer_rate, "peers_file_date": peers.get("date_utc"), "stand_in": stand_in,
    "projected": {"ours": study_hours(ours), **{w: study_hours(r) for w, r in peer_rate.items()}},
    "note": "the peers' scoring is taken as ours (the same eval code scores every side); wall at -j 2 assumes"
            " the measured -j 2 scaling (bench/results/study_scaling.json) holds",
}
json.dump(out, open("bench/results/study_walltime.json", "w"), indent=1)
print(json.dumps(out["measured"], indent=1)); print(json.dumps(out["projected"], indent=1))
PY

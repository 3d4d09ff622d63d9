#!/usr/bin/env bash
# Does `ebmforge study` use the cores? A study of 8 equal runs (toy_mle on
# moons, seeds 1-8, 400 iterations each, scored once) with -j 1 and with -j 2,
# each from an empty study directory, the trainer built beforehand (not timed).
# Writes bench/results/study_scaling.json: both wall times, their ratio (the
# issue asks for -j 2 <= 0.55 x -j 1 on 2 cores) and /proc/loadavg before and
# after each, since other work on the machine skews the ratio.
# usage: bash bench/study_scaling.sh        (a few minutes on a quiet machine)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=out/bench/study_scaling
rm -rf "$dir"
mkdir -p "$dir"
cat >"$dir/scaling.lua" <<STUDY
study {
  name = "scaling",
  models = { "$PWD/models/toy_mle.lua" },
  data = { "moons" },
  seeds = { 1, 2, 3, 4, 5, 6, 7, 8 },
  budgets = { 400 },
  samples = 500,
}
STUDY
out/host/ebmforge build models/toy_mle.lua -o "$dir/build/toy_mle" --no-cuda >/dev/null 2>&1
ninja -C "$dir/build/toy_mle" train-cpu >/dev/null
declare -A wall cpu load0 load1
TIMEFORMAT="%R %U %S"   # bash's time: wall, user and system seconds of the study and its children
for j in 1 2; do
  load0[$j]=$(cat /proc/loadavg)
  t=$( { time out/host/ebmforge study "$dir/scaling.lua" -j $j --out "$dir/j$j" --build-dir "$dir/build" 2>"$dir/j$j.txt"; } 2>&1 )
  read -r w u s <<<"$t"
  wall[$j]=$w
  cpu[$j]=$(printf '%.2f' "$(echo "$u + $s" | bc)")
  load1[$j]=$(cat /proc/loadavg)
done
ratio=$(printf '%.4f' "$(echo "scale=6; ${wall[2]} / ${wall[1]}" | bc)")
mkdir -p bench/results
cat >bench/results/study_scaling.json <<JSON
{"study": "8 runs: toy_mle (mle-langevin) on moons, seeds 1-8, 400 iterations, samples + energy grid + eval each",
 "cores": $(nproc), "commit": "$(git rev-parse --short HEAD)", "date": "$(date -u +%FT%TZ)",
 "j1": {"wall_s": ${wall[1]}, "cpu_s": ${cpu[1]}, "loadavg_before": "${load0[1]}", "loadavg_after": "${load1[1]}"},
 "j2": {"wall_s": ${wall[2]}, "cpu_s": ${cpu[2]}, "loadavg_before": "${load0[2]}", "loadavg_after": "${load1[2]}"},
 "j2_over_j1": $ratio,
 "note": "cpu_s: user + system seconds of the study and its processes (the same work either way); loadavg counts every process on the machine: with other work running, -j 2 competes with it for the same 2 cores and the ratio says little"}
JSON
cat bench/results/study_scaling.json

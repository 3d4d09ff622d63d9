#!/usr/bin/env bash
# The long fuzz run: every target of tests/fuzz to RUNS executions (default
# 10^6) or MAX_SECONDS (default 3600) each, whichever comes first; the model
# front end (a fresh Lua host per input, ~100 inputs/s) runs beside the
# others. Records executions, seconds, crashes per target in
# bench/results/fuzz.json. Crash inputs: out/fuzz/crashes/<target>/.
#   bash bench/fuzz_long.sh [MAX_SECONDS]
set -u
cd "$(dirname "$0")/.." || exit 1
max=${1:-3600}
export RUNS=${RUNS:-1000000}
bash tests/fuzz/run.sh 1 npy >/dev/null || { echo "fuzz_long: the fuzz build failed or is unavailable" >&2; exit 1; }
FUZZ_JSON=out/fuzz/long_model.json bash tests/fuzz/run.sh "$max" model &
model=$!
FUZZ_JSON=out/fuzz/long_readers.json bash tests/fuzz/run.sh "$max" safetensors checkpoint npy idx cifar
rc=$?
wait $model || rc=1
python3 - out/fuzz/long_readers.json out/fuzz/long_model.json <<'PY' >bench/results/fuzz.json
import json, platform, subprocess, sys, time
rows = [r for p in sys.argv[1:] for r in json.load(open(p))]
cc = subprocess.run(["clang-14", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
print(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "compiler": cc,
                  "sanitizers": "address,undefined (libFuzzer)", "machine": platform.processor() or platform.machine(),
                  "targets": rows}, indent=2))
PY
cat bench/results/fuzz.json
exit $rc

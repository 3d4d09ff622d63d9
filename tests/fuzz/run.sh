#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into out/fuzz and runs
# each for SECONDS on its corpus (tests/fuzz/corpus/<target>, copied: new
# inputs land in out/fuzz/corpus/<target>, not in the repository).
#   bash tests/fuzz/run.sh SECONDS [TARGET...]     (default: every target)
#   RUNS=N: at most N executions per target instead (with SECONDS as a cap)
#   FUZZ_JSON=PATH: write executions, time and crashes per target as JSON
# A crash leaves its input under out/fuzz/crashes/<target>/ and the exit code 1.
# Exit 77: no clang with libFuzzer here (Debian: clang-14, libclang-rt-14-dev).
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${1:?usage: run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors checkpoint npy idx cifar model)

CC=${FUZZ_CC:-$(command -v clang-14 || command -v clang || true)}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' >"$probe/p.c"
if [ -z "$CC" ] || ! "$CC" -fsanitize=fuzzer,address "$probe/p.c" -o "$probe/p" >/dev/null 2>&1; then
  echo "skip: no clang with libFuzzer (install clang-14 and libclang-rt-14-dev: bash build/install_packages.sh fuzz clang-14 libclang-rt-14-dev)"
  exit 77
fi

B=out/fuzz
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
if [ ! -f $B/build.ninja ] || [ "$(cat $B/flags 2>/dev/null)" != "$CC $flags" ]; then
  cmake -S . -B $B -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$CC" -DEBM_FUZZ=ON \
    -DCMAKE_C_FLAGS="$flags" >$B.cmake.log 2>&1 || { cat $B.cmake.log; exit 1; }
  echo "$CC $flags" >$B/flags
fi
ninja -C $B -j "${JOBS:-2}" fuzz_all >$B/ninja.log 2>&1 || { tail -n 30 $B/ninja.log; exit 1; }

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
rc=0
json="["
for t in "${targets[@]}"; do
  seeds=tests/fuzz/corpus/$t
  work=$B/corpus/$t
  rm -rf $B/crashes/$t   # this run's crashes only (a crash worth keeping goes into the corpus)
  mkdir -p "$work" $B/crashes/$t
  cp -n "$seeds"/* "$work"/ 2>/dev/null
  log=$B/$t.log
  start=$(date +%s.%N)
  # -rss_limit_mb: a reader allocating what a header claims shows as a crash
  "$B/fuzz_$t" "$work" -max_total_time="$secs" ${RUNS:+-runs=$RUNS} -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=$B/crashes/$t/ -print_final_stats=1 >"$log" 2>&1
  code=$?
  end=$(date +%s.%N)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find $B/crashes/$t -type f | wc -l)
  [ "$code" -ne 0 ] && crashes=$((crashes > 0 ? crashes : 1))
  printf 'fuzz_%-12s %10s executions in %5.0f s, exit %d, %d crash(es)\n' "$t" "${execs:-0}" \
    "$(echo "$end - $start" | bc)" "$code" "$crashes"
  if [ "$code" -ne 0 ]; then rc=1; grep -E "ERROR|SUMMARY|runtime error" "$log" | head -5; fi
  json+="$( [ "$json" = "[" ] || echo ,)
  {\"target\": \"fuzz_$t\", \"executions\": ${execs:-0}, \"seconds\": $(echo "$end - $start" | bc), \"exit\": $code, \"crashes\": $crashes, \"corpus\": $(ls "$work" | wc -l)}"
done
json+="
]"
[ -n "${FUZZ_JSON:-}" ] && echo "$json" >"$FUZZ_JSON"
exit $rc

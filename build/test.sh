#!/usr/bin/env bash
# Builds (incrementally) and runs every test with ctest, two at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B out/host -G Ninja >/dev/null
ninja -C out/host
ctest --test-dir out/host --output-on-failure -j2 "$@"

#!/usr/bin/env bash
# The fuzz targets' regression part: builds them (clang, libFuzzer, ASan +
# UBSan into out/fuzz) and runs each for a few seconds from its committed
# corpus (tests/fuzz/corpus: seeds and every input that once crashed).
# Fails on any crash, leak, sanitizer report, timeout or memory blow-up.
# Exit 77 (skip) where clang with libFuzzer is not installed.
# usage: bash tests/fuzz_regression.sh [ebmforge]   (the binary is not used)
cd "$(dirname "$0")/.." || exit 1
bash tests/fuzz/run.sh "${FUZZ_SECONDS:-3}"

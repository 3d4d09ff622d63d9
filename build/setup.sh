#!/usr/bin/env bash
# Installs what is missing (Debian 12 packages; clang-14 with libFuzzer and
# valgrind serve the test suite's fuzz-regression and leak checks), then
# configures and builds the ebmforge host and its tests into out/host with
# CMake + Ninja.
set -euo pipefail
cd "$(dirname "$0")/.."

bash build/install_packages.sh setup gcc libc6-dev pkg-config cmake ninja-build liblua5.4-dev libopenblas-dev \
  libpng-dev zlib1g-dev dataset-fashion-mnist openmpi-bin libopenmpi-dev \
  libplplot-dev plplot-driver-cairo clang-14 libclang-rt-14-dev valgrind

cmake -S . -B out/host -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C out/host
echo "setup: built out/host/ebmforge"

#!/usr/bin/env bash
# The bench-only Python environment of bench/peers.sh: JAX (CPU) and a
# PyTorch 2 from PyPI in a virtual environment under out/peers-venv.
# Never part of the product's dependencies or tests; Debian's PyTorch 1.13
# (bench/setup.sh) stays the other baseline. Idempotent: a venv that already
# imports both is left alone.
#
#   bash bench/peers_setup.sh            # creates out/peers-venv
#   PEERS_TORCH_INDEX=URL bash bench/peers_setup.sh   # torch from another index (e.g. a CPU-only wheel index)
#
# PyPI's Linux torch wheel pulls the CUDA runtime packages (some GB); it runs
# on the CPU all the same. Prints the installed versions.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PEERS_VENV:-out/peers-venv}
PY=$VENV/bin/python
if [ -x "$PY" ] && "$PY" -c 'import jax, torch' 2>/dev/null; then
  "$PY" -c 'import jax, torch; print("peers_setup:", "jax", jax.__version__, "torch", torch.__version__, "in '"$VENV"'")'
  exit 0
fi
# Debian's python3 (3.11) when it has venv, else the python3 on PATH
base=/usr/bin/python3
"$base" -c 'import venv, ensurepip' 2>/dev/null || base=python3
"$base" -m venv "$VENV"
"$PY" -m pip install -q --upgrade pip
"$PY" -m pip install -q numpy "jax[cpu]"
if [ -n "${PEERS_TORCH_INDEX:-}" ]; then
  "$PY" -m pip install -q torch --index-url "$PEERS_TORCH_INDEX"
else
  "$PY" -m pip install -q torch
fi
"$PY" -c 'import jax, jaxlib, torch, numpy; print("peers_setup:", "jax", jax.__version__, "jaxlib", jaxlib.__version__, "torch", torch.__version__, "numpy", numpy.__version__, "in '"$VENV"'")'

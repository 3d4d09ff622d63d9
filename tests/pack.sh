#!/usr/bin/env bash
# ebmforge pack: the tarball of a built toy_mle trainer, unpacked into an
# empty folder with the build tree moved away, trains, samples and resumes
# bit-exactly (60 steps == 30 + a resume to 60) through run.sh; its manifest
# names the trainer's fingerprint and lists exactly the libraries `ldd`
# reports, none of them Lua; config.json is the resolved model.
# usage: bash tests/pack.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: pack.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

if ! "$BIN" build models/toy_mle.lua -o "$TMP/build/toy" --no-cuda >"$TMP/gen.txt" 2>&1 || ! ninja -C "$TMP/build/toy" >"$TMP/ninja.txt" 2>&1; then
  fail "build: $(tail -n 5 "$TMP/gen.txt" "$TMP/ninja.txt")"
  finish
fi
if "$BIN" pack "$TMP/build/toy/mle-langevin" -o "$TMP/toy.tar.gz" >"$TMP/pack.txt" 2>&1; then
  pass "pack: $(grep wrote "$TMP/pack.txt")"
else
  fail "pack: $(cat "$TMP/pack.txt")"
  finish
fi
fp=$("$TMP/build/toy/mle-langevin/train-cpu" info | awk '$1 == "fingerprint" {print $2}')
mv "$TMP/build" "$TMP/moved"

U=$TMP/unpacked
mkdir "$U"
tar -xzf "$TMP/toy.tar.gz" -C "$U"
P=$U/toy-mle-langevin
if [ "$(ls "$P" | tr '\n' ' ')" = "config.json manifest.json run.sh train-cpu " ]; then
  pass "the tarball holds toy-mle-langevin/{config.json, manifest.json, run.sh, train-cpu}"
else
  fail "tarball contents: $(tar -tzf "$TMP/toy.tar.gz" | tr '\n' ' ')"
fi

# run from inside the unpacked folder, with nothing of the build on PATH
(
  cd "$P" || exit 1
  export PATH=/usr/bin:/bin
  ./run.sh train --iters 60 --seed 4 --log-every 10 --out runs/a >../a.txt 2>&1 &&
    ./run.sh train --iters 30 --seed 4 --log-every 10 --out runs/b >../b1.txt 2>&1 &&
    ./run.sh train --resume runs/b/ckpt.safetensors --iters 60 --out runs/b >../b2.txt 2>&1 &&
    ./run.sh sample --ckpt runs/a/ckpt.safetensors -n 500 -o samples.npy >../s.txt 2>&1
)
rc=$?
if [ $rc -eq 0 ] && cmp -s "$P/runs/a/ckpt.safetensors" "$P/runs/b/ckpt.safetensors"; then
  pass "the unpacked trainer trains, and 30 steps + resume to 60 == 60 steps (checkpoints byte-identical)"
else
  fail "unpacked runs: exit $rc, $(tail -n 2 "$U"/*.txt | tr '\n' ' ')"
fi
# 500 rows x 2 float32 after the .npy header
if [ -s "$P/samples.npy" ] && [ "$(stat -c %s "$P/samples.npy")" -ge 4000 ] && [ -s "$P/runs/a/samples.npy" ] && [ -s "$P/runs/a/energy_grid.npy" ]; then
  pass "the unpacked trainer samples (samples.npy $(stat -c %s "$P/samples.npy") bytes; the run wrote samples.npy and energy_grid.npy)"
else
  fail "no samples from the unpacked trainer: $(cat "$U/s.txt")"
fi

M=$P/manifest.json
sonames() { grep -o '"soname": "[^"]*"' "$1" | sed 's/"soname": //; s/"//g' | sort; }
ldd_names() { ldd "$1" | awk '/ => / {print $1; next} /\(0x/ {print $1}' | sort; }
if [ -n "$(ldd_names "$P/train-cpu")" ] && cmp -s <(sonames "$M") <(ldd_names "$P/train-cpu"); then
  pass "the manifest lists exactly what ldd reports: $(sonames "$M" | tr '\n' ' ')"
else
  fail "manifest libraries '$(sonames "$M" | tr '\n' ' ')' vs ldd '$(ldd_names "$P/train-cpu" | tr '\n' ' ')'"
fi
if ldd "$P/train-cpu" | grep -qiE "lua|openblas|libpng|libz\."; then
  fail "the trainer links Lua, OpenBLAS, libpng or zlib dynamically: $(ldd "$P/train-cpu" | tr '\n' ' ')"
else
  pass "no Lua; OpenBLAS, libpng and zlib are linked statically"
fi
if grep -q "\"fingerprint\": \"$fp\"" "$M" && grep -q '"parameters": 10502' "$M" && grep -q '"libc6"' "$M" &&
   grep -q '"cflags": "-O3' "$M" && grep -q '"name": "energy.fc2.weight", "shape": \[100,100\]' "$M"; then
  pass "the manifest names fingerprint $fp, 10502 parameters, shapes, flags and Debian packages"
else
  fail "manifest: $(head -c 600 "$M")"
fi
if grep -q '"mpi_ranks": 1, "model": {.*"batch": 200.*"method": "mle-langevin"' "$P/config.json"; then
  pass "config.json holds the resolved model"
else
  fail "config.json: $(cat "$P/config.json")"
fi
finish

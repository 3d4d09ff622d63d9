#!/usr/bin/env bash
# Image models end to end (methods.md §7.4): the Fashion-MNIST classifier
# trains above chance and reports its test accuracy; FD-FMNIST of real
# training pictures is far below that of an untrained sampler's output; an
# energy model's eval reports OOD AUROCs; bad fd input is refused (exit 2).
set -uo pipefail
EBMFORGE=${1:-out/host/ebmforge}
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }
TMP=$(mktemp -d /tmp/image_eval.XXXXXX)
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" = 0 ] && rm -rf "$TMP"; [ "$FAIL" = 0 ]; }
if [ ! -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ]; then
  echo "skip: Fashion-MNIST is not installed (Debian package dataset-fashion-mnist; build/setup.sh installs it)"
  exit 77
fi
json() { sed -n "s/.*\"$1\": \([-0-9.e]*\).*/\1/p" "$2"; }

"$EBMFORGE" build models/fmnist_classifier.lua -o "$TMP/clf" >/dev/null 2>&1 &&
  "$EBMFORGE" build tests/parity_models/conv_mle.lua -o "$TMP/conv" >/dev/null 2>&1 &&
  ninja -C "$TMP/clf" train-cpu >/dev/null 2>&1 && ninja -C "$TMP/conv" train-cpu >/dev/null 2>&1 || { fail "generate and build"; finish; exit 1; }
C=$TMP/clf/classifier/train-cpu E=$TMP/conv/mle-langevin/train-cpu

$C train --iters 40 --seed 0 --out "$TMP/c" 2>/dev/null && $C eval --ckpt "$TMP/c/ckpt.safetensors" >"$TMP/acc.json"
acc=$(json test_accuracy "$TMP/acc.json")
awk -v a="${acc:-0}" 'BEGIN { exit !(a > 0.5) }' && ok "classifier after 40 steps: test accuracy $acc > 0.5 (chance 0.1)" \
  || fail "classifier test accuracy ${acc:-missing}"

$C fd --ckpt "$TMP/c/ckpt.safetensors" --samples fashion-mnist -n 2000 >"$TMP/fd_real.json"
$E train --iters 2 --seed 1 --out "$TMP/e" 2>/dev/null && $E sample --ckpt "$TMP/e/ckpt.safetensors" -n 2000 -o "$TMP/s.npy"
$C fd --ckpt "$TMP/c/ckpt.safetensors" --samples "$TMP/s.npy" >"$TMP/fd_fake.json"
real=$(json fd_fmnist "$TMP/fd_real.json") fake=$(json fd_fmnist "$TMP/fd_fake.json")
awk -v r="${real:-1e9}" -v f="${fake:-0}" 'BEGIN { exit !(r >= 0 && r * 10 < f) }' &&
  ok "FD-FMNIST: training pictures $real, untrained sampler $fake" || fail "FD-FMNIST real ${real:-missing}, fake ${fake:-missing}"

$E eval --ckpt "$TMP/e/ckpt.safetensors" --ood-sets "$TMP" >"$TMP/ood.json"
n=$(grep -o '"auroc_[a-z_]*": [0-9.]*' "$TMP/ood.json" | awk '{ if ($2 >= 0 && $2 <= 1) k++ } END { print k + 0 }')
[ "$n" = 2 ] && ok "OOD eval: AUROC against uniform noise and constant pictures ($(tr -d '\n' <"$TMP/ood.json"))" \
  || fail "OOD eval: $(cat "$TMP/ood.json")"
# --ood-sets: the scored pictures as float32 [10000, 1024] (header + 40,960,000 bytes of data)
for set in test uniform_noise constant; do
  head -c 128 "$TMP/$set.npy" 2>/dev/null | grep -q "'shape': (10000, 1024)" && [ "$(stat -c %s "$TMP/$set.npy")" = 40960128 ] &&
    ok "--ood-sets wrote $set.npy [10000, 1024]" || fail "--ood-sets $set.npy"
done

$C fd --help | grep -q '^usage:' && $E eval --help | grep -q 'OOD AUROC' && ok "fd --help, eval --help of an image model" \
  || fail "image commands' --help"
out=$($E fd --ckpt "$TMP/e/ckpt.safetensors" --samples "$TMP/s.npy" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *"needs a classifier"* ]] && ok "fd on an energy model refused: $out" || fail "fd on an energy model: rc $rc: $out"
out=$($C fd --ckpt "$TMP/c/ckpt.safetensors" --samples "$TMP/e/log.jsonl" 2>&1); rc=$?
[ $rc = 2 ] && ok "fd with a non-.npy, non-image-set samples argument refused: $out" || fail "bad --samples: rc $rc: $out"
finish

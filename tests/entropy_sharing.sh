#!/usr/bin/env bash
# Where H^ of bound (a) is evaluated (methods.md §3a "Where H^ is evaluated",
# §3c "Probe"), read off the traced step program (`ebmforge ir`):
# - images, bb-sv-gp: one LOBPCG call, in the energy step (z, v0, p and the
#   Gram-Schmidt refills: 9 normal draws); the generator step draws only z' and
#   takes H^ from the kept (z, v*) states; (c)'s probe is LOBPCG's v0, so no
#   other draw of the probe's shape exists;
# - images, ebm-0gp: H^ at the generator step's fresh z' (its own LOBPCG);
#   the energy step draws only z;
# - toy bb-sv-gp (closed-form 2x2): a fresh probe v in the energy step, H^ at z'.
# usage: bash tests/entropy_sharing.sh /abs/path/to/ebmforge   (from the repository root)
set -u
BIN=${1:?usage: entropy_sharing.sh /path/to/ebmforge}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# "phase count" lines: the NORMAL draws of each training phase
draws() { "$BIN" ir "$1" | awk '/^phase/ {p = $2} /= NORMAL/ {c[p]++} END {for (k in c) print k, c[k]}' | sort; }
expect() {  # name, got, want
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got [$2], want [$3]"; fail=1; fi
}
count() { echo "$1" | awk -v p="$2" '$1 == p {print $2}'; }

bb=$(draws tests/parity_models/conv_bb.lua) || { echo "FAIL ir of conv_bb"; exit 1; }
expect "images bb-sv-gp: the generator step draws only z'" "$(count "$bb" generator)" 1
expect "images bb-sv-gp: the energy step draws z and one LOBPCG call's 8" "$(count "$bb" energy)" 9
"$BIN" ir tests/parity_models/conv_bb.lua | grep -q 'entropy\.z' && echo "ok   images bb-sv-gp: (z, v*) kept as states" ||
  { echo "FAIL images bb-sv-gp: no kept entropy.z state"; fail=1; }

sed 's/"bb-sv-gp"/"ebm-0gp"/; s/conv_bb/conv_0gp/' tests/parity_models/conv_bb.lua >"$tmp/conv_0gp.lua"
z=$(draws "$tmp/conv_0gp.lua") || { echo "FAIL ir of an image ebm-0gp"; exit 1; }
expect "images ebm-0gp: the energy step draws only z" "$(count "$z" energy)" 1
expect "images ebm-0gp: the generator step draws z' and its own LOBPCG's 8" "$(count "$z" generator)" 9
"$BIN" ir "$tmp/conv_0gp.lua" | grep -q 'entropy\.z' && { echo "FAIL images ebm-0gp keeps an entropy state"; fail=1; } ||
  echo "ok   images ebm-0gp: no kept state"

t=$(draws models/toy_bb.lua) || { echo "FAIL ir of toy_bb"; exit 1; }
expect "toy bb-sv-gp: the energy step draws z and a fresh probe" "$(count "$t" energy)" 2
expect "toy bb-sv-gp: the generator step draws z'" "$(count "$t" generator)" 1
exit $fail

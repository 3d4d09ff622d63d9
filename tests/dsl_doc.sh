#!/usr/bin/env bash
# docs/dsl.md is what `ebmforge doc` writes from the option tables that
# validate model files (regenerate: ebmforge doc -o docs/dsl.md), and every
# option every shipped model gives (each sweep combination) has a description.
# usage: bash tests/dsl_doc.sh /abs/path/to/ebmforge   (from the repository root)
set -u
BIN=${1:?usage: dsl_doc.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1
. tests/support/report.sh

if ! "$BIN" doc >"$TMP/dsl.md" 2>"$TMP/err"; then
  fail "ebmforge doc failed: $(cat "$TMP/err")"
elif ! diff -u docs/dsl.md "$TMP/dsl.md" >"$TMP/diff"; then
  fail "docs/dsl.md differs from 'ebmforge doc' (regenerate: ebmforge doc -o docs/dsl.md):"
  head -n 40 "$TMP/diff"
else
  pass "docs/dsl.md is 'ebmforge doc' ($(wc -l <docs/dsl.md) lines)"
fi

if "$BIN" doc --check models/*.lua >"$TMP/check" 2>"$TMP/err"; then
  pass "every option of every shipped model is described: $(wc -l <"$TMP/check") model combinations"
else
  fail "shipped models give options without a description: $(cat "$TMP/err")"
fi

# every method, net and layer a shipped model names has its own section
for name in $(grep -ho 'method = "[a-z0-9-]*"' models/*.lua | cut -d'"' -f2 | sort -u) \
            $(grep -ho 'nets\.[a-z_]*' models/*.lua | sort -u) $(grep -ho 'nn\.[a-z_0-9]*' models/*.lua | sort -u); do
  if grep -qF "### \`$name" docs/dsl.md; then pass "docs/dsl.md has a section for $name"
  else fail "docs/dsl.md has no section for $name"; fi
done

# a broken table is caught: an edited copy of the reference differs
sed '0,/| `batch` |/s//| `batches` |/' docs/dsl.md >"$TMP/edited.md"
if ! grep -q '`batches`' "$TMP/edited.md"; then fail "the edit of the reference did not apply"
elif diff -q "$TMP/edited.md" "$TMP/dsl.md" >/dev/null; then fail "an edited reference compares equal"
else pass "an edited reference is told apart"; fi
finish

#!/usr/bin/env bash
# Bad model files are reported as `path:line: message` with exit code 2.
# Every tests/bad_models/*.lua marks its faulty line with a trailing
# `--< error` comment; `ebmforge run`, `check` and `ir` must all exit 2 with a
# first stderr line starting with `FIXTURE:N:`, N the marker's line, and `run`
# must not create its output directory.
# usage: bash tests/bad_input.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: bad_input.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

# a fixture that loads by mistake must not train for long
TIMEOUT=()
if command -v timeout >/dev/null 2>&1; then TIMEOUT=(timeout 120); fi

# expect_error LABEL FIXTURE LINE CMD...: exit code 2, first stderr line FIXTURE:LINE:
expect_error() {
  local label=$1 f=$2 n=$3
  shift 3
  "${TIMEOUT[@]}" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$? first
  first=$(head -n 1 "$TMP/stderr")
  if [ "$rc" -ne 2 ]; then
    fail "$label: exit code $rc, expected 2 (stderr: $first)"
  elif [ "${first#"$f:$n:"}" = "$first" ]; then
    fail "$label: first stderr line does not start with '$f:$n:': $first"
  else
    pass "$label"
  fi
}

shopt -s nullglob
fixtures=(tests/bad_models/*.lua)
if [ ${#fixtures[@]} -eq 0 ]; then
  fail "no fixtures in tests/bad_models"
fi

for f in "${fixtures[@]}"; do
  markers=$(grep -n -e '--< error' "$f" | cut -d: -f1)
  if [ "$(printf '%s\n' "$markers" | grep -c .)" -ne 1 ]; then
    fail "$f: needs exactly one '--< error' marker, found lines: ${markers:-none}"
    continue
  fi
  n=$markers

  rm -rf "$TMP/out"
  expect_error "run $f" "$f" "$n" "$BIN" run "$f" --out "$TMP/out" --iters 5
  if [ -e "$TMP/out" ]; then
    fail "run $f: left an output directory behind"
    rm -rf "$TMP/out"
  else
    pass "run $f: no output directory"
  fi
  expect_error "check $f" "$f" "$n" "$BIN" check "$f"
  expect_error "ir $f" "$f" "$n" "$BIN" ir "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

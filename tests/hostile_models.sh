#!/usr/bin/env bash
# Hostile and nonsensical model files (tests/hostile_models/*.lua) are refused
# by the sandbox and the option ranges: `ebmforge check` and `ebmforge build`
# exit 2 (no signal, no hang) with a first stderr line `FIXTURE:N: ...`, N the
# line marked `--< error`, containing the fixture's `-- expect: TEXT`; `build`
# writes nothing. The limits are lowered (environment) so the runaway
# fixtures stop fast; three of them also run once at the default limits.
# Under valgrind, where installed, the error paths free what they allocate.
# usage: bash tests/hostile_models.sh /abs/path/to/ebmforge   (from the repository root)
set -u

BIN=${1:?usage: hostile_models.sh /path/to/ebmforge}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
cd "$(dirname "$0")/.." || exit 1

. tests/support/report.sh   # $TMP (removed on exit), pass, fail, finish

TIMEOUT=()
if command -v timeout >/dev/null 2>&1; then TIMEOUT=(timeout 60); fi
# lowered limits; the time limit stays generous (a busy machine) except for
# the fixture stuck inside one C call, which only the time limit stops
LIMITS=(env EBMFORGE_LUA_MAX_INSTRUCTIONS=10000000 EBMFORGE_LUA_MAX_MIB=64 EBMFORGE_LUA_MAX_SECONDS=20)

# expect LABEL FIXTURE LINE TEXT CMD...: exit code 2, first stderr line FIXTURE:LINE: ... TEXT ...
expect() {
  local label=$1 f=$2 n=$3 text=$4
  shift 4
  "${TIMEOUT[@]}" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
  local rc=$? first
  first=$(head -n 1 "$TMP/stderr")
  if [ "$rc" -ne 2 ]; then
    fail "$label: exit code $rc, expected 2 (124: hang, >128: signal) (stderr: $first)"
  elif [ "${first#"$f:$n:"}" = "$first" ]; then
    fail "$label: first stderr line does not start with '$f:$n:': $first"
  elif [ "${first#*"$text"}" = "$first" ]; then
    fail "$label: first stderr line lacks '$text': $first"
  else
    pass "$label"
  fi
}

shopt -s nullglob
fixtures=(tests/hostile_models/*.lua)
[ ${#fixtures[@]} -gt 0 ] || fail "no fixtures in tests/hostile_models"

for f in "${fixtures[@]}"; do
  n=$(grep -n -e '--< error' "$f" | cut -d: -f1)
  text=$(sed -n 's/^-- expect: //p' "$f")
  if [ "$(printf '%s\n' "$n" | grep -c .)" -ne 1 ] || [ -z "$text" ]; then
    fail "$f: needs one '--< error' marker and one '-- expect: TEXT' line"
    continue
  fi
  secs=20
  [ "$f" = tests/hostile_models/pattern_hang.lua ] && secs=1
  expect "check $f" "$f" "$n" "$text" "${LIMITS[@]}" EBMFORGE_LUA_MAX_SECONDS=$secs "$BIN" check "$f"
  rm -rf "$TMP/out"
  expect "build $f" "$f" "$n" "$text" "${LIMITS[@]}" EBMFORGE_LUA_MAX_SECONDS=$secs "$BIN" build "$f" -o "$TMP/out" --no-cuda
  if [ -e "$TMP/out" ]; then fail "build $f: wrote $TMP/out"; rm -rf "$TMP/out"; else pass "build $f: wrote nothing"; fi
done
[ ! -e hostile_was_here ] && pass "os.execute ran nothing" || { fail "os.execute ran a command"; rm -f hostile_was_here; }

# the default limits stop runaway files too (each within a few seconds)
for name in infinite_loop alloc_loop huge_string; do
  f=tests/hostile_models/$name.lua
  expect "default limits: $f" "$f" "$(grep -n -e '--< error' "$f" | cut -d: -f1)" "$(sed -n 's/^-- expect: //p' "$f")" \
    "$BIN" check "$f"
done

# no leak and no invalid access on the error paths that used to leak or double free
if command -v valgrind >/dev/null 2>&1; then
  for name in set_data_error const_bad_value; do
    f=tests/hostile_models/$name.lua
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
      "$BIN" check "$f" >/dev/null 2>"$TMP/vg"
    rc=$?
    if [ "$rc" -eq 2 ]; then pass "valgrind: $f"; else fail "valgrind: $f: exit $rc: $(grep -m3 '==' "$TMP/vg")"; fi
  done
else
  echo "SKIP valgrind checks: valgrind is not installed"
fi

finish

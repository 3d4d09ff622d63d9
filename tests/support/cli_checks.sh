# Shared by the command-line tests (sourced after report.sh): checks of a
# program whose commands parse with runtime/cli.c. Set CLI_BIN to the program.

# check_help NAME CMD: `CLI_BIN CMD --help` exits 0 with "usage: NAME CMD" and
# an options list (left in $TMP/help.txt), and every option it lists with a
# value ("  --name META", META in capitals), given without it, is one the
# parser knows ("needs a value"): help and parsing agree
check_help() {
  local name=$1 cmd=$2 rc opt out
  "$CLI_BIN" "$cmd" --help >"$TMP/help.txt" 2>&1
  rc=$?
  if [ $rc = 0 ] && head -n 1 "$TMP/help.txt" | grep -q "^usage: $name $cmd" && grep -q '^options:' "$TMP/help.txt"; then
    pass "$cmd --help: usage line and options"
  else
    fail "$cmd --help: rc $rc: $(head -n 3 "$TMP/help.txt")"
  fi
  sed -n '/^options:/,/^$/p' "$TMP/help.txt" | grep -E '^  -[-a-z]+ [A-Z]' | awk '{print $1}' >"$TMP/valued.txt"
  while read -r opt; do
    out=$("$CLI_BIN" "$cmd" "$opt" 2>&1)
    rc=$?
    [ $rc = 2 ] && [[ $out == *"$opt needs a value"* ]] || fail "$cmd $opt (no value): rc $rc: $out"
  done <"$TMP/valued.txt"
}

# expect_bad LABEL TEXT ARGS...: `CLI_BIN ARGS...` exits 2 with TEXT on
# stderr, prints nothing on stdout and writes nothing to $TMP/never
expect_bad() {
  local label=$1 text=$2
  shift 2
  rm -rf "$TMP/never"
  "$CLI_BIN" "$@" >"$TMP/out.txt" 2>"$TMP/err.txt"
  local rc=$?
  if [ $rc != 2 ]; then fail "$label: exit $rc, expected 2: $(cat "$TMP/err.txt")"
  elif ! grep -qF -- "$text" "$TMP/err.txt"; then fail "$label: expected '$text', got: $(cat "$TMP/err.txt")"
  elif [ -e "$TMP/never" ] || [ -s "$TMP/out.txt" ]; then fail "$label: wrote something"
  else pass "$label: $(cat "$TMP/err.txt")"
  fi
}

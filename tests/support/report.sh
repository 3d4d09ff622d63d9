# Shared by shell tests (sourced): a scratch directory removed on exit, and
# PASS/FAIL lines with a closing count; `finish` exits 0 only if none failed.
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

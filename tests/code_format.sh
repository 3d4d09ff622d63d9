#!/usr/bin/env bash
# The C sources follow the repository's .clang-format (the house style):
# every .c, .h and .cu under generator/, runtime/, build/ and tests/ is left
# unchanged by clang-format. Exit 77 (skip) where clang-format is not installed.
# Fix with: clang-format -i FILE  (Debian: apt-get install clang-format)
# usage: bash tests/code_format.sh [ebmforge]   (the binary is not used)
cd "$(dirname "$0")/.." || exit 1
CF=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$CF" ] || { echo "SKIP: clang-format not installed (Debian: clang-format)"; exit 77; }
bad=0 n=0
while read -r f; do
  n=$((n + 1))
  if ! "$CF" --style=file "$f" | cmp -s - "$f"; then
    echo "FAIL $f: not in the .clang-format style (clang-format -i $f)"
    bad=$((bad + 1))
  fi
done < <(git ls-files 'generator/*.c' 'generator/*.h' 'runtime/*.c' 'runtime/*.h' 'runtime/*.cu' 'build/*.c' 'tests/*.c')
# the check itself can fail: a file with the braces on their own lines is reported
probe=$(mktemp --suffix=.c)
trap 'rm -f "$probe"' EXIT
printf 'int f(void)\n{\n    return 0;\n}\n' >"$probe"
if "$CF" --style="file:$PWD/.clang-format" "$probe" | cmp -s - "$probe"; then echo "FAIL the probe passed: the check cannot fail"; bad=$((bad + 1)); fi
echo "$((n - bad)) of $n files in the house style"
[ "$bad" -eq 0 ]

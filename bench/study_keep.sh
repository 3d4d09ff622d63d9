#!/usr/bin/env bash
# Keeps what the docs cite of a finished study: its report (report.md,
# report.json) and every stage's eval JSON, flattened to
# bench/results/<NAME>/<data>_<method>[_<params>]_seed<k>_eval_<B>.json.
# usage: bash bench/study_keep.sh out/study/mle_sampler [NAME (default: the folder's name)]
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:?usage: study_keep.sh STUDY_DIR [NAME]}
name=${2:-$(basename "$src")}
[ -f "$src/report.json" ] || { echo "study_keep.sh: $src has no report.json (run ebmforge report $src)" >&2; exit 2; }
dst=bench/results/$name
rm -rf "$dst"
mkdir -p "$dst"
cp "$src/report.md" "$src/report.json" "$dst/"
find "$src" -name 'eval_*.json' | sort | while read -r f; do
  rel=${f#"$src"/}                         # <data>/<method>[/<params>]/seed<k>/eval_<B>.json
  flat=$(printf '%s' "${rel%/eval_*}" | tr '/,=' '__-')
  cp "$f" "$dst/${flat}_$(basename "$f")"
done
echo "study_keep.sh: $(find "$dst" -type f | wc -l) files in $dst"

#!/usr/bin/env bash
# Recommendation quality on the shared judged sets: indexes each BEIR
# collection into a temporary directory with the built binary and prints
# `paperseek eval --task related --method all` for m = 1 and m = 3 positives
# (every method side by side), then CISI with 3 negatives too.
#
#   bench/recommend.sh                 # SciFact (train judgments) and CISI
#   DATA=/path/to/data bench/recommend.sh
#
# Output goes into the README's "Recommendations" section.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
go build -o bin/paperseek ./cmd/paperseek
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # name corpus-dir qrels-split
	local name=$1 dir=$DATA/beir/$2 split=$3
	if [ ! -f "$dir/corpus.jsonl" ]; then
		echo "skip $name: $dir/corpus.jsonl not found" >&2
		return
	fi
	bin/paperseek index --index "$work/$name" --json "$dir/corpus.jsonl" >/dev/null
	for m in 1 3; do
		echo "## $name, qrels/$split.tsv, $m positives"
		bin/paperseek eval --index "$work/$name" --queries "$dir/queries.jsonl" --qrels "$dir/qrels/$split.tsv" \
			--task related --positives "$m" --method all 2>&1
		echo
	done
}

echo "# paperseek recommendations, $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
run scifact scifact train
run cisi cisi test
if [ -d "$work/cisi" ]; then
	echo "## cisi, qrels/test.tsv, 3 positives, 3 negatives (the next query's relevant papers)"
	bin/paperseek eval --index "$work/cisi" --queries "$DATA/beir/cisi/queries.jsonl" --qrels "$DATA/beir/cisi/qrels/test.tsv" \
		--task related --positives 3 --negatives 3 --method all 2>&1
fi

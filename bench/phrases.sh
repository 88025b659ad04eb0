#!/usr/bin/env bash
# Exact phrases on the shared judged sets: indexes SciFact and CISI with the
# built binary and runs `paperseek eval` (keyword and hybrid) on the
# original queries and on quoted variants (bench/phrases/quote.py quotes
# each query's strongest collocation, from the corpus alone).
#
#   bench/phrases.sh                 # needs python3
#   DATA=/path/to/data bench/phrases.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
go build -o bin/paperseek ./cmd/paperseek
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # name qrels-split
	local name=$1 dir=$DATA/beir/$1 split=$2
	bin/paperseek index --index "$work/$name" --json "$dir/corpus.jsonl" >/dev/null
	python3 bench/phrases/quote.py "$dir/corpus.jsonl" "$dir/queries.jsonl" "$work/$name-quoted.jsonl"
	for queries in "$dir/queries.jsonl" "$work/$name-quoted.jsonl"; do
		echo "## $name, $(basename "$queries")"
		for mode in keyword hybrid; do
			bin/paperseek eval --index "$work/$name" --queries "$queries" --qrels "$dir/qrels/$split.tsv" --mode "$mode" | tail -1
		done
	done
	echo
}

echo "# paperseek phrases, $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
run scifact train
run cisi test

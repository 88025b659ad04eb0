#!/usr/bin/env bash
# Ranking quality on the shared judged sets: indexes each BEIR collection into
# a temporary directory with the built binary and prints `paperseek eval
# --mode all` (keyword, semantic, hybrid side by side).
#
#   bench/quality.sh                 # SciFact (train judgments) and CISI
#   DATA=/path/to/data bench/quality.sh
#   EXTRA="--fusion rrf" bench/quality.sh   # extra flags for eval
#   EXTRA="--keyword-weight 0.6" bench/quality.sh   # one column of the weight table
#   INDEXFLAGS="--dimensions 128" bench/quality.sh  # extra flags for index
#
# Output goes into the README's "Measured" section.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
EXTRA=${EXTRA:-}
INDEXFLAGS=${INDEXFLAGS:-}
go build -o bin/paperseek ./cmd/paperseek
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # name corpus-dir qrels-split
	local name=$1 dir=$DATA/beir/$2 split=$3
	if [ ! -f "$dir/corpus.jsonl" ]; then
		echo "skip $name: $dir/corpus.jsonl not found" >&2
		return
	fi
	local start=$SECONDS
	# shellcheck disable=SC2086
	bin/paperseek index --index "$work/$name" --json $INDEXFLAGS "$dir/corpus.jsonl" >"$work/$name.index.json"
	echo "## $name ($(grep -o '"total": *[0-9]*' "$work/$name.index.json" | grep -o '[0-9]*$') papers, qrels/$split.tsv, indexed in $((SECONDS - start))s)"
	# shellcheck disable=SC2086
	bin/paperseek eval --index "$work/$name" --queries "$dir/queries.jsonl" --qrels "$dir/qrels/$split.tsv" --mode all $EXTRA
	echo
}

echo "# paperseek quality, $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
run scifact scifact train
run cisi cisi test

#!/usr/bin/env bash
# Search latency at scale: indexes the 119k-paper arXiv set once (kept in
# $INDEX, reused by later runs; time and peak memory printed), then runs the
# in-process search benchmarks of ./query against it.
#
#   bench/search.sh                       # INDEX=/tmp/ps-119k
#   INDEX=/data/ix COUNT=60x bench/search.sh
#   TITLES=500 bench/search.sh            # the 500 titles of bench/titles.sh as queries
#                                         # (what bench/scale.sh's load runs send)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
INDEX=${INDEX:-/tmp/ps-119k}
COUNT=${COUNT:-40x}
go build -o bin/paperseek ./cmd/paperseek
if [ ! -f "$INDEX/manifest.json" ]; then
	echo "# indexing $DATA/arxiv/arxiv-119k.jsonl.gz into $INDEX"
	PAPERSEEK_DEBUG=1 /usr/bin/time -f "wall %es, peak RSS %M KiB" \
		bin/paperseek index --index "$INDEX" "$DATA/arxiv/arxiv-119k.jsonl.gz"
fi
bin/paperseek stats --index "$INDEX"
queries=
if [ -n "${TITLES:-}" ]; then
	queries=$(mktemp)
	trap 'rm -f "$queries"' EXIT
	DATA=$DATA bench/titles.sh "$TITLES" >"$queries"
fi
PAPERSEEK_BENCH_QUERIES="$queries" PAPERSEEK_BENCH_INDEX="$INDEX" go test -run '^$' -bench '119k' -benchtime "$COUNT" ./query

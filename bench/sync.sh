#!/usr/bin/env bash
# What `paperseek sync arxiv` costs per page on an index of realistic size:
# indexes BASE papers of the 119k arXiv set, then harvests PAGES pages of
# 1000 further papers from a fake arXiv OAI-PMH interface on loopback
# (bench/oaifake) with the real binary at the minimum delay (1 s), and
# prints the run's summary, wall time and peak memory.
#
#   bench/sync.sh                    # BASE=20000 PAGES=3
#   BASE=119000 PAGES=1 bench/sync.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
BASE=${BASE:-20000}
PAGES=${PAGES:-3}
go build -o bin/paperseek ./cmd/paperseek
go build -o bin/oaifake ./bench/oaifake
work=$(mktemp -d)
fake=
trap 'if [ -n "$fake" ]; then kill "$fake" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

# (head closes the pipe early: zcat's SIGPIPE is expected)
zcat "$DATA/arxiv/arxiv-119k.jsonl.gz" | head -n "$BASE" >"$work/base.jsonl" || true
zcat "$DATA/arxiv/arxiv-119k.jsonl.gz" | tail -n +"$((BASE + 1))" | head -n "$((PAGES * 1000))" >"$work/new.jsonl" || true
start=$SECONDS
bin/paperseek index --index "$work/ix" "$work/base.jsonl" 2>/dev/null
echo "# sync bench, $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores"
echo "base index: $BASE papers in $((SECONDS - start))s"

bin/oaifake --records "$work/new.jsonl" >"$work/url" &
fake=$!
while [ ! -s "$work/url" ]; do
	kill -0 "$fake" || { echo "oaifake failed" >&2; exit 1; }
	sleep 0.1
done
url=$(cat "$work/url")
/usr/bin/time -f "wall %es, peak RSS %MKB" bin/paperseek sync arxiv --index "$work/ix" --set cs \
	--from 2026-12-01 --base-url "$url" --delay 1s --json 2>"$work/time" | tr -d ' \n'
echo
tail -n 1 "$work/time"
echo "(each page after the first waits 1 s for the delay: per-page work = (wall - (PAGES-1)) / PAGES)"

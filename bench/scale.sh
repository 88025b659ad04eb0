#!/usr/bin/env bash
# Every row of the scale table, for one corpus: the index build (wall, peak
# RSS, phase split), one-shot `get`, `stats` and `search` processes (start to
# exit: median wall, largest peak RSS), the semantic leg's recall@100 against
# exact cosine (`paperseek check`), and `serve` under bench/load (hybrid, 1
# and 8 clients). The index is kept in $INDEX and reused by later runs.
#
#   bench/scale.sh                                  # the 119k arXiv set
#   FILE=/tmp/synth-1m.jsonl.gz INDEX=/tmp/ps-1m bench/scale.sh
#   SECONDS_LOAD=30 N=50 bench/scale.sh             # longer load runs, more one-shot queries
#   OLD=/tmp/paperseek-main bench/scale.sh          # also time another build: one-shot commands interleaved, its server's load runs alternating
#   ROUNDS=3 OLD=... bench/scale.sh                 # repeat the load runs
#
# The 1M corpus: python3 ../shared/tools/synth-corpus.py --papers 1000000 | gzip -1 > /tmp/synth-1m.jsonl.gz
# The machine is shared: compare runs made at the same time (bench/peers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
FILE=${FILE:-$DATA/arxiv/arxiv-119k.jsonl.gz}
INDEX=${INDEX:-/tmp/ps-$(basename "$FILE" .jsonl.gz)}
N=${N:-20}
SECONDS_LOAD=${SECONDS_LOAD:-15}
PORT=${PORT:-18090}
[ -x /usr/bin/time ] || { echo "scale.sh needs GNU time (apt-get install time)" >&2; exit 2; }
command -v jq >/dev/null || { echo "scale.sh needs jq (apt-get install jq)" >&2; exit 2; }
go build -o bin/paperseek ./cmd/paperseek
go build -o bin/load ./bench/load
work=$(mktemp -d)
server=
cleanup() {
	for pid in $server; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
echo "# scale: $(basename "$FILE") in $INDEX, $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -f "$INDEX/manifest.json" ] || [ -n "${REBUILD:-}" ]; then
	rm -rf "$INDEX"
	echo "## index (PAPERSEEK_DEBUG=1 phase split)"
	PAPERSEEK_DEBUG=1 /usr/bin/time -f 'index: wall %e s, peak RSS %M KiB' \
		bin/paperseek index --index "$INDEX" "$FILE" 2>&1 >/dev/null | tr '\r' '\n' | grep -E '^(paperseek|index):' || true
fi
bin/paperseek stats --json --index "$INDEX" | jq -c '{papers, vectors, index_bytes}'

summarise() { # label times-file rss-divisor: "label wall-median wall-p90 cpu-median max-rss" (ms, MiB)
	local rows
	rows=$(grep "^$1 " "$2") || return 0
	printf '%-19s %7.1f %7.1f %7.0f %7.1f\n' "$1" \
		"$(sort -k2 -g <<<"$rows" | awk '{ w[NR] = $2 } END { print 1000 * w[int((NR + 1) / 2)] }')" \
		"$(sort -k2 -g <<<"$rows" | awk '{ w[NR] = $2 } END { print 1000 * w[int(NR * 0.9 + 0.5)] }')" \
		"$(sort -k4 -g <<<"$rows" | awk '{ c[NR] = $4 } END { print 1000 * c[int((NR + 1) / 2)] }')" \
		"$(awk -v d="$3" '$3 > r { r = $3 } END { print r / d }' <<<"$rows")"
}

measure() { # label cmd... : "label wall_s peak_rss_KiB cpu_s"
	local label=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M %U %S' -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	t1=$EPOCHREALTIME
	tail -1 "$work/rss" | awk -v l="$label" -v a="$t0" -v b="$t1" '{ printf "%s %.4f %d %.2f\n", l, b - a, $1, $2 + $3 }'
}

DATA=$DATA bench/titles.sh 500 >"$work/titles"
head -n "$N" "$work/titles" >"$work/oneshot"
# Ids to get: the first keyword hit of each query.
bin/paperseek search --index "$INDEX" --mode keyword -k 1 --json "$(head -1 "$work/oneshot")" >/dev/null # warm the page cache once
: >"$work/times"
while IFS= read -r q; do
	id=$(bin/paperseek search --index "$INDEX" --mode keyword -k 1 --json "$q" | jq -r '.results[0].id // empty')
	{
		[ -z "$id" ] || measure get bin/paperseek get --index "$INDEX" "$id"
		measure stats bin/paperseek stats --index "$INDEX"
		measure search-keyword bin/paperseek search --index "$INDEX" --mode keyword "$q"
		measure search-hybrid bin/paperseek search --index "$INDEX" "$q"
		if [ -n "${OLD:-}" ]; then
			[ -z "$id" ] || measure old-get "$OLD" get --index "$INDEX" "$id"
			measure old-stats "$OLD" stats --index "$INDEX"
			measure old-search-keyword "$OLD" search --index "$INDEX" --mode keyword "$q"
			measure old-search-hybrid "$OLD" search --index "$INDEX" "$q"
		fi
	} >>"$work/times"
done <"$work/oneshot"
echo "## one-shot processes, $N title queries (wall ms median and p90, CPU ms median (user+sys, 10 ms steps), largest peak RSS MiB)"
for l in get stats search-keyword search-hybrid; do
	summarise "$l" "$work/times" 1024
	[ -z "${OLD:-}" ] || summarise "old-$l" "$work/times" 1024
done

echo "## semantic leg against exact cosine (paperseek check)"
bin/paperseek check --json --index "$INDEX" | jq -c '{ok, exact_recall}'

echo "## serve under bench/load (closed loop, $SECONDS_LOAD s each, 500 titles${OLD:+; OLD= server too, runs alternating})"
start_server() { # binary port: starts a server, prints its pid once it answers
	"$1" serve --index "$INDEX" --addr "127.0.0.1:$2" >>"$work/serve.log" 2>&1 &
	local pid=$!
	for _ in $(seq 600); do
		curl -fsS "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && break
		sleep 0.5
	done
	echo "$pid"
}
server=$(start_server bin/paperseek "$PORT")
if [ -n "${OLD:-}" ]; then
	oldserver=$(start_server "$OLD" "$((PORT + 1))")
	server="$server $oldserver"
fi
loadrun() { # label port pid mode clients
	bin/load -addr "127.0.0.1:$2" -duration "${SECONDS_LOAD}s" -clients "$5" -mode "$4" -queries "$work/titles" -pid "$3" -json |
		jq -c --arg run "$1$4, $5 clients" '{run: $run, rps: (.requests_per_second * 10 | round / 10), p50_ms: (.p50_ms * 10 | round / 10), p95_ms: (.p95_ms * 10 | round / 10), p99_ms: (.p99_ms * 10 | round / 10), errors, rss_before_mib: (.rss_before_kib / 1024 | round), rss_after_mib: (.rss_after_kib / 1024 | round)}'
}
for _ in $(seq "${ROUNDS:-1}"); do
	for run in "hybrid 1" "hybrid 8" "keyword 8"; do
		set -- $run
		loadrun "" "$PORT" "${server%% *}" "$1" "$2"
		[ -z "${OLD:-}" ] || loadrun "old " "$((PORT + 1))" "$oldserver" "$1" "$2"
		echo "  load $(cut -d' ' -f1-3 /proc/loadavg)"
	done
done

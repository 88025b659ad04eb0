#!/usr/bin/env bash
# paperseek beside a peer, in one run, on the same file: SQLite FTS5 (Debian's
# sqlite3, porter tokenizer, one table of title + abstract) against paperseek
# (keyword index + local model + vectors). Prints the build time and peak RSS
# of each, then one-shot query times (process start to exit) of the same
# words: FTS5 `MATCH 'w1 OR w2 …' ORDER BY bm25 LIMIT 10`, paperseek
# `search --mode keyword` and `search` (hybrid), interleaved query by query
# so both see the same machine load. Ratios, not absolute times, are the
# result: the machine is shared.
#
#   bench/peers.sh                      # the 119k arXiv set, 20 queries
#   N=50 WORK=/tmp/peers bench/peers.sh # keep the indexes in /tmp/peers (reused)
#   FILE=/tmp/synth-1m.jsonl.gz WORK=/tmp/peers-1m bench/peers.sh
#   PS_INDEX=/tmp/ps-119k bench/peers.sh  # an existing paperseek index of FILE: only FTS5 is built
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
FILE=${FILE:-$DATA/arxiv/arxiv-119k.jsonl.gz}
N=${N:-20}
command -v sqlite3 >/dev/null || { echo "peers.sh needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }
command -v jq >/dev/null || { echo "peers.sh needs jq (apt-get install jq)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "peers.sh needs GNU time (apt-get install time)" >&2; exit 2; }
go build -o bin/paperseek ./cmd/paperseek
if [ -n "${WORK:-}" ]; then
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
fi
DB=$WORK/fts5.db PS=${PS_INDEX:-$WORK/paperseek}
echo "# peers: $(basename "$FILE"), $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

summarise() { # label times-file rss-divisor: "label wall-median wall-p90 cpu-median max-rss" (ms, MiB)
	local rows
	rows=$(grep "^$1 " "$2") || return 0
	printf '%-19s %7.1f %7.1f %7.0f %7.1f\n' "$1" \
		"$(sort -k2 -g <<<"$rows" | awk '{ w[NR] = $2 } END { print 1000 * w[int((NR + 1) / 2)] }')" \
		"$(sort -k2 -g <<<"$rows" | awk '{ w[NR] = $2 } END { print 1000 * w[int(NR * 0.9 + 0.5)] }')" \
		"$(sort -k4 -g <<<"$rows" | awk '{ c[NR] = $4 } END { print 1000 * c[int((NR + 1) / 2)] }')" \
		"$(awk -v d="$3" '$3 > r { r = $3 } END { print r / d }' <<<"$rows")"
}

measure() { # label cmd... : prints "label wall_s peak_rss_MiB cpu_s"; output of cmd discarded
	local label=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%M %U %S' -o "$WORK/rss" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; return 1; }
	t1=$EPOCHREALTIME
	tail -1 "$WORK/rss" | awk -v l="$label" -v a="$t0" -v b="$t1" '{ printf "%s %.4f %.1f %.2f\n", l, b - a, $1 / 1024, $2 + $3 }'
}

fts5_build() {
	rm -f "$DB"
	# One JSON document a line into a staging table (ASCII mode: no field
	# or record separator occurs in JSON lines), then into FTS5.
	zcat "$FILE" | sqlite3 "$DB" \
		"CREATE VIRTUAL TABLE papers USING fts5(id UNINDEXED, title, abstract, tokenize='porter')" \
		"CREATE TEMP TABLE raw(j TEXT)" \
		".mode ascii" '.separator "\037" "\n"' ".import /dev/stdin raw" \
		"INSERT INTO papers(id, title, abstract) SELECT j->>'id', j->>'title', j->>'abstract' FROM raw"
}
# PAPERSEEK_DEBUG=1 prints when each phase starts: the keyword pass (reading,
# analysis, the Bleve index) is the part of the build FTS5 also does.
ps_build() {
	rm -rf "$PS"
	PAPERSEEK_DEBUG=1 bin/paperseek index --index "$PS" "$FILE" 2>"$PHASES" || { cat "$PHASES" >&2; return 1; }
}
PHASES=$WORK/phases

export -f fts5_build ps_build
export FILE DB PS PHASES
fb= pb=
if [ ! -f "$DB" ] || [ -n "${REBUILD:-}" ]; then
	fb=$(measure fts5 bash -c fts5_build)
fi
if [ -z "${PS_INDEX:-}" ] && { [ ! -f "$PS/manifest.json" ] || [ -n "${REBUILD:-}" ]; }; then
	pb=$(measure paperseek bash -c ps_build)
fi
if [ -n "$fb$pb" ]; then
	# FTS5 first, so both start on a cold page cache for the input file.
	echo "## build (wall s, peak RSS MiB, CPU s)"
	[ -z "$fb" ] || echo "$fb"
	[ -z "$pb" ] || echo "$pb"
	[ -z "$fb" ] || [ -z "$pb" ] || echo "$fb $pb" | awk '{ printf "ratio paperseek/fts5: build wall %.2fx, CPU %.2fx, peak RSS %.2fx\n", $6 / $2, $8 / $4, $7 / $3 }'
	if [ -n "$pb" ]; then
		# "paperseek: training starts at 47.2s (…)" … "indexed … in 100.2s; …";
		# with FTS5 built in this run, the keyword pass (process start to
		# the first phase) and the rest of the build against its time.
		awk -v fw="$(cut -s -d' ' -f2 <<<"$fb")" -v pw="$(cut -d' ' -f2 <<<"$pb")" '
			/ starts at / { t = $5; sub(/s$/, "", t); name[++n] = $2; at[n] = t }
			/^indexed / { for (i = 1; i <= NF && end == ""; i++) if ($i == "in") { end = $(i + 1); sub(/s;?$/, "", end) } }
			END {
				if (n == 0 || end == "") exit
				printf "paperseek phases (wall s): keyword pass %.1f", at[1]
				for (i = 1; i <= n; i++) printf ", %s %.1f", name[i], (i < n ? at[i + 1] : end) - at[i]
				printf "\n"
				if (fw != "")
					printf "ratio to the fts5 build (wall): paperseek keyword pass %.2fx, the rest of its build (model, vectors, saving, merging) %.2fx\n", at[1] / fw, (pw - at[1]) / fw
			}' "$PHASES"
	fi
fi
echo "papers: fts5 $(sqlite3 "$DB" 'SELECT count(*) FROM papers'), paperseek $(bin/paperseek stats --json --index "$PS" | jq .papers)"

DATA=$DATA bench/titles.sh "$N" >"$WORK/titles"
# The words of each title; FTS5 gets them quoted and joined by OR.
: >"$WORK/times"
first=1
while IFS= read -r title; do
	words=$(printf '%s' "$title" | tr -cs '[:alnum:]' ' ' | tr '[:upper:]' '[:lower:]' | sed 's/^ *//; s/ *$//')
	[ -n "$words" ] || continue
	match=$(printf '%s' "$words" | sed 's/\([^ ]*\)/"\1"/g; s/ / OR /g')
	sql="SELECT id FROM papers WHERE papers MATCH '$match' ORDER BY bm25(papers) LIMIT 10"
	if [ $first = 1 ]; then # one unmeasured round: the page cache, not the process, is then what is measured
		sqlite3 "$DB" "$sql" >/dev/null
		bin/paperseek search --index "$PS" "$words" >/dev/null
		first=0
	fi
	{
		measure fts5 sqlite3 "$DB" "$sql"
		measure keyword bin/paperseek search --index "$PS" --mode keyword "$words"
		measure hybrid bin/paperseek search --index "$PS" "$words"
	} >>"$WORK/times"
done <"$WORK/titles"

echo "## one-shot queries, $(grep -c '^fts5' "$WORK/times") title queries (wall ms median and p90, CPU ms median (user+sys, 10 ms steps), largest peak RSS MiB)"
for l in fts5 keyword hybrid; do
	summarise "$l" "$WORK/times" 1
done | tee "$WORK/summary"
awk '{ m[$1] = $2; c[$1] = $4 } END { printf "ratio to fts5 (median wall): keyword %.2fx, hybrid %.2fx; (median CPU): keyword %.2fx, hybrid %.2fx\n", m["keyword"] / m["fts5"], m["hybrid"] / m["fts5"], c["keyword"] / c["fts5"], c["hybrid"] / c["fts5"] }' "$WORK/summary"

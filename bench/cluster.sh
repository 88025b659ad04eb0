#!/usr/bin/env bash
# Local directory index vs a loopback Weaviate cluster, same papers, same
# queries, same binary: index time, then `paperseek serve` latency and
# throughput with 1 and 8 clients (bench/load, closed loop) for each, and
# the cluster/local ratios. With QUALITY=1 it also runs `paperseek eval
# --mode all` on SciFact (train judgments) and CISI on both.
#
#   bench/cluster.sh                          # the 119k arXiv set, 3 nodes
#   PAPERS=testdata/papers.jsonl DURATION=10s bench/cluster.sh
#   QUALITY=1 PAPERS=none bench/cluster.sh    # nDCG only
#   FUSION="blend native native-ranked" PAPERS=… bench/cluster.sh
#
# Settings: NODES (3), SHARDS/REPLICAS (the store's defaults: a shard per
# node, 3 replicas), DURATION per load run (20s), MODE (hybrid), QUERIES
# (SciFact's queries), FUSION (blend; a space-separated list measures each:
# blend and rrf on both indexes, native and native-ranked — Weaviate's own
# hybrid — on the cluster only), LIMIT (first N papers of PAPERS, e.g. a
# 20k prefix of the 119k set; default all). The cluster runs from scripts/weaviate.sh on ports
# offset by 2000 with its data in a temporary directory, and is stopped on
# exit. Weaviate is built into the cache first if needed (~12 min once).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
PAPERS=${PAPERS:-$DATA/arxiv/arxiv-119k.jsonl.gz}
NODES=${NODES:-3}
DURATION=${DURATION:-20s}
MODE=${MODE:-hybrid}
QUERIES=${QUERIES:-$DATA/beir/scifact/queries.jsonl}
QUALITY=${QUALITY:-}
FUSION=${FUSION:-blend}
LIMIT=${LIMIT:-}
LAYOUT=()
[ -n "${SHARDS:-}" ] && LAYOUT+=(--shards "$SHARDS")
[ -n "${REPLICAS:-}" ] && LAYOUT+=(--replicas "$REPLICAS")

go build -o bin/paperseek ./cmd/paperseek
go build -o bin/load ./bench/load
scripts/weaviate.sh build >/dev/null
work=$(mktemp -d)
export PAPERSEEK_WEAVIATE_DATA=$work/cluster PAPERSEEK_WEAVIATE_OFFSET=${PAPERSEEK_WEAVIATE_OFFSET:-2000}
servers=()
cleanup() {
	for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
	scripts/weaviate.sh stop >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
scripts/weaviate.sh start "$NODES" >&2
url="127.0.0.1:$((8081 + PAPERSEEK_WEAVIATE_OFFSET))"

echo "# paperseek local vs $NODES-node Weaviate cluster, $(date -u +%Y-%m-%d), $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

if [ -n "$QUALITY" ]; then
	for set in scifact:train cisi:test; do
		name=${set%%:*} split=${set##*:}
		dir=$DATA/beir/$name
		[ -f "$dir/corpus.jsonl" ] || { echo "skip $name: no $dir/corpus.jsonl" >&2; continue; }
		class=Q${name^}
		bin/paperseek index --index "$work/$name" "$dir/corpus.jsonl" >/dev/null
		bin/paperseek index --index "weaviate://$url/$class" "${LAYOUT[@]}" "$dir/corpus.jsonl" >/dev/null
		for ix in "$work/$name" "weaviate://$url/$class"; do
			echo "## $name qrels/$split.tsv — $ix"
			bin/paperseek eval --index "$ix" --queries "$dir/queries.jsonl" --qrels "$dir/qrels/$split.tsv" --mode all
			for f in $FUSION; do
				[ "$f" = blend ] && continue
				[[ $f == native* && $ix != weaviate://* ]] && continue
				echo "### --fusion $f"
				bin/paperseek eval --index "$ix" --queries "$dir/queries.jsonl" --qrels "$dir/qrels/$split.tsv" --mode hybrid --fusion "$f"
			done
			echo
		done
	done
fi
[ "$PAPERS" = none ] && exit 0

if [ -n "$LIMIT" ]; then
	# The first LIMIT papers, decompressed once: both indexes read the same.
	case $PAPERS in
	# (head closes the pipe early: gzip's SIGPIPE is not a failure.)
	*.gz) { gzip -dc "$PAPERS" || true; } | head -n "$LIMIT" >"$work/papers.jsonl" ;;
	*) head -n "$LIMIT" "$PAPERS" >"$work/papers.jsonl" ;;
	esac
	PAPERS=$work/papers.jsonl
fi

# index_time INDEX: seconds for one `paperseek index` of $PAPERS, and its
# CPU seconds (user+sys) in cpu[$kind].
declare -A secs cpu rps p50 p95
index_time() {
	local start end
	start=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$work/time" bin/paperseek index --index "$1" "${@:2}" "$PAPERS" >/dev/null
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}
for kind in local cluster; do
	if [ $kind = local ]; then ix=$work/local; extra=(); else ix="weaviate://$url/Bench"; extra=("${LAYOUT[@]}"); fi
	secs[$kind]=$(index_time "$ix" "${extra[@]}")
	cpu[$kind]=$(awk '{print $1 + $2}' "$work/time")
	echo "indexed $(bin/paperseek stats --index "$ix" --json | grep -o '"papers": *[0-9]*' | grep -o '[0-9]*$') papers into $kind in ${secs[$kind]} s (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
	log=$work/serve-$kind.log
	bin/paperseek serve --index "$ix" --addr 127.0.0.1:0 2>"$log" &
	pid=$!
	servers+=("$pid")
	addr=
	for _ in $(seq 1 600); do
		addr=$(grep -o 'msg=listening addr=[^ ]*' "$log" | head -1 | cut -d= -f3 || true)
		[ -n "$addr" ] && break
		sleep 0.1
	done
	[ -n "$addr" ] || { cat "$log" >&2; echo "serve did not start" >&2; exit 1; }
	for f in $FUSION; do
		[[ $f == native* && $kind == local ]] && continue
		for clients in 1 8; do
			out=$(bin/load -addr "$addr" -clients "$clients" -duration "$DURATION" -mode "$MODE" -fusion "$f" -queries "$QUERIES" -json)
			if grep -q '"errors": *[1-9]' <<<"$out"; then echo "errors under load ($kind, $f, $clients clients): $out" >&2; fi
			rps[$kind,$f,$clients]=$(grep -o '"requests_per_second": *[0-9.]*' <<<"$out" | grep -o '[0-9.]*$')
			p50[$kind,$f,$clients]=$(grep -o '"p50_ms": *[0-9.]*' <<<"$out" | grep -o '[0-9.]*$')
			p95[$kind,$f,$clients]=$(grep -o '"p95_ms": *[0-9.]*' <<<"$out" | grep -o '[0-9.]*$')
			echo "$kind $f $clients client(s): ${rps[$kind,$f,$clients]} req/s, p50 ${p50[$kind,$f,$clients]} ms (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
		done
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
done

ratio() { [ -n "$1" ] && [ -n "$2" ] && echo "scale=2; $1 / $2" | bc || echo "—"; }
echo "$(basename "$PAPERS")${LIMIT:+ (first $LIMIT papers)}, $MODE search, k 10, queries $(basename "$QUERIES"), $DURATION per run"
echo
echo "| | local directory | $NODES-node cluster | cluster / local |"
echo "|---|---:|---:|---:|"
echo "| index time (s) | ${secs[local]} | ${secs[cluster]} | $(ratio "${secs[cluster]}" "${secs[local]}") |"
echo "| index CPU user+sys (s) | ${cpu[local]} | ${cpu[cluster]} (paperseek only) | $(ratio "${cpu[cluster]}" "${cpu[local]}") |"
for f in $FUSION; do
	base=$f
	[[ $f == native* ]] && base=blend # native on the cluster against blend on the directory
	for c in 1 8; do
		echo "| $f, $c client(s): requests/s | ${rps[local,$base,$c]:-} | ${rps[cluster,$f,$c]} | $(ratio "${rps[cluster,$f,$c]}" "${rps[local,$base,$c]:-}") |"
		echo "| $f, $c client(s): p50 ms | ${p50[local,$base,$c]:-} | ${p50[cluster,$f,$c]} | $(ratio "${p50[cluster,$f,$c]}" "${p50[local,$base,$c]:-}") |"
		echo "| $f, $c client(s): p95 ms | ${p95[local,$base,$c]:-} | ${p95[cluster,$f,$c]} | $(ratio "${p95[cluster,$f,$c]}" "${p95[local,$base,$c]:-}") |"
	done
done

#!/usr/bin/env bash
# The vector file's numbers (README "Semantic leg"): recall@100 against
# chromem-go's exact scan on real title queries, prefix stability under
# filters, in-process latency of both engines (chromem-go as released and
# with bench/vectors/chromem/*.patch applied), one-shot process cost, and
# build time and memory, at 119k real vectors and at ~1M (noisy copies of
# the 119k).
#
#   bench/vectors.sh                   # needs an index built by a paperseek
#                                      # that wrote vectors.bin (format 3 or 4)
#   LEGACY=/work/data/ps-119k-old bench/vectors.sh
#
# LEGACY defaults to /tmp/ps-119k-old and is built from the 119k arXiv set
# with the last such paperseek (commit $LEGACY_REV) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
LEGACY=${LEGACY:-/tmp/ps-119k-old}
LEGACY_REV=${LEGACY_REV:-d6e87a4}
OUT=${OUT:-/tmp/ps-vectors}
QUERIES=${QUERIES:-500}
CHROMEM_QUERIES=${CHROMEM_QUERIES:-40}
COPIES=${COPIES:-9}
mkdir -p "$OUT"
GEN=$(ls -d "$LEGACY"/gen-* 2>/dev/null | tail -1 || true)
if [ -z "$GEN" ]; then
	echo "# building $LEGACY with paperseek $LEGACY_REV (vectors.bin format 3 or 4)"
	tmp=$(mktemp -d)
	git worktree add -f "$tmp" "$LEGACY_REV" >/dev/null
	(cd "$tmp" && go build -o "$OUT/paperseek-old" ./cmd/paperseek)
	git worktree remove --force "$tmp"
	"$OUT/paperseek-old" index --index "$LEGACY" "$DATA/arxiv/arxiv-119k.jsonl.gz"
	GEN=$(ls -d "$LEGACY"/gen-* | tail -1)
fi

go build -o "$OUT/vectors" ./bench/vectors
# The same program against chromem-go with the lock-free top-n patch.
patched=$(mktemp -d)
cp -r "$(go env GOMODCACHE)/github.com/philippgille/chromem-go@v0.7.0" "$patched/chromem-go"
chmod -R u+w "$patched/chromem-go"
(cd "$patched/chromem-go" && patch -s -p1 <"$OLDPWD/bench/vectors/chromem/v0.7.0-lockfree-topn.patch" && go test -count=1 -run 'Query|TopN' . >/dev/null)
cp go.mod "$patched/go.mod"
cp go.sum "$patched/go.sum"
echo "replace github.com/philippgille/chromem-go => $patched/chromem-go" >>"$patched/go.mod"
go build -modfile "$patched/go.mod" -o "$OUT/vectors-patched" ./bench/vectors

timed() { /usr/bin/time -f "  process: wall %es, CPU %Us user + %Ss sys, peak RSS %M KiB, %F major / %R minor faults" "$@"; }

for scale in 119k 1m; do
	set_dir="$OUT/set-$scale"
	copies=1
	[ "$scale" = 1m ] && copies=$COPIES
	if [ ! -f "$set_dir/set.bin" ]; then
		echo "# build $scale ($copies row(s) per paper)"
		timed "$OUT/vectors" import -legacy "$GEN/vectors.bin" -out "$set_dir" -copies "$copies"
	fi
	echo "# $scale: recall@100 against the exhaustive scan, probe sweep, filters and prefix stability"
	"$OUT/vectors" measure -set "$set_dir" -model "$GEN/embedder.bin" \
		-papers "$DATA/arxiv/arxiv-119k.jsonl.gz" -queries "$QUERIES" -no-chromem -sweep
	echo "# $scale: against chromem-go's exhaustive scan, released and patched, in turns"
	for build in vectors vectors-patched vectors vectors-patched; do
		label=upstream
		[ "$build" = vectors-patched ] && label=patched
		"$OUT/$build" measure -set "$set_dir" -model "$GEN/embedder.bin" \
			-papers "$DATA/arxiv/arxiv-119k.jsonl.gz" -queries "$CHROMEM_QUERIES" -chromem-queries "$CHROMEM_QUERIES" \
			-chromem "$label" -filters=false | grep -E 'chromem|recall|latency|CPU'
	done
	echo "# $scale: a daily sync (300 new, 20 replaced, 10 deleted) into the next generation"
	rm -rf "$set_dir-sync"
	"$OUT/vectors" sync -set "$set_dir" -out "$set_dir-sync"
	rm -rf "$set_dir-sync"
	echo "# $scale: one-shot processes (open, one search of 10, exit), page cache warm"
	id=$(zcat "$DATA/arxiv/arxiv-119k.jsonl.gz" | sed -n '5000p' | sed 's/^{"id": "\([^"]*\)".*/\1/')
	for i in 1 2 3; do timed "$OUT/vectors" oneshot -set "$set_dir" -like "$id" | tail -2; done
done
echo "# one-shot through chromem-go (the whole file loaded, as paperseek did), 119k"
for i in 1 2; do timed "$OUT/vectors" oneshot -legacy "$GEN/vectors.bin" -like "$id" | tail -1; done
rm -rf "$patched"

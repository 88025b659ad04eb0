#!/usr/bin/env bash
# Where a command's memory goes over time: runs the command and samples
# its RssAnon (its own heap and stacks) and RssFile (pages of files it has
# mapped and touched, such as Bleve's segments during a merge: clean, but
# counted in RSS) every 0.25 s into OUT, one "unix-time anon-MiB file-MiB"
# line per sample; prints the largest sum at the end.
#
#   PAPERSEEK_DEBUG=1 bench/rss.sh /tmp/1m.rss bin/paperseek index --index /tmp/ps-1m /tmp/synth-1m.jsonl.gz
#
# The PAPERSEEK_DEBUG=1 phase lines (on stderr) tell which phase a sample
# falls in: a phase starting at T s began at the first sample's time + T.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/rss.sh OUT COMMAND [ARGS...]" >&2; exit 2; }
out=$1
shift
"$@" &
pid=$!
: >"$out"
while kill -0 "$pid" 2>/dev/null; do
	echo "$(date +%s.%N | cut -c1-14) $(awk '/^RssAnon|^RssFile/ { printf "%d ", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null)" >>"$out"
	sleep 0.25
done
status=0
wait "$pid" || status=$?
awk 'NF == 3 && $2 + $3 > m { m = $2 + $3; a = $2; f = $3; t = $1 } END { if (m) printf "peak %d MiB (anon %d, file %d) at %s\n", m, a, f, t }' "$out" >&2
exit "$status"

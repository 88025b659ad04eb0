#!/usr/bin/env bash
# weaviate.sh — build the pinned Weaviate server from the Go module proxy and
# run a loopback cluster of it, for paperseek's cluster tests and for trying
# the cluster store on one machine.
#
#   scripts/weaviate.sh build            build (or reuse) the cached binary, print its path
#   scripts/weaviate.sh start N          start an N-node loopback cluster, wait until all are ready
#   scripts/weaviate.sh stop             stop the nodes this data directory's pid files name
#   scripts/weaviate.sh status           one line per node: pid, alive, ready, HTTP URL
#   scripts/weaviate.sh env              shell exports for the running cluster (eval "$(… env)")
#   scripts/weaviate.sh kill I           kill -9 node I (failure tests)
#   scripts/weaviate.sh restart I        start node I again with the layout `start` recorded
#
# Settings (environment):
#   PAPERSEEK_WEAVIATE_CACHE   binary cache (default $XDG_CACHE_HOME/paperseek/weaviate)
#   PAPERSEEK_WEAVIATE_BIN     use this server binary instead of building one
#   PAPERSEEK_WEAVIATE_DATA    cluster data, pid files and logs (default $CACHE/cluster)
#   PAPERSEEK_WEAVIATE_OFFSET  added to every port, so a test cluster and a dev
#                              cluster can run side by side (default 0)
#   PAPERSEEK_WEAVIATE_BLOCKMAX  true: new collections use BlockMax WAND for
#                              bm25 (the server default; inexact in v1.35.2)
#
# Port layout for node i (plus the offset): HTTP 8081+i, gRPC 50061+i,
# gossip 7100+10i, data 7101+10i, raft 8300+2i and 8301+2i. Note that gRPC
# and the data port listen on all interfaces even though HTTP is bound to
# 127.0.0.1 (Weaviate has no setting for them).
#
# Why the start order matters: nodes started together fail to join ("connection
# refused" on node 0's gossip port) and exit, and node 0 then waits forever
# for the raft quorum. So node 0 starts first, the others once its gossip port
# accepts connections.
set -euo pipefail

VERSION=v1.35.2
MODULE=github.com/weaviate/weaviate
CACHE=${PAPERSEEK_WEAVIATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/paperseek/weaviate}
BIN=${PAPERSEEK_WEAVIATE_BIN:-$CACHE/weaviate-server-$VERSION}
DATA=${PAPERSEEK_WEAVIATE_DATA:-$CACHE/cluster}
OFFSET=${PAPERSEEK_WEAVIATE_OFFSET:-0}
READY_TIMEOUT=${PAPERSEEK_WEAVIATE_READY_TIMEOUT:-90}

die() { echo "weaviate.sh: $*" >&2; exit 1; }

http_port()   { echo $((8081 + OFFSET + $1)); }
grpc_port()   { echo $((50061 + OFFSET + $1)); }
gossip_port() { echo $((7100 + OFFSET + 10 * $1)); }
data_port()   { echo $((7101 + OFFSET + 10 * $1)); }
raft_port()   { echo $((8300 + OFFSET + 2 * $1)); }
raft_rpc()    { echo $((8301 + OFFSET + 2 * $1)); }

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ready() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$(http_port "$1")/v1/.well-known/ready"; }

alive() { [ -f "$DATA/node$1.pid" ] && kill -0 "$(cat "$DATA/node$1.pid")" 2>/dev/null; }

cmd_build() {
	if [ -x "$BIN" ]; then echo "$BIN"; return; fi
	[ -n "${PAPERSEEK_WEAVIATE_BIN:-}" ] && die "PAPERSEEK_WEAVIATE_BIN=$BIN is not an executable"
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$CACHE"
	echo "weaviate.sh: downloading $MODULE@$VERSION (about 2.6 GB with its dependencies on a cold module cache)" >&2
	local json dir src
	json=$(go mod download -json "$MODULE@$VERSION") || die "go mod download $MODULE@$VERSION failed"
	dir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n1)
	[ -d "$dir" ] || die "go mod download did not report a module directory"
	# The module cache is read-only; the build wants a writable tree of its own.
	src=$(mktemp -d "$CACHE/src.XXXXXX")
	trap 'rm -rf "$src"' EXIT
	cp -R "$dir/." "$src/"
	chmod -R u+w "$src"
	echo "weaviate.sh: building weaviate-server $VERSION (about 8 CPU-minutes)" >&2
	(cd "$src" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags='-s -w' -o "$BIN.tmp" ./cmd/weaviate-server) ||
		die "go build of weaviate-server failed"
	mv "$BIN.tmp" "$BIN"
	rm -rf "$src"
	trap - EXIT
	echo "$BIN"
}

# start_node I N: start node I of an N-node layout in the background.
start_node() {
	local i=$1 n=$2 join="" k
	for ((k = 0; k < n; k++)); do join+="${join:+,}node$k:$(raft_port "$k")"; done
	mkdir -p "$DATA/node$i"
	(
		export PERSISTENCE_DATA_PATH="$DATA/node$i"
		export AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true
		export AUTHORIZATION_ENABLE_RBAC=false
		export DEFAULT_VECTORIZER_MODULE=none
		export ENABLE_MODULES=
		export DISABLE_TELEMETRY=true
		export GO_PROFILING_DISABLE=true # else every node tries to listen on :6060
		export PROMETHEUS_MONITORING_ENABLED=false
		export QUERY_DEFAULTS_LIMIT=10
		# A misspelt property must fail, not become a new one (the server
		# default adds any property an object brings).
		export AUTOSCHEMA_ENABLED=false
		# Collections created on this cluster use the older WAND for bm25:
		# v1.35.2's BlockMax WAND (the default) returns wrong top-k lists
		# for objects still in the memtable (up to a minute after a write)
		# and misses some afterwards; see /work/notes/weaviate-findings.md.
		# PAPERSEEK_WEAVIATE_BLOCKMAX=true keeps the server default.
		if [ "${PAPERSEEK_WEAVIATE_BLOCKMAX:-false}" != true ]; then export USE_INVERTED_SEARCHABLE=false; fi
		export LOG_LEVEL=${PAPERSEEK_WEAVIATE_LOG_LEVEL:-warning}
		export GRPC_PORT=$(grpc_port "$i")
		export CLUSTER_HOSTNAME=node$i
		export CLUSTER_IN_LOCALHOST=true
		export CLUSTER_BIND_ADDR=127.0.0.1
		export CLUSTER_GOSSIP_BIND_PORT=$(gossip_port "$i")
		export CLUSTER_DATA_BIND_PORT=$(data_port "$i")
		export RAFT_PORT=$(raft_port "$i")
		export RAFT_INTERNAL_RPC_PORT=$(raft_rpc "$i")
		export RAFT_JOIN=$join
		export RAFT_BOOTSTRAP_EXPECT=$n
		export RAFT_TIMEOUTS_MULTIPLIER=1 # ready in ~3 s instead of 7–11 s
		if [ "$i" -gt 0 ]; then export CLUSTER_JOIN=127.0.0.1:$(gossip_port 0); fi
		exec "$BIN" --host 127.0.0.1 --port "$(http_port "$i")" --scheme http
	) >>"$DATA/node$i.log" 2>&1 </dev/null &
	echo $! >"$DATA/node$i.pid"
}

wait_for() { # wait_for WHAT SECONDS COMMAND…
	local what=$1 secs=$2; shift 2
	local deadline=$((SECONDS + secs))
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.2
	done
	: "$what"
}

cmd_start() {
	local n=${1:-}
	[[ "$n" =~ ^[1-9][0-9]*$ ]] || die "start: want a node count N ≥ 1, got '${n}'"
	[ -x "$BIN" ] || die "no server binary at $BIN: run 'scripts/weaviate.sh build' first"
	mkdir -p "$DATA"
	local i
	for ((i = 0; i < n; i++)); do
		alive "$i" && die "node $i is already running (pid $(cat "$DATA/node$i.pid")); 'scripts/weaviate.sh stop' first"
		port_open "$(http_port "$i")" && die "port $(http_port "$i") for node $i is taken; choose another PAPERSEEK_WEAVIATE_OFFSET"
		port_open "$(gossip_port "$i")" && die "gossip port $(gossip_port "$i") for node $i is taken; choose another PAPERSEEK_WEAVIATE_OFFSET"
	done
	echo "$n" >"$DATA/nodes"
	echo "$OFFSET" >"$DATA/offset"
	start_node 0 "$n"
	if ! wait_for "node 0 gossip" 60 port_open "$(gossip_port 0)"; then
		cmd_stop >/dev/null
		die "node 0 did not open its gossip port $(gossip_port 0) in 60 s; see $DATA/node0.log"
	fi
	for ((i = 1; i < n; i++)); do start_node "$i" "$n"; done
	for ((i = 0; i < n; i++)); do
		if ! wait_for "node $i ready" "$READY_TIMEOUT" ready "$i"; then
			alive "$i" || echo "weaviate.sh: node $i exited; last log lines:" >&2
			tail -n 5 "$DATA/node$i.log" >&2 || true
			cmd_stop >/dev/null
			die "node $i was not ready in ${READY_TIMEOUT} s; see $DATA/node$i.log"
		fi
	done
	echo "weaviate.sh: $n node(s) ready; first at http://127.0.0.1:$(http_port 0), data in $DATA" >&2
}

recorded_nodes() { [ -f "$DATA/nodes" ] && cat "$DATA/nodes" || echo 0; }

cmd_stop() {
	local i pid n
	n=$(recorded_nodes)
	for ((i = 0; i < n; i++)); do
		[ -f "$DATA/node$i.pid" ] || continue
		pid=$(cat "$DATA/node$i.pid")
		kill -TERM "$pid" 2>/dev/null || true
	done
	for ((i = 0; i < n; i++)); do
		[ -f "$DATA/node$i.pid" ] || continue
		pid=$(cat "$DATA/node$i.pid")
		local deadline=$((SECONDS + 20))
		while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$DATA/node$i.pid"
	done
	echo "weaviate.sh: stopped $n node(s) of $DATA" >&2
}

cmd_status() {
	local n i pid state
	n=$(recorded_nodes)
	[ "$n" -gt 0 ] || { echo "no cluster recorded in $DATA"; return 1; }
	for ((i = 0; i < n; i++)); do
		pid=$( [ -f "$DATA/node$i.pid" ] && cat "$DATA/node$i.pid" || echo -)
		if ! alive "$i"; then state=down
		elif ready "$i"; then state=ready
		else state=starting; fi
		printf 'node%d\tpid %s\t%s\thttp://127.0.0.1:%d\n' "$i" "$pid" "$state" "$(http_port "$i")"
	done
}

cmd_env() {
	local n i urls=""
	n=$(recorded_nodes)
	for ((i = 0; i < n; i++)); do urls+="${urls:+ }http://127.0.0.1:$(http_port "$i")"; done
	echo "export PAPERSEEK_WEAVIATE_BIN='$BIN'"
	echo "export PAPERSEEK_WEAVIATE_DATA='$DATA'"
	echo "export PAPERSEEK_WEAVIATE_OFFSET=$OFFSET"
	echo "export PAPERSEEK_WEAVIATE_URL='http://127.0.0.1:$(http_port 0)'"
	echo "export PAPERSEEK_WEAVIATE_URLS='$urls'"
}

node_arg() {
	local i=${1:-} n
	n=$(recorded_nodes)
	[[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -lt "$n" ] || die "want a node number 0..$((n - 1)), got '${i}'"
}

# A cluster's ports are fixed at start; later commands read the recorded offset.
if [ -f "$DATA/offset" ] && [ "${1:-}" != start ] && [ "${1:-}" != build ]; then OFFSET=$(cat "$DATA/offset"); fi

case "${1:-}" in
build) cmd_build ;;
start) cmd_start "${2:-}" ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
kill)
	node_arg "${2:-}"
	alive "$2" || die "node $2 is not running"
	kill -KILL "$(cat "$DATA/node$2.pid")"
	;;
restart)
	node_arg "${2:-}"
	alive "$2" && die "node $2 is still running"
	start_node "$2" "$(recorded_nodes)"
	wait_for "node $2 ready" "$READY_TIMEOUT" ready "$2" || die "node $2 was not ready in ${READY_TIMEOUT} s; see $DATA/node$2.log"
	;;
*)
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
	exit 2
	;;
esac

#!/usr/bin/env bash
# Query set for the scale benchmarks: N titles of the 119k arXiv set, one a
# line, taken at an even stride through the file so every run and every
# script (peers.sh, scale.sh, the HTTP load table) uses the same queries.
#
#   bench/titles.sh 500 > /tmp/titles.txt
#   DATA=/path/to/data bench/titles.sh 20
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
N=${1:-500}
FILE=$DATA/arxiv/arxiv-119k.jsonl.gz
total=118820
stride=$((total / N))
# Titles keep arXiv's hard line breaks; fold whitespace so a title is one line.
zcat "$FILE" | jq -r '.title | gsub("\\s+"; " ")' | awk -v s="$stride" -v n="$N" 'NR % s == 1 && c < n { print; c++ }'

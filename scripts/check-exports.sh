#!/usr/bin/env bash
# Reads paperseek's BibTeX and CSL-JSON exports with pandoc (an independent
# BibTeX/BibLaTeX and CSL-JSON reader, the one citeproc-based tools use) and
# compares what pandoc reads (title, authors, DOI, abstract, year) with the
# papers paperseek exported. Needs pandoc (Debian: apt-get install pandoc)
# and python3; not part of `make test`, which must not need either.
#
#   scripts/check-exports.sh        # prints the differences; exit 1 if any
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pandoc >/dev/null || { echo "check-exports: pandoc is not installed (apt-get install pandoc)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/paperseek" ./cmd/paperseek
"$tmp/paperseek" index --index "$tmp/ix" --skip-bad \
  testdata/formats/references.bib testdata/formats/zotero-csl.json testdata/formats/pubmed-baseline.xml \
  testdata/formats/oai-arxivraw.xml testdata/formats/openalex-works.jsonl testdata/formats/arxiv-snapshot.jsonl \
  testdata/formats/generic.jsonl testdata/formats/same-paper/openalex.jsonl 2>/dev/null
q="we study models and show results" # a semantic search with k over the size ranks every paper
"$tmp/paperseek" search --index "$tmp/ix" --format bibtex --mode semantic -k 1000 "$q" >"$tmp/x.bib"
"$tmp/paperseek" search --index "$tmp/ix" --format csl-json --mode semantic -k 1000 "$q" >"$tmp/x.json"
pandoc --version | head -1
pandoc -f bibtex -t csljson "$tmp/x.bib" >"$tmp/bibtex.json"
pandoc -f biblatex -t csljson "$tmp/x.bib" >"$tmp/biblatex.json"
pandoc -f csljson -t csljson "$tmp/x.json" >"$tmp/csl.json"
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
ours = {i["id"]: i for i in json.load(open(f"{tmp}/x.json"))}
def names(item):
    return [a.get("literal") or " ".join((a.get("given", "") + " " + a.get("non-dropping-particle", "") + " "
            + a.get("family", "") + " " + a.get("suffix", "")).split()) for a in item.get("author", [])]
def text(t):  # pandoc makes quotes typographic
    return (t or "").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
def year(item):
    return ((item.get("issued") or {}).get("date-parts") or [[None]])[0][0]
diffs = 0
for read in ["bibtex", "biblatex", "csl"]:
    items = json.load(open(f"{tmp}/{read}.json"))
    for it in items:
        o = ours.get(it["id"]) or next((x for x in ours.values() if x.get("title") == it.get("title")), None)
        if o is None:
            print(f"{read}: {it['id']}: not among the exported papers"); diffs += 1; continue
        for what, a, b in [("title", text(o.get("title")), text(it.get("title"))), ("DOI", o.get("DOI"), it.get("DOI")),
                           ("abstract", text(o.get("abstract")), text(it.get("abstract"))), ("authors", names(o), names(it)),
                           ("year", str(year(o)), str(year(it)))]:
            if a != b:
                print(f"{read}: {it['id']}: {what}\n  exported: {a}\n  pandoc:   {b}"); diffs += 1
    if len(items) != len(ours):
        print(f"{read}: pandoc read {len(items)} items of {len(ours)}"); diffs += 1
    print(f"pandoc -f {read}: {len(items)} items read")
print(f"{diffs} differences")
sys.exit(1 if diffs else 0)
PY

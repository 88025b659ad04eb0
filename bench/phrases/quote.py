#!/usr/bin/env python3
# Quoted variants of BEIR queries, for measuring exact phrases with
# `paperseek eval` (bench/phrases.sh): in each query, the adjacent pair of
# words (neither a stop word, both 3+ letters) that is most a collocation in
# the corpus (documents holding the pair / documents holding the rarer word,
# at least 3 holding the pair) is put between double quotes; quotes already
# in the query are removed. Corpus-only: the judgments are never looked at.
#
#   quote.py corpus.jsonl queries.jsonl out.jsonl
import json, re, sys, collections
corpus, queries, out = sys.argv[1:4]
stop = set("a an the of in on for to and or with by from at as is are was were be been that this these those it its into than then not no".split())
docs = []
for line in open(corpus):
    d = json.loads(line)
    docs.append(" ".join(re.findall(r"[a-z0-9]+", (d.get("title","")+" "+d.get("text","")).lower())))
wdf = collections.Counter()
for d in docs:
    wdf.update(set(d.split()))
def pdf(phrase):
    pat = " " + phrase + " "
    return sum(1 for d in docs if pat in " " + d + " ")
n = 0
with open(out, "w") as f:
    for line in open(queries):
        q = json.loads(line)
        text = q["text"].replace('"', "")
        words = re.findall(r"[A-Za-z0-9]+", text)
        best, bscore = None, 0
        for a, b in zip(words, words[1:]):
            la, lb = a.lower(), b.lower()
            if la in stop or lb in stop or len(la) < 3 or len(lb) < 3:
                continue
            df = pdf(la + " " + lb)
            if df < 3:
                continue
            sc = df / min(wdf[la], wdf[lb])
            if sc > bscore:
                best, bscore = (a, b), sc
        if best:
            m = re.search(re.escape(best[0]) + r"[^A-Za-z0-9]+" + re.escape(best[1]), text)
            if m:
                text = text[:m.start()] + '"' + m.group(0) + '"' + text[m.end():]
                n += 1
        f.write(json.dumps({"_id": q["_id"], "text": text}) + "\n")
print(n, "quoted", file=sys.stderr)

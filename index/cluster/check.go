package cluster

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paperseek/paperseek/index"
)

// checkSamples is how many papers' own vectors check uses as queries for
// the semantic leg's recall against an exact scan.
const checkSamples = 20

// Check verifies the index at location: every shard reachable, the
// manifest's count, the collection's count and the papers listed one by
// one agree, every paper has a vector, no external id is held twice, and
// nearVector finds what an exact scan over every vector finds.
func Check(ctx context.Context, location string, o Options) (index.CheckReport, error) {
	st, err := Open(ctx, location, o)
	if err != nil {
		return index.CheckReport{}, err
	}
	defer st.Close()
	if err := st.complete(ctx); err != nil {
		return index.CheckReport{}, err
	}
	n, err := st.c.Count(ctx, st.loc.Class, nil)
	if err != nil {
		return index.CheckReport{}, wrap("count papers", err)
	}
	r := index.CheckReport{Generation: st.m.Generation, Papers: st.m.Papers, KeywordDocs: n}
	var vecs []idVector
	owners := map[string][]string{} // "doi:10.1/x" → ids
	listed := 0
	after := ""
	for {
		page, err := st.c.List(ctx, st.loc.Class, after, 500, true)
		if err != nil {
			return r, wrap("list papers", err)
		}
		for _, obj := range page.Objects {
			p, err := decodeObject(obj)
			if err != nil {
				return r, err
			}
			listed++
			if len(obj.Vector) == 0 {
				// An index with no model yet (too few papers to learn
				// one) stores papers without vectors by design.
				if !st.m.Embedder.Untrained() {
					r.MissingVectors = append(r.MissingVectors, p.ID)
				}
			} else {
				vecs = append(vecs, idVector{p.ID, obj.Vector})
			}
			for _, ref := range p.ExternalIDs() {
				owners[ref.String()] = append(owners[ref.String()], p.ID)
			}
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if err := st.complete(ctx); err != nil {
		return r, err
	}
	r.Vectors = len(vecs)
	slices.Sort(r.MissingVectors)
	for ref, ids := range owners {
		if len(ids) > 1 {
			slices.Sort(ids)
			r.SharedIDs = append(r.SharedIDs, ref+" "+strings.Join(ids, " "))
		}
	}
	slices.Sort(r.SharedIDs)
	if len(vecs) > 0 {
		recall, err := st.exactRecall(ctx, vecs)
		if err != nil {
			return r, err
		}
		r.ExactRecall = &recall
	}
	r.OK = r.KeywordDocs == r.Papers && listed == r.Papers && len(r.MissingVectors) == 0 && len(r.SharedIDs) == 0 &&
		(r.ExactRecall == nil || *r.ExactRecall >= index.MinExactRecall)
	if listed != n {
		// Aggregate and listing disagree: a replica is behind. Report it
		// as papers the keyword count has but no vector was listed for.
		r.OK = false
	}
	return r, nil
}

type idVector struct {
	id string
	v  []float32
}

// exactRecall is the share of an exact cosine scan's top 10 that the
// cluster's nearVector finds, over papers' own vectors as queries.
func (st *Store) exactRecall(ctx context.Context, all []idVector) (float64, error) {
	const k = 10
	step := max(1, len(all)/checkSamples)
	byID := make(map[string][]float32, len(all))
	for _, x := range all {
		byID[x.id] = x.v
	}
	found, total := 0, 0
	for i := 0; i < len(all); i += step {
		q := all[i].v
		type scored struct {
			id string
			s  float64
		}
		exact := make([]scored, len(all))
		for j, x := range all {
			exact[j] = scored{x.id, cosine(q, x.v)}
		}
		slices.SortFunc(exact, func(a, b scored) int { return cmp.Compare(b.s, a.s) })
		want := min(k, len(exact))
		// A hit as close as the exact scan's k-th is not a miss: papers
		// with equal vectors (the same text twice) tie, and either is right.
		bar := exact[want-1].s - 1e-6
		hits, err := st.Nearest(ctx, q, index.Filter{}, k)
		if err != nil {
			return 0, err
		}
		for _, h := range hits {
			if v, ok := byID[h.ID]; ok && cosine(q, v) >= bar {
				found++
			}
		}
		total += want
	}
	if total == 0 {
		return 1, nil
	}
	return float64(found) / float64(total), nil
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range min(len(a), len(b)) {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// Repair makes a damaged index whole: papers without a vector are embedded
// again with the index's embedder, and the manifest is rewritten with the
// true counts. A healthy index is left alone.
func Repair(ctx context.Context, location string, opts index.WriteOptions, o Options) (index.CheckReport, error) {
	before, err := Check(ctx, location, o)
	if err != nil || before.OK {
		return before, err
	}
	if len(before.SharedIDs) > 0 && len(before.MissingVectors) == 0 && before.KeywordDocs == before.Papers {
		return before, nil // only the user can choose which paper to keep
	}
	w, err := BeginWrite(ctx, location, index.WriteOptions{Workers: opts.Workers, Progress: opts.Progress}, o)
	if err != nil {
		return index.CheckReport{}, err
	}
	defer w.Abort()
	for lo := 0; lo < len(before.MissingVectors); lo += 500 {
		ids := before.MissingVectors[lo:min(lo+500, len(before.MissingVectors))]
		for _, id := range ids {
			p, err := w.stored(ctx, id)
			if err != nil {
				return index.CheckReport{}, err
			}
			w.order = append(w.order, id)
			w.pending[id] = p
		}
	}
	if _, err := w.Commit(ctx); err != nil {
		return index.CheckReport{}, fmt.Errorf("repair: %w", err)
	}
	after, err := Check(ctx, location, o)
	if err != nil {
		return after, err
	}
	after.Repaired = true
	return after, nil
}

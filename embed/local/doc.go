// Package local is paperseek's default embedder: a vector space learned from
// the indexed corpus itself at index time, so semantic search works with no
// network, no download and no API key. The model is stored inside the index
// and every later text (new papers, queries) is embedded with it.
//
// Two classic count-based methods are available, and by default both are
// used side by side (bench/embedlab has the measurements behind the choice):
//
//   - PPMI-SIF: word vectors from the truncated SVD of the positive PMI
//     word–context matrix (window ±5, context smoothing 0.75, UΣ^½), and a
//     text is the SIF-weighted average of its word vectors (weight
//     a/(a+p(w)), a = 3e-4) with the corpus's first principal component
//     removed.
//   - LSA: the truncated SVD of the (1+ln tf)·ln(N/df) term–document matrix;
//     a text is its tf-idf vector projected onto the top singular vectors.
//
// The combined vector is the two unit vectors, each scaled by 1/√2, one after
// the other, so a dot product between two of them is the mean of the two
// cosines.
package local

package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/paperseek/paperseek/query"
)

// recommendBody is POST /v1/recommend: papers like the positives (ids or
// external ids) and the texts, unlike the negatives, with the search
// filters. Semantic Scholar's recommendations API names the lists
// positivePaperIds and negativePaperIds; those names are accepted too, so
// a client written for it works unchanged.
type recommendBody struct {
	Positive         []string `json:"positive"`
	Negative         []string `json:"negative"`
	PositivePaperIDs []string `json:"positivePaperIds"`
	NegativePaperIDs []string `json:"negativePaperIds"`
	Texts            []string `json:"texts"`
	searchOptions
}

func (s *Server) recommendPOST(w http.ResponseWriter, r *http.Request) {
	body, err := s.readBody(w, r)
	if err != nil {
		writeParamError(w, err)
		return
	}
	var b recommendBody
	if err := decodeBody(body, &b); err != nil {
		writeParamError(w, err)
		return
	}
	seeds := query.Seeds{
		Positive: append(b.Positive, b.PositivePaperIDs...),
		Negative: append(b.Negative, b.NegativePaperIDs...),
		Texts:    b.Texts,
	}
	for _, ids := range [][]string{seeds.Positive, seeds.Negative} {
		for _, id := range ids {
			if strings.TrimSpace(id) == "" {
				writeParamError(w, badParamf("a paper id in positive or negative is empty"))
				return
			}
		}
	}
	if len(seeds.Positive) == 0 && len(seeds.Texts) == 0 {
		writeParamError(w, badParamf(`no paper to recommend from: send {"positive": ["ID", …]} or {"texts": ["an abstract", …]}`))
		return
	}
	// Semantic Scholar takes the number of results as ?limit=.
	if l := r.URL.Query().Get("limit"); l != "" && b.K == nil {
		k, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || k == 0 {
			writeParamError(w, badParamf("limit must be a whole number between 1 and %d, got %q", query.MaxK, l))
			return
		}
		b.K = &k
	}
	req, err := b.request("")
	if err != nil {
		writeParamError(w, err)
		return
	}
	s.withEngine(w, r, func(e *query.Engine) (any, error) { return e.Recommend(r.Context(), seeds, req) })
}

package weaviate

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Node is one cluster node as /v1/nodes?output=verbose reports it.
type Node struct {
	Name   string
	Status string // HEALTHY, UNHEALTHY, UNAVAILABLE, TIMEOUT
	Shards []Shard
}

// Shard is one replica of one shard on a node.
type Shard struct {
	Name  string
	Class string
	// ObjectCount is the node's own, periodically refreshed count: right
	// after a write or a restart it lags (a restarted node reports 0 for
	// shards holding hundreds of objects). Use Count for exact numbers.
	ObjectCount          int
	VectorIndexingStatus string // READY, INDEXING, READONLY
	Loaded               bool
}

// Healthy is Weaviate's status for a node that answers.
const Healthy = "HEALTHY"

// Nodes reports the nodes that answer, with the shards of class on each
// (all classes when class is ""), in name order. A node that is down is
// NOT listed once the others have noticed (after about 20 s); before that
// the request fails with HTTP 500 naming it. Members lists every node the
// cluster is configured with.
func (c *Client) Nodes(ctx context.Context, class string) ([]Node, error) {
	path := "/v1/nodes"
	if class != "" {
		path += "/" + url.PathEscape(class)
	}
	var w struct {
		Nodes []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
			Shards []struct {
				Name                 string `json:"name"`
				Class                string `json:"class"`
				ObjectCount          int    `json:"objectCount"`
				VectorIndexingStatus string `json:"vectorIndexingStatus"`
				Loaded               bool   `json:"loaded"`
			} `json:"shards"`
		} `json:"nodes"`
	}
	if err := c.do(ctx, http.MethodGet, path, url.Values{"output": {"verbose"}}, nil, &w); err != nil {
		return nil, err
	}
	nodes := make([]Node, len(w.Nodes))
	for i, n := range w.Nodes {
		nodes[i] = Node{Name: n.Name, Status: n.Status}
		for _, s := range n.Shards {
			nodes[i].Shards = append(nodes[i].Shards, Shard(s))
		}
		sort.Slice(nodes[i].Shards, func(a, b int) bool { return nodes[i].Shards[a].Name < nodes[i].Shards[b].Name })
	}
	sort.Slice(nodes, func(a, b int) bool { return nodes[a].Name < nodes[b].Name })
	return nodes, nil
}

// Members is every node of the cluster's raft configuration, in name order:
// unlike Nodes it still names a node that is down.
func (c *Client) Members(ctx context.Context) ([]string, error) {
	var w struct {
		Statistics []struct {
			Raft struct {
				LatestConfiguration []struct {
					ID string `json:"id"`
				} `json:"latestConfiguration"`
			} `json:"raft"`
		} `json:"statistics"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/cluster/statistics", nil, nil, &w); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, s := range w.Statistics {
		for _, m := range s.Raft.LatestConfiguration {
			seen[m.ID] = true
		}
	}
	return sortedKeys(seen), nil
}

// Health is what the cluster can answer for one collection right now.
type Health struct {
	// Members are the nodes the cluster is configured with; Down those of
	// them that do not answer as HEALTHY.
	Members, Down []string
	// Shards is the collection's shard count; Covered how many of them
	// have at least one replica on a healthy node. Covered < Shards means
	// answers silently lack the objects of the uncovered shards: Weaviate
	// then still answers queries and counts — at every consistency level,
	// because it resolves ALL and QUORUM against the replicas it can reach.
	Shards, Covered int
	// ReadOnly names shard replicas that refuse writes (READONLY: the
	// node's disk passed its limit).
	ReadOnly []string
}

// Complete reports whether every shard has a live replica.
func (h Health) Complete() bool { return h.Covered >= h.Shards }

// Err is nil when answers are complete, else an ErrUnavailable error
// saying which nodes are down and how many shards are missing.
func (h Health) Err() error {
	if h.Complete() {
		return nil
	}
	msg := fmt.Sprintf("%d of %d shards have no replica on a healthy node", h.Shards-h.Covered, h.Shards)
	if len(h.Down) > 0 {
		msg += " (down: " + strings.Join(h.Down, ", ") + ")"
	}
	return &Error{Op: "cluster health", Kind: ErrUnavailable, Messages: []string{msg}}
}

// Health checks what the cluster can answer for class: three small
// requests sent together (the schema's shard count, /v1/nodes, and the raft
// members, to name nodes that are down). It fails with ErrUnavailable while
// the cluster is still noticing a node's death (/v1/nodes answers 500
// then). Reading the schema can hang for a while after the raft leader
// dies: a caller checking on every query should read the layout and the
// members once and call Coverage.
func (c *Client) Health(ctx context.Context, class string) (Health, error) {
	// The three requests are independent: send them together.
	var (
		wg         sync.WaitGroup
		l          Layout
		nodes      []Node
		members    []string
		lErr, nErr error
		mErr       error
	)
	wg.Add(3)
	go func() { defer wg.Done(); l, lErr = c.ClassLayout(ctx, class) }()
	go func() { defer wg.Done(); nodes, nErr = c.Nodes(ctx, class) }()
	go func() { defer wg.Done(); members, mErr = c.Members(ctx) }()
	wg.Wait()
	if lErr != nil {
		return Health{}, lErr
	}
	if nErr != nil {
		return Health{}, nErr
	}
	if mErr != nil {
		members = nil // name only the nodes that answer
	}
	return coverage(class, l.Shards, members, nodes), nil
}

// Coverage is Health from one request (/v1/nodes), given the collection's
// shard count and the cluster's members as read earlier (Layout.Shards,
// Members): what a store checks alongside every query.
func (c *Client) Coverage(ctx context.Context, class string, shards int, members []string) (Health, error) {
	nodes, err := c.Nodes(ctx, class)
	if err != nil {
		return Health{}, err
	}
	return coverage(class, shards, members, nodes), nil
}

func coverage(class string, shards int, members []string, nodes []Node) Health {
	h := Health{Shards: shards}
	healthy := map[string]bool{}
	covered := map[string]bool{}
	for _, n := range nodes {
		if n.Status != Healthy {
			continue
		}
		healthy[n.Name] = true
		for _, s := range n.Shards {
			if s.Class != class {
				continue
			}
			covered[s.Name] = true
			if s.VectorIndexingStatus == "READONLY" {
				h.ReadOnly = append(h.ReadOnly, s.Name+"@"+n.Name)
			}
		}
	}
	h.Covered = len(covered)
	h.Members = slices.Clone(members)
	for _, n := range nodes {
		if !slices.Contains(h.Members, n.Name) {
			h.Members = append(h.Members, n.Name)
		}
	}
	sort.Strings(h.Members)
	for _, m := range h.Members {
		if !healthy[m] {
			h.Down = append(h.Down, m)
		}
	}
	return h
}

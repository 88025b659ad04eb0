package weaviatetest

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running fake. Set knobs before the first request.
type Server struct {
	// URL is the base URL ("http://127.0.0.1:PORT").
	URL string
	// Nodes is the cluster size (default 1).
	Nodes int
	// APIKey, when set, is required as "Authorization: Bearer <APIKey>".
	APIKey string
	// BlockMaxWAND makes new collections report usingBlockMaxWAND true, as
	// on a server without USE_INVERTED_SEARCHABLE=false. The fake's bm25 is
	// exact either way (it does not reproduce BlockMax WAND's misses).
	BlockMaxWAND bool
	// Fail is consulted first for every request; a non-nil Failure is sent
	// instead of the answer (e.g. the 500s of the seconds right after a
	// node dies, before the others notice).
	Fail func(r *http.Request) *Failure

	srv *httptest.Server

	mu       sync.Mutex
	classes  map[string]*class
	down     map[int]bool
	requests int
	now      func() time.Time
}

// Failure is an answer sent instead of the real one.
type Failure struct {
	Status int
	// Body is sent verbatim; empty means {"error":[{"message":Message}]}.
	Body    string
	Message string
}

// NewServer starts a fake with one node and stops it when tb ends.
func NewServer(tb testing.TB) *Server {
	s := &Server{Nodes: 1, classes: map[string]*class{}, down: map[int]bool{}, now: time.Now}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// NewTLSServer is NewServer over HTTPS (URL https://127.0.0.1:PORT), with
// a self-signed certificate for 127.0.0.1 that only Client and clients
// given Certificate trust.
func NewTLSServer(tb testing.TB) *Server {
	s := &Server{Nodes: 1, classes: map[string]*class{}, down: map[int]bool{}, now: time.Now}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// Handshakes that tests make fail on purpose are not news.
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.srv.StartTLS()
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// Client is an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Certificate is the TLS server's certificate (nil over plain HTTP).
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// Kill takes node i down (see the package comment for what follows).
func (s *Server) Kill(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down[i] = true
}

// Restart brings node i back.
func (s *Server) Restart(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.down, i)
}

// Requests is how many requests the fake has received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func (s *Server) nodes() int { return max(s.Nodes, 1) }

func (s *Server) alive(node int) bool { return !s.down[node] }

func (s *Server) hasQuorum() bool {
	up := 0
	for i := 0; i < s.nodes(); i++ {
		if s.alive(i) {
			up++
		}
	}
	return up > s.nodes()/2
}

func (s *Server) downNames() string {
	var names []string
	for i := 0; i < s.nodes(); i++ {
		if !s.alive(i) {
			names = append(names, fmt.Sprintf("node%d", i))
		}
	}
	return "[" + strings.Join(names, ",") + "]"
}

// ---- HTTP ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": []map[string]string{{"message": msg}}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if s.Fail != nil {
		if f := s.Fail(r); f != nil {
			if f.Body != "" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(f.Status)
				io.WriteString(w, f.Body)
			} else {
				writeError(w, f.Status, f.Message)
			}
			return
		}
	}
	if s.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.APIKey {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 401, "message": "unauthorized: invalid api key"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/v1")
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case p == "/.well-known/ready" || p == "/.well-known/live":
		w.WriteHeader(http.StatusOK)
	case p == "/meta":
		writeJSON(w, 200, map[string]any{"hostname": "http://127.0.0.1", "modules": map[string]any{}, "version": strings.TrimPrefix(Version, "v")})
	case p == "/schema" && r.Method == http.MethodPost:
		s.createClass(w, r)
	case len(parts) == 2 && parts[0] == "schema" && r.Method == http.MethodGet:
		c := s.classes[parts[1]]
		if c == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		writeJSON(w, 200, c.wire())
	case len(parts) == 2 && parts[0] == "schema" && r.Method == http.MethodDelete:
		delete(s.classes, parts[1])
		w.WriteHeader(http.StatusOK)
	case p == "/batch/objects" && r.Method == http.MethodPost:
		s.batchPut(w, r)
	case p == "/batch/objects" && r.Method == http.MethodDelete:
		s.batchDelete(w, r)
	case p == "/objects" && r.Method == http.MethodGet:
		s.list(w, r)
	case len(parts) == 3 && parts[0] == "objects" && r.Method == http.MethodGet:
		s.getObject(w, r, parts[1], parts[2])
	case len(parts) == 3 && parts[0] == "objects" && r.Method == http.MethodDelete:
		s.deleteObject(w, r, parts[1], parts[2])
	case (len(parts) == 1 || len(parts) == 2) && parts[0] == "nodes" && r.Method == http.MethodGet:
		cls := ""
		if len(parts) == 2 {
			cls = parts[1]
		}
		s.nodesStatus(w, cls)
	case p == "/cluster/statistics" && r.Method == http.MethodGet:
		s.statistics(w)
	case p == "/graphql" && r.Method == http.MethodPost:
		s.graphql(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"code": 404, "message": fmt.Sprintf("path %s was not found", r.URL.Path)})
	}
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	return dec.Decode(v)
}

// ---- schema ----

func (s *Server) createClass(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Class               string         `json:"class"`
		VectorIndexType     string         `json:"vectorIndexType"`
		VectorIndexConfig   map[string]any `json:"vectorIndexConfig"`
		InvertedIndexConfig struct {
			BM25 *struct {
				K1 *float64 `json:"k1"`
				B  *float64 `json:"b"`
			} `json:"bm25"`
		} `json:"invertedIndexConfig"`
		ShardingConfig struct {
			DesiredCount int `json:"desiredCount"`
		} `json:"shardingConfig"`
		ReplicationConfig struct {
			Factor       int  `json:"factor"`
			AsyncEnabled bool `json:"asyncEnabled"`
		} `json:"replicationConfig"`
		Properties []struct {
			Name              string   `json:"name"`
			DataType          []string `json:"dataType"`
			Tokenization      string   `json:"tokenization"`
			IndexFilterable   *bool    `json:"indexFilterable"`
			IndexSearchable   *bool    `json:"indexSearchable"`
			IndexRangeFilters *bool    `json:"indexRangeFilters"`
		} `json:"properties"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeJSON(w, 422, map[string]any{"code": 601, "message": "parsing body body from \"\" failed: " + err.Error()})
		return
	}
	if !s.hasQuorum() {
		writeError(w, 500, "failed to execute query: leader not found, can not resolve nodes "+s.downNames())
		return
	}
	if in.Class == "" {
		writeError(w, 422, "'' is not a valid class name")
		return
	}
	name := strings.ToUpper(in.Class[:1]) + in.Class[1:]
	if s.classes[name] != nil {
		writeError(w, 422, "class name "+name+" already exists")
		return
	}
	c := &class{Name: name, BlockMax: s.BlockMaxWAND, K1: 1.2, B: 0.75, Shards: s.nodes(), Replicas: 1, objects: map[string]*object{}, VectorType: "hnsw"}
	if in.VectorIndexType != "" {
		c.VectorType = in.VectorIndexType
	}
	if skip, _ := in.VectorIndexConfig["skip"].(bool); skip {
		c.SkipVector = true
	}
	if b := in.InvertedIndexConfig.BM25; b != nil {
		if b.K1 != nil {
			c.K1 = *b.K1
		}
		if b.B != nil {
			c.B = *b.B
		}
	}
	if in.ShardingConfig.DesiredCount > 0 {
		c.Shards = in.ShardingConfig.DesiredCount
	}
	if in.ReplicationConfig.Factor > 0 {
		c.Replicas = in.ReplicationConfig.Factor
	}
	if c.Replicas > s.nodes() {
		writeError(w, 422, fmt.Sprintf("could not set replication factor: not enough storage replicas: found %d want %d", s.nodes(), c.Replicas))
		return
	}
	c.Async = in.ReplicationConfig.AsyncEnabled
	for i := 0; i < c.Shards; i++ {
		c.shardNames = append(c.shardNames, shardName(name, i))
	}
	boolOr := func(b *bool, def bool) bool {
		if b == nil {
			return def
		}
		return *b
	}
	for _, p := range in.Properties {
		if len(p.DataType) != 1 {
			writeError(w, 422, fmt.Sprintf("property '%s': invalid dataType", p.Name))
			return
		}
		dt := p.DataType[0]
		text := dt == "text" || dt == "text[]"
		prop := &property{Name: p.Name, DataType: dt, Filterable: boolOr(p.IndexFilterable, true),
			Searchable: text && boolOr(p.IndexSearchable, true), RangeFilters: boolOr(p.IndexRangeFilters, false)}
		if text {
			prop.Tokenization = p.Tokenization
			if prop.Tokenization == "" {
				prop.Tokenization = "word"
			}
		}
		c.Props = append(c.Props, prop)
	}
	s.classes[name] = c
	writeJSON(w, 200, c.wire())
}

// defaultVectorIndexConfig is v1.35.2's, as the server reports it.
const defaultVectorIndexConfig = `{"skip":false,"cleanupIntervalSeconds":300,"maxConnections":32,"efConstruction":128,"ef":-1,"dynamicEfMin":100,"dynamicEfMax":500,"dynamicEfFactor":8,"vectorCacheMaxObjects":1000000000000,"flatSearchCutoff":40000,"distance":"cosine","pq":{"enabled":false,"bitCompression":false,"segments":0,"centroids":256,"trainingLimit":100000,"encoder":{"type":"kmeans","distribution":"log-normal"}},"bq":{"enabled":false},"sq":{"enabled":false,"trainingLimit":100000,"rescoreLimit":20},"rq":{"enabled":false,"bits":8,"rescoreLimit":20},"filterStrategy":"acorn","multivector":{"enabled":false,"muvera":{"enabled":false,"ksim":4,"dprojections":16,"repetitions":10},"aggregation":"maxSim"},"skipDefaultQuantization":false,"trackDefaultQuantization":false}`

func (c *class) wire() map[string]any {
	var vic map[string]any
	_ = json.Unmarshal([]byte(defaultVectorIndexConfig), &vic)
	vic["skip"] = c.SkipVector
	props := make([]map[string]any, len(c.Props))
	for i, p := range c.Props {
		m := map[string]any{"name": p.Name, "dataType": []string{p.DataType}, "indexFilterable": p.Filterable,
			"indexSearchable": p.Searchable, "indexRangeFilters": p.RangeFilters}
		if p.Tokenization != "" {
			m["tokenization"] = p.Tokenization
		}
		props[i] = m
	}
	inverted := map[string]any{"bm25": map[string]any{"b": c.B, "k1": c.K1}, "cleanupIntervalSeconds": 60,
		"stopwords": map[string]any{"additions": nil, "preset": "none", "removals": nil}}
	if c.BlockMax {
		inverted["usingBlockMaxWAND"] = true // the server omits it when false
	}
	return map[string]any{
		"class":               c.Name,
		"invertedIndexConfig": inverted,
		"multiTenancyConfig":  map[string]any{"autoTenantActivation": false, "autoTenantCreation": false, "enabled": false},
		"properties":          props,
		"replicationConfig":   map[string]any{"asyncEnabled": c.Async, "deletionStrategy": "NoAutomatedResolution", "factor": c.Replicas},
		"shardingConfig": map[string]any{"virtualPerPhysical": 128, "desiredCount": c.Shards, "actualCount": c.Shards,
			"desiredVirtualCount": 128 * c.Shards, "actualVirtualCount": 128 * c.Shards, "key": "_id", "strategy": "hash", "function": "murmur3"},
		"vectorIndexConfig": vic,
		"vectorIndexType":   c.VectorType,
		"vectorizer":        "none",
	}
}

// ---- objects ----

type wireObject struct {
	Class      string         `json:"class"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties"`
	Vector     []float32      `json:"vector"`
}

func (o *object) wire(class string, withVector bool) map[string]any {
	m := map[string]any{"class": class, "id": o.ID, "properties": o.Props, "creationTimeUnix": o.Created, "lastUpdateTimeUnix": o.Updated}
	m["vectorWeights"] = nil
	if withVector {
		m["vector"] = o.Vector
	}
	return m
}

// consistency reads ?consistency_level, QUORUM when absent.
func consistency(q url.Values) string {
	if cl := q.Get("consistency_level"); cl != "" {
		return cl
	}
	return "QUORUM"
}

// liveReplicas is how many of shard sh's replicas are on live nodes.
func (s *Server) liveReplicas(c *class, sh int) int {
	n := 0
	for _, node := range c.replicaNodes(sh, s.nodes()) {
		if s.alive(node) {
			n++
		}
	}
	return n
}

// resolve is what a consistency level asks of a shard with live replicas
// alive: Weaviate resolves QUORUM and ALL against the replicas it can reach.
func resolve(level string, alive int) int {
	switch level {
	case "ONE":
		return 1
	case "ALL":
		return alive
	}
	return alive/2 + 1
}

// readable returns the shards a read at level may use, or the error the
// real server gives when shards resolve the level differently. Shards
// without any live replica are left out without an error, as the real
// server does.
func (s *Server) readable(c *class, level string) (map[int]bool, error) {
	ok := map[int]bool{}
	first := -1
	var firstShard string
	for sh := 0; sh < c.Shards; sh++ {
		alive := s.liveReplicas(c, sh)
		if alive == 0 {
			continue
		}
		ok[sh] = true
		if c.Replicas == 1 {
			continue
		}
		r := resolve(level, alive)
		if first < 0 {
			first, firstShard = r, c.shardNames[sh]
		} else if r != first {
			return nil, fmt.Errorf("inconsistent consistency levels: shard %s resolved to %d, shard %s resolved to %d", firstShard, first, c.shardNames[sh], r)
		}
	}
	return ok, nil
}

func (s *Server) batchPut(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeJSON(w, 422, map[string]any{"code": 601, "message": "parsing body body from \"\" failed: " + err.Error()})
		return
	}
	if !s.hasQuorum() {
		writeError(w, 500, "failed to execute query: leader not found, can not resolve nodes "+s.downNames())
		return
	}
	objs := make([]wireObject, len(in.Objects))
	for i, raw := range in.Objects {
		if err := json.Unmarshal(raw, &objs[i]); err != nil {
			writeJSON(w, 422, map[string]any{"code": 601, "message": fmt.Sprintf("body.objects.%d in body: %v", i, err)})
			return
		}
		if !isUUID(objs[i].ID) {
			writeJSON(w, 422, map[string]any{"code": 601, "message": fmt.Sprintf("body.objects.%d.id in body must be of type uuid: %q", i, objs[i].ID)})
			return
		}
	}
	now := s.now().UnixMilli()
	out := make([]map[string]any, len(objs))
	for i, in := range objs {
		res := map[string]any{"class": in.Class, "id": in.ID, "properties": in.Properties,
			"creationTimeUnix": now, "lastUpdateTimeUnix": now, "deprecations": nil}
		if in.Vector != nil {
			res["vector"] = in.Vector
		}
		fail := func(msg string) {
			res["result"] = map[string]any{"errors": map[string]any{"error": []map[string]string{{"message": msg}}}, "status": "FAILED"}
		}
		c := s.classes[in.Class]
		switch {
		case c == nil:
			fail(fmt.Sprintf("class %q not found in schema", in.Class))
		case s.liveReplicas(c, c.shardOf(in.ID)) < resolve(consistency(r.URL.Query()), s.liveReplicas(c, c.shardOf(in.ID))) ||
			s.liveReplicas(c, c.shardOf(in.ID)) == 0:
			fail(fmt.Sprintf("put object: cannot achieve consistency level %q: cannot reach enough replicas", consistency(r.URL.Query())))
		case c.SkipVector && in.Vector != nil:
			fail("the vector index of this collection is skipped")
		case in.Vector != nil && c.dims != 0 && len(in.Vector) != c.dims:
			fail(fmt.Sprintf("insert to vector index: vector lengths don't match: %d vs %d", c.dims, len(in.Vector)))
		default:
			props, err := c.validate(in.Properties)
			if err != nil {
				fail(err.Error())
				break
			}
			if in.Vector != nil && c.dims == 0 {
				c.dims = len(in.Vector)
			}
			created := now
			if old := c.objects[in.ID]; old != nil {
				created = old.Created
			}
			c.seq++
			c.objects[in.ID] = &object{ID: in.ID, Props: props, Vector: in.Vector, Created: created, Updated: now, docID: c.seq}
			res["result"] = map[string]any{"status": "SUCCESS"}
		}
		out[i] = res
	}
	writeJSON(w, 200, out)
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

func (s *Server) batchDelete(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Match struct {
			Class string         `json:"class"`
			Where map[string]any `json:"where"`
		} `json:"match"`
		Output string `json:"output"`
		DryRun bool   `json:"dryRun"`
	}
	if err := decodeBody(r, &in); err != nil {
		writeJSON(w, 400, map[string]any{"code": 400, "message": "parsing body body from \"\" failed, because " + err.Error()})
		return
	}
	c := s.classes[in.Match.Class]
	if c == nil {
		writeError(w, 422, fmt.Sprintf("validate: class: %s doesn't exist", in.Match.Class))
		return
	}
	f, err := parseFilter(in.Match.Where)
	if err == nil {
		err = f.check(c)
	}
	if err != nil {
		writeError(w, 422, "validate: "+err.Error())
		return
	}
	if !s.hasQuorum() {
		writeError(w, 500, "failed to execute query: leader not found, can not resolve nodes "+s.downNames())
		return
	}
	matches := 0
	for id, o := range c.objects {
		if f.match(c, o) {
			matches++
			if !in.DryRun {
				delete(c.objects, id)
			}
		}
	}
	writeJSON(w, 200, map[string]any{
		"deletionTimeUnixMilli": int64(-62135596800000), "dryRun": in.DryRun, "output": in.Output,
		"match":   map[string]any{"class": in.Match.Class, "where": f.wire()},
		"results": map[string]any{"failed": 0, "limit": 10000, "matches": matches, "successful": matches, "objects": nil},
	})
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, className, id string) {
	c := s.classes[className]
	if c == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	o := c.objects[id]
	if o == nil || s.liveReplicas(c, c.shardOf(id)) == 0 {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	writeJSON(w, 200, o.wire(c.Name, r.URL.Query().Get("include") == "vector"))
}

func (s *Server) deleteObject(w http.ResponseWriter, _ *http.Request, className, id string) {
	c := s.classes[className]
	if c == nil {
		writeError(w, 500, "could not delete object from vector repo: delete from non-existing index for "+className)
		return
	}
	if !s.hasQuorum() {
		writeError(w, 500, "failed to execute query: leader not found, can not resolve nodes "+s.downNames())
		return
	}
	delete(c.objects, id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c := s.classes[q.Get("class")]
	if c == nil {
		writeError(w, 422, fmt.Sprintf("class %q not found in schema", q.Get("class")))
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 25
	}
	ids := make([]string, 0, len(c.objects))
	for id := range c.objects {
		if id > q.Get("after") {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	ids = ids[:min(limit, len(ids))]
	objs := make([]map[string]any, len(ids))
	for i, id := range ids {
		objs[i] = c.objects[id].wire(c.Name, q.Get("include") == "vector")
	}
	answer := map[string]any{"deprecations": []any{}, "objects": objs}
	if len(objs) > 0 {
		answer["totalResults"] = len(objs)
	}
	writeJSON(w, 200, answer)
}

// ---- cluster ----

func (s *Server) nodesStatus(w http.ResponseWriter, className string) {
	var nodes []map[string]any
	status := "HEALTHY"
	if !s.hasQuorum() {
		status = "UNHEALTHY"
	}
	for i := 0; i < s.nodes(); i++ {
		if !s.alive(i) {
			continue
		}
		shards := []map[string]any{}
		for _, name := range sortedClassNames(s.classes) {
			c := s.classes[name]
			if className != "" && name != className {
				continue
			}
			for sh := 0; sh < c.Shards; sh++ {
				for _, node := range c.replicaNodes(sh, s.nodes()) {
					if node != i {
						continue
					}
					count := 0
					for id := range c.objects {
						if c.shardOf(id) == sh {
							count++
						}
					}
					shards = append(shards, map[string]any{"asyncReplicationStatus": []any{}, "class": name, "compressed": false,
						"loaded": true, "name": c.shardNames[sh], "numberOfReplicas": c.Replicas, "objectCount": count,
						"replicationFactor": c.Replicas, "vectorIndexingStatus": "READY", "vectorQueueLength": 0})
				}
			}
		}
		nodes = append(nodes, map[string]any{"batchStats": map[string]any{"queueLength": 0, "ratePerSecond": 0},
			"name": fmt.Sprintf("node%d", i), "operationalMode": "ReadWrite", "shards": shards,
			"stats": map[string]any{"objectCount": 0, "shardCount": len(shards)}, "status": status,
			"version": strings.TrimPrefix(Version, "v")})
	}
	writeJSON(w, 200, map[string]any{"nodes": nodes})
}

func sortedClassNames(m map[string]*class) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Server) statistics(w http.ResponseWriter) {
	var members []map[string]any
	for i := 0; i < s.nodes(); i++ {
		members = append(members, map[string]any{"address": fmt.Sprintf("127.0.0.1:%d", 8300+2*i), "id": fmt.Sprintf("node%d", i), "suffrage": 0})
	}
	var stats []map[string]any
	for i := 0; i < s.nodes(); i++ {
		if !s.alive(i) {
			continue
		}
		state := "Follower"
		if i == 0 || (!s.alive(0) && i == 1) {
			state = "Leader"
		}
		stats = append(stats, map[string]any{"name": fmt.Sprintf("node%d", i), "status": "HEALTHY", "ready": true,
			"raft": map[string]any{"latestConfiguration": members, "state": state}})
	}
	writeJSON(w, 200, map[string]any{"statistics": stats, "synchronized": true})
}

// Package weaviatetest helps test paperseek's Weaviate cluster store.
//
// It has two halves:
//
//   - StartCluster (cluster.go) runs a REAL loopback Weaviate cluster with
//     scripts/weaviate.sh, for `make cluster-test`. Without a server binary
//     it skips the test loudly, or fails it when PAPERSEEK_REQUIRE_WEAVIATE
//     is set.
//   - NewServer (this file) is an in-process fake speaking the wire format
//     of the endpoints paperseek uses, for CI, which cannot build Weaviate in
//     its time budget. Its answers are checked against answers recorded from
//     the real server (testdata/*.json, recorded by the real-cluster tests of
//     index/weaviate with PAPERSEEK_WEAVIATE_RECORD=1): see replay_test.go.
//
// What the fake models:
//
//   - /v1/schema (create, get, delete), /v1/batch/objects (upsert, delete
//     by filter), /v1/objects (get, delete, cursor listing), /v1/nodes,
//     /v1/cluster/statistics, /v1/meta, /v1/.well-known/ready, /v1/graphql;
//   - GraphQL Get with bm25 (Weaviate's formula and explainScore; statistics
//     over the whole collection, as on one shard), nearVector (cosine
//     distance), hybrid (approximate), where, limit, offset,
//     consistencyLevel (refused on collections without replication, as the
//     real server does), _additional{id score distance explainScore vector};
//     Aggregate with meta{count} and int/number {count sum mean minimum maximum};
//   - errors with the real server's messages and statuses for what the
//     fixtures cover (unknown collection, property, argument; bad values);
//   - a cluster of Nodes nodes with shards placed on them, and Kill/Restart:
//     after Kill the fake answers like a real cluster some 20 s after a
//     kill -9, once the others have noticed — the node is gone from
//     /v1/nodes; shards with no live replica silently drop out of Get and
//     Aggregate answers; QUORUM and ALL resolve against the live replicas
//     ("inconsistent consistency levels" when shards resolve differently);
//     writes fail once raft has lost its majority. A restarted node is at
//     once consistent (the state asyncEnabled replication converges to).
//
// It does not model HNSW's approximation, BlockMax WAND's occasional
// misses, per-shard bm25 statistics, multi-tenancy, modules, or
// authentication beyond a single API key.
package weaviatetest

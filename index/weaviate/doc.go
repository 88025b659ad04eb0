// Package weaviate is a small client for the parts of Weaviate's REST and
// GraphQL API that paperseek's cluster store uses: collections with
// explicit properties, batch upserts with stable object ids, bm25 and
// nearVector queries with filters, aggregate counts, and node and shard
// health. It has no dependencies outside the standard library.
//
// Why not the official client: github.com/weaviate/weaviate-go-client/v5
// requires the Weaviate server module itself, testcontainers and Docker's
// client among 159 direct requirements (307 modules in the graph), for an
// API of a dozen endpoints. gRPC would need google.golang.org/grpc plus
// the server's generated protocol package; GraphQL also answers several
// queries in one request (both legs of a search, or the document frequency
// of every term of an abstract), which gRPC's Search cannot.
//
// Every failure is an *Error (or a *BatchError for refused objects of a
// batch) that matches exactly one kind with errors.Is: ErrUnavailable (the
// cluster cannot answer fully now), ErrBadRequest, ErrNotFound or ErrAuth.
// A GraphQL answer carrying `errors` is a failure even when it also carries
// data: paperseek never passes off a partial answer as a complete one.
//
// Weaviate itself does not report every partial answer as an error: a
// shard whose every replica is down is left out of query and count answers
// without any error, at every consistency level (Weaviate resolves ALL and
// QUORUM against the replicas it can reach). Health is how a caller tells a
// complete answer from a silently shorter one.
package weaviate

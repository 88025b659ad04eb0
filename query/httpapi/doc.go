// Package httpapi is paperseek's HTTP server: the JSON API of the contract
// (/v1/search, /v1/papers/{id}, /v1/papers/{id}/related, /v1/related,
// /v1/stats, /healthz) and a small search page at /, all answered by the
// same query layer as the command line, so both give the same results.
//
// Limits, all configurable on Server: request bodies up to 1 MiB (413
// beyond), a deadline per request, read/write/idle timeouts against slow
// or idle clients, and a bounded number of searches at once with a bounded
// waiting line (429 beyond it).
//
// With a token set, every /v1/ request needs "Authorization: Bearer
// TOKEN"; /healthz and the page itself do not. Without one, only requests
// addressed to a loopback name or one of AllowHosts are answered (no DNS
// rebinding). The page asks for the token
// when the API answers 401, keeps it in the browser's localStorage and
// sends it in the Authorization header, never in a URL.
package httpapi

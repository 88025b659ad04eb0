package weaviate

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
)

// Error kinds, for errors.Is. Every error the client returns for a failed
// request is an *Error matching exactly one of them.
var (
	// ErrUnavailable: the cluster cannot answer fully right now — a
	// connection failed, a node is down, a shard is not ready, a
	// consistency level cannot be met, or the server failed (5xx).
	// Retrying later may help; a caller must never treat it as "no results".
	ErrUnavailable = errors.New("weaviate unavailable")
	// ErrBadRequest: the server rejected the request itself (4xx other than
	// 404, or a GraphQL validation error). Retrying cannot help.
	ErrBadRequest = errors.New("weaviate rejected the request")
	// ErrNotFound: the object or collection does not exist (404).
	ErrNotFound = errors.New("weaviate: not found")
	// ErrAuth: the server refused the API key (401 or 403).
	ErrAuth = errors.New("weaviate rejected the API key")
	// ErrTLS: an https:// node's certificate could not be verified, or
	// the node does not speak TLS. Retrying cannot help: the trust store
	// or the URL is wrong.
	ErrTLS = errors.New("weaviate TLS failed")
)

// Error is a failed request: what the client was doing, the HTTP status (0
// when no response arrived) and every message the server sent, verbatim.
type Error struct {
	Op       string   // "POST /v1/graphql", "batch upsert", …
	Status   int      // HTTP status; 0 when the request never got an answer
	Messages []string // the server's messages (GraphQL errors, error[].message)
	Kind     error    // one of ErrUnavailable, ErrBadRequest, ErrNotFound, ErrAuth, ErrTLS
	Cause    error    // the transport error, when there was no answer
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("weaviate ")
	b.WriteString(e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	} else if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap gives errors.Is the kind and the transport cause (so a cancelled
// context still matches context.Canceled).
func (e *Error) Unwrap() []error {
	errs := []error{e.Kind}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// kindForStatus maps an HTTP status to an error kind.
func kindForStatus(status int) error {
	switch {
	case status == 401 || status == 403:
		return ErrAuth
	case status == 404:
		return ErrNotFound
	case status == 408 || status == 429 || status >= 500:
		return ErrUnavailable
	default:
		return ErrBadRequest
	}
}

// unavailableMarkers are fragments of the messages Weaviate v1.35 sends
// (in a 2xx GraphQL answer's `errors`, a batch object's errors, or a
// 404/422 body) when the failure is the cluster's state rather than the
// request. Recorded from a real cluster with nodes killed (see
// weaviatetest/testdata and the notes) and taken from the server's
// usecases/replica and cluster/router sources. The server gives these only
// as text, so this is the one place that reads text; everything above
// decides with errors.Is.
var unavailableMarkers = []string{
	"cannot achieve consistency level", // replica.MsgCLevel
	"cannot reach enough replicas",     // replica.ErrReplicas
	"inconsistent consistency levels",  // router: shards resolved QUORUM differently (a replica down)
	"connection refused",               // a node killed, before the others notice
	"no such host",
	"i/o timeout",
	"context deadline exceeded",
	"timeout awaiting response headers", // a replica too busy to answer in time (seen under load)
	"resolve node name",                 // a node left the member list
	"could not find index for class",    // a shard not yet created on a node (just after a schema change)
	"leader not found",                  // raft lost its quorum
	"read repair error",
	"conflict: object has been deleted on another replica",
}

// kindForMessages decides the kind of a GraphQL `errors` answer (or of a
// 422 that is really a cluster failure) from the server's messages.
func kindForMessages(msgs []string, fallback error) error {
	for _, m := range msgs {
		lm := strings.ToLower(m)
		for _, marker := range unavailableMarkers {
			if strings.Contains(lm, marker) {
				return ErrUnavailable
			}
		}
	}
	return fallback
}

// ObjectError is one object of a batch the server did not store.
type ObjectError struct {
	ID       string
	Messages []string
}

// BatchError reports the objects of a batch the server refused; the others
// were stored. It matches ErrUnavailable when any refusal was the cluster's
// fault (a replica down, a consistency level not met), else ErrBadRequest.
type BatchError struct {
	Failed []ObjectError
	Total  int
	Kind   error
}

func (e *BatchError) Error() string {
	first := e.Failed[0]
	return fmt.Sprintf("weaviate batch upsert: %d of %d objects failed; first %s: %s",
		len(e.Failed), e.Total, first.ID, strings.Join(first.Messages, "; "))
}

func (e *BatchError) Unwrap() error { return e.Kind }

// isTLSFailure reports whether a transport error is a failed TLS
// handshake that retrying cannot mend: a certificate that does not verify
// (unknown authority, wrong host name, expired) or a server answering
// plain HTTP to an https:// URL.
func isTLSFailure(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		notTLS  tls.RecordHeaderError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &notTLS) ||
		// net/http's own words for a RecordHeaderError it recognised
		// as an HTTP answer (it does not wrap the error).
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

package cluster

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/paperseek/paperseek/index"
	wv "github.com/paperseek/paperseek/index/weaviate"
)

// The location schemes this package registers: Scheme reaches the
// cluster over plain HTTP, SchemeTLS over HTTPS (as redis:// and
// rediss://: the one string a user sets in $PAPERSEEK_INDEX says both
// where and how, and no flag can be forgotten on one command of many).
const (
	Scheme    = "weaviate"
	SchemeTLS = "weaviates"
)

// metaSuffix names the collection holding the manifest and the model
// beside the papers' collection.
const metaSuffix = "_paperseek"

// Location is a parsed weaviate://HOST:PORT/COLLECTION (or weaviates://).
type Location struct {
	Raw   string // as given
	URL   string // the node's HTTP base, http://HOST:PORT or https://HOST:PORT
	Class string // the papers' collection
}

// Meta is the collection holding the manifest and the model.
func (l Location) Meta() string { return l.Class + metaSuffix }

// ParseLocation reads weaviate://HOST:PORT/COLLECTION, or
// weaviates://HOST:PORT/COLLECTION for HTTPS (the server's certificate is
// verified against the system's roots, or $SSL_CERT_FILE). COLLECTION must be
// a Weaviate collection name as stored (a capital letter first): Weaviate
// would capitalise anything else and the names would not match.
func ParseLocation(s string) (Location, error) {
	bad := func(why string) (Location, error) {
		return Location{}, fmt.Errorf("%w: index location %q: %s (want weaviate://HOST:PORT/COLLECTION, or weaviates:// for HTTPS, e.g. weaviate://127.0.0.1:8081/Papers)", index.ErrUsage, s, why)
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad(err.Error())
	}
	scheme := "http"
	switch strings.ToLower(u.Scheme) {
	case Scheme:
	case SchemeTLS:
		scheme = "https"
	default:
		return bad("not a weaviate:// or weaviates:// URL")
	}
	if u.Host == "" {
		return bad("no HOST:PORT")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return bad("no user, query or fragment is read (the API key comes from $WEAVIATE_API_KEY)")
	}
	class := strings.Trim(u.Path, "/")
	if class == "" {
		return bad("no COLLECTION")
	}
	if !wv.ClassNamePattern.MatchString(class) || strings.HasSuffix(class, metaSuffix) {
		return bad(fmt.Sprintf("collection %q: want a capital letter, then letters, digits or _ (not ending in %s)", class, metaSuffix))
	}
	return Location{Raw: s, URL: scheme + "://" + u.Host, Class: class}, nil
}

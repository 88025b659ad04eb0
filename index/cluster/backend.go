package cluster

import (
	"context"

	"github.com/paperseek/paperseek/index"
)

// APIKey is sent to every cluster this program opens through the index
// registry. The program sets it at its edge (cmd/paperseek reads
// $WEAVIATE_API_KEY): index packages never read the environment.
var APIKey string

// Backend opens weaviate:// and weaviates:// locations for the index
// registry.
type Backend struct {
	// Options, when nil, are the package's APIKey and default HTTP client.
	Options func() Options
}

func init() {
	index.Register(Scheme, Backend{})
	index.Register(SchemeTLS, Backend{})
}

func (b Backend) options() Options {
	if b.Options != nil {
		return b.Options()
	}
	return Options{APIKey: APIKey}
}

// Open implements index.Backend.
func (b Backend) Open(ctx context.Context, location string) (index.Store, error) {
	st, err := Open(ctx, location, b.options())
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return st, nil
}

// Stat implements index.Backend: the manifest alone.
func (b Backend) Stat(ctx context.Context, location string) (index.Info, error) {
	loc, c, err := b.options().connect(location)
	if err != nil {
		return index.Info{}, err
	}
	// The server's default level for one object (QUORUM) suits any
	// replication factor; Stat does not read the layout to choose.
	m, err := readManifest(ctx, c, loc, "")
	if err != nil {
		return index.Info{}, err
	}
	return m.info(loc.Raw), nil
}

// BeginWrite implements index.Backend.
func (b Backend) BeginWrite(ctx context.Context, location string, opts index.WriteOptions) (index.Writer, error) {
	w, err := BeginWrite(ctx, location, opts, b.options())
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Check implements index.Backend.
func (b Backend) Check(ctx context.Context, location string, repair bool, opts index.WriteOptions) (index.CheckReport, error) {
	if repair {
		return Repair(ctx, location, opts, b.options())
	}
	return Check(ctx, location, b.options())
}

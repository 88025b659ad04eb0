package httpapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"time"
)

// The search page: plain HTML, CSS and JavaScript compiled into the binary.
// No build step, no CDN, nothing fetched from elsewhere: it works offline
// and on an air-gapped machine.
//
//go:embed page/*
var pageFiles embed.FS

// pageCSP allows the page's own files and its calls to this same server,
// nothing else: no inline scripts, no other origins. A paper field that
// slipped into the DOM as HTML still could not run script.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// pageRoutes maps each URL path to the handler of one embedded file;
// index.html is served at "/" only. The set is fixed at build time, so no
// request path ever reaches a filesystem.
func pageRoutes() map[string]http.HandlerFunc {
	entries, err := fs.ReadDir(pageFiles, "page")
	if err != nil {
		panic(err) // the embedded directory is part of the binary
	}
	routes := make(map[string]http.HandlerFunc, len(entries))
	for _, e := range entries {
		data, err := pageFiles.ReadFile("page/" + e.Name())
		if err != nil {
			panic(err)
		}
		urlPath := "/" + e.Name()
		if e.Name() == "index.html" {
			urlPath = "/{$}"
		}
		routes[urlPath] = serveFile(e.Name(), data)
	}
	return routes
}

func serveFile(name string, data []byte) http.HandlerFunc {
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	ctype := mime.TypeByExtension(path.Ext(name))
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Security-Policy", pageCSP)
		// Revalidate each time (cheap, by ETag) so a new binary's page is
		// never mixed with a cached old script.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(data))
	}
}

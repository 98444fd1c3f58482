// Package web serves the browser console: one HTML shell and the static
// files its JavaScript modules are made of, all embedded in the binary so
// that the console works on a LAN without internet and needs no build
// step. The console is a client of the public API and the session socket
// like any other: this package serves files and nothing else.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

//go:embed index.html
var indexSource string

// AssetsPath prefixes the console's static files.
const AssetsPath = "/console/"

// csp lets the console run only scripts and styles served from here: no
// inline script (so injected markup cannot run), no other host (so the
// console works offline and leaks nothing), no framing (clickjacking).
const csp = "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; " +
	"script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; " +
	"connect-src 'self'; manifest-src 'self'"

// Config is what the shell page shows.
type Config struct {
	// Version is printed in the page's footer and busts asset caches.
	Version string
	// APIBase is the API's base path, e.g. "/api/v1".
	APIBase string
}

// Handler serves GET / (the shell) and GET /console/... (its files).
func Handler(cfg Config) http.Handler {
	assets, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	shell := renderShell(cfg)
	etags := assetTags(assets)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w.Header())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(shell)
	})
	mux.HandleFunc("GET "+AssetsPath+"{file...}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		tag, ok := etags[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		secureHeaders(w.Header())
		w.Header().Set("ETag", tag)
		// Revalidate every time: a new binary must never run with an old
		// module cached beside a new one. The ETag makes that a 304.
		w.Header().Set("Cache-Control", "no-cache")
		if ct := contentType(name); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		b, err := fs.ReadFile(assets, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	})
	return mux
}

func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

func renderShell(cfg Config) []byte {
	t := template.Must(template.New("index").Parse(indexSource))
	var b bytes.Buffer
	if err := t.Execute(&b, struct {
		Version, APIBase, Assets string
	}{cfg.Version, cfg.APIBase, AssetsPath}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// assetTags maps every embedded file to a strong ETag of its content.
func assetTags(assets fs.FS) map[string]string {
	tags := map[string]string{}
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		tags[p] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	if err != nil {
		panic(err)
	}
	return tags
}

var contentTypes = map[string]string{
	".js":          "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".json":        "application/json",
	".txt":         "text/plain; charset=utf-8",
	".webmanifest": "application/manifest+json",
}

func contentType(name string) string {
	if strings.HasSuffix(name, "LICENSE") {
		return "text/plain; charset=utf-8"
	}
	return contentTypes[path.Ext(name)]
}

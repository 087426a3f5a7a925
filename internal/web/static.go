package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// staticRoutes registers the embedded static files.
func (h *Handler) staticRoutes(mux Router) {
	mux.HandleFunc("GET /static/{file...}", h.static)
}

//go:embed static
var staticFS embed.FS

// assets serves the embedded static files. Their URLs carry a content hash,
// so they can be cached for a year and still change with each release.
type assets struct {
	files   fs.FS
	version map[string]string // file -> short content hash
	// gzipped holds the text files compressed once at start (htmx is 52 kB,
	// 16 kB gzipped): what a phone on a slow network downloads first.
	gzipped map[string][]byte
}

func newAssets() *assets {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic("web: " + err.Error())
	}
	a := &assets{files: sub, version: map[string]string{}, gzipped: map[string][]byte{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.version[p] = hex.EncodeToString(sum[:6])
		switch path.Ext(p) {
		case ".css", ".js", ".svg", ".txt":
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			_, _ = zw.Write(b)
			_ = zw.Close()
			a.gzipped[p] = z.Bytes()
		}
		return nil
	})
	if err != nil {
		panic("web: " + err.Error())
	}
	return a
}

// url is the cache-busting address of a static file; it panics for an
// unknown file, so a template naming one fails at start.
func (a *assets) url(name string) string {
	v, ok := a.version[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + name + "?v=" + v
}

func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	if _, ok := h.assets.version[name]; !ok || strings.Contains(name, "..") {
		h.fail(w, r, errNotFound)
		return
	}
	b, err := fs.ReadFile(h.assets.files, name)
	if err != nil {
		h.fail(w, r, errNotFound)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	etag := `"` + h.assets.version[name] + `"`
	if z, ok := h.assets.gzipped[name]; ok {
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			b, etag = z, `"`+h.assets.version[name]+`-gz"` // another representation, another tag
			w.Header().Set("Content-Encoding", "gzip")
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(b)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

package jwks_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"medic/internal/jwks"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

const set = `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"k1"}]}`

func TestFetchJWKS(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	body, cacheControl := set, "max-age=60"
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(`{"keys":[` + strings.Repeat(" ", 30000) + `]}`))
		case "/private":
			_, _ = w.Write([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"secret"}]}`))
		case "/missing":
			http.NotFound(w, r)
		case "/slow":
			<-r.Context().Done()
		default:
			w.Header().Set("Cache-Control", cacheControl)
			_, _ = w.Write([]byte(body))
		}
	}))
	defer srv.Close()
	c := &clock{t: time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)}
	f := jwks.New(srv.Client(), c)
	ctx := context.Background()

	got, err := f.FetchJWKS(ctx, srv.URL+"/keys")
	if err != nil || got != set {
		t.Fatalf("fetch = %q, %v", got, err)
	}
	// Within max-age the cache answers; after it, the server again.
	c.t = c.t.Add(59 * time.Second)
	if _, err := f.FetchJWKS(ctx, srv.URL+"/keys"); err != nil || hits.Load() != 1 {
		t.Errorf("within max-age: %v, %d fetches", err, hits.Load())
	}
	c.t = c.t.Add(2 * time.Second)
	if _, err := f.FetchJWKS(ctx, srv.URL+"/keys"); err != nil || hits.Load() != 2 {
		t.Errorf("after max-age: %v, %d fetches", err, hits.Load())
	}
	// no-store keeps nothing.
	cacheControl = "no-store"
	_, _ = f.FetchJWKS(ctx, srv.URL+"/nostore")
	_, _ = f.FetchJWKS(ctx, srv.URL+"/nostore")
	if hits.Load() != 4 {
		t.Errorf("no-store: %d fetches, want 4", hits.Load())
	}

	for _, u := range []string{
		"http://" + strings.TrimPrefix(srv.URL, "https://") + "/keys", // not https
		srv.URL + "/big", srv.URL + "/private", srv.URL + "/missing", "https://", "ftp://x.example/keys",
	} {
		if _, err := f.FetchJWKS(ctx, u); !errors.Is(err, jwks.ErrFetch) {
			t.Errorf("%s: err = %v, want ErrFetch", u, err)
		}
	}
	// A server that never answers is cut off by the context's deadline.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := f.FetchJWKS(short, srv.URL+"/slow"); !errors.Is(err, jwks.ErrFetch) {
		t.Errorf("slow server: err = %v", err)
	}
}

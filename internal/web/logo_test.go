package web_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
)

// upload posts a multipart form with one file field "logo".
func (c *client) upload(path string, data []byte) page {
	c.e.t.Helper()
	return c.uploadFile(path, "logo", "logo.png", data)
}

// uploadFile posts a multipart form with one file field.
func (c *client) uploadFile(path, field, filename string, data []byte) page {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile(field, filename)
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, body: string(b), url: resp.Request.URL.RequestURI(), header: resp.Header}
}

func TestLogoUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	e.mustMember(p, e.mustUser("doc@sunrise.example", "Doc"), "doctor")
	c := e.signIn("admin@sunrise.example")

	wantStatus(t, c.get("/logo"), http.StatusNotFound)
	r := c.upload("/settings/logo", []byte("GIF89a not a png"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "The logo must be a PNG or JPEG image.", `value="Sunrise"`)
	r = c.upload("/settings/logo", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 600<<10)...))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "at most 512 KB")

	var img bytes.Buffer
	_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	r = c.upload("/settings/logo", img.Bytes())
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "The logo is updated.", `src="/logo"`)
	logo := c.get("/logo")
	wantStatus(t, logo, http.StatusOK)
	if logo.header.Get("Content-Type") != "image/png" || logo.body != img.String() {
		t.Fatalf("logo: %s, %d bytes", logo.header.Get("Content-Type"), len(logo.body))
	}

	doc := e.signIn("doc@sunrise.example")
	wantStatus(t, doc.upload("/settings/logo", img.Bytes()), http.StatusForbidden)
	wantStatus(t, doc.get("/logo"), http.StatusOK) // members see their practice's logo
}

package web

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"medic/internal/auth/sessioncookie"
)

func TestEveryViewParses(t *testing.T) {
	vs, err := parseViews(newAssets())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range viewNames {
		if vs.byName[name] == nil {
			t.Errorf("view %s missing", name)
		}
	}
}

func TestMissingViewFailsAtStart(t *testing.T) {
	base := fstest.MapFS{}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		base[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	funcs := templateFuncs(newAssets())

	missing := fstest.MapFS{}
	for k, v := range base {
		if k != "templates/members.html" {
			missing[k] = v
		}
	}
	if _, err := parseViewsFS(missing, viewNames, funcs); err == nil || !strings.Contains(err.Error(), "members") {
		t.Errorf("a missing view: err = %v", err)
	}

	noContent := fstest.MapFS{}
	for k, v := range base {
		noContent[k] = v
	}
	noContent["templates/members.html"] = &fstest.MapFile{Data: []byte(`{{define "other"}}x{{end}}`)}
	if _, err := parseViewsFS(noContent, viewNames, funcs); err == nil {
		t.Error("a view without content parsed")
	}

	stray := fstest.MapFS{}
	for k, v := range base {
		stray[k] = v
	}
	stray["templates/forgotten.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}x{{end}}`)}
	if _, err := parseViewsFS(stray, viewNames, funcs); err == nil {
		t.Error("a template of no view was accepted")
	}

	// New panics rather than starting without a page.
	defer func() {
		if recover() == nil {
			t.Error("New did not panic")
		}
	}()
	old := viewNames
	viewNames = append(append([]string{}, old...), "no_such_view")
	defer func() { viewNames = old }()
	New(nil, sessioncookie.Cookie{}, nil, false)
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "/",
		"/":                   "/",
		"/members?x=1":        "/members?x=1",
		"//evil.example":      "/",
		"/\\evil.example":     "/",
		"http://evil.example": "/",
		"evil":                "/",
		"/login/2fa":          "/",
		"/logout":             "/",
		"/a\r\nSet-Cookie: x": "/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinkify(t *testing.T) {
	got := string(linkify("Open http://example.test/invite/i_abc. <b>now</b>"))
	want := `Open <a href="http://example.test/invite/i_abc">http://example.test/invite/i_abc</a>. &lt;b&gt;now&lt;/b&gt;`
	if got != want {
		t.Errorf("linkify = %s", got)
	}
	if s := string(linkify(`javascript:alert(1) "http://x.test/?a=<b>"`)); strings.Contains(s, "<b>") || strings.Contains(s, `href="javascript`) {
		t.Errorf("linkify let markup through: %s", s)
	}
}

func TestTimeZoneChoicesAreIANAZones(t *testing.T) {
	if len(timeZones) < 400 {
		t.Fatalf("%d time zones offered", len(timeZones))
	}
	for _, z := range []string{"Africa/Johannesburg", "America/New_York", "UTC", "Asia/Kolkata"} {
		if !slices.Contains(timeZones, z) {
			t.Errorf("%s not offered", z)
		}
	}
	for _, z := range timeZones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("%s: %v", z, err)
		}
	}
}

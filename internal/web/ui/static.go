package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// Brand colours, shared by the CSS, the manifest and the generated icons.
const (
	themeColor      = "#1c2733"
	backgroundColor = "#f4f5f7"
)

// staticFile is one asset held in memory with its content hash.
type staticFile struct {
	body        []byte
	contentType string
	hash        string
}

// staticFiles serves /static/: the embedded files plus PNG icons drawn at
// start-up (home-screen icons must be raster on some phones). A request
// carrying the file's current hash (?v=…, as asset() writes it) may be
// cached for a year; anything else for an hour.
type staticFiles struct {
	files   map[string]*staticFile
	started time.Time
}

func newStaticFiles() (*staticFiles, error) {
	s := &staticFiles{files: map[string]*staticFile{}, started: time.Now()}
	sub, err := fs.Sub(content, "static")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		s.add(p, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, size := range []int{192, 512} {
		b, err := drawIcon(size)
		if err != nil {
			return nil, err
		}
		s.add("icon-"+strconv.Itoa(size)+".png", b)
	}
	return s, nil
}

func (s *staticFiles) add(name string, b []byte) {
	sum := sha256.Sum256(b)
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	if ct == "" {
		ct = http.DetectContentType(b)
	}
	s.files[name] = &staticFile{body: b, contentType: ct, hash: hex.EncodeToString(sum[:])[:12]}
}

// url is the template function asset: the path of a static file with its
// hash, so a new release is never served from a stale cache.
func (s *staticFiles) url(name string) string {
	f, ok := s.files[name]
	if !ok {
		panic("ui: unknown static asset " + name)
	}
	return "/static/" + name + "?v=" + f.hash
}

func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	f, ok := s.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	if r.URL.Query().Get("v") == f.hash {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=3600")
	}
	w.Header().Set("ETag", `"`+f.hash+`"`)
	http.ServeContent(w, r, name, s.started, bytes.NewReader(f.body))
}

// manifest is the web-app manifest that makes the portal installable to a
// phone's home screen.
func (p *Pages) manifest(w http.ResponseWriter, r *http.Request) {
	type icon struct {
		Src     string `json:"src"`
		Sizes   string `json:"sizes"`
		Type    string `json:"type"`
		Purpose string `json:"purpose,omitempty"`
	}
	m := map[string]any{
		"name":             "Switchboard Business Portal",
		"short_name":       "Switchboard",
		"description":      "Administer your company's hosted voice service: sites, employees and groups.",
		"start_url":        "/",
		"scope":            "/",
		"display":          "standalone",
		"theme_color":      themeColor,
		"background_color": backgroundColor,
		"icons": []icon{
			{Src: p.static.url("icon.svg"), Sizes: "any", Type: "image/svg+xml"},
			{Src: p.static.url("icon-192.png"), Sizes: "192x192", Type: "image/png", Purpose: "any maskable"},
			{Src: p.static.url("icon-512.png"), Sizes: "512x512", Type: "image/png", Purpose: "any maskable"},
		},
	}
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_ = json.NewEncoder(w).Encode(m)
}

// drawIcon draws the app icon as a PNG: the SVG icon's design — a grid of
// patch-panel jacks, two of them joined by a cord — on the theme colour,
// full-bleed so it also works as a maskable icon.
func drawIcon(size int) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	bg := color.RGBA{0x1c, 0x27, 0x33, 0xff}
	jack := color.RGBA{0xe8, 0xec, 0xf1, 0xff}
	accent := color.RGBA{0x4c, 0xa3, 0xf0, 0xff}
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			img.Set(x, y, bg)
		}
	}
	s := float64(size)
	// Jacks on a 3x3 grid inside the maskable safe zone (the central 60%).
	pos := []float64{0.32, 0.5, 0.68}
	r := 0.055 * s
	circle := func(cx, cy, rad float64, c color.RGBA) {
		for y := int(cy - rad - 1); y <= int(cy+rad+1); y++ {
			for x := int(cx - rad - 1); x <= int(cx+rad+1); x++ {
				dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
				if dx*dx+dy*dy <= rad*rad {
					img.Set(x, y, c)
				}
			}
		}
	}
	// The cord from the top-left jack to the bottom-right one.
	x0, y0, x1, y1 := pos[0]*s, pos[0]*s, pos[2]*s, pos[2]*s
	steps := size * 2
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		circle(x0+(x1-x0)*t, y0+(y1-y0)*t, 0.022*s, accent)
	}
	for _, cy := range pos {
		for _, cx := range pos {
			c := jack
			if (cx == pos[0] && cy == pos[0]) || (cx == pos[2] && cy == pos[2]) {
				c = accent
			}
			circle(cx*s, cy*s, r, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"sync"

	"gopkg.in/yaml.v3"
)

// The OpenAPI document is written as several YAML files, one per area of the
// API (00-base.yaml holds info, security schemes and the shared responses);
// their paths and components are merged, and a key defined twice is an error.
//
//go:embed openapi/*.yaml
var openAPIFiles embed.FS

var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	names, err := fs.Glob(openAPIFiles, "openapi/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	doc := map[string]any{}
	for _, name := range names {
		raw, err := openAPIFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := yaml.Unmarshal(raw, &part); err != nil {
			return nil, fmt.Errorf("api: %s: %w", name, err)
		}
		if err := mergeDoc(doc, part, name, ""); err != nil {
			return nil, err
		}
	}
	applyLimits(doc)
	return json.MarshalIndent(doc, "", "  ")
})

// mergeDoc merges src into dst: maps merge key by key, anything else may be
// defined once only (tags lists are the exception: they concatenate).
func mergeDoc(dst, src map[string]any, file, path string) error {
	for k, v := range src {
		at := path + "/" + k
		existing, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		dm, dok := existing.(map[string]any)
		sm, sok := v.(map[string]any)
		switch {
		case dok && sok:
			if err := mergeDoc(dm, sm, file, at); err != nil {
				return err
			}
		case at == "/tags":
			dl, _ := existing.([]any)
			sl, _ := v.([]any)
			dst[k] = append(dl, sl...)
		default:
			return fmt.Errorf("api: %s defines %s again", file, at)
		}
	}
	return nil
}

// OpenAPIDocument returns the API description as JSON.
func OpenAPIDocument() ([]byte, error) { return openAPIJSON() }

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := openAPIJSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(doc)
	return err
}

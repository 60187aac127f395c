package api

import (
	"strings"
	"testing"
)

func TestMergeDoc(t *testing.T) {
	dst := map[string]any{"paths": map[string]any{"/a": map[string]any{"get": "x"}}, "tags": []any{"a"}}
	src := map[string]any{"paths": map[string]any{"/b": map[string]any{"get": "y"}}, "tags": []any{"b"}}
	if err := mergeDoc(dst, src, "b.yaml", ""); err != nil {
		t.Fatal(err)
	}
	if len(dst["paths"].(map[string]any)) != 2 || len(dst["tags"].([]any)) != 2 {
		t.Errorf("merged %v", dst)
	}
	dup := map[string]any{"paths": map[string]any{"/a": map[string]any{"get": "z"}}}
	if err := mergeDoc(dst, dup, "c.yaml", ""); err == nil || !strings.Contains(err.Error(), "c.yaml defines /paths//a/get again") {
		t.Errorf("duplicate = %v", err)
	}
}

// Package ui serves Switchboard's server-rendered web pages.
package ui

import (
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/app"
)

// Pages serves the UI.
type Pages struct {
	app *app.App
}

// New parses the templates.
func New(a *app.App) (*Pages, error) { return &Pages{app: a}, nil }

// Register adds the UI routes to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("Switchboard"))
	})
}

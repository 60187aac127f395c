package api

import (
	"mime"
	"net/http"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
)

// The Call Logs views (docs/cdr.md, "Call Logs"): every endpoint reads the
// same search from the query string and hands it to one use case.

func (h *Handler) callLogGraph(w http.ResponseWriter, r *http.Request) error {
	q, err := calls.ParseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	v := r.URL.Query()
	g, err := h.app.Calls.CallLogGraph(r.Context(), actor(r), q, calls.GraphRequest{
		Interval: calls.Interval(v.Get("interval")), Measure: calls.Measure(v.Get("measure")), Compare: v.Get("compare") == "true"})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) callLogList(w http.ResponseWriter, r *http.Request) error {
	q, err := calls.ParseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	limit, err := queryRange(r, "limit", 0, 500)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	p, err := h.app.Calls.CallLogList(r.Context(), actor(r), q, calls.ListRequest{Sort: v.Get("sort"), After: v.Get("after"), Limit: int(limit)})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) callLogTypes(w http.ResponseWriter, r *http.Request) error {
	q, err := calls.ParseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	t, err := h.app.Calls.CallLogTypes(r.Context(), actor(r), q)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) callLogTop(w http.ResponseWriter, r *http.Request) error {
	q, err := calls.ParseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	t, err := h.app.Calls.CallLogTop(r.Context(), actor(r), q, calls.TopCategory(r.URL.Query().Get("category")))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) callLogExport(w http.ResponseWriter, r *http.Request) error {
	q, err := calls.ParseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	v := r.URL.Query()
	view := v.Get("view")
	if view == "" {
		view = "list"
	}
	dw := &DownloadWriter{W: w, ContentType: "text/csv; charset=utf-8", Name: "call-logs-" + view + "-" + time.Now().UTC().Format("20060102-1504") + ".csv"}
	return h.app.Calls.ExportCallLogs(r.Context(), actor(r), q, calls.ExportRequest{View: view, Sort: v.Get("sort"),
		Graph:    calls.GraphRequest{Interval: calls.Interval(v.Get("interval")), Measure: calls.Measure(v.Get("measure")), Compare: v.Get("compare") == "true"},
		Category: calls.TopCategory(v.Get("category"))}, dw)
}

// DownloadWriter sends its download headers with the first byte, so an
// export refused before it writes anything is still answered as an error.
type DownloadWriter struct {
	W           http.ResponseWriter
	ContentType string
	Name        string
	started     bool
}

func (d *DownloadWriter) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		d.W.Header().Set("Content-Type", d.ContentType)
		d.W.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
		d.W.Header().Set("Cache-Control", "no-store")
		d.W.WriteHeader(http.StatusOK)
	}
	return d.W.Write(p)
}

package api

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// maxIngestBody bounds one ingest request; switches send batches far
// smaller, and a bigger file belongs in the watched directory.
const maxIngestBody = 64 << 20

// switchOf authenticates the switch that sends a request by its name and
// token (HTTP Basic), for ingest and for its channel events.
func (h *Handler) switchOf(w http.ResponseWriter, r *http.Request) (calls.Switch, error) {
	name, token, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="switchboard call records"`)
		return calls.Switch{}, derrors.Unauthenticated("send the switch's name and token with HTTP Basic authentication")
	}
	sw, err := h.app.Calls.AuthenticateSwitch(r.Context(), name, token)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="switchboard call records"`)
	}
	return sw, err
}

// ingestCalls is POST /api/v1/calls/ingest: a switch sends a batch of its
// call records, authenticated with its name and token (HTTP Basic). The
// body is the records as the switch writes them; mod_json_cdr's form
// encodings (cdr=<url-encoded JSON> and cdr=<base64 JSON>) are accepted as
// it posts them.
func (h *Handler) ingestCalls(w http.ResponseWriter, r *http.Request) error {
	sw, err := h.switchOf(w, r)
	if err != nil {
		return err
	}
	format := sw.Format
	if q := r.URL.Query().Get("format"); q != "" {
		if format, err = calls.ParseFormat(q); err != nil {
			return derrors.Invalid("format", "%s", err.Error())
		}
	}
	mt := ""
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err = mime.ParseMediaType(ct); err != nil || !ingestTypes[mt] {
			return &malformedError{status: http.StatusUnsupportedMediaType, typ: ProblemUnsupportedType,
				detail: fmt.Sprintf("send call records as text/csv, text/plain, application/json or application/x-www-form-urlencoded, not %q", ct)}
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxIngestBody))
	if errors.As(err, new(*http.MaxBytesError)) {
		return &malformedError{status: http.StatusRequestEntityTooLarge, typ: ProblemMalformed,
			detail: fmt.Sprintf("a batch is limited to %d MiB; send smaller batches or drop the file in the watched directory", maxIngestBody>>20)}
	}
	if err != nil {
		return err
	}
	if mt == "application/x-www-form-urlencoded" {
		if data, err = formCDR(data); err != nil {
			return err
		}
	}
	rep, err := h.app.Calls.Ingest(r.Context(), sw, calls.SourceHTTP, "POST /api/v1/calls/ingest", format, bytes.NewReader(data))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rep)
	return nil
}

// ingestTypes are the body types a switch posts.
var ingestTypes = map[string]bool{"text/csv": true, "text/plain": true, "application/json": true, "application/x-www-form-urlencoded": true}

// formCDR reads mod_json_cdr's form post: the document in the cdr field,
// URL-encoded (encode=true) or base64 (encode=base64).
func formCDR(body []byte) ([]byte, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &malformedError{detail: "the form body cannot be read: " + err.Error()}
	}
	doc := strings.TrimSpace(vals.Get("cdr"))
	if doc == "" {
		return nil, derrors.Invalid("cdr", "a form post carries the record in its cdr field, which is empty")
	}
	if doc[0] == '{' || doc[0] == '[' {
		return []byte(doc), nil
	}
	dec, err := base64.StdEncoding.DecodeString(doc)
	if err != nil {
		return nil, derrors.Invalid("cdr", "the cdr field is neither JSON nor base64")
	}
	return dec, nil
}

// SwitchCreated is a new switch with its token, shown this once.
type SwitchCreated struct {
	Switch calls.Switch `json:"switch"`
	Token  string       `json:"token"`
}

func (h *Handler) createSwitch(w http.ResponseWriter, r *http.Request) error {
	var req calls.SwitchCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	sw, token, err := h.app.Calls.CreateSwitch(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/switches/%d", sw.ID))
	WriteJSON(w, http.StatusCreated, SwitchCreated{Switch: sw, Token: token})
	return nil
}

func (h *Handler) listSwitches(w http.ResponseWriter, r *http.Request) error {
	sws, err := h.app.Calls.Switches(r.Context(), actor(r))
	if err != nil {
		return err
	}
	if sws == nil {
		sws = []calls.Switch{}
	}
	WriteJSON(w, http.StatusOK, list(sws, len(sws), pageOf(len(sws))))
	return nil
}

// listSwitchBatches is a switch's ingest status: its batches, newest first.
func (h *Handler) listSwitchBatches(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	bs, total, err := h.app.Calls.Batches(r.Context(), actor(r), id, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(bs, total, p))
	return nil
}

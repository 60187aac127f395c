package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// Problem is an RFC 9457 problem document. Type is stable; Detail is for people.
type Problem struct {
	Type   string               `json:"type"`
	Title  string               `json:"title"`
	Status int                  `json:"status"`
	Detail string               `json:"detail"`
	Errors []derrors.FieldError `json:"errors,omitempty"`
}

// Problem types. Each is documented in the OpenAPI document.
const (
	ProblemMalformed        = "urn:switchboard:problem:malformed-request"
	ProblemValidation       = "urn:switchboard:problem:validation"
	ProblemNotFound         = "urn:switchboard:problem:not-found"
	ProblemForbidden        = "urn:switchboard:problem:forbidden"
	ProblemConflict         = "urn:switchboard:problem:conflict"
	ProblemUnauthenticated  = "urn:switchboard:problem:unauthenticated"
	ProblemLocked           = "urn:switchboard:problem:locked"
	ProblemInternal         = "urn:switchboard:problem:internal"
	ProblemUnsupportedType  = "urn:switchboard:problem:unsupported-media-type"
	ProblemCSRF             = "urn:switchboard:problem:csrf"
	ProblemMethodNotAllowed = "urn:switchboard:problem:method-not-allowed"
	ProblemPasswordChange   = "urn:switchboard:problem:password-change-required"
	ProblemTooManyRequests  = "urn:switchboard:problem:too-many-requests"
	ProblemClientClosed     = "urn:switchboard:problem:client-closed"
)

// malformedError is a request that could not be read at all.
type malformedError struct {
	detail string
	fields []derrors.FieldError
	status int
	typ    string
}

func (e *malformedError) Error() string { return e.detail }

// ProblemFor maps an error to the problem the client sees, through the one
// classifier both the API and the pages use (derrors.Classify). Internal
// errors are logged whole and answered without their text.
func ProblemFor(err error, logger *slog.Logger, r *http.Request) Problem {
	var mal *malformedError
	if errors.As(err, &mal) {
		st, typ := mal.status, mal.typ
		if st == 0 {
			st, typ = http.StatusBadRequest, ProblemMalformed
		}
		return Problem{Type: typ, Title: http.StatusText(st), Status: st, Detail: mal.detail, Errors: mal.fields}
	}
	c := derrors.Classify(err)
	switch c.Kind {
	case derrors.KindInvalid:
		return Problem{Type: ProblemValidation, Title: "Validation failed", Status: c.Status, Detail: c.Message, Errors: c.Fields}
	case derrors.KindConflict:
		return Problem{Type: ProblemConflict, Title: "Conflict", Status: c.Status, Detail: c.Message, Errors: c.Fields}
	case derrors.KindForbidden:
		detail := c.Message
		if detail == "" {
			detail = "you do not have permission to do this"
		}
		return Problem{Type: ProblemForbidden, Title: "Forbidden", Status: c.Status, Detail: detail}
	case derrors.KindNotFound:
		return Problem{Type: ProblemNotFound, Title: "Not Found", Status: c.Status,
			Detail: "no such object, or you do not have permission to view it"}
	case derrors.KindLocked:
		return Problem{Type: ProblemLocked, Title: "Locked", Status: c.Status, Detail: c.Message}
	case derrors.KindUnauthenticated:
		detail := c.Message
		if detail == "" {
			detail = "log in first: send the session cookie or an Authorization: Bearer token"
		}
		return Problem{Type: ProblemUnauthenticated, Title: "Unauthorized", Status: c.Status, Detail: detail}
	}
	if status, ok := clientGone(r, err); ok {
		logger.InfoContext(r.Context(), "client closed the request", "method", r.Method, "path", r.URL.Path, "err", err)
		return Problem{Type: ProblemClientClosed, Title: "Client Closed Request", Status: status,
			Detail: "the client closed the connection before the answer was ready"}
	}
	logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return Problem{Type: ProblemInternal, Title: "Internal Server Error", Status: http.StatusInternalServerError,
		Detail: "something went wrong on our side; the error has been logged"}
}

// clientGone reports whether a fault happened because the client
// disconnected: its request's context is cancelled. The drivers word the
// interruption differently (pgx wraps context.Canceled, SQLite reports an
// interrupt), so the request's own context decides, not err's text.
func clientGone(r *http.Request, err error) (int, bool) {
	if errors.Is(r.Context().Err(), context.Canceled) || (errors.Is(err, context.Canceled) && r.Context().Err() != nil) {
		return request.StatusClientClosed, true
	}
	return 0, false
}

// WriteProblem writes p as application/problem+json.
func WriteProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	encode(w, p)
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	encode(w, v)
}

// encode writes v as JSON without HTML-escaping '<', '>' and '&': responses
// are application/json with nosniff, and messages read better unescaped.
func encode(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

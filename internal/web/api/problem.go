package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
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
)

// malformedError is a request that could not be read at all.
type malformedError struct {
	detail string
	fields []derrors.FieldError
	status int
	typ    string
}

func (e *malformedError) Error() string { return e.detail }

// ProblemFor maps an error to the problem the client sees. Internal errors
// are logged and answered without their text.
func ProblemFor(err error, logger *slog.Logger, r *http.Request) Problem {
	var mal *malformedError
	var val *derrors.ValidationError
	var con *derrors.ConflictError
	var forb *derrors.ForbiddenError
	var unauth *derrors.UnauthenticatedError
	var locked *identity.LockedError
	switch {
	case errors.As(err, &mal):
		st, typ := mal.status, mal.typ
		if st == 0 {
			st, typ = http.StatusBadRequest, ProblemMalformed
		}
		return Problem{Type: typ, Title: http.StatusText(st), Status: st, Detail: mal.detail, Errors: mal.fields}
	case errors.As(err, &val):
		return Problem{Type: ProblemValidation, Title: "Validation failed", Status: http.StatusUnprocessableEntity,
			Detail: val.Error(), Errors: val.Fields}
	case errors.As(err, &con):
		p := Problem{Type: ProblemConflict, Title: "Conflict", Status: http.StatusConflict, Detail: con.Message}
		if con.Field != "" {
			p.Errors = []derrors.FieldError{{Field: con.Field, Message: con.Message}}
		}
		return p
	case errors.As(err, &forb):
		return Problem{Type: ProblemForbidden, Title: "Forbidden", Status: http.StatusForbidden, Detail: forb.Reason}
	case errors.Is(err, derrors.ErrNotFound):
		return Problem{Type: ProblemNotFound, Title: "Not Found", Status: http.StatusNotFound,
			Detail: "no such object, or you do not have permission to view it"}
	case errors.Is(err, derrors.ErrForbidden):
		return Problem{Type: ProblemForbidden, Title: "Forbidden", Status: http.StatusForbidden, Detail: "you do not have permission to do this"}
	case errors.As(err, &locked):
		return Problem{Type: ProblemLocked, Title: "Locked", Status: http.StatusLocked, Detail: locked.Error()}
	case errors.As(err, &unauth):
		return Problem{Type: ProblemUnauthenticated, Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: unauth.Reason}
	case errors.Is(err, derrors.ErrUnauthenticated):
		return Problem{Type: ProblemUnauthenticated, Title: "Unauthorized", Status: http.StatusUnauthorized,
			Detail: "log in first: send the session cookie or an Authorization: Bearer token"}
	case errors.Is(err, derrors.ErrInvalid):
		return Problem{Type: ProblemValidation, Title: "Validation failed", Status: http.StatusUnprocessableEntity, Detail: err.Error()}
	}
	logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return Problem{Type: ProblemInternal, Title: "Internal Server Error", Status: http.StatusInternalServerError,
		Detail: "something went wrong on our side; the error has been logged"}
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

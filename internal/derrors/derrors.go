// Package derrors holds the sentinel errors shared by every domain package and
// the validation error type whose field messages reach the user unchanged.
//
// Domain packages wrap these sentinels with context (fmt.Errorf("...: %w",
// derrors.ErrNotFound)); the HTTP layer maps them to status codes in one place.
package derrors

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrNotFound means the object does not exist or the actor may not know it
	// exists. The two cases are deliberately indistinguishable.
	ErrNotFound = errors.New("not found")
	// ErrForbidden means the actor can see the object but may not do this to it.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict means the request clashes with existing state (a duplicate name).
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the request itself is wrong.
	ErrInvalid = errors.New("invalid")
	// ErrUnauthenticated means no valid credentials came with the request.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrLocked means the account is locked.
	ErrLocked = errors.New("locked")
)

// Wrap adds context to *errp when it is not nil, keeping the chain for errors.Is.
// It is used as: defer derrors.Wrap(&err, "directory: create group %q", name).
func Wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// FieldError is one rule a request broke, named after the JSON field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every rule a request broke. It unwraps to ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		if f.Field == "" {
			parts[i] = f.Message
		} else {
			parts[i] = f.Field + ": " + f.Message
		}
	}
	return strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Add records a broken rule.
func (e *ValidationError) Add(field, format string, args ...any) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns e when it holds at least one field error, nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid returns a validation error for one field.
func Invalid(field, format string, args ...any) error {
	v := &ValidationError{}
	v.Add(field, format, args...)
	return v
}

// Conflict returns an error that unwraps to ErrConflict and whose message is
// meant for the user.
func Conflict(field, format string, args ...any) error {
	return &ConflictError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ConflictError is a user-facing conflict on one field.
type ConflictError struct {
	Field   string
	Message string
}

func (e *ConflictError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Forbidden returns an error that unwraps to ErrForbidden with a reason the
// user can act on ("the company does not allow adding employees").
func Forbidden(format string, args ...any) error {
	return &ForbiddenError{Reason: fmt.Sprintf(format, args...)}
}

// ForbiddenError carries the reason an action is refused.
type ForbiddenError struct{ Reason string }

func (e *ForbiddenError) Error() string { return e.Reason }

// Unwrap makes errors.Is(err, ErrForbidden) true.
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

// IsNotFound reports whether err is (or wraps) ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Unauthenticated returns an error that unwraps to ErrUnauthenticated and
// whose message tells the caller how to authenticate.
func Unauthenticated(format string, args ...any) error {
	return &UnauthenticatedError{Reason: fmt.Sprintf(format, args...)}
}

// UnauthenticatedError carries why credentials were refused.
type UnauthenticatedError struct{ Reason string }

func (e *UnauthenticatedError) Error() string { return e.Reason }

// Unwrap makes errors.Is(err, ErrUnauthenticated) true.
func (e *UnauthenticatedError) Unwrap() error { return ErrUnauthenticated }

// Kind is what an error means to the person who made the request; both the
// JSON API and the HTML pages answer from it (docs/architecture.md, "The
// use-case layer").
type Kind int

const (
	// KindInternal is every fault the caller cannot fix: a database that is
	// down, a bug. It is logged whole and shown as a generic sentence.
	KindInternal Kind = iota
	KindInvalid
	KindConflict
	KindForbidden
	KindNotFound
	KindUnauthenticated
	KindLocked
)

// Class is the classification of one error.
type Class struct {
	Kind Kind
	// Status is the HTTP status both adapters answer with.
	Status int
	// Message is safe to show; empty for KindInternal (the adapter shows its
	// generic sentence) and for the kinds whose text the adapter words itself.
	Message string
	// Fields are the field-level messages of a validation or conflict error.
	Fields []FieldError
}

// Classify decides what err means to the caller. Only errors built by this
// package (or wrapping its sentinels) reach the user with their text;
// anything else — a driver error, a closed database, a context deadline — is
// KindInternal, so a fault is never dressed up as a field error.
func Classify(err error) Class {
	var val *ValidationError
	var con *ConflictError
	var forb *ForbiddenError
	var unauth *UnauthenticatedError
	switch {
	case err == nil:
		return Class{Kind: KindInternal, Status: 500}
	case errors.As(err, &val):
		return Class{Kind: KindInvalid, Status: 422, Message: val.Error(), Fields: val.Fields}
	case errors.As(err, &con):
		c := Class{Kind: KindConflict, Status: 409, Message: con.Message}
		if con.Field != "" {
			c.Fields = []FieldError{{Field: con.Field, Message: con.Message}}
		}
		return c
	case errors.As(err, &forb):
		return Class{Kind: KindForbidden, Status: 403, Message: forb.Reason}
	case errors.Is(err, ErrNotFound):
		return Class{Kind: KindNotFound, Status: 404}
	case errors.Is(err, ErrForbidden):
		return Class{Kind: KindForbidden, Status: 403}
	case errors.Is(err, ErrLocked):
		return Class{Kind: KindLocked, Status: 423, Message: innermost(err, ErrLocked).Error()}
	case errors.As(err, &unauth):
		return Class{Kind: KindUnauthenticated, Status: 401, Message: unauth.Reason}
	case errors.Is(err, ErrUnauthenticated):
		return Class{Kind: KindUnauthenticated, Status: 401}
	case errors.Is(err, ErrConflict):
		return Class{Kind: KindConflict, Status: 409, Message: err.Error()}
	case errors.Is(err, ErrInvalid):
		return Class{Kind: KindInvalid, Status: 422, Message: err.Error()}
	}
	return Class{Kind: KindInternal, Status: 500}
}

// innermost is the error of err's chain closest to target that still wraps
// it: the one that carries the user's message, without the context the
// layers above added for the log.
func innermost(err, target error) error {
	found := err
	for e := err; e != nil && e != target; e = errors.Unwrap(e) {
		if errors.Is(e, target) {
			found = e
		}
	}
	return found
}

package apptest

import (
	"errors"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// Refusal classifies a refused action's error as a caller sees it:
// "not found", "forbidden: <reason>", or "" when err is nil or something
// else (a fault, a validation error). Authorization tests compare the
// refusal of an object an outsider may not see with the refusal of one
// that does not exist: they must be identical (docs/security.md).
func Refusal(err error) string {
	var fe *derrors.ForbiddenError
	switch {
	case err == nil:
		return ""
	case derrors.IsNotFound(err):
		return "not found"
	case errors.As(err, &fe):
		return "forbidden: " + fe.Reason
	}
	return ""
}

// MissingID is an id no fixture object has.
const MissingID int64 = 987654

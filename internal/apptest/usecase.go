package apptest

import (
	"errors"
	"slices"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// Everyone is every actor of the fixture and the cast (AddCast), insiders
// first, then Outsiders.
var Everyone = append([]string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2",
	"sales.admin", "west.one"}, Outsiders...)

// Try says what a use-case test asks of UseCase.Run.
type Try int

const (
	// Refused: run on the shared fixture object, by an actor that must be
	// refused (nothing may change).
	Refused Try = iota
	// Missing: the same, on an object that does not exist (MissingID).
	Missing
	// Allowed: run by an actor that may, on an object of its own that Run
	// prepares (a fresh one when the action uses it up, as a delete does).
	Allowed
)

// UseCase is one domain action tried, without HTTP, by every actor of
// Everyone (docs/security.md): Allowed succeed; every other actor is
// refused — with derrors.ErrNotFound exactly as for a missing object when
// it may not see the object, or a ForbiddenError with a reason when it may
// — and their refusals change no row, audit included.
type UseCase struct {
	Name    string
	Allowed []string
	// Run does the action as actor; n is a number unique to the call, for
	// names that must not clash.
	Run func(t *testing.T, actor access.Actor, try Try, n int) error
}

// CheckUseCases runs each case as described on UseCase.
func (e *Env) CheckUseCases(t *testing.T, cases []UseCase) {
	t.Helper()
	n := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			before := storetest.Counts(t, e.App.DB)
			for _, who := range Everyone {
				if slices.Contains(c.Allowed, who) {
					continue
				}
				n++
				err := c.Run(t, e.Actor(who), Refused, n)
				n++
				missing := c.Run(t, e.Actor(who), Missing, n)
				got, want := Refusal(err), Refusal(missing)
				var fe *derrors.ForbiddenError
				switch {
				case got == "":
					t.Errorf("%s: %v, want refused", who, err)
				case got == "not found" && want != "not found":
					t.Errorf("%s: not found, but a missing object answers %v: the refusal tells the object exists", who, missing)
				case got != "not found" && slices.Contains(Outsiders, who) && got != want:
					t.Errorf("%s (outsider): %v; a missing object answers %v: the refusals must be the same", who, err, missing)
				case got != "not found" && (!errors.As(err, &fe) || fe.Reason == ""):
					t.Errorf("%s: %v, want a forbidden error with a reason", who, err)
				}
			}
			storetest.SameCounts(t, before, storetest.Counts(t, e.App.DB))
			for _, who := range c.Allowed {
				n++
				if err := c.Run(t, e.Actor(who), Allowed, n); err != nil {
					t.Errorf("%s: %v, want success", who, err)
				}
			}
		})
	}
}

package numbering_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestNumberRule(t *testing.T) {
	cases := []struct {
		input, e164 string
		forms       []string
	}{
		{"0113 299 1002", "+441132991002", []string{"01132991002", "441132991002"}},
		{"+44 (0)113 299 1002 ext. 12", "+441132991002", []string{"4401132991002" + "12", "441132991002", "01132991002"}},
		// Possible, though not valid: drama and retired ranges are read.
		{"01632 960123", "+441632960123", []string{"01632960123", "441632960123"}},
		{"07700 900123", "+447700900123", []string{"07700900123", "447700900123"}},
		{"0500 123456", "+44500123456", []string{"0500123456", "44500123456"}},
		// Extensions and short codes get no invented E.164.
		{"2001", "", []string{"2001"}},
		{"18000", "", []string{"18000"}},
		{"1571", "", []string{"1571"}},
		{"999", "", []string{"999"}},
		{"118118", "", []string{"118118"}},
		{"*21#", "", []string{"21"}},
		{"", "", nil},
	}
	for _, c := range cases {
		r := numbering.Read(c.input, "GB")
		if r.E164 != c.e164 {
			t.Errorf("Read(%q).E164 = %q, want %q", c.input, r.E164, c.e164)
		}
		for _, f := range c.forms {
			if !slices.Contains(r.Forms, f) {
				t.Errorf("Read(%q).Forms = %v, lacks %q", c.input, r.Forms, f)
			}
		}
		if c.e164 == "" && len(r.Forms) > 1 {
			t.Errorf("Read(%q).Forms = %v, want only the typed digits", c.input, r.Forms)
		}
	}
}

// TestLookupReadsByTheNumberRule: the operator's number search accepts what
// contacts accept (an answer of "in no range", not a refusal), and refuses
// an extension with a reason.
func TestLookupReadsByTheNumberRule(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		for _, in := range []string{"01632 960123", "07700 900123", "0500 123456"} {
			if _, err := f.svc.Lookup(ctx, f.provider.ID, in); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("Lookup(%q) = %v, want not found (a number in no range)", in, err)
			}
		}
		if _, err := f.svc.Lookup(ctx, f.provider.ID, "2001"); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("Lookup(2001) = %v, want a refusal naming why", err)
		}
	})
}

func TestIsEmergency(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{{"999", true}, {"112", true}, {"0113 496 0000", false}, {"2001", false}, {"101", false}} {
		if got := numbering.IsEmergency(c.in, "GB"); got != c.want {
			t.Errorf("IsEmergency(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

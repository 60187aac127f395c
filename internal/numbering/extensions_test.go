package numbering_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestExtensionPolicyValidation(t *testing.T) {
	cases := []struct {
		name   string
		policy numbering.ExtensionPolicy
		field  string
	}{
		{"last digits", numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeLastDigits}, ""},
		{"range", numbering.ExtensionPolicy{Length: 3, Mode: numbering.ModeRange, RangeFrom: "200", RangeTo: "299"}, ""},
		{"too short", numbering.ExtensionPolicy{Length: 2, Mode: numbering.ModeLastDigits}, "length"},
		{"too long", numbering.ExtensionPolicy{Length: 7, Mode: numbering.ModeLastDigits}, "length"},
		{"no mode", numbering.ExtensionPolicy{Length: 4}, "mode"},
		{"range without bounds", numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeRange}, "range_from"},
		{"range of the wrong length", numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeRange, RangeFrom: "200", RangeTo: "2999"}, "range_from"},
		{"range reversed", numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeRange, RangeFrom: "2999", RangeTo: "2000"}, "range_to"},
		{"range not digits", numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeRange, RangeFrom: "2a00", RangeTo: "2999"}, "range_from"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.policy
			err := p.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, derrors.ErrInvalid) || fieldOf(err) != c.field {
				t.Errorf("Validate = %v (field %q), want invalid %q", err, fieldOf(err), c.field)
			}
		})
	}
}

func TestDefaultExtension(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		p, err := f.svc.ExtensionPolicy(ctx, f.acme.ID, f.leeds.ID)
		if err != nil || !p.Default || p.Length != 4 || p.Mode != numbering.ModeLastDigits {
			t.Fatalf("default policy = %+v, %v", p, err)
		}
		set := func(p numbering.ExtensionPolicy) {
			t.Helper()
			if _, err := f.svc.SetExtensionPolicy(ctx, f.acme.ID, f.leeds.ID, p); err != nil {
				t.Fatalf("SetExtensionPolicy(%+v): %v", p, err)
			}
		}
		reserve := func(ext string, owner int64) {
			t.Helper()
			if _, err := f.svc.ReserveExtension(ctx, f.acme.ID, 0, ext, f.user(owner)); err != nil {
				t.Fatalf("ReserveExtension(%s): %v", ext, err)
			}
		}

		// Last N digits, from any form of the number.
		for _, c := range []struct {
			length int
			number string
			want   string
		}{
			{4, "0113 496 0123", "0123"},
			{4, "+441134960123", "0123"},
			{3, "+441134960123", "123"},
			{6, "0113 496 0123", "960123"},
		} {
			set(numbering.ExtensionPolicy{Length: c.length, Mode: numbering.ModeLastDigits})
			got, err := f.svc.DefaultExtension(ctx, f.acme.ID, f.leeds.ID, c.number)
			if err != nil || got != c.want {
				t.Errorf("last %d of %s = %q, %v; want %q", c.length, c.number, got, err, c.want)
			}
		}
		if e := f.lastEvent(t); e.Event != "Set Extension Policy" || e.SiteID != f.leeds.ID {
			t.Errorf("audit = %+v", e)
		}
		// Last digits that are taken or refused say why.
		set(numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeLastDigits})
		reserve("0124", f.wendy)
		_, err = f.svc.DefaultExtension(ctx, f.acme.ID, f.leeds.ID, "0113 496 0124")
		expectErr(t, "last digits taken", err, derrors.ErrConflict, "already used by Wendy West")
		_, err = f.svc.DefaultExtension(ctx, f.acme.ID, f.leeds.ID, "0161 496 1571")
		expectErr(t, "last digits refused", err, derrors.ErrInvalid, "1571 is reserved")
		_, err = f.svc.DefaultExtension(ctx, f.acme.ID, f.leeds.ID, "")
		expectErr(t, "no number", err, derrors.ErrInvalid, "choose a telephone number")

		// Next free in a range, skipping held and refused extensions.
		set(numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeRange, RangeFrom: "1569", RangeTo: "1575"})
		reserve("1569", f.wendy)
		reserve("1570", f.lola)
		got, err := f.svc.DefaultExtension(ctx, f.acme.ID, f.leeds.ID, "")
		if err != nil || got != "1572" {
			t.Errorf("next free in 1569-1575 = %q, %v; want 1572 (1571 refused)", got, err)
		}
		set(numbering.ExtensionPolicy{Length: 6, Mode: numbering.ModeRange, RangeFrom: "115998", RangeTo: "116999"})
		reserve("115998", f.wendy)
		reserve("115999", f.lola)
		_, err = f.svc.DefaultExtension(ctx, f.acme.ID, f.leeds.ID, "")
		expectErr(t, "range exhausted by 116xxx", err, derrors.ErrConflict, "every extension from 115998 to 116999 is taken")
		set(numbering.ExtensionPolicy{Length: 3, Mode: numbering.ModeRange, RangeFrom: "100", RangeTo: "199"})
		got, err = f.svc.DefaultExtension(ctx, f.acme.ID, f.leeds.ID, "")
		if err != nil || got != "100" {
			t.Errorf("next free in 100-199 = %q, %v", got, err)
		}

		// Tenancy and validation of SetExtensionPolicy.
		if _, err := f.svc.SetExtensionPolicy(ctx, f.globex.ID, f.leeds.ID, numbering.DefaultPolicy); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Globex setting Leeds' policy: %v", err)
		}
		if _, err := f.svc.SetExtensionPolicy(ctx, f.acme.ID, f.leeds.ID, numbering.ExtensionPolicy{Length: 9}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("bad policy: %v", err)
		}
		// The site's length applies to typed extensions.
		err = f.svc.ValidateExtension(ctx, f.acme.ID, f.leeds.ID, "2001", numbering.Owner{})
		expectErr(t, "site length", err, derrors.ErrInvalid, "have 3 digits")
	})
}

func TestRefusedExtensions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		cases := []struct {
			ext    string
			reason string // "" means allowed
		}{
			{"101", "extension 101 is reserved: it is the police non-emergency number"},
			{"105", "extension 105 is reserved: it is the national power networks helpline"},
			{"111", "extension 111 is reserved: it is the NHS non-emergency number"},
			{"195", "extension 195 is reserved: it is directory enquiries for blind and disabled people"},
			{"141", "extension 141 is reserved: dialling 141 withholds your number"},
			{"1571", "extension 1571 is reserved: it is the voicemail access number"},
			{"18000", "extension 18000 is reserved: it is the access code for international key services"},
			{"116000", "extension 116000 is reserved: 116xxx numbers are services of social value"},
			{"116123", "116xxx numbers are services of social value"},
			{"116999", "116xxx numbers are services of social value"},
			{"102", ""},
			{"1011", ""},
			{"1572", ""},
			{"1161", ""},  // 116 + one digit is not 116xxx
			{"11612", ""}, // nor 116 + two
			{"18001", ""},
		}
		for _, c := range cases {
			t.Run(c.ext, func(t *testing.T) {
				err := f.svc.ValidateExtension(ctx, f.acme.ID, 0, c.ext, numbering.Owner{})
				if c.reason == "" {
					if err != nil {
						t.Errorf("ValidateExtension(%s) = %v, want allowed", c.ext, err)
					}
					return
				}
				expectErr(t, c.ext, err, derrors.ErrInvalid, c.reason)
				if _, err := f.svc.ReserveExtension(ctx, f.acme.ID, 0, c.ext, f.user(f.wendy)); !errors.Is(err, derrors.ErrInvalid) {
					t.Errorf("ReserveExtension(%s) = %v, want refused", c.ext, err)
				}
			})
		}
		for _, c := range []struct{ ext, msg string }{
			{"", "enter an extension"},
			{"12a4", "digits only"},
			{"12", "3 to 6 digits"},
			{"1234567", "3 to 6 digits"},
		} {
			err := f.svc.ValidateExtension(ctx, f.acme.ID, 0, c.ext, numbering.Owner{})
			expectErr(t, c.ext, err, derrors.ErrInvalid, c.msg)
		}
		list, err := f.svc.RefusedExtensions(ctx, f.provider.ID)
		if err != nil || len(list) != 8 {
			t.Fatalf("RefusedExtensions = %d, %v; want the migration's 8", len(list), err)
		}
		labels := map[string]bool{}
		for _, r := range list {
			labels[r.Label()] = true
		}
		if !labels["116xxx"] || !labels["1571"] {
			t.Errorf("labels = %v", labels)
		}
		// The list is data: a provider can add a code and remove it.
		added, err := f.svc.AddRefusedExtension(ctx, f.provider.ID, numbering.RefusedExtension{Code: " 999 ", Reason: " it is the emergency number ", Length: 4})
		if err != nil {
			t.Fatal(err)
		}
		if added != (numbering.RefusedExtension{Code: "999", Reason: "it is the emergency number"}) {
			t.Errorf("added = %+v, want trimmed and without a length", added)
		}
		if e := f.lastEvent(t); e.Event != "Add Refused Extension" || e.ObjectName != "999" || !strings.Contains(string(e.After), "emergency") {
			t.Errorf("audit = %+v", e)
		}
		expectErr(t, "999", f.svc.ValidateExtension(ctx, f.acme.ID, 0, "999", numbering.Owner{}), derrors.ErrInvalid, "emergency")
		prefix, err := f.svc.AddRefusedExtension(ctx, f.provider.ID, numbering.RefusedExtension{Code: "87", Prefix: true, Length: 4, Reason: "the 87xx block is the carrier's"})
		if err != nil || prefix.Label() != "87xx" {
			t.Fatalf("prefix = %+v, %v", prefix, err)
		}
		expectErr(t, "8712", f.svc.ValidateExtension(ctx, f.acme.ID, 0, "8712", numbering.Owner{}), derrors.ErrInvalid, "carrier")
		if err := f.svc.ValidateExtension(ctx, f.acme.ID, 0, "87123", numbering.Owner{}); err != nil {
			t.Errorf("87123 (five digits) refused by 87xx: %v", err)
		}
		before := f.auditTotal(t)
		for _, c := range []struct {
			name  string
			r     numbering.RefusedExtension
			kind  error
			field string
		}{
			{"letters", numbering.RefusedExtension{Code: "9x9", Reason: "r"}, derrors.ErrInvalid, "code"},
			{"empty", numbering.RefusedExtension{Reason: "r"}, derrors.ErrInvalid, "code"},
			{"too short to be an extension", numbering.RefusedExtension{Code: "12", Reason: "r"}, derrors.ErrInvalid, "make it a prefix"},
			{"too long to be an extension", numbering.RefusedExtension{Code: "1234567", Reason: "r"}, derrors.ErrInvalid, "could never be one"},
			{"prefix as long as an extension", numbering.RefusedExtension{Code: "123456", Prefix: true, Reason: "r"}, derrors.ErrInvalid, "exactly instead"},
			{"prefix length not longer", numbering.RefusedExtension{Code: "123", Prefix: true, Length: 3, Reason: "r"}, derrors.ErrInvalid, "length"},
			{"prefix length too long", numbering.RefusedExtension{Code: "12", Prefix: true, Length: 7, Reason: "r"}, derrors.ErrInvalid, "length"},
			{"no reason", numbering.RefusedExtension{Code: "998", Reason: "  "}, derrors.ErrInvalid, "reason"},
			{"reason too long", numbering.RefusedExtension{Code: "998", Reason: strings.Repeat("x", numbering.MaxRefusedReason+1)}, derrors.ErrInvalid, "at most"},
			{"already refused", numbering.RefusedExtension{Code: "101", Reason: "again"}, derrors.ErrConflict, "101 is already refused"},
			{"already refused as a prefix", numbering.RefusedExtension{Code: "116", Reason: "again"}, derrors.ErrConflict, "116xxx is already refused"},
		} {
			_, err := f.svc.AddRefusedExtension(ctx, f.provider.ID, c.r)
			expectErr(t, c.name, err, c.kind, c.field)
		}
		if f.auditTotal(t) != before {
			t.Errorf("refused additions were audited")
		}
		if list, _ := f.svc.RefusedExtensions(ctx, f.provider.ID); len(list) != 10 {
			t.Errorf("after two additions: %d codes, want 10", len(list))
		}
		if err := f.svc.RemoveRefusedExtension(ctx, f.provider.ID, "999"); err != nil {
			t.Fatal(err)
		}
		if e := f.lastEvent(t); e.Event != "Remove Refused Extension" || !strings.Contains(string(e.Before), "emergency") || len(e.After) != 0 && string(e.After) != "null" {
			t.Errorf("audit of removal = %+v (before %s)", e, e.Before)
		}
		if err := f.svc.ValidateExtension(ctx, f.acme.ID, 0, "999", numbering.Owner{}); err != nil {
			t.Errorf("after removal: %v", err)
		}
		if err := f.svc.RemoveRefusedExtension(ctx, f.provider.ID, "999"); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("remove twice: %v", err)
		}
	})
}

func TestExtensionUniqueness(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		e, err := f.svc.ReserveExtension(ctx, f.acme.ID, f.leeds.ID, "2001", f.user(f.wendy))
		if err != nil {
			t.Fatal(err)
		}
		if e.Owner.Name != "Wendy West" || e.SiteID != f.leeds.ID {
			t.Errorf("reserved = %+v", e)
		}
		if ev := f.lastEvent(t); ev.Event != "Reserve Extension" || ev.ObjectName != "2001" {
			t.Errorf("audit = %+v", ev)
		}
		before := f.auditTotal(t)
		// Taken within the company, whichever site asks.
		_, err = f.svc.ReserveExtension(ctx, f.acme.ID, f.london.ID, "2001", f.user(f.lola))
		expectErr(t, "same company", err, derrors.ErrConflict, "extension 2001 is already used by Wendy West")
		err = f.svc.ValidateExtension(ctx, f.acme.ID, 0, "2001", numbering.Owner{Kind: numbering.OwnerEGF, ID: 1, Name: "AA"})
		expectErr(t, "validate for another owner", err, derrors.ErrConflict, "Wendy West")
		// The holder may keep it.
		if err := f.svc.ValidateExtension(ctx, f.acme.ID, f.leeds.ID, "2001", f.user(f.wendy)); err != nil {
			t.Errorf("holder revalidating: %v", err)
		}
		if again, err := f.svc.ReserveExtension(ctx, f.acme.ID, f.leeds.ID, "2001", f.user(f.wendy)); err != nil || again.ID != e.ID {
			t.Errorf("holder reserving again = %+v, %v", again, err)
		}
		if f.auditTotal(t) != before {
			t.Error("refused or repeated reservations were audited")
		}
		// Another company may use the same extension.
		if _, err := f.svc.ReserveExtension(ctx, f.globex.ID, f.reading.ID, "2001", f.user(f.gina)); err != nil {
			t.Errorf("other company: %v", err)
		}
		// An owner of another company is refused.
		_, err = f.svc.ReserveExtension(ctx, f.acme.ID, 0, "2002", f.user(f.gina))
		expectErr(t, "owner of another company", err, derrors.ErrInvalid)
		holder, err := f.svc.ExtensionHolder(ctx, f.acme.ID, "2001")
		if err != nil || holder.Owner.ID != f.wendy {
			t.Errorf("holder = %+v, %v", holder, err)
		}
		if list, err := f.svc.OwnerExtensions(ctx, f.acme.ID, f.user(f.wendy)); err != nil || len(list) != 1 {
			t.Errorf("OwnerExtensions = %v, %v", list, err)
		}
		// Released, it is free for somebody else.
		if err := f.svc.ReleaseExtension(ctx, f.globex.ID, "2001"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ReleaseExtension(ctx, f.acme.ID, "2001"); err != nil {
			t.Fatal(err)
		}
		if ev := f.lastEvent(t); ev.Event != "Release Extension" || ev.CompanyID != f.acme.ID {
			t.Errorf("audit = %+v", ev)
		}
		if err := f.svc.ReleaseExtension(ctx, f.acme.ID, "2001"); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("release twice: %v", err)
		}
		if _, err := f.svc.ReserveExtension(ctx, f.acme.ID, f.london.ID, "2001", f.user(f.lola)); err != nil {
			t.Errorf("after release: %v", err)
		}
	})
}

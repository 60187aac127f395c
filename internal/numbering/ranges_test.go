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

func TestAddRangeParsing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		cases := []struct {
			name       string
			start, end string
			wantStart  string
			wantEnd    string
			wantSize   int
			wantErr    error
			wantField  string
			wantInText string
		}{
			{name: "E.164", start: "+441134960000", end: "+441134960099",
				wantStart: "+441134960000", wantEnd: "+441134960099", wantSize: 100},
			{name: "national with spaces", start: "0113 496 0200", end: "0113 496 0299",
				wantStart: "+441134960200", wantEnd: "+441134960299", wantSize: 100},
			{name: "mixed forms", start: "+44 113 496 0300", end: "0113-496-0300",
				wantStart: "+441134960300", wantEnd: "+441134960300", wantSize: 1},
			{name: "international 00 prefix", start: "0044 113 496 0400", end: "01134960409",
				wantStart: "+441134960400", wantEnd: "+441134960409", wantSize: 10},
			{name: "reversed", start: "0113 496 0599", end: "0113 496 0500",
				wantErr: derrors.ErrInvalid, wantField: "end", wantInText: "reversed"},
			{name: "different area codes", start: "0113 496 0000", end: "0114 496 0999",
				wantErr: derrors.ErrInvalid, wantField: "end", wantInText: "area code"},
			{name: "different countries", start: "+441134960000", end: "+12025550100",
				wantErr: derrors.ErrInvalid, wantField: "end", wantInText: "same country"},
			{name: "too large", start: "0113 496 0000", end: "0113 497 9999",
				wantErr: derrors.ErrInvalid, wantField: "end", wantInText: "at most 10000"},
			{name: "start not a number", start: "call me", end: "0113 496 0999",
				wantErr: derrors.ErrInvalid, wantField: "start", wantInText: "not a telephone number"},
			{name: "end too short", start: "0113 496 0000", end: "0113 496 000",
				wantErr: derrors.ErrInvalid, wantField: "end", wantInText: "not a valid telephone number"},
			{name: "both empty", start: "", end: "",
				wantErr: derrors.ErrInvalid, wantField: "start", wantInText: "enter a telephone number"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.auditTotal(t)
				r, err := f.svc.AddRange(ctx, f.acme.ID, f.leeds.ID, numbering.RangeRequest{Start: c.start, End: c.end})
				if c.wantErr != nil {
					expectErr(t, c.name, err, c.wantErr, c.wantInText)
					if got := fieldOf(err); got != c.wantField {
						t.Errorf("field = %q, want %q", got, c.wantField)
					}
					if after := f.auditTotal(t); after != before {
						t.Errorf("a refused range was audited")
					}
					return
				}
				if err != nil {
					t.Fatalf("AddRange: %v", err)
				}
				if r.Start != c.wantStart || r.End != c.wantEnd || r.Size != c.wantSize {
					t.Errorf("range = %s–%s (%d), want %s–%s (%d)", r.Start, r.End, r.Size, c.wantStart, c.wantEnd, c.wantSize)
				}
				if !strings.HasPrefix(r.StartNational, "0113 496") || r.SiteName != "Leeds" {
					t.Errorf("national form %q, site %q", r.StartNational, r.SiteName)
				}
				_, total, err := f.svc.Pool(ctx, f.acme.ID, f.leeds.ID, numbering.PoolFilter{}, store.Page{})
				if err != nil || total == 0 {
					t.Errorf("pool after add: %d, %v", total, err)
				}
				if e := f.lastEvent(t); e.Event != "Add DN Range" || e.SiteID != f.leeds.ID {
					t.Errorf("audit = %+v", e)
				}
			})
		}
	})
}

func TestAddRangeOverlap(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.addRange(t, f.acme, f.leeds, "0113 496 0100", "0113 496 0199")
		cases := []struct {
			name        string
			companyID   int64
			siteID      int64
			start, end  string
			mention     []string
			mustNotName []string
		}{
			{"same company, other site", f.acme.ID, f.london.ID, "0113 496 0150", "0113 496 0250",
				[]string{"overlaps", `"Leeds"`, "0113 496 0100"}, nil},
			{"same company, inside", f.acme.ID, f.leeds.ID, "0113 496 0120", "0113 496 0130",
				[]string{"overlaps", `"Leeds"`}, nil},
			{"same company, covering", f.acme.ID, f.leeds.ID, "0113 496 0000", "0113 496 0999",
				[]string{"overlaps"}, nil},
			{"other company", f.globex.ID, f.reading.ID, "0113 496 0199", "0113 496 0199",
				[]string{"overlaps a range already assigned"}, []string{"Leeds", "Acme", "0100"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.auditTotal(t)
				_, err := f.svc.AddRange(ctx, c.companyID, c.siteID, numbering.RangeRequest{Start: c.start, End: c.end})
				expectErr(t, c.name, err, derrors.ErrConflict, c.mention...)
				for _, s := range c.mustNotName {
					if err != nil && strings.Contains(err.Error(), s) {
						t.Errorf("error %q reveals %q of another company", err, s)
					}
				}
				if f.auditTotal(t) != before {
					t.Error("a refused range was audited")
				}
			})
		}
		// Adjacent ranges touch but do not overlap.
		f.addRange(t, f.globex, f.reading, "0113 496 0200", "0113 496 0299")
		f.addRange(t, f.acme, f.london, "0113 496 0000", "0113 496 0099")
		// A range of another length never overlaps.
		f.addRange(t, f.acme, f.london, "020 7946 0000", "020 7946 0009")
		rs, err := f.svc.Ranges(ctx, f.acme.ID, 0)
		if err != nil || len(rs) != 3 {
			t.Fatalf("Ranges = %d, %v; want 3", len(rs), err)
		}
		rs, err = f.svc.Ranges(ctx, f.acme.ID, f.london.ID)
		if err != nil || len(rs) != 2 || rs[0].SiteName != "London" {
			t.Fatalf("London ranges = %+v, %v", rs, err)
		}
		// Tenancy: Globex cannot list Acme's site nor add to it.
		if _, err := f.svc.Ranges(ctx, f.globex.ID, f.leeds.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Globex listing Leeds: %v, want not found", err)
		}
		if _, err := f.svc.AddRange(ctx, f.globex.ID, f.leeds.ID, numbering.RangeRequest{Start: "0113 496 0900", End: "0113 496 0909"}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Globex adding to Leeds: %v, want not found", err)
		}
	})
}

func TestRemoveRange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		r := f.addRange(t, f.acme, f.leeds, "0113 496 0000", "0113 496 0009")
		if _, err := f.svc.Assign(ctx, f.acme.ID, "0113 496 0003", f.user(f.wendy)); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RemoveRange(ctx, f.globex.ID, r.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("remove by another company: %v", err)
		}
		before := f.auditTotal(t)
		err := f.svc.RemoveRange(ctx, f.acme.ID, r.ID)
		expectErr(t, "remove with an assigned number", err, derrors.ErrConflict, "1 number(s)", "still assigned")
		if _, total, _ := f.svc.Pool(ctx, f.acme.ID, f.leeds.ID, numbering.PoolFilter{}, store.Page{}); total != 10 {
			t.Errorf("refused removal changed the pool: %d numbers", total)
		}
		if f.auditTotal(t) != before {
			t.Error("refused removal audited")
		}
		if _, err := f.svc.Release(ctx, f.acme.ID, "+441134960003"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RemoveRange(ctx, f.acme.ID, r.ID); err != nil {
			t.Fatalf("remove: %v", err)
		}
		if e := f.lastEvent(t); e.Event != "Remove DN Range" {
			t.Errorf("audit = %s", e.Event)
		}
		if _, err := f.svc.Lookup(ctx, f.provider.ID, "0113 496 0003"); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("lookup after removal: %v", err)
		}
		// The numbers are free for another range now.
		f.addRange(t, f.globex, f.reading, "0113 496 0000", "0113 496 0009")
	})
}

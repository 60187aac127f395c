package contacts

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestExtensionsAndShortCodesKeepNoE164: a number that is not a possible
// number of the region is kept as typed with no invented E.164, and is
// still found by search.
func TestExtensionsAndShortCodesKeepNoE164(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		c, err := f.svc.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: "Reception",
			WorkTel: "2001", CellTel: "18000", OtherTel: "1571", HomeTel: "999", FaxTel: "01632 960123"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.WorkE164 != "" || c.CellE164 != "" || c.OtherE164 != "" || c.HomeE164 != "" {
			t.Errorf("invented E.164: work %q cell %q other %q home %q", c.WorkE164, c.CellE164, c.OtherE164, c.HomeE164)
		}
		if c.WorkTel != "2001" || c.CellTel != "18000" || c.OtherTel != "1571" {
			t.Errorf("numbers not kept as typed: %+v", c.Fields)
		}
		if c.FaxE164 != "+441632960123" {
			t.Errorf("fax E.164 = %q, want +441632960123", c.FaxE164)
		}
		for _, q := range []string{"2001", "18000", "1571", "999", "+44 1632 960123", "01632960123"} {
			cs, _, err := f.svc.Contacts(ctx, f.as(f.alice), f.alice, Filter{Search: q}, store.Page{Page: 1, PerPage: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 {
				t.Errorf("search %q found %d contacts, want the one", q, len(cs))
			}
		}
		if got := FormatNumber("2001", "GB"); got != "2001" {
			t.Errorf("FormatNumber(2001) = %q, want it as typed", got)
		}
	})
}

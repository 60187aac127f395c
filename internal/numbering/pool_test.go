package numbering_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestAssignReleaseAndNextAvailable(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.addRange(t, f.acme, f.leeds, "0113 496 0010", "0113 496 0012")

		next := func(want string) {
			t.Helper()
			n, err := f.svc.NextAvailable(ctx, f.acme.ID, f.leeds.ID)
			if err != nil || n.E164 != want {
				t.Fatalf("NextAvailable = %s, %v; want %s", n.E164, err, want)
			}
		}
		next("+441134960010")
		n, err := f.svc.Assign(ctx, f.acme.ID, "0113 496 0010", f.user(f.wendy))
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != numbering.StatusAssigned || n.Owner == nil || n.Owner.Name != "Wendy West" || n.AssignedAt == nil {
			t.Errorf("assigned number = %+v", n)
		}
		if e := f.lastEvent(t); e.Event != "Assign Number" || e.ObjectName != "+441134960010" || e.CompanyID != f.acme.ID {
			t.Errorf("audit = %+v", e)
		}
		next("+441134960011")

		// Assigning a held number names the holder and changes nothing.
		before := f.auditTotal(t)
		_, err = f.svc.Assign(ctx, f.acme.ID, "+441134960010", f.user(f.lola))
		expectErr(t, "assign held number", err, derrors.ErrConflict, "already assigned to Wendy West")
		if f.auditTotal(t) != before {
			t.Error("refused assignment audited")
		}

		egf := numbering.Owner{Kind: numbering.OwnerEGF, ID: 77, Name: "Main Auto Attendant"}
		if _, err := f.svc.Assign(ctx, f.acme.ID, "01134960011", egf); err != nil {
			t.Fatal(err)
		}
		// Release: the number comes back as returned, after the available one.
		r, err := f.svc.Release(ctx, f.acme.ID, "+44 113 496 0010")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != numbering.StatusReturned || r.Owner != nil || r.ReturnedAt == nil {
			t.Errorf("released = %+v", r)
		}
		if e := f.lastEvent(t); e.Event != "Release Number" {
			t.Errorf("audit = %s", e.Event)
		}
		next("+441134960012")
		if _, err := f.svc.Assign(ctx, f.acme.ID, "01134960012", f.user(f.lola)); err != nil {
			t.Fatal(err)
		}
		next("+441134960010") // only the returned one is left
		// A returned number can be assigned again.
		n, err = f.svc.Assign(ctx, f.acme.ID, "01134960010", f.user(f.lola))
		if err != nil || n.ReturnedAt != nil {
			t.Fatalf("reassign returned: %+v, %v", n, err)
		}
		_, err = f.svc.NextAvailable(ctx, f.acme.ID, f.leeds.ID)
		expectErr(t, "pool exhausted", err, derrors.ErrConflict, "no free number")
		_, err = f.svc.AssignNext(ctx, f.acme.ID, f.leeds.ID, f.user(f.lola))
		expectErr(t, "assign next exhausted", err, derrors.ErrConflict, "no free number")

		// Release errors.
		if _, err := f.svc.Release(ctx, f.acme.ID, "0113 496 0011"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Release(ctx, f.acme.ID, "0113 496 0011")
		expectErr(t, "release unassigned", err, derrors.ErrConflict, "not assigned")
		_, err = f.svc.Release(ctx, f.acme.ID, "0113 496 0999")
		expectErr(t, "release outside the pool", err, derrors.ErrInvalid, "not in the company's number pool")
		_, err = f.svc.Release(ctx, f.globex.ID, "0113 496 0010")
		expectErr(t, "release by another company", err, derrors.ErrInvalid, "not in the company's number pool")

		// Owner validation and tenancy.
		bad := []struct {
			name  string
			owner numbering.Owner
			field string
		}{
			{"unknown kind", numbering.Owner{Kind: "robot", ID: 1}, "owner.kind"},
			{"user of another company", f.user(f.gina), "owner.id"},
			{"user without id", numbering.Owner{Kind: numbering.OwnerUser}, "owner.id"},
			{"egf without name", numbering.Owner{Kind: numbering.OwnerEGF, ID: 5}, "owner.name"},
		}
		for _, b := range bad {
			_, err := f.svc.Assign(ctx, f.acme.ID, "0113 496 0011", b.owner)
			expectErr(t, b.name, err, derrors.ErrInvalid)
			if fieldOf(err) != b.field {
				t.Errorf("%s: field %q, want %q", b.name, fieldOf(err), b.field)
			}
		}
		_, err = f.svc.Assign(ctx, f.globex.ID, "0113 496 0011", f.user(f.gina))
		expectErr(t, "assign another company's number", err, derrors.ErrInvalid, "not in the company's number pool")

		// Pool filters.
		for _, c := range []struct {
			status numbering.Status
			want   int
		}{{"", 3}, {numbering.StatusAssigned, 2}, {numbering.StatusReturned, 1}, {numbering.StatusAvailable, 0}, {numbering.StatusFree, 1}} {
			ns, total, err := f.svc.Pool(ctx, f.acme.ID, f.leeds.ID, numbering.PoolFilter{Status: c.status}, store.Page{})
			if err != nil || total != c.want || len(ns) != c.want {
				t.Errorf("Pool(%q) = %d (%d rows), %v; want %d", c.status, total, len(ns), err, c.want)
			}
		}
		if _, _, err := f.svc.Pool(ctx, f.acme.ID, f.leeds.ID, numbering.PoolFilter{Status: "lost"}, store.Page{}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("bad status filter: %v", err)
		}
		ns, _, _ := f.svc.Pool(ctx, f.acme.ID, f.leeds.ID, numbering.PoolFilter{}, store.Page{PerPage: 2, Page: 2})
		if len(ns) != 1 || ns[0].E164 != "+441134960012" || ns[0].National != "0113 496 0012" {
			t.Errorf("page 2 = %+v", ns)
		}
		held, err := f.svc.OwnerNumbers(ctx, f.acme.ID, f.user(f.lola))
		if err != nil || len(held) != 2 {
			t.Errorf("lola holds %d numbers, %v; want 2", len(held), err)
		}
		released, err := f.svc.ReleaseOwner(ctx, f.acme.ID, f.user(f.lola))
		if err != nil || len(released) != 2 {
			t.Errorf("ReleaseOwner = %d, %v", len(released), err)
		}
		if again, err := f.svc.ReleaseOwner(ctx, f.acme.ID, f.user(f.lola)); err != nil || len(again) != 0 {
			t.Errorf("second ReleaseOwner = %d, %v", len(again), err)
		}
	})
}

func TestNextAvailableOrdersReturnedByAge(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.addRange(t, f.acme, f.leeds, "0113 496 0020", "0113 496 0022")
		for _, n := range []string{"01134960020", "01134960021", "01134960022"} {
			if _, err := f.svc.Assign(ctx, f.acme.ID, n, f.user(f.wendy)); err != nil {
				t.Fatal(err)
			}
		}
		// Returned in the order 22, 20: 22 has waited longest.
		for _, n := range []string{"01134960022", "01134960020"} {
			if _, err := f.svc.Release(ctx, f.acme.ID, n); err != nil {
				t.Fatal(err)
			}
			// Timestamps are milliseconds; keep the two returns apart.
			if _, err := storetest.Exec(ctx, db, "UPDATE dn_numbers SET returned_at = returned_at - 1000 WHERE e164 = '+441134960022'"); err != nil {
				t.Fatal(err)
			}
		}
		n, err := f.svc.AssignNext(ctx, f.acme.ID, f.leeds.ID, f.user(f.lola))
		if err != nil || n.E164 != "+441134960022" {
			t.Fatalf("AssignNext = %s, %v; want the longest-returned +441134960022", n.E164, err)
		}
		n, err = f.svc.AssignNext(ctx, f.acme.ID, f.leeds.ID, f.user(f.lola))
		if err != nil || n.E164 != "+441134960020" {
			t.Fatalf("AssignNext = %s, %v; want +441134960020", n.E164, err)
		}
	})
}

// TestConcurrentAssign races several Assigns of one number: exactly one
// wins and the rest get a conflict. On PostgreSQL the goroutines really run
// in parallel transactions; on SQLite the single writer serialises them.
func TestConcurrentAssign(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.addRange(t, f.acme, f.leeds, "0113 496 0030", "0113 496 0039")
		const racers = 8
		var wg sync.WaitGroup
		errs := make([]error, racers)
		start := make(chan struct{})
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				owner := numbering.Owner{Kind: numbering.OwnerEGF, ID: int64(100 + i), Name: fmt.Sprintf("Hunt Group %d", i)}
				_, errs[i] = f.svc.Assign(ctx, f.acme.ID, "+441134960030", owner)
			}(i)
		}
		close(start)
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, derrors.ErrConflict):
			default:
				t.Errorf("racer %d: unexpected error %v", i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d racers won the number, want exactly 1", wins)
		}
		// AssignNext in parallel hands out different numbers.
		got := make([]string, racers)
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				n, err := f.svc.AssignNext(ctx, f.acme.ID, f.leeds.ID, numbering.Owner{Kind: numbering.OwnerEGF, ID: int64(200 + i), Name: "AA"})
				if err != nil {
					errs[i] = err
					return
				}
				got[i] = n.E164
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i, n := range got {
			if n == "" {
				t.Errorf("AssignNext racer %d: %v", i, errs[i])
				continue
			}
			if seen[n] {
				t.Errorf("%s handed out twice", n)
			}
			seen[n] = true
		}
	})
}

func TestLookup(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.addRange(t, f.acme, f.leeds, "0113 496 0040", "0113 496 0049")
		f.addRange(t, f.globex, f.reading, "020 7946 0000", "020 7946 0009")
		if _, err := f.svc.Assign(ctx, f.acme.ID, "01134960041", f.user(f.wendy)); err != nil {
			t.Fatal(err)
		}
		egf := numbering.Owner{Kind: numbering.OwnerEGF, ID: 9, Name: "Sales Hunt Group"}
		if _, err := f.svc.Assign(ctx, f.globex.ID, "02079460005", egf); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			input     string
			company   int64
			site      int64
			ownerKind numbering.OwnerKind // "" for unassigned
			ownerName string
			err       error
		}{
			{"+441134960041", f.acme.ID, f.leeds.ID, numbering.OwnerUser, "Wendy West", nil},
			{"01134960041", f.acme.ID, f.leeds.ID, numbering.OwnerUser, "Wendy West", nil},
			{"0113 496 0041", f.acme.ID, f.leeds.ID, numbering.OwnerUser, "Wendy West", nil},
			{"+44 (113) 496-0041", f.acme.ID, f.leeds.ID, numbering.OwnerUser, "Wendy West", nil},
			{"0044 113 496 0041", f.acme.ID, f.leeds.ID, numbering.OwnerUser, "Wendy West", nil},
			{"441134960041", f.acme.ID, f.leeds.ID, numbering.OwnerUser, "Wendy West", nil},
			{"020 7946 0005", f.globex.ID, f.reading.ID, numbering.OwnerEGF, "Sales Hunt Group", nil},
			{"0113 496 0049", f.acme.ID, f.leeds.ID, "", "", nil},
			{"0113 496 0050", 0, 0, "", "", derrors.ErrNotFound},
			{"not a number", 0, 0, "", "", derrors.ErrInvalid},
		}
		for _, c := range cases {
			n, err := f.svc.Lookup(ctx, f.provider.ID, c.input)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Errorf("Lookup(%q) = %v, want %v", c.input, err, c.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("Lookup(%q): %v", c.input, err)
				continue
			}
			if n.CompanyID != c.company || n.SiteID != c.site {
				t.Errorf("Lookup(%q) found company %d site %d, want %d %d", c.input, n.CompanyID, n.SiteID, c.company, c.site)
			}
			switch {
			case c.ownerKind == "" && (n.Owner != nil || !n.Free()):
				t.Errorf("Lookup(%q) = %+v, want in a range but unassigned", c.input, n)
			case c.ownerKind != "" && (n.Owner == nil || n.Owner.Kind != c.ownerKind || n.Owner.Name != c.ownerName):
				t.Errorf("Lookup(%q) owner = %+v, want %s %q", c.input, n.Owner, c.ownerKind, c.ownerName)
			}
		}
	})
}

package contacts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// fixture is a provider (region GB) with two companies: Acme has the
// employees alice and bob, Globex has carol.
type fixture struct {
	db                *store.DB
	svc               *Service
	alice, bob, carol int64
	acme              int64
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, svc: New(db, audit.New(db))}
	err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		var pid, globex int64
		if err := q.QueryRow(ctx, "INSERT INTO providers (name, default_region, created_at) VALUES ('Test Telecom', 'GB', 0) RETURNING id").Scan(&pid); err != nil {
			return err
		}
		for _, c := range []struct {
			name string
			id   *int64
		}{{"Acme Ltd", &f.acme}, {"Globex plc", &globex}} {
			if err := q.QueryRow(ctx, "INSERT INTO companies (provider_id, name, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id", pid, c.name).Scan(c.id); err != nil {
				return err
			}
		}
		for _, a := range []struct {
			user    string
			company int64
			id      *int64
		}{{"alice", f.acme, &f.alice}, {"bob", f.acme, &f.bob}, {"carol", globex, &f.carol}} {
			if err := q.QueryRow(ctx, `INSERT INTO accounts (provider_id, company_id, username, role, status, created_at, updated_at)
				VALUES (?, ?, ?, 'employee', 'active', 0, 0) RETURNING id`, pid, a.company, a.user).Scan(a.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return f
}

// employee adds another Acme employee.
func (f *fixture) employee(t testing.TB, username string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := f.db.Tx(ctx, func(ctx context.Context) error {
		return f.db.Q(ctx).QueryRow(ctx, `INSERT INTO accounts (provider_id, company_id, username, role, status, created_at, updated_at)
			SELECT provider_id, company_id, ?, 'employee', 'active', 0, 0 FROM accounts WHERE id = ? RETURNING id`, username, f.alice).Scan(&id)
	})
	if err != nil {
		t.Fatalf("employee %s: %v", username, err)
	}
	return id
}

// importFile previews and confirms file for owner, failing the test on error.
func (f *fixture) importFile(t testing.TB, owner int64, file []byte, action Action) (ImportPreview, ImportResult) {
	t.Helper()
	ctx := context.Background()
	pv, err := f.svc.PreviewImport(ctx, f.as(owner), owner, file, action)
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	res, err := f.svc.ConfirmImport(ctx, f.as(owner), owner, pv.ID)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return pv, res
}

// list returns the owner's contacts as comparable records.
func (f *fixture) list(t testing.TB, owner int64) []Contact {
	t.Helper()
	cs, err := f.svc.all(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// summary renders contacts (fields and group names) one per line, sorted
// as listed, for comparing two address books.
func (f *fixture) summary(t testing.TB, owner int64, keep mask, withGroups bool) string {
	t.Helper()
	gs, err := f.svc.Groups(context.Background(), f.as(owner), owner)
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	var lines []string
	for _, c := range f.list(t, owner) {
		var parts []string
		for k := field(0); k < numFields; k++ {
			if keep&bit(k) != 0 {
				parts = append(parts, specs[k].header+"="+c.Fields.get(k))
			}
		}
		if withGroups {
			var g []string
			for _, id := range c.GroupIDs {
				g = append(g, names[id])
			}
			parts = append(parts, "groups="+strings.Join(g, ";"))
		}
		lines = append(lines, strings.Join(parts, "|"))
	}
	return strings.Join(lines, "\n")
}

// csvRows builds a CSV text from rows joined with sep and newline nl.
func csvRows(sep, nl string, rows ...[]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, sep))
		b.WriteString(nl)
	}
	return b.String()
}

func minimalCSV(rows ...[]string) []byte {
	all := append([][]string{{"First Name", "Last Name", "Home Tel", "Work Tel", "Cell Tel", "Fax Tel"}}, rows...)
	return []byte(csvRows(",", "\r\n", all...))
}

// seedContacts inserts n contacts for owner directly, for limit tests.
func (f *fixture) seedContacts(t testing.TB, owner int64, n int) {
	t.Helper()
	ctx := context.Background()
	o, err := f.svc.owner(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := f.svc.bump(ctx, owner); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if _, err := f.svc.insert(ctx, o, Fields{FirstName: "Seed", LastName: fmt.Sprintf("Person %04d", i), CellTel: fmt.Sprintf("07700 9%05d", i)}, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// as is the actor of account id, read as a login would: the employee acting
// on their own contacts.
func (f *fixture) as(id int64) access.Actor {
	a := access.Actor{AccountID: id}
	var company sql.NullInt64
	var role string
	err := f.db.Q(context.Background()).QueryRow(context.Background(),
		"SELECT username, role, provider_id, company_id FROM accounts WHERE id = ?", id).Scan(&a.Username, &role, &a.ProviderID, &company)
	if err != nil {
		panic(fmt.Sprintf("actor %d: %v", id, err))
	}
	a.Role, a.CompanyID = access.Role(role), company.Int64
	return a
}

package directory_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// benchCompany fills a company with n employees spread over 20 groups under
// one site, inserting rows directly (the services' per-row audit would make
// set-up dominate the run), and returns the company and a group admin of
// the first group.
func benchCompany(b *testing.B, db *store.DB, n int) (tenancy.Company, access.Actor) {
	b.Helper()
	ctx := context.Background()
	a := app.New(db, nil, "bench")
	p, err := a.Tenancy.CreateProvider(ctx, "Bench", "GB")
	if err != nil {
		b.Fatal(err)
	}
	c, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Big Co"})
	if err != nil {
		b.Fatal(err)
	}
	site, err := a.Directory.CreateSite(ctx, c.ID, directory.SiteCreateRequest{Name: "HQ"})
	if err != nil {
		b.Fatal(err)
	}
	var groups []directory.Group
	for i := 0; i < 20; i++ {
		g, err := a.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: site.ID, Name: fmt.Sprintf("Team %02d", i)})
		if err != nil {
			b.Fatal(err)
		}
		groups = append(groups, g)
	}
	first := []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Leo", "Ivy"}
	last := []string{"Smith", "Jones", "Taylor", "Brown", "Patel", "Khan", "Wilson", "Evans", "Walker", "Wright"}
	err = db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		for i := 0; i < n; i++ {
			var id int64
			f, l := first[i%len(first)], last[(i/len(first))%len(last)]
			user, surname, phone := fmt.Sprintf("user%06d", i), fmt.Sprintf("%s%d", l, i), fmt.Sprintf("+4411349%05d", i)
			err := q.QueryRow(ctx, `INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, phone, status, search_text, created_at, updated_at)
				VALUES (?, ?, ?, 'employee', ?, ?, ?, 'active', ?, 0, 0) RETURNING id`,
				p.ID, c.ID, user, f, surname, phone, strings.ToLower(user+"\t"+f+"\t"+surname+"\t"+f+" "+surname+"\t"+phone[1:])).Scan(&id)
			if err != nil {
				return err
			}
			if _, err := q.Exec(ctx, "INSERT INTO group_members (group_id, account_id, created_at) VALUES (?, ?, 0)", groups[i%len(groups)].ID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	admin, err := a.Directory.CreateEmployee(ctx, c.ID, p.ID, directory.EmployeeCreateRequest{Username: "team.admin", Role: access.RoleGroupAdmin,
		FirstName: "Team", LastName: "Admin", GroupIDs: []int64{groups[0].ID}}, "")
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Directory.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: groups[0].ID, AccountID: admin.ID}}, nil); err != nil {
		b.Fatal(err)
	}
	return c, access.Actor{AccountID: admin.ID, Role: access.RoleGroupAdmin, CompanyID: c.ID, ProviderID: p.ID}
}

// BenchmarkEmployeeSearch measures the Employee Selection search (a name or
// number fragment, first page of 50) for a company admin and for a group
// admin whose scope is one group of twenty.
func BenchmarkEmployeeSearch(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			const n = 10_000
			c, groupAdmin := benchCompany(b, db, n)
			ctx := context.Background()
			svc := directory.New(db, nil)
			acc := access.New(db)
			gaScope, err := acc.Scope(ctx, groupAdmin)
			if err != nil {
				b.Fatal(err)
			}
			for _, tc := range []struct {
				name  string
				scope access.Scope
				q     string
			}{
				{"company_admin/name", access.Scope{CompanyID: c.ID}, "patel"},
				{"company_admin/number", access.Scope{CompanyID: c.ID}, "4960"},
				{"group_admin/name", gaScope, "smith"},
			} {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						if _, _, err := svc.ListEmployeesIn(ctx, c.ID, tc.scope, directory.EmployeeFilter{Q: tc.q}, store.Page{PerPage: 50}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkAccessCheck measures one permission decision for a group admin on
// an employee of their group (two indexed queries).
func BenchmarkAccessCheck(b *testing.B) {
	db := storetest.SQLite(b)
	c, groupAdmin := benchCompany(b, db, 1_000)
	ctx := context.Background()
	acc := access.New(db)
	var target int64
	if err := db.Q(ctx).QueryRow(ctx, "SELECT MIN(id) FROM accounts WHERE company_id = ? AND role = 'employee'", c.ID).Scan(&target); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := acc.Check(ctx, groupAdmin, access.ViewEmployee, access.Employee(target)); err != nil {
			b.Fatal(err)
		}
	}
}

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

// BenchmarkEmployeeListNumbers measures a page of Employee Selection (25
// rows, first and last page) when every one of 10,000 employees holds a
// business number and an extension, which the listing reads in its one
// query.
func BenchmarkEmployeeListNumbers(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			const n = 10_000
			c, _ := benchCompany(b, db, n)
			ctx := context.Background()
			err := db.Tx(ctx, func(ctx context.Context) error {
				q := db.Q(ctx)
				var site, rangeID int64
				if err := q.QueryRow(ctx, "SELECT id FROM org_groups WHERE company_id = ? AND parent_id IS NULL", c.ID).Scan(&site); err != nil {
					return err
				}
				if err := q.QueryRow(ctx, `INSERT INTO dn_ranges (company_id, site_id, start_e164, end_e164, size, created_at)
					VALUES (?, ?, '+441134900000', '+441134909999', ?, 0) RETURNING id`, c.ID, site, n).Scan(&rangeID); err != nil {
					return err
				}
				rows, err := q.Query(ctx, "SELECT id FROM accounts WHERE company_id = ? AND role = 'employee' ORDER BY id", c.ID)
				if err != nil {
					return err
				}
				var ids []int64
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						rows.Close()
						return err
					}
					ids = append(ids, id)
				}
				rows.Close()
				for i, id := range ids {
					if _, err := q.Exec(ctx, `INSERT INTO dn_numbers (e164, range_id, company_id, site_id, status, owner_kind, owner_id, assigned_at)
						VALUES (?, ?, ?, ?, 'assigned', 'user', ?, 0)`, fmt.Sprintf("+4411349%05d", i), rangeID, c.ID, site, id); err != nil {
						return err
					}
					if _, err := q.Exec(ctx, `INSERT INTO extensions (company_id, site_id, extension, owner_kind, owner_id, created_at)
						VALUES (?, ?, ?, 'user', ?, 0)`, c.ID, site, fmt.Sprintf("%05d", i), id); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			svc := directory.New(db, nil)
			var group int64
			if err := db.Q(ctx).QueryRow(ctx, "SELECT MIN(id) FROM org_groups WHERE company_id = ? AND parent_id IS NOT NULL", c.ID).Scan(&group); err != nil {
				b.Fatal(err)
			}
			// Group Members reads the whole list, then shows a page of it.
			b.Run("group_members", func(b *testing.B) {
				for b.Loop() {
					es, err := svc.GroupMembers(ctx, group, access.Scope{CompanyID: c.ID}, directory.LinkAll, "")
					if err != nil || len(es) != n+1 || es[len(es)-1].Number == "" {
						b.Fatalf("group members: %d rows, %v", len(es), err)
					}
				}
			})
			for _, page := range []int{1, n / 25} {
				b.Run(fmt.Sprintf("page%d", page), func(b *testing.B) {
					for b.Loop() {
						es, _, err := svc.ListEmployeesIn(ctx, c.ID, access.Scope{CompanyID: c.ID}, directory.EmployeeFilter{}, store.Page{Page: page, PerPage: 25})
						if err != nil || len(es) == 0 || es[len(es)-1].Number == "" {
							b.Fatalf("page %d: %d rows, %v", page, len(es), err)
						}
					}
				})
			}
		})
	}
}

package search_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

var (
	benchFirst = []string{"Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Leo", "Ivy", "Jack", "Grace", "Jacob",
		"Sophie", "Charlie", "Emily", "Thomas", "Lily", "Oscar", "Ella", "James", "Freya", "William", "Ruby", "Henry", "Evie", "Arthur",
		"Poppy", "Alfie", "Rosie", "Archie", "Daisy", "Theo", "Alice", "Muhammad", "Florence", "Edward", "Willow", "Joshua", "Sienna"}
	benchLast = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
		"Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards",
		"Turner", "Martin", "Cooper", "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison", "Lewis", "Baker", "Lee", "Allen",
		"Morris", "Khan", "Scott", "Watson", "Davis", "Parker", "James", "Bennett", "Young", "Phillips", "Richardson", "Mitchell"}
)

// benchEstate fills a company with n employees over 20 groups of 5 sites,
// each with an assigned number of its site's ranges and an extension, and a
// second company of n/10 employees that every search must skip. Rows are
// inserted directly, in batches: the services' per-row audit would make
// set-up dominate. It returns the company, the admin of one group (5% of
// the company) and the admin of one site (20%).
func benchEstate(b *testing.B, db *store.DB, n int) (int64, access.Actor, access.Actor) {
	b.Helper()
	ctx := context.Background()
	a := app.New(db, nil, "bench")
	p, err := a.Tenancy.CreateProvider(ctx, "Bench", "GB")
	if err != nil {
		b.Fatal(err)
	}
	var main int64
	var groupAdmin, siteAdmin access.Actor
	for ci, size := range []int{n, n / 10} {
		c, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: fmt.Sprintf("Company %d", ci)})
		if err != nil {
			b.Fatal(err)
		}
		var sites, groups []directory.Group
		for s := 0; s < 5; s++ {
			site, err := a.Directory.CreateSite(ctx, c.ID, directory.SiteCreateRequest{Name: fmt.Sprintf("Site %c%d", 'A'+s, ci)})
			if err != nil {
				b.Fatal(err)
			}
			sites = append(sites, site)
			for g := 0; g < 4; g++ {
				grp, err := a.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: site.ID, Name: fmt.Sprintf("Team %d", g)})
				if err != nil {
					b.Fatal(err)
				}
				groups = append(groups, grp)
			}
		}
		// Company 0 numbers: +44113 4xxxxxx (site by number block);
		// company 1: +44161 4xxxxxx, with the same last digits.
		area := []string{"113", "161"}[ci]
		err = db.Tx(ctx, func(ctx context.Context) error {
			q := db.Q(ctx)
			var rangeIDs []int64
			for r := 0; r*10000 < size; r++ {
				var id int64
				start, end := fmt.Sprintf("+44%s4%06d", area, r*10000), fmt.Sprintf("+44%s4%06d", area, r*10000+9999)
				if err := q.QueryRow(ctx, "INSERT INTO dn_ranges (company_id, site_id, start_e164, end_e164, size, created_at) VALUES (?, ?, ?, ?, 10000, 0) RETURNING id",
					c.ID, sites[r%len(sites)].ID, start, end).Scan(&id); err != nil {
					return err
				}
				rangeIDs = append(rangeIDs, id)
			}
			const batch = 400
			for from := 0; from < size; from += batch {
				to := min(from+batch, size)
				var acc []string
				var args []any
				for i := from; i < to; i++ {
					f, l := benchFirst[i%len(benchFirst)], benchLast[(i/len(benchFirst))%len(benchLast)]
					site := sites[(i/10000)%len(sites)]
					acc = append(acc, "(?, ?, ?, 'employee', ?, ?, 'active', '', ?, 0, 0)")
					args = append(args, p.ID, c.ID, fmt.Sprintf("%s.%s%d.c%d", strings.ToLower(f), strings.ToLower(l), i, ci), f, l, site.ID)
				}
				rows, err := q.Query(ctx, "INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, status, search_text, site_id, created_at, updated_at) VALUES "+
					strings.Join(acc, ", ")+" RETURNING id", args...)
				if err != nil {
					return err
				}
				var ids []int64
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						return err
					}
					ids = append(ids, id)
				}
				rows.Close()
				sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
				var mem, num, ext []string
				var margs, nargs, xargs []any
				for k, id := range ids {
					i := from + k
					site := sites[(i/10000)%len(sites)]
					mem = append(mem, "(?, ?, 0)")
					margs = append(margs, groups[(i/10000%len(sites))*4+i%4].ID, id)
					num = append(num, "(?, ?, ?, ?, 'assigned', 'user', ?, '', 0)")
					nargs = append(nargs, fmt.Sprintf("+44%s4%06d", area, i), rangeIDs[i/10000], c.ID, site.ID, id)
					ext = append(ext, "(?, ?, ?, 'user', ?, 0)")
					xargs = append(xargs, c.ID, site.ID, fmt.Sprintf("%06d", i), id)
				}
				if _, err := q.Exec(ctx, "INSERT INTO group_members (group_id, account_id, created_at) VALUES "+strings.Join(mem, ", "), margs...); err != nil {
					return err
				}
				if _, err := q.Exec(ctx, "INSERT INTO dn_numbers (e164, range_id, company_id, site_id, status, owner_kind, owner_id, owner_name, assigned_at) VALUES "+strings.Join(num, ", "), nargs...); err != nil {
					return err
				}
				if _, err := q.Exec(ctx, "INSERT INTO extensions (company_id, site_id, extension, owner_kind, owner_id, created_at) VALUES "+strings.Join(ext, ", "), xargs...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if ci == 0 {
			main = c.ID
			admin := func(username string, g directory.Group) access.Actor {
				e, err := a.Directory.CreateEmployee(ctx, c.ID, p.ID, directory.EmployeeCreateRequest{Username: username, Role: access.RoleGroupAdmin,
					FirstName: "Bench", LastName: "Admin", GroupIDs: []int64{g.ID}}, "")
				if err != nil {
					b.Fatal(err)
				}
				if err := a.Directory.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: g.ID, AccountID: e.ID}}, nil); err != nil {
					b.Fatal(err)
				}
				return access.Actor{AccountID: e.ID, Role: access.RoleGroupAdmin, CompanyID: c.ID, ProviderID: p.ID}
			}
			groupAdmin, siteAdmin = admin("team.admin", groups[0]), admin("site.admin", sites[0])
		}
	}
	if db.Dialect() == store.Postgres {
		if _, err := storetest.Exec(ctx, db, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	} else if _, err := storetest.Exec(ctx, db, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return main, groupAdmin, siteAdmin
}

// BenchmarkLiveSearch measures the live search at 100,000 employees in one
// company (and 10,000 in another) for each query shape, as a company admin,
// as the admin of one group of 5,000 and as the admin of one site of 20,000
// (four such groups). Besides ns/op it reports the median and the 99th
// percentile of the individual searches.
func BenchmarkLiveSearch(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			const n = 100_000
			company, groupAdmin, siteAdmin := benchEstate(b, db, n)
			ctx := context.Background()
			svc := app.New(db, nil, "bench")
			gaScope, err := svc.Access.Scope(ctx, groupAdmin)
			if err != nil {
				b.Fatal(err)
			}
			saScope, err := svc.Access.Scope(ctx, siteAdmin)
			if err != nil {
				b.Fatal(err)
			}
			ca := access.Scope{CompanyID: company}
			for _, tc := range []struct {
				name  string
				scope access.Scope
				q     string
			}{
				{"company_admin/letter", ca, "a"},
				{"company_admin/name_prefix", ca, "pat"},
				{"company_admin/first_last", ca, "oliver smi"},
				{"company_admin/last_first", ca, "patel ol"},
				{"company_admin/username", ca, "oliver.smith120"},
				{"company_admin/national", ca, "0113 404 56"},
				{"company_admin/international", ca, "+44 113 40456"},
				{"company_admin/tail", ca, "45678"},
				{"company_admin/tail3", ca, "678"},
				{"company_admin/site", ca, "site c"},
				{"company_admin/no_match", ca, "zzzz"},
				{"group_admin/name_prefix", gaScope, "pat"},
				{"group_admin/letter", gaScope, "a"},
				{"group_admin/national", gaScope, "0113 404"},
				{"group_admin/tail", gaScope, "45678"},
				{"group_admin/username", gaScope, "oliver.smith120"},
				{"group_admin/no_match", gaScope, "zzzz"},
				{"site_admin/name_prefix", saScope, "pat"},
				{"site_admin/letter", saScope, "a"},
				{"site_admin/national", saScope, "0113 404"},
				{"site_admin/tail", saScope, "45678"},
			} {
				b.Run(tc.name, func(b *testing.B) {
					var times []time.Duration
					for b.Loop() {
						start := time.Now()
						if _, err := svc.Search.Live(ctx, company, tc.scope, tc.q, 0); err != nil {
							b.Fatal(err)
						}
						times = append(times, time.Since(start))
					}
					sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
					pct := func(p float64) float64 {
						return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
					}
					b.ReportMetric(pct(0.50), "p50-ms")
					b.ReportMetric(pct(0.99), "p99-ms")
				})
			}
		})
	}
}

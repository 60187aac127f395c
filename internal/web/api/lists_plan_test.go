package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// planRows is how many rows each list gets for the plan test: enough that
// PostgreSQL's planner, working from ANALYZE statistics, would rather sort
// than walk an index if the index did not serve the order.
const planRows = 20000

// fillForPlans gives the provider planRows/10 more companies and
// messages in its outbox, Acme
// planRows groups under Sales, planRows/10 more sites, planRows devices and numbers at Leeds (and Globex as many at
// Reading), and west.one planRows contacts, each in one INSERT … SELECT,
// then refreshes the statistics.
func fillForPlans(t *testing.T, env *apptest.Env, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	f := env.Fixture
	gen := "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
	// Each site's numbers come from a range of its own.
	rangeOf := func(companyID, siteID int64) int64 {
		var id int64
		err := db.Tx(ctx, func(ctx context.Context) error {
			return db.Q(ctx).QueryRow(ctx, `INSERT INTO dn_ranges (company_id, site_id, start_e164, end_e164, size, created_at)
				VALUES (?, ?, '+442090000000', '+442090000000', 1, 0) RETURNING id`, companyID, siteID).Scan(&id)
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	acmeRange, globexRange := rangeOf(f.Acme.ID, f.Leeds.ID), rangeOf(f.Globex.ID, f.Reading.ID)
	typeID := int64(0)
	err := db.Tx(ctx, func(ctx context.Context) error {
		return db.Q(ctx).QueryRow(ctx, "INSERT INTO device_types (provider_id, vendor, model, created_at) VALUES (?, 'Plan', 'P1', 0) RETURNING id", f.Provider.ID).Scan(&typeID)
	})
	if err != nil {
		t.Fatal(err)
	}
	fills := []struct {
		what string
		sql  string
		args []any
	}{
		{"groups", gen + `INSERT INTO org_groups (company_id, parent_id, name, path, sort_path, created_at, updated_at)
			SELECT ?, ?, 'Plan ' || i, '', 'leeds/sales/plan ' || i, 0, 0 FROM n`, []any{planRows, f.Acme.ID, f.Sales.ID}},
		{"sites", gen + `INSERT INTO org_groups (company_id, name, is_site, path, sort_path, created_at, updated_at)
			SELECT ?, 'Plan site ' || i, 1 = 1, '', 'plan site ' || i, 0, 0 FROM n`, []any{planRows / 10, f.Acme.ID}},
		// Devices and numbers are unique across the deployment (devices_mac,
		// dn_numbers_e164), so those indexes also give the list's order;
		// another company's rows, interleaved, make the data as it is with
		// many tenants, where only the per-site index reads no more than a
		// page.
		{"devices", gen + `INSERT INTO devices (company_id, site_id, type_id, mac, created_at, updated_at)
			SELECT ?, ?, ?, 'PL' || (1000000000 + 2 * i), 0, 0 FROM n`, []any{planRows, f.Acme.ID, f.Leeds.ID, typeID}},
		{"Globex devices", gen + `INSERT INTO devices (company_id, site_id, type_id, mac, created_at, updated_at)
			SELECT ?, ?, ?, 'PL' || (1000000001 + 2 * i), 0, 0 FROM n`, []any{planRows, f.Globex.ID, f.Reading.ID, typeID}},
		{"numbers", gen + `INSERT INTO dn_numbers (e164, range_id, company_id, site_id, status)
			SELECT '+4420' || (90000000 + 2 * i), ?, ?, ?, CASE WHEN i % 3 = 0 THEN 'assigned' ELSE 'available' END FROM n`,
			[]any{planRows, acmeRange, f.Acme.ID, f.Leeds.ID}},
		{"Globex numbers", gen + `INSERT INTO dn_numbers (e164, range_id, company_id, site_id, status)
			SELECT '+4420' || (90000001 + 2 * i), ?, ?, ?, CASE WHEN i % 3 = 0 THEN 'assigned' ELSE 'available' END FROM n`,
			[]any{planRows, globexRange, f.Globex.ID, f.Reading.ID}},
		{"companies", gen + `INSERT INTO companies (provider_id, name, created_at, updated_at)
			SELECT ?, 'Plan Co ' || i, 0, 0 FROM n`, []any{planRows / 10, f.Provider.ID}},
		{"outbox", gen + `INSERT INTO mail_outbox (kind, to_addr, subject, text_body, html_body, provider_id, company_id, created_at, next_attempt_at)
			SELECT 'welcome', 'plan' || i || '@example.com', 'Plan', '', '', ?, ?, i, i FROM n`, []any{planRows / 10, f.Provider.ID, f.Acme.ID}},
		{"contacts", gen + `INSERT INTO contacts (account_id, company_id, first_name, last_name, created_at, updated_at)
			SELECT ?, ?, 'First' || (i % 97), 'Last' || (i % 991), 0, 0 FROM n`, []any{planRows, env.ID("west.one"), f.Acme.ID}},
	}
	for _, fill := range fills {
		if _, err := storetest.Exec(ctx, db, fill.sql, fill.args...); err != nil {
			t.Fatalf("fill %s: %v", fill.what, err)
		}
	}
	analyze := "ANALYZE"
	if db.Dialect() == store.Postgres {
		analyze = "ANALYZE org_groups, devices, dn_numbers, contacts, companies, mail_outbox"
	}
	if _, err := storetest.Exec(ctx, db, analyze); err != nil {
		t.Fatal(err)
	}
}

// pageQuery runs one page of a list with a statement log and returns the
// page's own query (the one with ORDER BY … LIMIT) and the next cursor.
func pageQuery(t *testing.T, run func(ctx context.Context, p store.Page) (string, error), p store.Page) (store.Statement, string) {
	t.Helper()
	ctx, log := store.WithStatementLog(context.Background())
	next, err := run(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var page *store.Statement
	for _, st := range log.Statements() {
		if strings.Contains(st.SQL, " ORDER BY ") && strings.Contains(st.SQL, " LIMIT ") {
			page = &st
		}
	}
	if page == nil {
		t.Fatalf("no page query among %d statements", len(log.Statements()))
	}
	return *page, next
}

// plan is the engine's plan of st, one line per step.
func plan(t *testing.T, db *store.DB, st store.Statement) string {
	t.Helper()
	ctx := context.Background()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == store.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := db.Q(ctx).Query(ctx, prefix+st.SQL, st.Args...)
	if err != nil {
		t.Fatalf("explain %s: %v", st.SQL, err)
	}
	defer rows.Close()
	var lines []string
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s", vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestListPlansUseIndexes: the page queries of the group, site, device,
// number, personal contact, company and outbox lists, captured as the services run them,
// walk one of the list's indexes in the list's order on both engines:
// EXPLAIN names the index and shows no sort step (SQLite: no "TEMP B-TREE";
// PostgreSQL: no Sort or Incremental Sort node), for the first page and for
// a page after a cursor three quarters down the list. This is what makes a
// page cost the same at any size (docs/performance.md); a timing on a small
// table would not show it.
func TestListPlansUseIndexes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		fillForPlans(t, env, db)
		acme, west := env.Actor("acme.admin"), env.Actor("west.one")
		groups := func(a access.Actor, gf directory.GroupFilter) func(context.Context, store.Page) (string, error) {
			return func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Directory.ListGroupsPage(ctx, a, 0, gf, p)
				return pg.Next, err
			}
		}
		cases := []struct {
			name    string
			rows    int
			indexes []string // any of these serves the order (SQLite ends each index in the rowid, which is the id)
			run     func(context.Context, store.Page) (string, error)
		}{
			{"groups", planRows, []string{"groups_list"}, groups(acme, directory.GroupFilter{})},
			{"groups under a parent", planRows, []string{"groups_parent", "groups_list"}, groups(acme, directory.GroupFilter{ParentID: f.Sales.ID})},
			{"sites", planRows / 10, []string{"groups_list_sites", "groups_list"}, groups(acme, directory.GroupFilter{SitesOnly: true})},
			{"devices", planRows, []string{"devices_site"}, func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Devices.SiteDeviceListPage(ctx, acme, f.Leeds.ID, false, p)
				return pg.Next, err
			}},
			{"free devices", planRows, []string{"devices_site"}, func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Devices.SiteDeviceListPage(ctx, acme, f.Leeds.ID, true, p)
				return pg.Next, err
			}},
			{"numbers", planRows, []string{"dn_numbers_site_list"}, func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Numbering.SitePoolPage(ctx, acme, f.Leeds.ID, numbering.PoolFilter{}, p)
				return pg.Next, err
			}},
			{"available numbers", planRows * 2 / 3, []string{"dn_numbers_site", "dn_numbers_site_list"}, func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Numbering.SitePoolPage(ctx, acme, f.Leeds.ID, numbering.PoolFilter{Status: numbering.StatusAvailable}, p)
				return pg.Next, err
			}},
			{"companies", planRows / 10, []string{"companies_list", "companies_name"}, func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Tenancy.CompaniesPage(ctx, env.Actor("operator"), tenancy.CompanyFilter{}, p)
				return pg.Next, err
			}},
			// The outbox's order is the id's: with one provider holding
			// all the mail, as in most deployments, walking the primary
			// key backwards is as good, and both engines may do that.
			{"outbox", planRows / 10, []string{"mail_outbox_provider", "mail_outbox_pkey", "INTEGER PRIMARY KEY"}, func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Mail.ProviderOutboxPage(ctx, env.Actor("operator"), mail.OutboxFilter{}, p)
				return pg.Next, err
			}},
			{"contacts", planRows, []string{"contacts_owner_name"}, func(ctx context.Context, p store.Page) (string, error) {
				pg, err := env.App.Contacts.ContactsPage(ctx, west, west.AccountID, contacts.Filter{}, p)
				return pg.Next, err
			}},
		}
		for _, c := range cases {
			first, _ := pageQuery(t, c.run, store.Page{PerPage: 50})
			// A cursor three quarters down: reached here by a numbered
			// page, as a client walking with after would reach it.
			_, deep := pageQuery(t, c.run, store.Page{Page: c.rows * 3 / 4 / 50, PerPage: 50})
			if deep == "" {
				t.Fatalf("%s: no cursor three quarters down", c.name)
			}
			after, _ := pageQuery(t, c.run, store.Page{PerPage: 50, After: deep})
			for _, q := range []struct {
				page string
				st   store.Statement
			}{{"first page", first}, {"page after a deep cursor", after}} {
				p := plan(t, db, q.st)
				uses := false
				for _, ix := range c.indexes {
					uses = uses || strings.Contains(p, " "+ix+" ") || strings.HasSuffix(p, " "+ix) || strings.Contains(p, " "+ix+"\n")
				}
				if !uses {
					t.Errorf("%s, %s: the plan uses none of %v:\n%s\n(query: %s)", c.name, q.page, c.indexes, p, q.st.SQL)
				}
				if strings.Contains(p, "TEMP B-TREE") || strings.Contains(p, "Sort") {
					t.Errorf("%s, %s: the plan sorts:\n%s\n(query: %s)", c.name, q.page, p, q.st.SQL)
				}
				t.Logf("%s, %s:\n%s", c.name, q.page, p)
			}
		}
	})
}

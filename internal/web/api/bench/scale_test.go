// Package bench_test is the scale benchmark of docs/performance.md: it fills
// one company with SWITCHBOARD_SCALE_ROWS employees and measures the
// employee list over HTTP, first page and deep keyset pages, on SQLite and
// PostgreSQL, plus GET /api/v1/auth/me against a static file served by
// nginx (SWITCHBOARD_SCALE_NGINX); BenchmarkScaleLists does the same for
// the group, site, device and number lists. Without SWITCHBOARD_SCALE_ROWS it skips,
// so `go test ./... -bench .` stays quick; run.sh in this directory runs it.
package bench_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// workers is the number of concurrent clients of every measurement.
const workers = 4

func BenchmarkScale(b *testing.B) {
	rows, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_SCALE_ROWS"))
	if rows <= 0 {
		b.Skip("set SWITCHBOARD_SCALE_ROWS (e.g. 1000000) to run the scale benchmark; docs/performance.md")
	}
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			db := eng.open(b)
			env := apptest.New(b, db)
			start := time.Now()
			fill(b, db, env.Fixture.Acme.ID, env.Fixture.Provider.ID, rows)
			b.Logf("%s: filled %d employees in %s", eng.name, rows, time.Since(start).Round(time.Second))
			explain(b, db, env.Fixture.Acme.ID)
			token := env.Token(b, "acme.admin")
			base := env.Server.URL + "/api/v1/employees?per_page=50"
			deepName := cursorAt(b, db, env.Fixture.Acme.ID, rows*9/10, false)
			deepUser := cursorAt(b, db, env.Fixture.Acme.ID, rows*9/10, true)
			cases := []struct{ name, url string }{
				{"first-page", base},
				{"deep-keyset-page", base + "&after=" + url.QueryEscape(deepName)},
				{"first-page-by-username", base + "&sort=username"},
				{"deep-keyset-page-by-username", base + "&sort=username&after=" + url.QueryEscape(deepUser)},
				{"first-page-status-filter", base + "&status=active"},
				{"auth-me", env.Server.URL + "/api/v1/auth/me"},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) { load(b, c.url, token) })
			}
			if u := os.Getenv("SWITCHBOARD_SCALE_NGINX"); u != "" {
				b.Run("nginx-static", func(b *testing.B) { load(b, u, "") })
			}
		})
	}
}

// BenchmarkScaleLists measures the group, site, device and number lists
// the same way: SWITCHBOARD_SCALE_ROWS groups under one site, devices and
// numbers at that site, first page and a keyset page 90 % deep.
func BenchmarkScaleLists(b *testing.B) {
	rows, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_SCALE_ROWS"))
	if rows <= 0 {
		b.Skip("set SWITCHBOARD_SCALE_ROWS (e.g. 1000000) to run the scale benchmark; docs/performance.md")
	}
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	for _, eng := range engines {
		b.Run(eng.name, func(b *testing.B) {
			db := eng.open(b)
			env := apptest.New(b, db)
			f := env.Fixture
			start := time.Now()
			fillLists(b, db, env, rows)
			b.Logf("%s: filled %d groups, %d devices and %d numbers in %s", eng.name, rows, rows, rows, time.Since(start).Round(time.Second))
			token := env.Token(b, "acme.admin")
			deep := rows * 9 / 10
			cursor := func(query string, ks store.Keyset) string {
				ctx := context.Background()
				var key string
				var id int64
				if err := db.Q(ctx).QueryRow(ctx, query, deep).Scan(&key, &id); err != nil {
					b.Fatal(err)
				}
				return ks.Cursor([]any{key}, id)
			}
			// The keysets of directory, devices and numbering: a cursor
			// holds the order's name, key values and id.
			groupsAfter := cursor("SELECT sort_path, id FROM org_groups WHERE company_id = "+strconv.FormatInt(f.Acme.ID, 10)+
				" ORDER BY sort_path, id LIMIT 1 OFFSET ?", store.Keyset{Name: "path", Keys: []store.SortKey{{Expr: "sort_path"}}, ID: "id"})
			devicesAfter := cursor("SELECT mac, id FROM devices WHERE site_id = "+strconv.FormatInt(f.Leeds.ID, 10)+
				" ORDER BY mac, id LIMIT 1 OFFSET ?", store.Keyset{Name: "mac", Keys: []store.SortKey{{Expr: "d.mac"}}, ID: "d.id"})
			numbersAfter := cursor("SELECT e164, id FROM dn_numbers WHERE site_id = "+strconv.FormatInt(f.Leeds.ID, 10)+
				" ORDER BY e164, id LIMIT 1 OFFSET ?", store.Keyset{Name: "number", Keys: []store.SortKey{{Expr: "n.e164"}}, ID: "n.id"})
			api := env.Server.URL + "/api/v1"
			site := fmt.Sprintf("%s/sites/%d", api, f.Leeds.ID)
			cases := []struct{ name, url string }{
				{"groups-first-page", api + "/groups?per_page=50"},
				{"groups-deep-keyset-page", api + "/groups?per_page=50&after=" + url.QueryEscape(groupsAfter)},
				{"sites-first-page", api + "/sites?per_page=50"},
				{"devices-first-page", site + "/devices?per_page=50"},
				{"devices-deep-keyset-page", site + "/devices?per_page=50&after=" + url.QueryEscape(devicesAfter)},
				{"numbers-first-page", site + "/numbers?per_page=50"},
				{"numbers-deep-keyset-page", site + "/numbers?per_page=50&after=" + url.QueryEscape(numbersAfter)},
				{"numbers-first-page-available", site + "/numbers?per_page=50&status=available"},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) { load(b, c.url, token) })
			}
		})
	}
}

// fillLists inserts n groups under Leeds (explicit ids, so that the id
// path is written in the same statement), n devices and n numbers at
// Leeds, one statement each, then refreshes the statistics.
func fillLists(b *testing.B, db *store.DB, env *apptest.Env, n int) {
	b.Helper()
	ctx := context.Background()
	f := env.Fixture
	var typeID, rangeID int64
	err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		if err := q.QueryRow(ctx, "INSERT INTO device_types (provider_id, vendor, model, created_at) VALUES (?, 'Scale', 'S1', 0) RETURNING id", f.Provider.ID).Scan(&typeID); err != nil {
			return err
		}
		return q.QueryRow(ctx, `INSERT INTO dn_ranges (company_id, site_id, start_e164, end_e164, size, created_at)
			VALUES (?, ?, '+442090000001', ?, ?, 0) RETURNING id`, f.Acme.ID, f.Leeds.ID, fmt.Sprintf("+4420%d", 90000000+n), n).Scan(&rangeID)
	})
	if err != nil {
		b.Fatal(err)
	}
	const gen = "WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
	fills := []struct {
		what string
		sql  string
		args []any
	}{
		{"groups", gen + `INSERT INTO org_groups (id, company_id, parent_id, name, path, sort_path, created_at, updated_at)
			SELECT 10000000 + i, ?, ?, 'Scale ' || i, ? || (10000000 + i) || '/', 'leeds/scale ' || i, 1700000000000 + i, 1700000000000 + i FROM n`,
			[]any{n, f.Acme.ID, f.Leeds.ID, f.Leeds.IDPath()}},
		{"devices", gen + `INSERT INTO devices (company_id, site_id, type_id, mac, created_at, updated_at)
			SELECT ?, ?, ?, 'SC' || (1000000000 + i), 1700000000000 + i, 1700000000000 + i FROM n`, []any{n, f.Acme.ID, f.Leeds.ID, typeID}},
		{"numbers", gen + `INSERT INTO dn_numbers (e164, range_id, company_id, site_id, status)
			SELECT '+4420' || (90000000 + i), ?, ?, ?, CASE WHEN i % 3 = 0 THEN 'assigned' ELSE 'available' END FROM n`,
			[]any{n, rangeID, f.Acme.ID, f.Leeds.ID}},
	}
	for _, fill := range fills {
		start := time.Now()
		if _, err := storetest.Exec(ctx, db, fill.sql, fill.args...); err != nil {
			b.Fatalf("fill %s: %v", fill.what, err)
		}
		b.Logf("filled %d %s in %s", n, fill.what, time.Since(start).Round(time.Second))
	}
	analyze := "ANALYZE"
	if db.Dialect() == store.Postgres {
		analyze = "ANALYZE org_groups, devices, dn_numbers"
	}
	if _, err := storetest.Exec(ctx, db, analyze); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}

// fill inserts n employees in one statement: a recursive row generator both
// engines run, with names that repeat (so sorts have ties) and spread.
func fill(b *testing.B, db *store.DB, companyID, providerID int64, n int) {
	b.Helper()
	_, err := storetest.Exec(context.Background(), db, `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, status, search_text, created_at, updated_at)
SELECT ?, ?, 'scale.' || i, 'employee', 'First' || ((i * 7919) % 5000), 'Last' || ((i * 104729) % 50000),
	CASE WHEN i % 10 = 0 THEN 'inactive' ELSE 'active' END,
	'scale.' || i || '	first' || ((i * 7919) % 5000) || '	last' || ((i * 104729) % 50000), 1700000000000 + i, 1700000000000 + i
FROM n`, n, providerID, companyID)
	if err != nil {
		b.Fatalf("fill: %v", err)
	}
	if db.Dialect() == store.Postgres {
		if _, err := storetest.Exec(context.Background(), db, "ANALYZE accounts"); err != nil {
			b.Fatalf("analyze: %v", err)
		}
	} else if _, err := storetest.Exec(context.Background(), db, "ANALYZE"); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}

// explain logs the plan of the page queries the employee list runs (the
// shapes directory.listEmployees builds): each must walk one index in order,
// with no sort of the whole company (SQLite: no "TEMP B-TREE"; PostgreSQL:
// no Sort node under the Limit).
func explain(b *testing.B, db *store.DB, companyID int64) {
	b.Helper()
	ctx := context.Background()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect() == store.Postgres {
		prefix = "EXPLAIN "
	}
	const cols = "SELECT a.id FROM accounts a WHERE a.company_id = ? "
	queries := []struct {
		name, sql string
		args      []any
	}{
		{"default sort", cols + "ORDER BY lower(a.last_name), lower(a.first_name), a.id LIMIT 51", nil},
		{"default sort after cursor", cols + "AND lower(a.last_name) >= ? AND (lower(a.last_name) > ? OR (lower(a.last_name) = ? AND (lower(a.first_name) > ? OR (lower(a.first_name) = ? AND a.id > ?)))) ORDER BY lower(a.last_name), lower(a.first_name), a.id LIMIT 51",
			[]any{"last7", "last7", "last7", "first1", "first1", 5}},
		{"-last_name after cursor", cols + "AND lower(a.last_name) <= ? AND (lower(a.last_name) < ? OR (lower(a.last_name) = ? AND (lower(a.first_name) < ? OR (lower(a.first_name) = ? AND a.id < ?)))) ORDER BY lower(a.last_name) DESC, lower(a.first_name) DESC, a.id DESC LIMIT 51",
			[]any{"last7", "last7", "last7", "first1", "first1", 5}},
		{"username after cursor", cols + "AND a.username >= ? AND (a.username > ? OR (a.username = ? AND a.id > ?)) ORDER BY a.username, a.id LIMIT 51", []any{"scale.5", "scale.5", "scale.5", 5}},
		{"first_name", cols + "ORDER BY lower(a.first_name), a.id LIMIT 51", nil},
		{"status", cols + "ORDER BY a.status, a.id LIMIT 51", nil},
		{"created_at after cursor", cols + "AND a.created_at >= ? AND (a.created_at > ? OR (a.created_at = ? AND a.id > ?)) ORDER BY a.created_at, a.id LIMIT 51", []any{int64(1700000000500), int64(1700000000500), int64(1700000000500), 5}},
		{"status filter, default sort", cols + "AND a.status = ? ORDER BY lower(a.last_name), lower(a.first_name), a.id LIMIT 51", []any{"active"}},
		{"role filter, default sort", cols + "AND a.role = ? ORDER BY lower(a.last_name), lower(a.first_name), a.id LIMIT 51", []any{"employee"}},
	}
	for _, q := range queries {
		rows, err := db.Q(ctx).Query(ctx, prefix+q.sql, append([]any{companyID}, q.args...)...)
		if err != nil {
			b.Fatalf("explain %s: %v", q.name, err)
		}
		plan := ""
		for rows.Next() {
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			plan += fmt.Sprintf("\n    %v", vals[len(vals)-1])
		}
		rows.Close()
		b.Logf("plan of %s:%s", q.name, plan)
	}
}

// cursorAt makes the cursor of the row at offset in the default order (or
// by username): the position a client reaches after walking that far.
func cursorAt(b *testing.B, db *store.DB, companyID int64, offset int, byUsername bool) string {
	b.Helper()
	ctx := context.Background()
	if byUsername {
		var user string
		var id int64
		if err := db.Q(ctx).QueryRow(ctx, "SELECT username, id FROM accounts a WHERE company_id = ? ORDER BY username, id LIMIT 1 OFFSET ?", companyID, offset).Scan(&user, &id); err != nil {
			b.Fatal(err)
		}
		return store.Keyset{Name: "username", Keys: []store.SortKey{{Expr: "a.username"}}, ID: "a.id"}.Cursor([]any{user}, id)
	}
	var last, first string
	var id int64
	if err := db.Q(ctx).QueryRow(ctx, "SELECT lower(last_name), lower(first_name), id FROM accounts a WHERE company_id = ? ORDER BY lower(last_name), lower(first_name), id LIMIT 1 OFFSET ?", companyID, offset).Scan(&last, &first, &id); err != nil {
		b.Fatal(err)
	}
	return store.Keyset{Name: "last_name", Keys: []store.SortKey{{Expr: "lower(a.last_name)"}, {Expr: "lower(a.first_name)"}}, ID: "a.id"}.Cursor([]any{last, first}, id)
}

// load sends b.N GETs from workers concurrent keep-alive clients and
// reports the rate and the p50/p99 latency of one request.
func load(b *testing.B, target, token string) {
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lat := make([]time.Duration, b.N)
	var next int64 = -1
	var mu sync.Mutex
	var wg sync.WaitGroup
	var failure error
	var size int64
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				next++
				i := next
				mu.Unlock()
				if i >= int64(b.N) {
					return
				}
				req, _ := http.NewRequest("GET", target, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					var n int64
					n, err = io.Copy(io.Discard, res.Body)
					if i == 0 {
						size = n
					}
					res.Body.Close()
					if err == nil && res.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: %s", target, res.Status)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failure != nil {
		b.Fatal(failure)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(size), "B/resp")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}

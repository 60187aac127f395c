package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// searchEstate gives the fixture numbers of its own (ranges other areas'
// tests do not use): west.one holds 0191 498 0501 at Leeds, Acme's hunt
// group 0191 498 0502, globex.one 0117 496 0501 at Reading; 0191 498 0510
// is in Acme's range but unassigned. Activation belongs to another package:
// numbers are assigned with numbering.Assign and accounts.site_id is set
// directly. It also adds search.fresh, an Acme employee whose password must
// change (every call but a few answers 403).
func searchEstate(t *testing.T, env *apptest.Env) {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	if _, err := a.Numbering.AddRange(ctx, f.Acme.ID, f.Leeds.ID, numbering.RangeRequest{Start: "+441914980500", End: "+441914980519"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Numbering.AddRange(ctx, f.Globex.ID, f.Reading.ID, numbering.RangeRequest{Start: "+441174960500", End: "+441174960519"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []struct {
		company int64
		user    string
		site    int64
		number  string
	}{
		{f.Acme.ID, "west.one", f.Leeds.ID, "0191 498 0501"},
		{f.Globex.ID, "globex.one", f.Reading.ID, "0117 496 0501"},
	} {
		if _, err := a.Numbering.Assign(ctx, n.company, n.number, numbering.Owner{Kind: numbering.OwnerUser, ID: env.ID(n.user)}); err != nil {
			t.Fatal(err)
		}
		err := a.DB.Tx(ctx, func(ctx context.Context) error {
			_, err := a.DB.Q(ctx).Exec(ctx, "UPDATE accounts SET site_id = ? WHERE id = ?", n.site, env.ID(n.user))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441914980502", numbering.Owner{Kind: numbering.OwnerEGF, ID: 3, Name: "Leeds Hunt Group"}); err != nil {
		t.Fatal(err)
	}
	e, err := a.Directory.CreateEmployee(ctx, f.Acme.ID, f.Provider.ID, directory.EmployeeCreateRequest{Username: "search.fresh", Role: access.RoleCompanyAdmin,
		FirstName: "Fresh", LastName: "Start"}, "")
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := a.DB.Q(ctx).Exec(ctx, "UPDATE accounts SET must_change_password = ? WHERE id = ?", true, e.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// searchContractCalls are the live search and Search Tool calls of
// TestResponsesMatchDocument.
func searchContractCalls(t *testing.T, c *contract) []apiCall {
	env := c.env
	p := fmt.Sprintf
	globex := env.Fixture.Globex.ID
	q := url.QueryEscape
	return []apiCall{
		{name: "live search", user: "acme.admin", method: "GET", path: "/api/v1/search?q=wendy", want: 200, setup: func(t *testing.T) { searchEstate(t, env) }},
		{name: "live search number", user: "acme.admin", method: "GET", path: "/api/v1/search?q=" + q("0191 498 0501"), want: 200},
		{name: "live search site", user: "leeds.admin", method: "GET", path: "/api/v1/search?q=lee&limit=5", want: 200},
		{name: "live search operator", user: "operator", method: "GET", path: p("/api/v1/search?q=gina&company_id=%d", globex), want: 200},
		{name: "live search operator without company", user: "operator", method: "GET", path: "/api/v1/search?q=gina", want: 422},
		{name: "live search blank", user: "acme.admin", method: "GET", path: "/api/v1/search?q=%20", want: 422},
		{name: "live search missing q", user: "acme.admin", method: "GET", path: "/api/v1/search", want: 422, badRequest: true},
		{name: "live search limit", user: "acme.admin", method: "GET", path: "/api/v1/search?q=a&limit=51", want: 400, badRequest: true},
		{name: "live search other company", user: "acme.admin", method: "GET", path: p("/api/v1/search?q=gina&company_id=%d", globex), want: 404},
		{name: "live search must change password", user: "search.fresh", method: "GET", path: "/api/v1/search?q=a", want: 403},
		{name: "live search anonymous", method: "GET", path: "/api/v1/search?q=a", want: 401},

		{name: "number found", user: "acme.admin", method: "GET", path: "/api/v1/search/numbers?number=" + q("+44 191 498 0501"), want: 200},
		{name: "number egf", user: "acme.admin", method: "GET", path: "/api/v1/search/numbers?number=" + q("01914980502"), want: 200},
		{name: "number unassigned", user: "acme.admin", method: "GET", path: "/api/v1/search/numbers?number=" + q("0191 498 0510"), want: 200},
		{name: "number other company", user: "acme.admin", method: "GET", path: "/api/v1/search/numbers?number=" + q("0117 496 0501"), want: 200},
		{name: "number not found", user: "acme.admin", method: "GET", path: "/api/v1/search/numbers?number=" + q("0191 498 0999"), want: 200},
		{name: "number operator", user: "operator", method: "GET", path: "/api/v1/search/numbers?number=" + q("0117 496 0501"), want: 200},
		{name: "number invalid", user: "acme.admin", method: "GET", path: "/api/v1/search/numbers?number=hello", want: 422},
		{name: "number group admin", user: "leeds.admin", method: "GET", path: "/api/v1/search/numbers?number=" + q("0191 498 0501"), want: 403},
		{name: "number anonymous", method: "GET", path: "/api/v1/search/numbers?number=1", want: 401},

		{name: "names found", user: "acme.admin", method: "GET", path: "/api/v1/search/names?first_name=wen*", want: 200},
		{name: "names hidden", user: "acme.admin", method: "GET", path: "/api/v1/search/names?last_name=" + q("*o*") + "&per_page=2", want: 200},
		{name: "names no permission", user: "acme.admin", method: "GET", path: "/api/v1/search/names?first_name=gina&company=glob*", want: 200},
		{name: "names operator", user: "operator", method: "GET", path: "/api/v1/search/names?first_name=gina", want: 200},
		{name: "names empty", user: "acme.admin", method: "GET", path: "/api/v1/search/names?first_name=*", want: 422},
		{name: "names employee", user: "west.one", method: "GET", path: "/api/v1/search/names?first_name=a", want: 403},
		{name: "names anonymous", method: "GET", path: "/api/v1/search/names?first_name=a", want: 401},

		{name: "device found", user: "acme.admin", method: "GET", path: "/api/v1/search/devices?mac=" + q("00:04:f2:a2:00:01"), want: 200,
			setup: func(t *testing.T) { macSearchEstate(t, env) }},
		{name: "device spare", user: "acme.admin", method: "GET", path: "/api/v1/search/devices?mac=0004F2A20002", want: 200},
		{name: "device other company", user: "acme.admin", method: "GET", path: "/api/v1/search/devices?mac=0004F2A20003", want: 200},
		{name: "device operator", user: "operator", method: "GET", path: "/api/v1/search/devices?mac=0004f2a20003", want: 200},
		{name: "device invalid", user: "acme.admin", method: "GET", path: "/api/v1/search/devices?mac=hello", want: 422},
		{name: "device missing mac", user: "acme.admin", method: "GET", path: "/api/v1/search/devices", want: 422, badRequest: true},
		{name: "device group admin", user: "leeds.admin", method: "GET", path: "/api/v1/search/devices?mac=0004F2A20001", want: 403},
		{name: "device anonymous", method: "GET", path: "/api/v1/search/devices?mac=0004F2A20001", want: 401},
	}
}

// macSearchEstate adds Lola Don's phone at London (0004F2A20001), a spare
// at Leeds (0004F2A20002) and a Globex phone (0004F2A20003). (Wendy West's
// primary device belongs to the SIP calls of the document test.)
func macSearchEstate(t *testing.T, env *apptest.Env) {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Polycom", Model: "VVX 411"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		company, site int64
		mac           string
		user          int64
	}{
		{f.Acme.ID, f.London.ID, "0004F2A20001", env.ID("london.one")},
		{f.Acme.ID, f.Leeds.ID, "0004F2A20002", 0},
		{f.Globex.ID, f.Reading.ID, "0004F2A20003", 0},
	} {
		dev, err := a.Devices.Create(ctx, f.Provider.ID, d.company, devices.DeviceCreateRequest{SiteID: d.site, TypeID: ty.ID, MAC: d.mac})
		if err != nil {
			t.Fatal(err)
		}
		if d.user != 0 {
			if err := a.Devices.AssignPrimary(ctx, d.company, d.site, dev.ID, d.user); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestSearchDeviceAPI: the Search Tool by MAC over HTTP, for the cast and
// the outsiders: another company's phone answers byte for byte like a MAC
// nobody has, apart from the MAC itself.
func TestSearchDeviceAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		macSearchEstate(t, env)
		f := env.Fixture
		found := func(company, site int64, siteName string, user any) map[string]any {
			return map[string]any{"outcome": "found", "company": map[string]any{"id": float64(company), "name": map[int64]string{f.Acme.ID: "Acme Ltd", f.Globex.ID: "Globex plc"}[company]},
				"site": map[string]any{"id": float64(site), "name": siteName}, "user": user}
		}
		lola := map[string]any{"id": float64(env.ID("london.one")), "name": "Lola Don"}
		notFound := func(mac string) map[string]any {
			return map[string]any{"outcome": "not_found", "mac": mac, "message": "No device found with MAC " + mac, "user": nil}
		}
		for _, tc := range []struct {
			user, mac string
			status    int
			want      map[string]any
			keys      int
		}{
			{"acme.admin", "00:04:f2:a2:00:01", 200, found(f.Acme.ID, f.London.ID, "London", lola), 7},
			{"acme.admin2", "0004f2a20002", 200, found(f.Acme.ID, f.Leeds.ID, "Leeds", nil), 7},
			{"acme.reseller", "0004F2A20001", 200, found(f.Acme.ID, f.London.ID, "London", lola), 7},
			{"operator", "0004-F2A2-0003", 200, found(f.Globex.ID, f.Reading.ID, "Reading", nil), 7},
			{"globex.admin", "0004F2A20003", 200, found(f.Globex.ID, f.Reading.ID, "Reading", nil), 7},
			{"acme.admin", "0004F2A20003", 200, notFound("0004F2A20003"), 4},
			{"acme.admin", "0004F2A20009", 200, notFound("0004F2A20009"), 4},
			{"globex.admin", "0004F2A20001", 200, notFound("0004F2A20001"), 4},
			{"reseller.admin", "0004F2A20001", 200, notFound("0004F2A20001"), 4},
			{"other.reseller", "0004F2A20001", 200, notFound("0004F2A20001"), 4},
			{"other.operator", "0004F2A20001", 200, notFound("0004F2A20001"), 4},
			{"leeds.admin2", "0004F2A20001", 403, nil, 0},
			{"globex.one", "0004F2A20003", 403, nil, 0},
			{"acme.admin", "0004F2A2000", 422, nil, 0},
		} {
			t.Run(tc.user+"/"+tc.mac, func(t *testing.T) {
				token := env.Token(t, tc.user)
				before := storetest.Counts(t, db)
				res := env.Do(t, token, "GET", "/api/v1/search/devices?mac="+url.QueryEscape(tc.mac), nil)
				storetest.SameCounts(t, before, storetest.Counts(t, db))
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
				}
				if tc.status == 422 && !strings.Contains(string(res.Body), `"mac"`) {
					t.Errorf("422 does not name mac: %s", res.Body)
				}
				if tc.want == nil {
					return
				}
				var body map[string]any
				res.JSON(t, &body)
				for k, v := range tc.want {
					if !reflect.DeepEqual(body[k], v) {
						t.Errorf("%s = %v, want %v", k, body[k], v)
					}
				}
				if len(body) != tc.keys {
					t.Errorf("%d fields, want %d: %s", len(body), tc.keys, res.Body)
				}
			})
		}
	})
}

// TestSearchAPI checks what the search endpoints answer, per role, on both
// engines: scope, tenant isolation and the Search Tool's outcomes.
func TestSearchAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		searchEstate(t, env)
		f := env.Fixture
		q := url.QueryEscape
		tokens := map[string]string{}
		token := func(user string) string {
			if tokens[user] == "" {
				tokens[user] = sessionToken(t, env, user)
			}
			return tokens[user]
		}
		type liveBody struct {
			Employees []struct {
				ID       int64  `json:"id"`
				Username string `json:"username"`
				Site     *struct {
					Name string `json:"name"`
				} `json:"site"`
				Number *struct {
					National string `json:"national"`
				} `json:"number"`
			} `json:"employees"`
			Sites []struct {
				Name string `json:"name"`
			} `json:"sites"`
		}
		for _, tc := range []struct {
			user, path string
			status     int
			employees  []string
			sites      []string
		}{
			{"acme.admin", "/api/v1/search?q=" + q("0191 498 05"), 200, []string{"west.one"}, nil},
			{"acme.admin", "/api/v1/search?q=" + q("+44191498"), 200, []string{"west.one"}, nil},
			{"acme.admin", "/api/v1/search?q=4980501", 200, []string{"west.one"}, nil},
			{"acme.admin", "/api/v1/search?q=" + q("0117 496 0501"), 200, nil, nil},
			{"acme.admin", "/api/v1/search?q=wendy", 200, []string{"west.one"}, nil},
			{"acme.admin", "/api/v1/search?q=lon", 200, []string{"london.one"}, []string{"London"}},
			{"acme.admin", "/api/v1/search?q=gina", 200, nil, nil},
			{"acme.admin", fmt.Sprintf("/api/v1/search?q=gina&company_id=%d", f.Globex.ID), 404, nil, nil},
			{"globex.admin", "/api/v1/search?q=0501", 200, []string{"globex.one"}, nil},
			{"sales.admin", "/api/v1/search?q=w", 200, []string{"west.one"}, nil},
			{"sales.admin", "/api/v1/search?q=stan", 200, nil, nil},
			{"support.one", "/api/v1/search?q=w", 200, nil, nil},
			{"support.one", "/api/v1/search?q=s", 200, []string{"support.one"}, nil},
			{"operator", fmt.Sprintf("/api/v1/search?q=lox&company_id=%d", f.Globex.ID), 200, []string{"globex.one"}, nil},
		} {
			t.Run("live/"+tc.user+tc.path, func(t *testing.T) {
				res := env.Do(t, token(tc.user), "GET", tc.path, nil)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
				}
				if tc.status != 200 {
					return
				}
				var body liveBody
				res.JSON(t, &body)
				var got, sites []string
				for _, e := range body.Employees {
					got = append(got, e.Username)
				}
				for _, s := range body.Sites {
					sites = append(sites, s.Name)
				}
				if !slices.Equal(got, tc.employees) || !slices.Equal(sites, tc.sites) {
					t.Errorf("employees %v sites %v, want %v %v", got, sites, tc.employees, tc.sites)
				}
			})
		}

		// The Search Tool: the exact bodies of the platform-wide answers.
		for _, tc := range []struct {
			user, path string
			status     int
			want       map[string]any // top-level fields that must match
			keys       int            // how many top-level fields, when set
		}{
			{"acme.admin", "/api/v1/search/numbers?number=" + q("+441914980501"), 200,
				map[string]any{"outcome": "found", "type": "User", "company": map[string]any{"id": float64(f.Acme.ID), "name": "Acme Ltd"},
					"site": map[string]any{"id": float64(f.Leeds.ID), "name": "Leeds"}, "owner": map[string]any{"id": float64(env.ID("west.one")), "name": "Wendy West"}}, 0},
			{"acme.admin", "/api/v1/search/numbers?number=" + q("0191 498 0502"), 200, map[string]any{"outcome": "found", "type": "EGF"}, 0},
			{"acme.admin", "/api/v1/search/numbers?number=" + q("0191 498 0510"), 200,
				map[string]any{"outcome": "unassigned", "number": map[string]any{"e164": "+441914980510", "national": "0191 498 0510"}}, 5},
			{"acme.admin", "/api/v1/search/numbers?number=" + q("0117 496 0501"), 200,
				map[string]any{"outcome": "no_permission", "message": "You do not have permission to view this"}, 2},
			{"acme.admin", "/api/v1/search/numbers?number=" + q("0117 496 0510"), 200,
				map[string]any{"outcome": "no_permission", "message": "You do not have permission to view this"}, 2},
			{"acme.admin", "/api/v1/search/numbers?number=" + q("0117 496 0999"), 200, map[string]any{"outcome": "not_found"}, 2},
			{"globex.admin", "/api/v1/search/numbers?number=" + q("+441914980501"), 200,
				map[string]any{"outcome": "no_permission", "message": "You do not have permission to view this"}, 2},
			{"operator", "/api/v1/search/numbers?number=" + q("0117 496 0501"), 200, map[string]any{"outcome": "found", "type": "User"}, 0},
			{"acme.admin", "/api/v1/search/numbers?number=12", 422, nil, 0},
			{"leeds.admin", "/api/v1/search/numbers?number=" + q("0191 498 0501"), 403, nil, 0},
			{"globex.one", "/api/v1/search/numbers?number=" + q("0191 498 0501"), 403, nil, 0},
			{"acme.admin", "/api/v1/search/names?first_name=W?ndy&last_name=w*", 200, map[string]any{"outcome": "found", "total": float64(1), "hidden": false}, 0},
			{"acme.admin", "/api/v1/search/names?first_name=gina", 200,
				map[string]any{"outcome": "no_permission", "message": "You do not have permission to view this", "items": []any{}, "total": float64(0), "hidden": true}, 0},
			{"acme.admin", "/api/v1/search/names?first_name=nobody", 200, map[string]any{"outcome": "not_found", "hidden": false}, 0},
			{"acme.admin", "/api/v1/search/names?last_name=*&company=acme*", 422, nil, 0},
			{"operator", "/api/v1/search/names?first_name=g*&company=globex*", 200, map[string]any{"outcome": "found", "total": float64(1), "hidden": false}, 0},
		} {
			t.Run("tool/"+tc.user+tc.path, func(t *testing.T) {
				res := env.Do(t, token(tc.user), "GET", tc.path, nil)
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
				}
				if tc.status != http.StatusOK {
					return
				}
				var body map[string]any
				if err := json.Unmarshal(res.Body, &body); err != nil {
					t.Fatal(err)
				}
				for k, v := range tc.want {
					if got, _ := json.Marshal(body[k]); string(got) != mustJSON(t, v) {
						t.Errorf("%s = %s, want %s", k, got, mustJSON(t, v))
					}
				}
				if tc.keys != 0 && len(body) != tc.keys {
					t.Errorf("answer has %d fields, want %d: %s", len(body), tc.keys, res.Body)
				}
			})
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/search"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// numbered gives the fixture DN ranges and numbers: west.one holds
// 0113 496 0037 (extension 2037) and support.one 0113 496 0050 at Leeds,
// london.one 020 7946 0012 (extension 3012) at London, a hunt group of
// Acme 0113 496 0090, and Globex's globex.one 0161 496 0037 (the same last
// four digits as west.one's) at Reading. Activation is another package's
// work: the numbers are assigned with numbering.Assign and accounts.site_id
// is set directly.
func numbered(t *testing.T, env *apptest.Env) {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	for _, r := range []struct {
		company, site int64
		start, end    string
	}{
		{f.Acme.ID, f.Leeds.ID, "+441134960000", "+441134960099"},
		{f.Acme.ID, f.London.ID, "+442079460000", "+442079460099"},
		{f.Globex.ID, f.Reading.ID, "+441614960000", "+441614960099"},
	} {
		if _, err := a.Numbering.AddRange(ctx, r.company, r.site, numbering.RangeRequest{Start: r.start, End: r.end}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []struct {
		company int64
		user    string
		site    int64
		number  string
		ext     string
	}{
		{f.Acme.ID, "west.one", f.Leeds.ID, "0113 496 0037", "2037"},
		{f.Acme.ID, "support.one", f.Leeds.ID, "+441134960050", ""},
		{f.Acme.ID, "london.one", f.London.ID, "020 7946 0012", "3012"},
		{f.Globex.ID, "globex.one", f.Reading.ID, "0161 496 0037", "2037"},
	} {
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: env.ID(n.user)}
		if _, err := a.Numbering.Assign(ctx, n.company, n.number, owner); err != nil {
			t.Fatal(err)
		}
		if n.ext != "" {
			if _, err := a.Numbering.ReserveExtension(ctx, n.company, n.site, n.ext, owner); err != nil {
				t.Fatal(err)
			}
		}
		err := a.DB.Tx(ctx, func(ctx context.Context) error {
			_, err := a.DB.Q(ctx).Exec(ctx, "UPDATE accounts SET site_id = ? WHERE id = ?", n.site, env.ID(n.user))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960090", numbering.Owner{Kind: numbering.OwnerEGF, ID: 7, Name: "Sales Hunt Group"}); err != nil {
		t.Fatal(err)
	}
}

func fieldOf(err error) string {
	var v *derrors.ValidationError
	if errors.As(err, &v) && len(v.Fields) > 0 {
		return v.Fields[0].Field
	}
	return ""
}

func TestLive(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		numbered(t, env)
		f := env.Fixture
		ctx := context.Background()
		for _, tc := range []struct {
			user      string
			company   int64 // 0: the user's own
			q         string
			limit     int
			employees []string // usernames, in order
			sites     []string
			matched   string // of the first employee, when set
			more      bool
			field     string // a validation error on this field
		}{
			// Each field.
			{user: "acme.admin", q: "wend", employees: []string{"west.one"}, matched: "name"},
			{user: "acme.admin", q: "WEST", employees: []string{"west.one"}},
			{user: "acme.admin", q: "west.o", employees: []string{"west.one"}, matched: "username"},
			{user: "acme.admin", q: "Wendy W", employees: []string{"west.one"}},
			{user: "acme.admin", q: "west wen", employees: []string{"west.one"}},
			{user: "acme.admin", q: "West, Wendy", employees: []string{"west.one"}},
			{user: "acme.admin", q: "  port  ", employees: []string{"support.one"}},
			{user: "acme.admin", q: "lee", employees: []string{"leeds.admin"}, sites: []string{"Leeds"}},
			{user: "acme.admin", q: "ondo", sites: []string{"London"}},
			{user: "acme.admin", q: "l", employees: []string{"london.one", "leeds.admin"}, sites: []string{"Leeds", "London"}},
			// Numbers in every form, partial.
			{user: "acme.admin", q: "0113 496 0037", employees: []string{"west.one"}, matched: "number"},
			{user: "acme.admin", q: "0113 496", employees: []string{"support.one", "west.one"}},
			{user: "acme.admin", q: "+44113496", employees: []string{"support.one", "west.one"}},
			{user: "acme.admin", q: "+44 (113) 496-0050", employees: []string{"support.one"}},
			{user: "acme.admin", q: "0044 20 7946", employees: []string{"london.one"}},
			{user: "acme.admin", q: "44113496", employees: []string{"support.one", "west.one"}},
			{user: "acme.admin", q: "1134960037", employees: []string{"west.one"}},
			{user: "acme.admin", q: "4960037", employees: []string{"west.one"}},
			{user: "acme.admin", q: "0037", employees: []string{"west.one"}},
			{user: "acme.admin", q: "037", employees: []string{"west.one"}},
			{user: "acme.admin", q: "301", employees: []string{"london.one"}, matched: "extension"},
			{user: "acme.admin", q: "+4411349600", employees: []string{"support.one", "west.one"}},
			{user: "acme.admin", q: "+4411349601"},
			// Another company's employees, numbers and sites do not exist.
			{user: "acme.admin", q: "gina"},
			{user: "acme.admin", q: "0161 496 0037"},
			{user: "acme.admin", q: "read"},
			{user: "globex.admin", q: "0037", employees: []string{"globex.one"}},
			{user: "globex.admin", q: "wend"},
			{user: "operator", company: f.Globex.ID, q: "lox", employees: []string{"globex.one"}},
			{user: "operator", company: f.Acme.ID, q: "lox"},
			// Scope: a group admin finds the members of their subtrees and
			// the sites they administer; an employee only themselves.
			{user: "leeds.admin", q: "wend", employees: []string{"west.one"}},
			{user: "leeds.admin", q: "lola"},
			{user: "leeds.admin", q: "020 7946 0012"},
			{user: "leeds.admin", q: "lee", employees: []string{"leeds.admin"}, sites: []string{"Leeds"}},
			{user: "leeds.admin", q: "lon"},
			{user: "sales.admin", q: "0113", employees: []string{"west.one"}},
			{user: "sales.admin", q: "stan"},
			{user: "sales.admin", q: "lee"},
			{user: "sales.admin", q: "sam", employees: []string{"sales.admin"}},
			{user: "west.one", q: "w", employees: []string{"west.one"}},
			{user: "west.one", q: "stan"},
			{user: "west.one", q: "lee"},
			{user: "leeds.admin", q: "0113 496", limit: 1, employees: []string{"west.one"}, more: true},
			// Limits.
			{user: "acme.admin", q: "+44113496", limit: 1, employees: []string{"west.one"}, more: true},
			{user: "acme.admin", q: "", field: "q"},
			{user: "acme.admin", q: " , ", field: "q"},
			{user: "acme.admin", q: strings.Repeat("a", 101), field: "q"},
			{user: "acme.admin", q: "a", limit: 51, field: "limit"},
		} {
			for _, st := range search.Strategies {
				t.Run(st.Name+"/"+tc.user+"/"+tc.q, func(t *testing.T) {
					defer search.UseStrategy(st)()
					actor := env.Actor(tc.user)
					company := tc.company
					if company == 0 {
						company = actor.CompanyID
					}
					sc, err := env.App.Access.Scope(ctx, actor)
					if err != nil {
						t.Fatal(err)
					}
					res, err := env.App.Search.Live(ctx, company, sc, tc.q, tc.limit)
					if tc.field != "" {
						if fieldOf(err) != tc.field {
							t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					var got, sites []string
					for _, e := range res.Employees {
						got = append(got, e.Username)
					}
					for _, s := range res.Sites {
						sites = append(sites, s.Name)
					}
					if !slices.Equal(got, tc.employees) {
						t.Errorf("employees = %v, want %v", got, tc.employees)
					}
					if !slices.Equal(sites, tc.sites) {
						t.Errorf("sites = %v, want %v", sites, tc.sites)
					}
					if tc.matched != "" && len(res.Employees) > 0 && res.Employees[0].Matched != tc.matched {
						t.Errorf("matched = %q, want %q", res.Employees[0].Matched, tc.matched)
					}
					if res.More != tc.more {
						t.Errorf("more = %v, want %v", res.More, tc.more)
					}
				})
			}
		}

		// An account in two of the admin's groups is found once, and does
		// not count twice towards "more", however the look-up reaches it.
		if err := env.App.Directory.ChangeMembers(ctx, []directory.Link{{GroupID: f.Support.ID, AccountID: env.ID("west.one")}}, nil); err != nil {
			t.Fatal(err)
		}
		leeds, err := env.App.Access.Scope(ctx, env.Actor("leeds.admin"))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range search.Strategies {
			for _, q := range []string{"wend", "0113 496 0037", "2037"} {
				restore := search.UseStrategy(st)
				res, err := env.App.Search.Live(ctx, f.Acme.ID, leeds, q, 1)
				restore()
				if err != nil || len(res.Employees) != 1 || res.Employees[0].Username != "west.one" || res.More {
					t.Errorf("%s: two memberships, %q: %+v more=%v, %v", st.Name, q, res.Employees, res.More, err)
				}
			}
		}
		if err := env.App.Directory.ChangeMembers(ctx, nil, []directory.Link{{GroupID: f.Support.ID, AccountID: env.ID("west.one")}}); err != nil {
			t.Fatal(err)
		}

		// A hit carries the site, the number in both forms and the extension.
		sc, _ := env.App.Access.Scope(ctx, env.Actor("acme.admin"))
		res, err := env.App.Search.Live(ctx, f.Acme.ID, sc, "wendy", 0)
		if err != nil || len(res.Employees) != 1 {
			t.Fatalf("wendy: %v %+v", err, res)
		}
		h := res.Employees[0]
		if h.Site == nil || h.Site.Name != "Leeds" || h.Number == nil || h.Number.E164 != "+441134960037" || h.Number.National != "0113 496 0037" || h.Extension != "2037" {
			t.Errorf("hit = %+v site %+v number %+v", h, h.Site, h.Number)
		}
	})
}

func TestFindNumber(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		numbered(t, env)
		f := env.Fixture
		ctx := context.Background()
		for _, tc := range []struct {
			user, number string
			outcome      search.Outcome
			company      string
			site         string
			typ          string
			owner        string
			field        string
		}{
			{user: "acme.admin", number: "0113 496 0037", outcome: search.OutcomeFound, company: "Acme Ltd", site: "Leeds", typ: "User", owner: "Wendy West"},
			{user: "acme.admin", number: "+44 113 496 0037", outcome: search.OutcomeFound, company: "Acme Ltd", site: "Leeds", typ: "User", owner: "Wendy West"},
			{user: "acme.admin", number: "+441134960090", outcome: search.OutcomeFound, company: "Acme Ltd", site: "Leeds", typ: "EGF", owner: "Sales Hunt Group"},
			{user: "acme.admin", number: "020 7946 0013", outcome: search.OutcomeUnassigned, company: "Acme Ltd", site: "London"},
			{user: "acme.admin", number: "0161 496 0037", outcome: search.OutcomeNoPermission},
			{user: "acme.admin", number: "0161 496 0038", outcome: search.OutcomeNoPermission},
			{user: "acme.admin", number: "0113 496 1234", outcome: search.OutcomeNotFound},
			{user: "globex.admin", number: "0113 496 0037", outcome: search.OutcomeNoPermission},
			{user: "globex.admin", number: "0161 496 0037", outcome: search.OutcomeFound, company: "Globex plc", site: "Reading", typ: "User", owner: "Gina Lox"},
			{user: "operator", number: "0161 496 0037", outcome: search.OutcomeFound, company: "Globex plc", site: "Reading", typ: "User", owner: "Gina Lox"},
			{user: "operator", number: "+441614960099", outcome: search.OutcomeUnassigned, company: "Globex plc", site: "Reading"},
			{user: "acme.admin", number: "hello", field: "number"},
			{user: "acme.admin", number: " ", field: "number"},
		} {
			t.Run(tc.user+"/"+tc.number, func(t *testing.T) {
				res, err := env.App.Search.FindNumber(ctx, env.Actor(tc.user), tc.number)
				if tc.field != "" {
					if fieldOf(err) != tc.field {
						t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome != tc.outcome {
					t.Fatalf("outcome = %s (%s), want %s", res.Outcome, res.Message, tc.outcome)
				}
				switch tc.outcome {
				case search.OutcomeNoPermission, search.OutcomeNotFound:
					// Exactly the outcome and the message: nothing about the
					// company, site or owner.
					raw, _ := json.Marshal(res)
					var keys map[string]any
					_ = json.Unmarshal(raw, &keys)
					if len(keys) != 2 {
						t.Errorf("answer reveals more than outcome and message: %s", raw)
					}
					if tc.outcome == search.OutcomeNoPermission && res.Message != search.MessageNoPermission {
						t.Errorf("message = %q", res.Message)
					}
					return
				}
				if res.Company.Name != tc.company || res.Site.Name != tc.site || res.Type != tc.typ {
					t.Errorf("found %s / %s / %s, want %s / %s / %s", res.Company.Name, res.Site.Name, res.Type, tc.company, tc.site, tc.typ)
				}
				if tc.owner != "" && (res.Owner == nil || res.Owner.Name != tc.owner) {
					t.Errorf("owner = %+v, want %s", res.Owner, tc.owner)
				}
				if tc.typ == "User" && res.Owner.ID != env.ID(map[string]string{"Wendy West": "west.one", "Gina Lox": "globex.one"}[tc.owner]) {
					t.Errorf("owner id = %d", res.Owner.ID)
				}
				if tc.outcome == search.OutcomeUnassigned && res.Owner != nil {
					t.Errorf("unassigned number has an owner: %+v", res.Owner)
				}
			})
		}
		_ = f
	})
}

func TestFindNames(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		numbered(t, env)
		ctx := context.Background()
		for _, tc := range []struct {
			user                   string
			first, last, company   string
			outcome                search.Outcome
			usernames              []string
			hidden                 bool
			field                  string
			wantNumber, wantSiteOf string
		}{
			{user: "acme.admin", first: "Wen*", outcome: search.OutcomeFound, usernames: []string{"west.one"}, wantNumber: "0113 496 0037", wantSiteOf: "Leeds"},
			{user: "acme.admin", last: "w?st", outcome: search.OutcomeFound, usernames: []string{"west.one"}},
			{user: "acme.admin", first: "wendy", last: "west", outcome: search.OutcomeFound, usernames: []string{"west.one"}},
			{user: "acme.admin", first: "wend", outcome: search.OutcomeNotFound},
			{user: "acme.admin", first: "g*", outcome: search.OutcomeNoPermission, hidden: true},
			{user: "acme.admin", last: "*o*", outcome: search.OutcomeFound, usernames: []string{"sales.admin", "london.one", "acme.admin", "support.one"}, hidden: true},
			{user: "acme.admin", last: "*o*", company: "acme*", outcome: search.OutcomeFound, usernames: []string{"sales.admin", "london.one", "acme.admin", "support.one"}},
			{user: "acme.admin", first: "*a*", company: "Globex plc", outcome: search.OutcomeNoPermission, hidden: true},
			{user: "acme.admin", first: "zz*", outcome: search.OutcomeNotFound},
			{user: "acme.admin", first: "50%", outcome: search.OutcomeNotFound},
			{user: "globex.admin", first: "Wendy", outcome: search.OutcomeNoPermission, hidden: true},
			{user: "operator", first: "gina", outcome: search.OutcomeFound, usernames: []string{"globex.one"}, wantNumber: "0161 496 0037", wantSiteOf: "Reading"},
			{user: "operator", last: "*o*", company: "glob*", outcome: search.OutcomeFound, usernames: []string{"globex.one", "globex.admin"}},
			{user: "acme.admin", first: "*", last: "?", field: "last_name"},
			{user: "acme.admin", field: "last_name"},
			{user: "acme.admin", first: strings.Repeat("a", 101), field: "first_name"},
		} {
			t.Run(tc.user+"/"+tc.first+"/"+tc.last+"/"+tc.company, func(t *testing.T) {
				res, err := env.App.Search.FindNames(ctx, env.Actor(tc.user), search.NameQuery{FirstName: tc.first, LastName: tc.last, Company: tc.company}, store.Page{})
				if tc.field != "" {
					if fieldOf(err) != tc.field {
						t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range res.Items {
					got = append(got, m.Username)
				}
				if res.Outcome != tc.outcome || res.Hidden != tc.hidden || !slices.Equal(got, tc.usernames) || res.Total != len(tc.usernames) {
					t.Errorf("got %s hidden=%v %v total %d (%s), want %s hidden=%v %v", res.Outcome, res.Hidden, got, res.Total, res.Message, tc.outcome, tc.hidden, tc.usernames)
				}
				if tc.outcome == search.OutcomeNoPermission && res.Message != search.MessageNoPermission {
					t.Errorf("message = %q", res.Message)
				}
				if tc.wantNumber != "" {
					m := res.Items[0]
					if m.Number == nil || m.Number.National != tc.wantNumber || m.Site == nil || m.Site.Name != tc.wantSiteOf {
						t.Errorf("match = %+v", m)
					}
				}
			})
		}
	})
}

package features_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// benchFixture is the features fixture on SQLite, with west.one's features
// and Leeds's schedules configured (docs/performance.md, "Features").
func benchFixture(b *testing.B) *fixture {
	b.Helper()
	return benchFixtureOn(b, storetest.SQLite(b))
}

func benchFixtureOn(b *testing.B, db *store.DB) *fixture {
	b.Helper()
	env := apptest.New(b, db)
	sv := env.SeedService(b)
	ctx := context.Background()
	a, f := env.App, env.Fixture
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
		b.Fatal(err)
	}
	for _, u := range []string{"west.one", "support.one"} {
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, env.ID(u), sv.Packages["Standard"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
			b.Fatal(err)
		}
	}
	fx := &fixture{env: env, svc: a.Features, sv: sv, ctx: ctx}
	admin := env.Actor("acme.admin")
	west := features.Employee(env.ID("west.one"))
	for code, body := range map[string]string{
		features.CodeCallForwarding:   `{"always":{"enabled":true,"destination":"+441134960099"},"no_answer":{"enabled":true,"destination":"+441134960098","rings":3}}`,
		features.CodeVoicemail:        `{"notify":{"enabled":true,"address":"wendy@example.com"}}`,
		features.CodeRemoteOffice:     `{"enabled":true,"destination":"+447700900124"}`,
		features.CodeBusyLampField:    fmt.Sprintf(`{"monitored":[%d]}`, env.ID("london.one")),
		features.CodeSimultaneousRing: `{"enabled":true,"numbers":[{"destination":"07700900123","answer_confirmation":true}]}`,
	} {
		if _, err := a.Features.Configure(ctx, admin, west, code, []byte(body)); err != nil {
			b.Fatal(err)
		}
	}
	return fx
}

// BenchmarkServiceData is one GET …/service-data of an employee with five
// features configured, without HTTP.
func BenchmarkServiceData(b *testing.B) {
	fx := benchFixture(b)
	admin := fx.env.Actor("acme.admin")
	west := features.Employee(fx.env.ID("west.one"))
	b.ResetTimer()
	for b.Loop() {
		if _, err := fx.svc.ServiceDataFor(fx.ctx, admin, west); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConfigure is one change of call forwarding (alternating two
// destinations, so every save writes and audits).
func BenchmarkConfigure(b *testing.B) {
	fx := benchFixture(b)
	admin := fx.env.Actor("acme.admin")
	west := features.Employee(fx.env.ID("west.one"))
	bodies := [][]byte{[]byte(`{"busy":{"enabled":true,"destination":"+441134960097"}}`), []byte(`{"busy":{"enabled":true,"destination":"+441134960096"}}`)}
	i := 0
	b.ResetTimer()
	for b.Loop() {
		i++
		if _, err := fx.svc.Configure(fx.ctx, admin, west, features.CodeCallForwarding, bodies[i%2]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCopyFeatures copies five configured features from one employee
// to another (the step of a bulk feature job, one target).
func BenchmarkCopyFeatures(b *testing.B) {
	fx := benchFixture(b)
	admin := fx.env.Actor("acme.admin")
	west, support := features.Employee(fx.env.ID("west.one")), features.Employee(fx.env.ID("support.one"))
	codes := []string{features.CodeCallForwarding, features.CodeVoicemail, features.CodeRemoteOffice, features.CodeBusyLampField, features.CodeSimultaneousRing}
	b.ResetTimer()
	for b.Loop() {
		if _, err := fx.svc.CopyFeatures(fx.ctx, admin, west, support, codes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPeoplePicker is one page of the employee picker in a company of
// 5,000 employees: the first page, a page deep in the list (keyset), and a
// name search.
func BenchmarkPeoplePicker(b *testing.B) {
	fx := benchFixture(b)
	db, f := fx.env.App.DB, fx.env.Fixture
	err := db.Tx(fx.ctx, func(ctx context.Context) error {
		for i := 0; i < 5000; i++ {
			user, first, last := fmt.Sprintf("bench.%04d", i), fmt.Sprintf("First%04d", i), fmt.Sprintf("Last%04d", i)
			if _, err := db.Q(ctx).Exec(ctx, `INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, search_text, created_at, updated_at)
				VALUES (?, ?, ?, 'employee', ?, ?, ?, 1, 1)`, f.Provider.ID, f.Acme.ID, user, first, last, user+"\t"+first+"\t"+last); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	admin, leeds := fx.env.Actor("acme.admin"), features.Site(f.Leeds.ID)
	deep := store.Page{PerPage: 25}
	for range 100 { // 2,500 employees in
		p, err := fx.svc.People(fx.ctx, admin, leeds, "", deep)
		if err != nil {
			b.Fatal(err)
		}
		deep.After = p.Next
	}
	for _, c := range []struct {
		name, q string
		page    store.Page
	}{{"first", "", store.Page{PerPage: 25}}, {"deep", "", deep}, {"search", "last4321", store.Page{PerPage: 25}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := fx.svc.People(fx.ctx, admin, leeds, c.q, c.page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

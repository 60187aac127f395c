package features_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// fixture is the apptest estate with the default catalog sold: Leeds and
// London have Site Essentials (Leeds with the Call Centre and My Room add-ons), west.one
// and support.one the Standard package (which grants call forwarding,
// simultaneous ring, busy lamp field …; west.one with the Call Recording
// add-on), london.one Basic (no simultaneous ring).
type fixture struct {
	env *apptest.Env
	svc *features.Service
	sv  apptest.Service
	ctx context.Context
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	env := apptest.New(t, db)
	env.AddCast(t)
	sv := env.SeedService(t)
	ctx := context.Background()
	a, f := env.App, env.Fixture
	// Leeds also has the Call Centre add-on.
	for site, addOns := range map[int64][]int64{f.Leeds.ID: {sv.Packages["Call Centre"].ID, sv.Packages["My Room Conferencing"].ID}, f.London.ID: nil} {
		if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, site, sv.Packages["Site Essentials"].ID, addOns); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Globex.ID, f.Reading.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
		t.Fatal(err)
	}
	for user, pkg := range map[string]string{"west.one": "Standard", "support.one": "Standard", "london.one": "Basic",
		"leeds.admin": "Standard", "globex.one": "Standard"} {
		company := f.Acme.ID
		if user == "globex.one" {
			company = f.Globex.ID
		}
		var addOns []int64
		if user == "west.one" {
			addOns = []int64{sv.Packages["Call Recording"].ID}
		}
		if _, err := a.Catalog.SetEmployeeOffering(ctx, company, env.ID(user), sv.Packages[pkg].ID, addOns, sv.Terms["Monthly"].ID); err != nil {
			t.Fatalf("%s: %v", user, err)
		}
	}
	return &fixture{env: env, svc: a.Features, sv: sv, ctx: ctx}
}

// featureID is the catalog id of a feature by code.
func (fx *fixture) featureID(t *testing.T, code string) int64 {
	t.Helper()
	fs, err := fx.env.App.Catalog.Features(fx.ctx, fx.env.Fixture.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Code == code {
			return f.ID
		}
	}
	t.Fatalf("no feature %s", code)
	return 0
}

func (fx *fixture) admin() features.Owner { return features.Employee(fx.env.ID("acme.admin")) }

// configure saves settings as acme.admin and fails the test on error.
func (fx *fixture) configure(t *testing.T, o features.Owner, code string, settings any) features.Config {
	t.Helper()
	c, err := fx.svc.Configure(fx.ctx, fx.env.Actor("acme.admin"), o, code, mustJSON(t, settings))
	if err != nil {
		t.Fatalf("configure %s: %v", code, err)
	}
	return c
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	if b, ok := v.(string); ok {
		return []byte(b)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// schema compiles the service-data schema.
func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(features.ServiceDataSchema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("service-data.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("service-data.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// conforms fails the test when v does not satisfy the schema.
func conforms(t *testing.T, s *jsonschema.Schema, v any) {
	t.Helper()
	raw := mustJSON(t, v)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("service data does not satisfy its schema: %v\n%s", err, raw)
	}
}

func jsonschemaUnmarshal(raw []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

func ptr[T any](v T) *T { return &v }

package apptest

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// Service is what activating employees of the fixture needs: DN ranges for
// the sites, the default catalog and device types. It is opt-in (Seed does
// not load it) so tests that count catalog entries or numbers are unchanged.
type Service struct {
	// Ranges of 100 numbers each: Leeds +44 113 496 0000–0099, London +44 20
	// 7946 0000–0099, Reading +44 118 496 0000–0099.
	LeedsFirst, LondonFirst, ReadingFirst string
	// Employee packages and add-ons by name, site package, terms by name.
	Packages map[string]catalog.Package
	Terms    map[string]catalog.Term
	// Device types by model ("T46U", "Soft Client").
	Types map[string]devices.Type
}

// SeedService loads the Service fixture.
func (e *Env) SeedService(t testing.TB) Service {
	t.Helper()
	ctx := context.Background()
	a, f := e.App, e.Fixture
	s := Service{LeedsFirst: "+441134960000", LondonFirst: "+442079460000", ReadingFirst: "+441184960000",
		Packages: map[string]catalog.Package{}, Terms: map[string]catalog.Term{}, Types: map[string]devices.Type{}}
	for _, r := range []struct {
		company, site int64
		start, end    string
	}{
		{f.Acme.ID, f.Leeds.ID, "+441134960000", "+441134960099"},
		{f.Acme.ID, f.London.ID, "+442079460000", "+442079460099"},
		{f.Globex.ID, f.Reading.ID, "+441184960000", "+441184960099"},
	} {
		if _, err := a.Numbering.AddRange(ctx, r.company, r.site, numbering.RangeRequest{Start: r.start, End: r.end}); err != nil {
			t.Fatalf("apptest: range %s: %v", r.start, err)
		}
	}
	if err := a.Catalog.SeedDefaults(ctx, f.Provider.ID); err != nil {
		t.Fatalf("apptest: catalog: %v", err)
	}
	if err := a.Devices.SeedDefaultTypes(ctx, f.Provider.ID); err != nil {
		t.Fatalf("apptest: device types: %v", err)
	}
	ps, err := a.Catalog.Packages(ctx, f.Provider.ID, catalog.PackageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		s.Packages[p.Name] = p
	}
	ts, err := a.Catalog.Terms(ctx, f.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		s.Terms[x.Name] = x
	}
	types, err := a.Devices.Types(ctx, f.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range types {
		s.Types[x.Model] = x
	}
	return s
}

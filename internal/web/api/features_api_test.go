package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
)

func init() {
	// The service-data schema is served as application/schema+json, which
	// is JSON: the contract test reads it as such.
	openapi3filter.RegisterBodyDecoder("application/schema+json", openapi3filter.JSONBodyDecoder)
}

// featuresContractCalls exercise the features endpoints (docs/features.md)
// against the document: Leeds gets a site package with hunt groups, west.one
// and support.one an employee package with call forwarding and call waiting.
// The catalog entries are made here, not taken from the default catalog,
// because the provider calls before these have already filled the catalog.
func featuresContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	a, f := c.env.App, c.env.Fixture
	ids := map[string]int64{}
	fs, err := a.Catalog.Features(ctx, f.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range fs {
		ids[x.Code] = x.ID
	}
	for _, code := range []string{"call_forwarding", "call_waiting", "hunt_groups", "voicemail"} {
		if ids[code] == 0 {
			x, err := a.Catalog.CreateFeature(ctx, f.Provider.ID, catalog.FeatureRequest{Code: code, Name: "Contract " + code, Category: "Contract"})
			if err != nil {
				t.Fatal(err)
			}
			ids[code] = x.ID
		}
	}
	site, err := a.Catalog.CreatePackage(ctx, f.Provider.ID, catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindSite,
		Name: "Features Contract Site", FeatureIDs: []int64{ids["hunt_groups"]}})
	if err != nil {
		t.Fatal(err)
	}
	emp, err := a.Catalog.CreatePackage(ctx, f.Provider.ID, catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee,
		Name: "Features Contract Employee", FeatureIDs: []int64{ids["call_forwarding"], ids["call_waiting"], ids["voicemail"]}})
	if err != nil {
		t.Fatal(err)
	}
	term, err := a.Catalog.CreateTerm(ctx, f.Provider.ID, catalog.TermRequest{Name: "Features Contract Term", Months: 36, Rank: 97})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, site.ID, nil); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"west.one", "support.one"} {
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, c.env.ID(user), emp.ID, nil, term.ID); err != nil {
			t.Fatal(err)
		}
	}
	p := fmt.Sprintf
	leeds, west, support := f.Leeds.ID, c.env.ID("west.one"), c.env.ID("support.one")
	cf, cw := ids["call_forwarding"], ids["call_waiting"]
	forward := map[string]any{"always": map[string]any{"enabled": true, "destination": "0113 496 0099"}}
	schedules := map[string]any{"schedules": []any{map[string]any{"name": "Office", "periods": []any{
		map[string]any{"days": []string{"mon", "tue"}, "start": "09:00", "end": "17:00"}}}}}
	return []apiCall{
		{name: "schema", user: "west.one", method: "GET", path: "/api/v1/features/service-data-schema", want: 200},
		{name: "schema anonymous", method: "GET", path: "/api/v1/features/service-data-schema", want: 401},
		{name: "site features", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/features", leeds), want: 200},
		{name: "site features by category", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/features?category=Schedules", leeds), want: 200},
		{name: "site features sales admin", user: "sales.admin", method: "GET", path: p("/api/v1/sites/%d/features", leeds), want: 404},
		{name: "site features of a group", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/features", f.Sales.ID), want: 403},
		{name: "site features other company", user: "globex.admin", method: "GET", path: p("/api/v1/sites/%d/features", leeds), want: 404},
		{name: "site features anonymous", method: "GET", path: p("/api/v1/sites/%d/features", leeds), want: 401},
		{name: "employee features self", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/features", west), want: 200},
		{name: "employee features bad id", user: "acme.admin", method: "GET", path: "/api/v1/employees/abc/features", want: 404, badRequest: true},
		{name: "employee features anonymous", method: "GET", path: p("/api/v1/employees/%d/features", west), want: 401},
		{name: "site assignment", user: "leeds.admin", method: "PUT", path: p("/api/v1/sites/%d/features/%d/assignment", leeds, cw), body: map[string]any{"available": true}, want: 200},
		{name: "site assignment missing field", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/%d/assignment", leeds, cw), body: map[string]any{}, want: 422, badRequest: true},
		{name: "site assignment wrong type", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/%d/assignment", leeds, cw), body: `{"available":"yes"}`, want: 400, badRequest: true},
		{name: "site assignment text", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/%d/assignment", leeds, cw), body: `{"available":true}`, header: map[string]string{"Content-Type": "text/plain"}, want: 415, badRequest: true},
		{name: "site assignment not granted", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/%d/assignment", leeds, 987654), body: map[string]any{"available": true}, want: 404},
		{name: "site assignment anonymous", method: "PUT", path: p("/api/v1/sites/%d/features/%d/assignment", leeds, cw), body: map[string]any{"available": true}, want: 401},
		{name: "employee assignment self", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/%d/assignment", west, cw), body: map[string]any{"available": false}, want: 403},
		{name: "employee assignment", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/features/%d/assignment", west, cw), body: map[string]any{"available": false}, want: 200},
		{name: "employee assignment anonymous", method: "PUT", path: p("/api/v1/employees/%d/features/%d/assignment", west, cw), body: map[string]any{"available": false}, want: 401},
		{name: "site admin privileges", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/%d/admin-privileges", leeds, cf), body: map[string]any{"allow_group_admins": false}, want: 200},
		{name: "site admin privileges group admin", user: "leeds.admin", method: "PUT", path: p("/api/v1/sites/%d/features/%d/admin-privileges", leeds, cf), body: map[string]any{"allow_group_admins": true}, want: 403},
		{name: "site admin privileges anonymous", method: "PUT", path: p("/api/v1/sites/%d/features/%d/admin-privileges", leeds, cf), body: map[string]any{"allow_group_admins": true}, want: 401},
		{name: "employee admin privileges", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/features/%d/admin-privileges", west, cf), body: map[string]any{"allow_group_admins": false}, want: 200},
		{name: "employee admin privileges missing", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/features/%d/admin-privileges", west, cf), body: map[string]any{}, want: 422, badRequest: true},
		{name: "employee admin privileges anonymous", method: "PUT", path: p("/api/v1/employees/%d/features/%d/admin-privileges", west, cf), body: map[string]any{"allow_group_admins": false}, want: 401},
		{name: "employee assignment box cleared", user: "leeds.admin", method: "PUT", path: p("/api/v1/employees/%d/features/%d/assignment", west, cf), body: map[string]any{"available": false}, want: 403},
		{name: "employee configuration", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), want: 200},
		{name: "employee configuration unknown code", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/features/hunt_groups/configuration", west), want: 404},
		{name: "employee configuration anonymous", method: "GET", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), want: 401},
		{name: "configure self", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), body: forward, want: 200},
		{name: "configure box cleared", user: "leeds.admin", method: "PUT", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), body: forward, want: 403},
		{name: "configure colleague", user: "support.one", method: "PUT", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), body: forward, want: 404},
		{name: "configure bad destination", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), body: map[string]any{"busy": map[string]any{"enabled": true, "destination": "999"}}, want: 422},
		{name: "configure unknown setting", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), body: map[string]any{"alwayz": true}, want: 422},
		{name: "configure unavailable", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/call_waiting/configuration", west), body: map[string]any{"enabled": false}, want: 409},
		{name: "configure malformed", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/call_waiting/configuration", west), body: `{"enabled":`, want: 400, badRequest: true},
		{name: "configure text", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/call_waiting/configuration", west), body: `{}`, header: map[string]string{"Content-Type": "text/plain"}, want: 415, badRequest: true},
		{name: "configure anonymous", method: "PUT", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), body: forward, want: 401},
		{name: "site configuration", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/features/time_schedules/configuration", leeds), want: 200},
		{name: "site configuration other company", user: "globex.admin", method: "GET", path: p("/api/v1/sites/%d/features/time_schedules/configuration", leeds), want: 404},
		{name: "site configuration group admin of a group", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/features/time_schedules/configuration", f.Sales.ID), want: 403},
		{name: "site configuration bad code", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/features/Time-Schedules/configuration", leeds), want: 404, badRequest: true},
		{name: "site configuration anonymous", method: "GET", path: p("/api/v1/sites/%d/features/time_schedules/configuration", leeds), want: 401},
		{name: "configure site", user: "leeds.admin", method: "PUT", path: p("/api/v1/sites/%d/features/time_schedules/configuration", leeds), body: schedules, want: 200},
		{name: "configure site hunt group", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/hunt_groups/configuration", leeds),
			body: map[string]any{"groups": []any{map[string]any{"name": "Sales", "extension": "301", "policy": "simultaneous", "members": []any{map[string]any{"employee_id": west}}}}}, want: 200},
		{name: "configure site hunt group extension taken", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/hunt_groups/configuration", leeds),
			body: map[string]any{"groups": []any{map[string]any{"name": "A", "extension": "310"}, map[string]any{"name": "B", "extension": "310"}}}, want: 422},
		{name: "configure site employee", user: "west.one", method: "PUT", path: p("/api/v1/sites/%d/features/time_schedules/configuration", leeds), body: schedules, want: 404},
		{name: "configure site group", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/time_schedules/configuration", f.Sales.ID), body: schedules, want: 403},
		{name: "configure site trailing data", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/time_schedules/configuration", leeds), body: `{"schedules":[]}{}`, want: 400},
		{name: "configure site anonymous", method: "PUT", path: p("/api/v1/sites/%d/features/time_schedules/configuration", leeds), body: schedules, want: 401},
		{name: "configure site conflict", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/features/hunt_groups/configuration", leeds),
			body: map[string]any{"groups": []any{map[string]any{"name": "Sales", "extension": "301", "id": 987654}}}, want: 422},
		{name: "site service data", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/service-data", leeds), want: 200},
		{name: "site service data sales admin", user: "sales.admin", method: "GET", path: p("/api/v1/sites/%d/service-data", leeds), want: 404},
		{name: "site service data group", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/service-data", f.Sales.ID), want: 403},
		{name: "site service data anonymous", method: "GET", path: p("/api/v1/sites/%d/service-data", leeds), want: 401},
		{name: "employee service data", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/service-data", west), want: 200},
		{name: "employee service data colleague", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/service-data", support), want: 404},
		{name: "employee service data sales admin", user: "sales.admin", method: "GET", path: p("/api/v1/employees/%d/service-data", west), want: 403},
		{name: "employee service data anonymous", method: "GET", path: p("/api/v1/employees/%d/service-data", west), want: 401},
		{name: "employee configuration other company", user: "globex.admin", method: "GET", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), want: 404},
		{name: "employee configuration sales admin", user: "sales.admin", method: "GET", path: p("/api/v1/employees/%d/features/call_forwarding/configuration", west), want: 403},
		{name: "employee features sales admin", user: "sales.admin", method: "GET", path: p("/api/v1/employees/%d/features", west), want: 403},
		{name: "employee admin privileges employee", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/features/%d/admin-privileges", west, cf), body: map[string]any{"allow_group_admins": true}, want: 403},
		{name: "blf colleagues self", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/blf-colleagues", west), want: 200},
		{name: "blf colleagues colleague", user: "support.one", method: "GET", path: p("/api/v1/employees/%d/blf-colleagues", west), want: 404},
		{name: "blf colleagues sales admin", user: "sales.admin", method: "GET", path: p("/api/v1/employees/%d/blf-colleagues", west), want: 403},
		{name: "blf colleagues anonymous", method: "GET", path: p("/api/v1/employees/%d/blf-colleagues", west), want: 401},
		{name: "site assignment conflict-free again", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/features/%d/assignment", west, cw), body: map[string]any{"available": true}, want: 200},
	}
}

// bulkFeatureContractCalls exercise Bulk Feature Management; they run after
// featuresContractCalls, which configured west.one's call forwarding.
func bulkFeatureContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	a := c.env.App
	west, support := c.env.ID("west.one"), c.env.ID("support.one")
	req := features.BulkRequest{Kind: features.OwnerEmployee, ReferenceID: west, TargetIDs: []int64{support}, Features: []string{"call_forwarding"}}
	done, err := a.Features.SubmitBulkCopy(ctx, c.env.Actor("acme.admin"), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	queued, err := a.Features.SubmitBulkCopy(ctx, c.env.Actor("acme.admin"), req)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"kind": "employee", "reference_id": west, "target_ids": []int64{support}, "features": []string{"call_forwarding"}}
	// Audio mappings: west.one's greeting to support.one's voicemail; a
	// recording of Globex is "does not exist".
	greeting, err := a.Audio.Upload(ctx, c.env.Actor("west.one"), audio.Owner{Kind: "employee", ID: west}, "Wendy", apptest.ToneWAV())
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := a.Audio.Upload(ctx, c.env.Actor("globex.admin"), audio.Owner{Kind: "site", ID: c.env.Fixture.Reading.ID}, "Globex", apptest.ToneWAV())
	if err != nil {
		t.Fatal(err)
	}
	mapped := func(id int64) map[string]any {
		return map[string]any{"kind": "employee", "reference_id": west, "target_ids": []int64{support},
			"audio": []map[string]any{{"slot": "voicemail.busy_greeting", "audio_id": id}}}
	}
	p := fmt.Sprintf
	return []apiCall{
		{name: "submit", user: "acme.admin", method: "POST", path: "/api/v1/feature-jobs", body: body, want: 201},
		{name: "submit audio", user: "acme.admin", method: "POST", path: "/api/v1/feature-jobs", body: mapped(greeting.ID), want: 201},
		{name: "submit another company's audio", user: "acme.admin", method: "POST", path: "/api/v1/feature-jobs", body: mapped(foreign.ID), want: 422},
		{name: "submit not configured", user: "acme.admin", method: "POST", path: "/api/v1/feature-jobs", want: 422,
			body: map[string]any{"kind": "employee", "reference_id": west, "target_ids": []int64{support}, "features": []string{"voicemail"}}},
		{name: "submit unknown kind", user: "acme.admin", method: "POST", path: "/api/v1/feature-jobs", want: 422, badRequest: true,
			body: map[string]any{"kind": "phone", "reference_id": west, "target_ids": []int64{support}, "features": []string{"call_forwarding"}}},
		{name: "submit wrong type", user: "acme.admin", method: "POST", path: "/api/v1/feature-jobs", want: 400, badRequest: true,
			body: map[string]any{"kind": "employee", "reference_id": "west", "target_ids": []int64{support}, "features": []string{"call_forwarding"}}},
		{name: "submit other company", user: "globex.admin", method: "POST", path: "/api/v1/feature-jobs", body: body, want: 404},
		{name: "submit group admin", user: "leeds.admin", method: "POST", path: "/api/v1/feature-jobs", body: body, want: 403},
		{name: "submit anonymous", method: "POST", path: "/api/v1/feature-jobs", body: body, want: 401},
		{name: "list", user: "acme.admin", method: "GET", path: "/api/v1/feature-jobs?count=true", want: 200},
		{name: "list bad cursor", user: "acme.admin", method: "GET", path: "/api/v1/feature-jobs?after=nope", want: 400},
		{name: "list other company", user: "globex.admin", method: "GET", path: p("/api/v1/feature-jobs?company_id=%d", c.env.Fixture.Acme.ID), want: 404},
		{name: "list group admin", user: "leeds.admin", method: "GET", path: "/api/v1/feature-jobs", want: 403},
		{name: "list anonymous", method: "GET", path: "/api/v1/feature-jobs", want: 401},
		{name: "get", user: "acme.admin", method: "GET", path: p("/api/v1/feature-jobs/%d", done.ID), want: 200},
		{name: "get bad page", user: "acme.admin", method: "GET", path: p("/api/v1/feature-jobs/%d?page=-1", done.ID), want: 400, badRequest: true},
		{name: "get other company", user: "globex.admin", method: "GET", path: p("/api/v1/feature-jobs/%d", done.ID), want: 404},
		{name: "get anonymous", method: "GET", path: p("/api/v1/feature-jobs/%d", done.ID), want: 401},
		{name: "delete queued", user: "acme.admin", method: "DELETE", path: p("/api/v1/feature-jobs/%d", queued.ID), want: 409},
		{name: "delete other company", user: "globex.admin", method: "DELETE", path: p("/api/v1/feature-jobs/%d", done.ID), want: 404},
		{name: "delete anonymous", method: "DELETE", path: p("/api/v1/feature-jobs/%d", done.ID), want: 401},
		{name: "delete", user: "acme.admin", method: "DELETE", path: p("/api/v1/feature-jobs/%d", done.ID), want: 204},
	}
}

// audioContractCalls exercise the recordings.
func audioContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	west := c.env.ID("west.one")
	it, err := c.env.App.Audio.Upload(ctx, c.env.Actor("west.one"), audio.Owner{Kind: "employee", ID: west}, "greeting", apptest.ToneWAV())
	if err != nil {
		t.Fatal(err)
	}
	wavType := map[string]string{"Content-Type": "audio/wav"}
	p := fmt.Sprintf
	leeds := c.env.Fixture.Leeds.ID
	// A site's recording West's voicemail plays: West hears it as theirs.
	lobby, err := c.env.App.Audio.Upload(ctx, c.env.Actor("acme.admin"), audio.Owner{Kind: "site", ID: leeds}, "lobby", apptest.ToneWAV())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.env.App.Features.Configure(ctx, c.env.Actor("acme.admin"), features.Employee(west), "voicemail",
		[]byte(p(`{"enabled":true,"greetings":{"busy":{"audio_id":%d}}}`, lobby.ID))); err != nil {
		t.Fatal(err)
	}
	return []apiCall{
		{name: "play for", user: "west.one", method: "GET", path: p("/api/v1/audio/%d?for=employee:%d", lobby.ID, west), want: 200},
		{name: "play for without for", user: "west.one", method: "GET", path: p("/api/v1/audio/%d", lobby.ID), want: 404},
		{name: "play for colleague", user: "support.one", method: "GET", path: p("/api/v1/audio/%d?for=employee:%d", lobby.ID, west), want: 404},
		{name: "play for other company", user: "globex.admin", method: "GET", path: p("/api/v1/audio/%d?for=employee:%d", lobby.ID, west), want: 404},
		{name: "play for bad owner", user: "west.one", method: "GET", path: p("/api/v1/audio/%d?for=company:1", lobby.ID), want: 422, badRequest: true},
		{name: "upload employee", user: "west.one", method: "POST", path: p("/api/v1/employees/%d/audio?name=hello", west), body: string(apptest.ToneWAV()), header: wavType, want: 201},
		{name: "upload employee not audio", user: "west.one", method: "POST", path: p("/api/v1/employees/%d/audio", west), body: "RIFF no", header: wavType, want: 422},
		{name: "upload employee text", user: "west.one", method: "POST", path: p("/api/v1/employees/%d/audio", west), body: "x",
			header: map[string]string{"Content-Type": "text/plain"}, want: 415, badRequest: true},
		{name: "upload employee colleague", user: "support.one", method: "POST", path: p("/api/v1/employees/%d/audio", west), body: string(apptest.ToneWAV()), header: wavType, want: 404},
		{name: "upload employee anonymous", method: "POST", path: p("/api/v1/employees/%d/audio", west), body: string(apptest.ToneWAV()), header: wavType, want: 401},
		{name: "upload site", user: "leeds.admin", method: "POST", path: p("/api/v1/sites/%d/audio?name=moh", leeds), body: string(apptest.ToneWAV()), header: wavType, want: 201},
		{name: "upload site other company", user: "globex.admin", method: "POST", path: p("/api/v1/sites/%d/audio", leeds), body: string(apptest.ToneWAV()), header: wavType, want: 404},
		{name: "upload site of a group", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/audio", c.env.Fixture.Sales.ID), body: string(apptest.ToneWAV()), header: wavType, want: 403},
		{name: "upload site anonymous", method: "POST", path: p("/api/v1/sites/%d/audio", leeds), body: string(apptest.ToneWAV()), header: wavType, want: 401},
		{name: "upload site silent", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/audio", leeds), body: strings.Repeat("\x00", 10), header: wavType, want: 422},
		{name: "list site", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/audio", leeds), want: 200},
		{name: "list site group", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/audio", c.env.Fixture.Sales.ID), want: 403},
		{name: "list site other company", user: "globex.admin", method: "GET", path: p("/api/v1/sites/%d/audio", leeds), want: 404},
		{name: "list site anonymous", method: "GET", path: p("/api/v1/sites/%d/audio", leeds), want: 401},
		{name: "list employee", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/audio", west), want: 200},
		{name: "list employee colleague", user: "support.one", method: "GET", path: p("/api/v1/employees/%d/audio", west), want: 404},
		{name: "list employee sales admin", user: "sales.admin", method: "GET", path: p("/api/v1/employees/%d/audio", west), want: 403},
		{name: "list employee anonymous", method: "GET", path: p("/api/v1/employees/%d/audio", west), want: 401},
		{name: "play", user: "west.one", method: "GET", path: p("/api/v1/audio/%d?rate=16000", it.ID), want: 200},
		{name: "play bad rate", user: "west.one", method: "GET", path: p("/api/v1/audio/%d?rate=44100", it.ID), want: 422, badRequest: true},
		{name: "play colleague", user: "support.one", method: "GET", path: p("/api/v1/audio/%d", it.ID), want: 404},
		{name: "play anonymous", method: "GET", path: p("/api/v1/audio/%d", it.ID), want: 401},
		{name: "delete colleague", user: "support.one", method: "DELETE", path: p("/api/v1/audio/%d", it.ID), want: 404},
		{name: "delete anonymous", method: "DELETE", path: p("/api/v1/audio/%d", it.ID), want: 401},
		{name: "delete", user: "west.one", method: "DELETE", path: p("/api/v1/audio/%d", it.ID), want: 204},
	}
}

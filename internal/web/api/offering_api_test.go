package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// auditOf returns the newest audit entries of event, newest first.
func auditOf(t *testing.T, env *apptest.Env, event string) []audit.Entry {
	t.Helper()
	es, _, err := env.App.Audit.List(context.Background(), audit.Filter{Event: event}, store.Page{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// An operator sets a site's package and add-ons through the API; the site's
// own administrators then read them (also as the Service Offering tab), the
// change is audited with before and after, and refused input changes
// nothing.
func TestSiteOfferingThroughAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		e := seedProviderEstate(t, env)
		op, leedsAdmin, acmeAdmin := sessionToken(t, env, "operator"), sessionToken(t, env, "leeds.admin"), sessionToken(t, env, "acme.admin")
		path := fmt.Sprintf("/api/v1/sites/%d/offering", e.leeds)

		// The estate gave Leeds its package without add-ons.
		var before catalog.SiteOffering
		env.Do(t, leedsAdmin, "GET", path, nil).JSON(t, &before)
		if before.Package == nil || before.Package.ID != e.sitePkg.ID || len(before.AddOns) != 0 || before.SiteName != "Leeds" {
			t.Fatalf("Leeds before = %+v", before)
		}

		// Refused: not a site package, an add-on twice, an unknown add-on,
		// no package; and anybody but an operator.
		refusals := []struct {
			token string
			body  map[string]any
			want  int
			field string
		}{
			{op, map[string]any{"package_id": e.empPkg.ID}, http.StatusUnprocessableEntity, "package_id"},
			{op, map[string]any{"package_id": e.sitePkg.ID, "add_on_ids": []int64{e.siteAddOn.ID, e.siteAddOn.ID}}, http.StatusUnprocessableEntity, "add_on_ids"},
			{op, map[string]any{"package_id": e.sitePkg.ID, "add_on_ids": []int64{999999}}, http.StatusUnprocessableEntity, "add_on_ids"},
			{op, map[string]any{"add_on_ids": []int64{e.siteAddOn.ID}}, http.StatusUnprocessableEntity, "package_id"},
			{acmeAdmin, map[string]any{"package_id": e.sitePkg.ID, "add_on_ids": []int64{e.siteAddOn.ID}}, http.StatusForbidden, ""},
			{leedsAdmin, map[string]any{"package_id": e.sitePkg.ID, "add_on_ids": []int64{e.siteAddOn.ID}}, http.StatusForbidden, ""},
		}
		audited := len(auditOf(t, env, "Set Site Service Offering"))
		for _, r := range refusals {
			res := env.Do(t, r.token, "PUT", path, r.body)
			if res.Status != r.want || (r.field != "" && !strings.Contains(string(res.Body), `"`+r.field+`"`)) {
				t.Errorf("PUT %v: %d %s, want %d naming %q", r.body, res.Status, res.Body, r.want, r.field)
			}
			if r.want == http.StatusForbidden && !strings.Contains(string(res.Body), "service provider") {
				t.Errorf("PUT as an administrator: the 403 does not say who does it: %s", res.Body)
			}
		}
		if n := len(auditOf(t, env, "Set Site Service Offering")); n != audited {
			t.Errorf("refused changes were audited: %d entries, want %d", n, audited)
		}
		var still catalog.SiteOffering
		env.Do(t, leedsAdmin, "GET", path, nil).JSON(t, &still)
		if len(still.AddOns) != 0 || still.Package.ID != e.sitePkg.ID {
			t.Fatalf("a refused change changed Leeds: %+v", still)
		}

		res := env.Do(t, op, "PUT", path, map[string]any{"package_id": e.sitePkg.ID, "add_on_ids": []int64{e.siteAddOn.ID}})
		if res.Status != http.StatusOK {
			t.Fatalf("PUT: %d %s", res.Status, res.Body)
		}
		var after catalog.SiteOffering
		res.JSON(t, &after)
		if len(after.AddOns) != 1 || after.AddOns[0].Name != "Site Queues" || len(after.EmployeePackages) == 0 {
			t.Errorf("after = %+v", after)
		}
		// The Service Offering tab of the site says the same.
		var tab struct {
			Site catalog.SiteOffering `json:"site"`
		}
		env.Do(t, leedsAdmin, "GET", fmt.Sprintf("/api/v1/service-offering?site_id=%d", e.leeds), nil).JSON(t, &tab)
		if tab.Site.Package == nil || len(tab.Site.AddOns) != 1 || tab.Site.AddOns[0].ID != e.siteAddOn.ID {
			t.Errorf("Service Offering of Leeds = %+v", tab.Site)
		}
		es := auditOf(t, env, "Set Site Service Offering")
		if len(es) != audited+1 {
			t.Fatalf("audit entries %d, want %d", len(es), audited+1)
		}
		var b, a struct {
			Package string   `json:"package"`
			AddOns  []string `json:"add_ons"`
		}
		if err := json.Unmarshal(es[0].Before, &b); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(es[0].After, &a); err != nil {
			t.Fatal(err)
		}
		if es[0].ActorUsername != "operator" || es[0].SiteID != e.leeds || es[0].CompanyID != e.acme ||
			b.Package != "Site Standard" || len(b.AddOns) != 0 || a.Package != "Site Standard" || len(a.AddOns) != 1 || a.AddOns[0] != "Site Queues" {
			t.Errorf("audit = %+v before %s after %s", es[0], es[0].Before, es[0].After)
		}
		// The company's administrators see the change in their audit log.
		log := env.Do(t, acmeAdmin, "GET", fmt.Sprintf("/api/v1/audit?company_id=%d&per_page=500", e.acme), nil)
		if !strings.Contains(string(log.Body), "Set Site Service Offering") {
			t.Errorf("the company's audit log lacks the change")
		}
		// A package a site holds cannot leave the catalog.
		if res := env.Do(t, op, "DELETE", fmt.Sprintf("/api/v1/catalog/packages/%d", e.siteAddOn.ID), nil); res.Status != http.StatusConflict {
			t.Errorf("delete a site's add-on: %d %s", res.Status, res.Body)
		}
	})
}

// The refused codes are provider data: an operator adds one through the
// API, administrators who activate read it with its reason, it stops new
// extensions at once, and removing it is audited with what it was.
func TestRefusedExtensionsThroughAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		op, leedsAdmin := sessionToken(t, env, "operator"), sessionToken(t, env, "leeds.admin")
		const path = "/api/v1/settings/refused-extensions"

		type item struct {
			Code   string `json:"code"`
			Prefix bool   `json:"prefix"`
			Length int    `json:"length"`
			Reason string `json:"reason"`
			Label  string `json:"label"`
		}
		var seeded struct {
			Items []item `json:"items"`
			Total int    `json:"total"`
		}
		env.Do(t, leedsAdmin, "GET", path, nil).JSON(t, &seeded)
		labels := map[string]string{}
		for _, x := range seeded.Items {
			labels[x.Label] = x.Reason
		}
		for _, want := range []string{"101", "105", "111", "195", "141", "1571", "18000", "116xxx"} {
			if labels[want] == "" {
				t.Errorf("the migration's code %s is not listed with a reason: %+v", want, seeded.Items)
			}
		}
		if seeded.Total != 8 {
			t.Errorf("total = %d, want the migration's 8", seeded.Total)
		}

		res := env.Do(t, op, "POST", path, map[string]any{"code": "87", "prefix": true, "length": 4, "reason": "the 87xx block belongs to the carrier"})
		if res.Status != http.StatusCreated {
			t.Fatalf("POST: %d %s", res.Status, res.Body)
		}
		var added item
		res.JSON(t, &added)
		if added.Label != "87xx" || !added.Prefix || added.Length != 4 {
			t.Errorf("added = %+v", added)
		}
		err := env.App.Numbering.ValidateExtension(ctx, env.Fixture.Acme.ID, 0, "8701", numbering.Owner{})
		if err == nil || !strings.Contains(err.Error(), "extension 8701 is reserved: the 87xx block belongs to the carrier") {
			t.Errorf("8701 after refusing 87xx: %v", err)
		}
		if es := auditOf(t, env, "Add Refused Extension"); len(es) != 1 || es[0].ActorUsername != "operator" || !strings.Contains(string(es[0].After), "carrier") {
			t.Errorf("add audit = %+v", es)
		}

		// Bad input is refused field by field and changes nothing.
		for _, body := range []map[string]any{
			{"code": "1x1", "reason": "r"},
			{"code": "1234567", "reason": "r"},
			{"code": "999", "reason": " "},
			{"code": "9", "prefix": true, "length": 9, "reason": "r"},
		} {
			if res := env.Do(t, op, "POST", path, body); res.Status != http.StatusUnprocessableEntity {
				t.Errorf("POST %v: %d %s", body, res.Status, res.Body)
			}
		}
		if res := env.Do(t, op, "POST", path, map[string]any{"code": "1571", "reason": "again"}); res.Status != http.StatusConflict ||
			!strings.Contains(string(res.Body), "1571 is already refused") {
			t.Errorf("POST 1571 again: %d %s", res.Status, res.Body)
		}
		var now struct {
			Total int `json:"total"`
		}
		env.Do(t, leedsAdmin, "GET", path, nil).JSON(t, &now)
		if now.Total != 9 {
			t.Errorf("total after one addition and refusals = %d, want 9", now.Total)
		}

		if res := env.Do(t, leedsAdmin, "DELETE", path+"/87", nil); res.Status != http.StatusForbidden {
			t.Errorf("DELETE as a group admin: %d", res.Status)
		}
		if res := env.Do(t, op, "DELETE", path+"/87", nil); res.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %d %s", res.Status, res.Body)
		}
		if err := env.App.Numbering.ValidateExtension(ctx, env.Fixture.Acme.ID, 0, "8701", numbering.Owner{}); err != nil {
			t.Errorf("8701 after removing 87xx: %v", err)
		}
		if es := auditOf(t, env, "Remove Refused Extension"); len(es) != 1 || es[0].ObjectName != "87xx" || !strings.Contains(string(es[0].Before), "carrier") {
			t.Errorf("remove audit = %+v", es)
		}
	})
}

package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// providerEstate is what the provider-area calls work on, created through
// the services before the calls run.
type providerEstate struct {
	feature, spareFeature         catalog.Feature
	sitePkg, empPkg, spareAddOn   catalog.Package
	siteAddOn                     catalog.Package
	term, spareTerm               catalog.Term
	deskType, softType            devices.Type
	leedsPhone, sparePhone        devices.Device
	globexPhone                   devices.Device
	leedsRange, londonRange       numbering.Range
	contact                       tenancy.Contact
	block                         numbering.InternalBlock
	acme, globex, leeds, london   int64
	reading, sales, westOne, gOne int64
	reseller                      int64
}

// must returns v, stopping the test run when the setup call failed.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("provider estate: %v", err))
	}
	return v
}

// seedProviderEstate fills the catalog, device types, devices, DN ranges,
// number range parameters and a customer contact.
func seedProviderEstate(t testing.TB, env *apptest.Env) providerEstate {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	prov := f.Provider.ID
	e := providerEstate{acme: f.Acme.ID, globex: f.Globex.ID, leeds: f.Leeds.ID, london: f.London.ID, reading: f.Reading.ID,
		sales: f.Sales.ID, westOne: env.ID("west.one"), gOne: env.ID("globex.one")}
	e.feature = must(a.Catalog.CreateFeature(ctx, prov, catalog.FeatureRequest{Code: "call_waiting", Name: "Call Waiting", Category: "Calls",
		Description: "Hear a tone when a second call arrives during a call."}))
	e.spareFeature = must(a.Catalog.CreateFeature(ctx, prov, catalog.FeatureRequest{Code: "spare_feature", Name: "Spare", Category: "Other"}))
	e.sitePkg = must(a.Catalog.CreatePackage(ctx, prov, catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindSite, Name: "Site Standard",
		FeatureIDs: []int64{e.feature.ID}}))
	e.empPkg = must(a.Catalog.CreatePackage(ctx, prov, catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee, Name: "Employee Standard",
		Description: "Everyday calling.", FeatureIDs: []int64{e.feature.ID}}))
	e.spareAddOn = must(a.Catalog.CreatePackage(ctx, prov, catalog.PackageRequest{Type: catalog.TypeAddOn, Kind: catalog.KindEmployee, Name: "Spare add-on",
		FeatureIDs: []int64{e.feature.ID}}))
	e.siteAddOn = must(a.Catalog.CreatePackage(ctx, prov, catalog.PackageRequest{Type: catalog.TypeAddOn, Kind: catalog.KindSite, Name: "Site Queues",
		FeatureIDs: []int64{e.feature.ID}}))
	e.term = must(a.Catalog.CreateTerm(ctx, prov, catalog.TermRequest{Name: "Monthly", Months: 1, Rank: 1}))
	e.spareTerm = must(a.Catalog.CreateTerm(ctx, prov, catalog.TermRequest{Name: "Five years", Months: 60, Rank: 50}))
	must(a.Catalog.SetSiteOffering(ctx, e.acme, e.leeds, e.sitePkg.ID, nil))
	must(a.Catalog.SetEmployeeOffering(ctx, e.acme, e.westOne, e.empPkg.ID, nil, e.term.ID))
	e.deskType = must(a.Devices.CreateType(ctx, prov, devices.Type{Vendor: "Yealink", Model: "T46U"}))
	e.softType = must(a.Devices.CreateType(ctx, prov, devices.Type{Vendor: "Switchboard", Model: "Soft Client", SoftClient: true}))
	e.leedsPhone = must(a.Devices.Create(ctx, prov, e.acme, devices.DeviceCreateRequest{SiteID: e.leeds, TypeID: e.deskType.ID, MAC: "00:15:65:00:00:01"}))
	e.sparePhone = must(a.Devices.Create(ctx, prov, e.acme, devices.DeviceCreateRequest{SiteID: e.leeds, TypeID: e.deskType.ID, MAC: "00:15:65:00:00:02"}))
	e.globexPhone = must(a.Devices.Create(ctx, prov, e.globex, devices.DeviceCreateRequest{SiteID: e.reading, TypeID: e.deskType.ID, MAC: "00:15:65:00:00:99"}))
	e.leedsRange = must(a.Numbering.AddRange(ctx, e.acme, e.leeds, numbering.RangeRequest{Start: "+441134960000", End: "+441134960019"}))
	e.londonRange = must(a.Numbering.AddRange(ctx, e.acme, e.london, numbering.RangeRequest{Start: "020 7946 0000", End: "020 7946 0009"}))
	must(a.Numbering.SetNumberRangeParameters(ctx, prov, numbering.NumberRangeParameters{Prefix: "8", Digits: 6, First: 100000, Last: 199999, BlockSize: 1000}))
	e.block = must(a.Numbering.AssignInternalBlock(ctx, e.globex))
	e.reseller = must(a.Tenancy.CreateReseller(ctx, prov, "Estate Resale")).ID
	e.contact = must(a.Tenancy.AddCustomerContact(ctx, env.Actor("operator"), e.acme, tenancy.CustomerContactRequest{FirstName: "Carol", LastName: "Contact",
		Email: "carol@acme.example", ContactDetails: tenancy.ContactDetails{PublicNotes: "Main contact for billing.", PrivateNotes: "Prefers phone calls."}}))
	return e
}

// providerContractCalls are the control panel, catalog, number and device
// calls of the contract test (routes_provider.go, routes_offering.go).
func providerContractCalls(t *testing.T, c *contract) []apiCall {
	e := seedProviderEstate(t, c.env)
	p := fmt.Sprintf
	const missing = 999999
	return []apiCall{
		// Reseller administrators: provider operators only.
		{name: "add reseller admin", user: "operator", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "estate.admin", "password": "Resale-Pass-42!"}, want: 201},
		{name: "add reseller admin taken", user: "operator", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "west.one", "password": "Resale-Pass-42!"}, want: 409},
		{name: "add reseller admin bad username", user: "operator", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "a@b", "password": "Resale-Pass-42!"}, want: 422},
		{name: "add reseller admin weak password", user: "operator", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "estate.two", "password": "x"}, want: 422},
		{name: "add reseller admin missing reseller", user: "operator", method: "POST", path: p("/api/v1/resellers/%d/admins", missing),
			body: map[string]any{"username": "estate.three", "password": "Resale-Pass-42!"}, want: 404},
		{name: "add reseller admin by reseller admin", user: "reseller.admin", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "estate.four", "password": "Resale-Pass-42!"}, want: 403},
		{name: "add reseller admin by company admin", user: "acme.admin", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "estate.five", "password": "Resale-Pass-42!"}, want: 403},
		{name: "add reseller admin unknown field", user: "operator", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "estate.six", "password": "Resale-Pass-42!", "role": "provider"}, want: 400, badRequest: true},
		{name: "add reseller admin no token", method: "POST", path: p("/api/v1/resellers/%d/admins", e.reseller),
			body: map[string]any{"username": "estate.seven", "password": "Resale-Pass-42!"}, want: 401},

		// Contacts.
		{name: "contacts operator", user: "operator", method: "GET", path: p("/api/v1/companies/%d/contacts", e.acme), want: 200},
		{name: "contacts company admin", user: "acme.admin", method: "GET", path: p("/api/v1/companies/%d/contacts", e.acme), want: 200},
		{name: "contacts group admin", user: "leeds.admin", method: "GET", path: p("/api/v1/companies/%d/contacts", e.acme), want: 403},
		{name: "contacts other company", user: "acme.admin", method: "GET", path: p("/api/v1/companies/%d/contacts", e.globex), want: 404},
		{name: "contacts no token", method: "GET", path: p("/api/v1/companies/%d/contacts", e.acme), want: 401},
		{name: "add contact generated", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts", e.acme),
			body: map[string]any{"first_name": "Dan", "last_name": "Desk", "email": "dan.desk@acme.example", "public_notes": "Office hours 9-5", "email_verified": true}, want: 201},
		{name: "add contact typed", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts", e.acme),
			body: map[string]any{"first_name": "Dan", "last_name": "Desk", "email": "dan.desk@other.example", "password": "Typed-Pass-42!"}, want: 201},
		{name: "add contact password in notes", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts", e.acme),
			body: map[string]any{"first_name": "Eve", "last_name": "E", "email": "eve@acme.example", "password": "Typed-Pass-42!", "private_notes": "pw Typed-Pass-42!"}, want: 422},
		{name: "add contact taken username", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts", e.acme),
			body: map[string]any{"first_name": "Eve", "last_name": "E", "email": "eve@acme.example", "username": "west.one"}, want: 409},
		{name: "add contact company admin", user: "acme.admin", method: "POST", path: p("/api/v1/companies/%d/contacts", e.acme),
			body: map[string]any{"first_name": "Eve", "last_name": "E", "email": "eve@acme.example"}, want: 403},
		{name: "add contact other company", user: "acme.admin", method: "POST", path: p("/api/v1/companies/%d/contacts", e.globex),
			body: map[string]any{"first_name": "Eve", "last_name": "E", "email": "eve@acme.example"}, want: 404},
		{name: "add contact unknown field", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts", e.acme),
			body: map[string]any{"name": "Eve"}, want: 400, badRequest: true},
		{name: "update contact", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d/contacts/%d", e.acme, e.contact.AccountID),
			body: map[string]any{"mobile_verified": true, "mobile": "07700 900123", "private_notes": "Call after 10am."}, want: 200},
		{name: "update contact bad mobile", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d/contacts/%d", e.acme, e.contact.AccountID),
			body: map[string]any{"mobile": "call me"}, want: 422},
		{name: "update contact wrong company", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d/contacts/%d", e.globex, e.contact.AccountID),
			body: map[string]any{"mobile_verified": true}, want: 404},
		{name: "reset contact generated", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts/%d/reset-password", e.acme, e.contact.AccountID),
			body: map[string]any{}, want: 200},
		{name: "reset contact typed", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts/%d/reset-password", e.acme, e.contact.AccountID),
			body: map[string]any{"password": "An0ther-Pass!"}, want: 200},
		{name: "reset contact weak", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts/%d/reset-password", e.acme, e.contact.AccountID),
			body: map[string]any{"password": "x"}, want: 422},
		{name: "reset contact company admin", user: "acme.admin", method: "POST", path: p("/api/v1/companies/%d/contacts/%d/reset-password", e.acme, e.contact.AccountID),
			body: map[string]any{}, want: 403},
		{name: "reset contact missing", user: "operator", method: "POST", path: p("/api/v1/companies/%d/contacts/%d/reset-password", e.acme, missing),
			body: map[string]any{}, want: 404},

		// Number range parameters and internal number blocks.
		{name: "range parameters", user: "operator", method: "GET", path: "/api/v1/settings/number-range-parameters", want: 200},
		{name: "range parameters company admin", user: "acme.admin", method: "GET", path: "/api/v1/settings/number-range-parameters", want: 403},
		{name: "set range parameters", user: "operator", method: "PUT", path: "/api/v1/settings/number-range-parameters",
			body: map[string]any{"prefix": "8", "digits": 6, "first": 100000, "last": 299999, "block_size": 1000}, want: 200},
		{name: "set range parameters bad", user: "operator", method: "PUT", path: "/api/v1/settings/number-range-parameters",
			body: map[string]any{"prefix": "x", "digits": 1, "first": 0, "last": 0, "block_size": 0}, want: 422},
		{name: "set range parameters move blocks", user: "operator", method: "PUT", path: "/api/v1/settings/number-range-parameters",
			body: map[string]any{"prefix": "9", "digits": 6, "first": 100000, "last": 299999, "block_size": 1000}, want: 409},
		{name: "blocks", user: "acme.admin", method: "GET", path: p("/api/v1/companies/%d/internal-number-blocks", e.acme), want: 200},
		{name: "blocks other company", user: "acme.admin", method: "GET", path: p("/api/v1/companies/%d/internal-number-blocks", e.globex), want: 404},
		{name: "assign block", user: "operator", method: "POST", path: p("/api/v1/companies/%d/internal-number-blocks", e.acme), want: 201},
		{name: "assign block company admin", user: "acme.admin", method: "POST", path: p("/api/v1/companies/%d/internal-number-blocks", e.acme), want: 403},
		{name: "remove block wrong company", user: "operator", method: "DELETE", path: p("/api/v1/companies/%d/internal-number-blocks/%d", e.acme, e.block.ID), want: 404},
		{name: "remove block", user: "operator", method: "DELETE", path: p("/api/v1/companies/%d/internal-number-blocks/%d", e.globex, e.block.ID), want: 204},

		// DN ranges.
		{name: "ranges", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/ranges", e.leeds), want: 200},
		{name: "ranges other company", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/ranges", e.reading), want: 404},
		{name: "add range national", user: "operator", method: "POST", path: p("/api/v1/sites/%d/ranges", e.leeds),
			body: map[string]any{"start": "0113 496 0100", "end": "0113 496 0109"}, want: 201},
		{name: "add range overlapping", user: "operator", method: "POST", path: p("/api/v1/sites/%d/ranges", e.reading),
			body: map[string]any{"start": "+441134960005", "end": "+441134960006"}, want: 409},
		{name: "add range reversed", user: "operator", method: "POST", path: p("/api/v1/sites/%d/ranges", e.leeds),
			body: map[string]any{"start": "+441134960209", "end": "+441134960200"}, want: 422},
		{name: "add range company admin", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/ranges", e.leeds),
			body: map[string]any{"start": "+441134960300", "end": "+441134960301"}, want: 403},
		{name: "remove range via other site", user: "operator", method: "DELETE", path: p("/api/v1/sites/%d/ranges/%d", e.leeds, e.londonRange.ID), want: 404},
		{name: "remove range", user: "operator", method: "DELETE", path: p("/api/v1/sites/%d/ranges/%d", e.london, e.londonRange.ID), want: 204},

		// Number pool and extension policy.
		{name: "numbers", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/numbers?status=free&per_page=5", e.leeds), want: 200},
		{name: "numbers bad status", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/numbers?status=lost", e.leeds), want: 422, badRequest: true},
		{name: "numbers sibling site", user: "sales.admin", method: "GET", path: p("/api/v1/sites/%d/numbers", e.leeds), want: 404},
		{name: "extension policy default", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/extension-policy", e.leeds), want: 200},
		{name: "set extension policy", user: "operator", method: "PUT", path: p("/api/v1/sites/%d/extension-policy", e.leeds),
			body: map[string]any{"length": 3, "mode": "range", "range_from": "200", "range_to": "299"}, want: 200},
		{name: "set extension policy bad", user: "operator", method: "PUT", path: p("/api/v1/sites/%d/extension-policy", e.leeds),
			body: map[string]any{"length": 9, "mode": "last_digits"}, want: 422},
		{name: "set extension policy company admin", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/extension-policy", e.leeds),
			body: map[string]any{"length": 4, "mode": "last_digits"}, want: 403},
		{name: "extension policy other company", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/extension-policy", e.reading), want: 404},

		// Devices.
		{name: "device types", user: "acme.admin", method: "GET", path: "/api/v1/device-types", want: 200},
		{name: "add device type", user: "operator", method: "POST", path: "/api/v1/device-types", body: map[string]any{"vendor": "Polycom", "model": "VVX 450"}, want: 201},
		{name: "add device type again", user: "operator", method: "POST", path: "/api/v1/device-types", body: map[string]any{"vendor": "polycom", "model": "vvx 450"}, want: 409},
		{name: "add device type company admin", user: "acme.admin", method: "POST", path: "/api/v1/device-types", body: map[string]any{"vendor": "A", "model": "B"}, want: 403},
		{name: "site devices", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/devices?free=true", e.leeds), want: 200},
		{name: "site devices bad free", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/devices?free=maybe", e.leeds), want: 422, badRequest: true},
		{name: "site devices other company", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/devices", e.reading), want: 404},
		{name: "add device", user: "leeds.admin", method: "POST", path: p("/api/v1/sites/%d/devices", e.leeds),
			body: map[string]any{"type_id": e.deskType.ID, "mac": "00-15-65-AA-BB-CC", "label": "Reception"}, want: 201},
		{name: "add soft client", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/devices", e.leeds),
			body: map[string]any{"type_id": e.softType.ID, "mac": "441134960001A"}, want: 201},
		{name: "add device bad mac", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/devices", e.leeds),
			body: map[string]any{"type_id": e.deskType.ID, "mac": "not-a-mac"}, want: 422},
		{name: "add device mac of other company", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/devices", e.leeds),
			body: map[string]any{"type_id": e.deskType.ID, "mac": "001565000099"}, want: 409},
		{name: "add device other company site", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/devices", e.reading),
			body: map[string]any{"type_id": e.deskType.ID, "mac": "001565000077"}, want: 404},
		{name: "get device", user: "leeds.admin", method: "GET", path: p("/api/v1/devices/%d", e.leedsPhone.ID), want: 200},
		{name: "get device other company", user: "acme.admin", method: "GET", path: p("/api/v1/devices/%d", e.globexPhone.ID), want: 404},
		{name: "delete device employee", user: "west.one", method: "DELETE", path: p("/api/v1/devices/%d", e.sparePhone.ID), want: 404},
		{name: "delete device", user: "acme.admin", method: "DELETE", path: p("/api/v1/devices/%d", e.sparePhone.ID), want: 204},

		// Catalog.
		{name: "features", user: "acme.admin", method: "GET", path: "/api/v1/catalog/features", want: 200},
		{name: "add feature", user: "operator", method: "POST", path: "/api/v1/catalog/features",
			body: map[string]any{"code": "do_not_disturb", "name": "Do Not Disturb", "category": "Calls", "description": "Send callers to voicemail."}, want: 201},
		{name: "add feature duplicate", user: "operator", method: "POST", path: "/api/v1/catalog/features",
			body: map[string]any{"code": "call_waiting", "name": "Other", "category": "Calls"}, want: 409},
		{name: "add feature bad code", user: "operator", method: "POST", path: "/api/v1/catalog/features",
			body: map[string]any{"code": "Bad Code", "name": "X", "category": "Calls"}, want: 422},
		{name: "add feature company admin", user: "acme.admin", method: "POST", path: "/api/v1/catalog/features",
			body: map[string]any{"code": "x_y", "name": "X", "category": "Calls"}, want: 403},
		{name: "get feature", user: "acme.admin", method: "GET", path: p("/api/v1/catalog/features/%d", e.feature.ID), want: 200},
		{name: "get feature missing", user: "acme.admin", method: "GET", path: p("/api/v1/catalog/features/%d", missing), want: 404},
		{name: "replace feature", user: "operator", method: "PUT", path: p("/api/v1/catalog/features/%d", e.feature.ID),
			body: map[string]any{"code": "call_waiting", "name": "Call Waiting", "category": "Calls", "description": "A tone tells you a second call is waiting."}, want: 200},
		{name: "delete feature in use", user: "operator", method: "DELETE", path: p("/api/v1/catalog/features/%d", e.feature.ID), want: 409},
		{name: "delete feature", user: "operator", method: "DELETE", path: p("/api/v1/catalog/features/%d", e.spareFeature.ID), want: 204},
		{name: "packages", user: "acme.admin", method: "GET", path: "/api/v1/catalog/packages?kind=employee", want: 200},
		{name: "packages bad kind", user: "acme.admin", method: "GET", path: "/api/v1/catalog/packages?kind=group", want: 422, badRequest: true},
		{name: "add package", user: "operator", method: "POST", path: "/api/v1/catalog/packages",
			body: map[string]any{"type": "add_on", "kind": "site", "name": "Call Recording", "feature_ids": []int64{e.feature.ID}}, want: 201},
		{name: "add package no features", user: "operator", method: "POST", path: "/api/v1/catalog/packages",
			body: map[string]any{"type": "package", "kind": "site", "name": "Empty", "feature_ids": []int64{}}, want: 422},
		{name: "add package duplicate", user: "operator", method: "POST", path: "/api/v1/catalog/packages",
			body: map[string]any{"type": "package", "kind": "site", "name": "Site Standard", "feature_ids": []int64{e.feature.ID}}, want: 409},
		{name: "get package", user: "west.one", method: "GET", path: p("/api/v1/catalog/packages/%d", e.empPkg.ID), want: 200},
		{name: "package features", user: "acme.admin", method: "GET", path: p("/api/v1/catalog/packages/%d/features", e.empPkg.ID), want: 200},
		{name: "package features missing", user: "acme.admin", method: "GET", path: p("/api/v1/catalog/packages/%d/features", missing), want: 404},
		{name: "replace package", user: "operator", method: "PUT", path: p("/api/v1/catalog/packages/%d", e.empPkg.ID),
			body: map[string]any{"name": "Employee Standard", "description": "Everyday calling, with call waiting.", "feature_ids": []int64{e.feature.ID}}, want: 200},
		{name: "replace package missing", user: "operator", method: "PUT", path: p("/api/v1/catalog/packages/%d", missing),
			body: map[string]any{"name": "X", "feature_ids": []int64{e.feature.ID}}, want: 404},
		{name: "delete package in use", user: "operator", method: "DELETE", path: p("/api/v1/catalog/packages/%d", e.empPkg.ID), want: 409},
		{name: "delete package", user: "operator", method: "DELETE", path: p("/api/v1/catalog/packages/%d", e.spareAddOn.ID), want: 204},
		{name: "terms", user: "acme.admin", method: "GET", path: "/api/v1/catalog/terms", want: 200},
		{name: "add term", user: "operator", method: "POST", path: "/api/v1/catalog/terms", body: map[string]any{"name": "2 years", "months": 24, "rank": 20}, want: 201},
		{name: "add term duplicate", user: "operator", method: "POST", path: "/api/v1/catalog/terms", body: map[string]any{"name": "Monthly", "months": 1, "rank": 2}, want: 409},
		{name: "add term bad", user: "operator", method: "POST", path: "/api/v1/catalog/terms", body: map[string]any{"name": "Forever", "months": 0, "rank": 0}, want: 422},
		{name: "replace term", user: "operator", method: "PUT", path: p("/api/v1/catalog/terms/%d", e.term.ID), body: map[string]any{"name": "Monthly rolling", "months": 1, "rank": 1}, want: 200},
		{name: "delete term in use", user: "operator", method: "DELETE", path: p("/api/v1/catalog/terms/%d", e.term.ID), want: 409},
		{name: "delete term", user: "operator", method: "DELETE", path: p("/api/v1/catalog/terms/%d", e.spareTerm.ID), want: 204},

		// Service offering.
		{name: "offering company", user: "acme.admin", method: "GET", path: "/api/v1/service-offering", want: 200},
		{name: "offering company operator", user: "operator", method: "GET", path: p("/api/v1/service-offering?company_id=%d", e.acme), want: 200},
		{name: "offering company group admin", user: "leeds.admin", method: "GET", path: "/api/v1/service-offering", want: 403},
		{name: "offering site", user: "leeds.admin", method: "GET", path: p("/api/v1/service-offering?site_id=%d", e.leeds), want: 200},
		{name: "offering site other company", user: "acme.admin", method: "GET", path: p("/api/v1/service-offering?site_id=%d", e.reading), want: 404},
		{name: "offering employee self", user: "west.one", method: "GET", path: p("/api/v1/service-offering?employee_id=%d", e.westOne), want: 200},
		{name: "offering employee other company", user: "acme.admin", method: "GET", path: p("/api/v1/service-offering?employee_id=%d", e.gOne), want: 404},
		{name: "offering two objects", user: "acme.admin", method: "GET", path: p("/api/v1/service-offering?site_id=%d&employee_id=%d", e.leeds, e.westOne), want: 422},

		// A site's feature package and add-ons: operators set them; the
		// company's and the site's administrators read them.
		{name: "site offering group admin", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/offering", e.leeds), want: 200},
		{name: "site offering company admin", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/offering", e.london), want: 200},
		{name: "site offering admin of a group below", user: "sales.admin", method: "GET", path: p("/api/v1/sites/%d/offering", e.leeds), want: 404},
		{name: "site offering employee", user: "west.one", method: "GET", path: p("/api/v1/sites/%d/offering", e.leeds), want: 404},
		{name: "site offering of a group", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/offering", e.sales), want: 404},
		{name: "site offering other company", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/offering", e.reading), want: 404},
		{name: "site offering must change password", user: "provider.fresh", method: "GET", path: p("/api/v1/sites/%d/offering", e.leeds), want: 403,
			setup: func(t *testing.T) { freshAdmin(t, c.env, "provider.fresh") }},
		{name: "site offering anonymous", method: "GET", path: p("/api/v1/sites/%d/offering", e.leeds), want: 401},
		{name: "set site offering", user: "operator", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: map[string]any{"package_id": e.sitePkg.ID, "add_on_ids": []int64{e.siteAddOn.ID}}, want: 200},
		{name: "set site offering reseller's other company", user: "reseller.admin", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: map[string]any{"package_id": e.sitePkg.ID}, want: 404},
		{name: "set site offering employee package", user: "operator", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: map[string]any{"package_id": e.empPkg.ID}, want: 422},
		{name: "set site offering employee add-on", user: "operator", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: map[string]any{"package_id": e.sitePkg.ID, "add_on_ids": []int64{e.spareAddOn.ID}}, want: 422},
		{name: "set site offering company admin", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: map[string]any{"package_id": e.sitePkg.ID}, want: 403},
		{name: "set site offering group admin", user: "leeds.admin", method: "PUT", path: p("/api/v1/sites/%d/offering", e.leeds),
			body: map[string]any{"package_id": e.sitePkg.ID}, want: 403},
		{name: "set site offering other company", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/offering", e.reading),
			body: map[string]any{"package_id": e.sitePkg.ID}, want: 404},
		{name: "set site offering unknown field", user: "operator", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: map[string]any{"package": e.sitePkg.ID}, want: 400, badRequest: true},
		{name: "set site offering not json", user: "operator", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: `{"package_id": 1}`, header: map[string]string{"Content-Type": "text/plain"}, want: 415, badRequest: true},
		{name: "set site offering anonymous", method: "PUT", path: p("/api/v1/sites/%d/offering", e.london),
			body: map[string]any{"package_id": e.sitePkg.ID}, want: 401},

		// The refused extension codes: read by whoever activates, kept by the provider.
		{name: "refused codes operator", user: "operator", method: "GET", path: "/api/v1/settings/refused-extensions", want: 200},
		{name: "refused codes company admin", user: "acme.admin", method: "GET", path: "/api/v1/settings/refused-extensions", want: 200},
		{name: "refused codes group admin", user: "leeds.admin", method: "GET", path: "/api/v1/settings/refused-extensions", want: 200},
		{name: "refused codes employee", user: "west.one", method: "GET", path: "/api/v1/settings/refused-extensions", want: 403},
		{name: "refused codes anonymous", method: "GET", path: "/api/v1/settings/refused-extensions", want: 401},
		{name: "refuse code", user: "operator", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "999", "reason": "it is the emergency number"}, want: 201},
		{name: "refuse prefix", user: "operator", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "87", "prefix": true, "length": 4, "reason": "the 87xx block belongs to the carrier"}, want: 201},
		{name: "refuse code again", user: "operator", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "999", "reason": "twice"}, want: 409},
		{name: "refuse bad code", user: "operator", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "12", "reason": ""}, want: 422},
		{name: "refuse code company admin", user: "acme.admin", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "998", "reason": "r"}, want: 403},
		{name: "refuse code reseller", user: "reseller.admin", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "998", "reason": "r"}, want: 403},
		{name: "refuse code unknown field", user: "operator", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "998", "reason": "r", "why": "x"}, want: 400, badRequest: true},
		{name: "refuse code not json", user: "operator", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: `{"code": "998"}`, header: map[string]string{"Content-Type": "text/plain"}, want: 415, badRequest: true},
		{name: "refuse code anonymous", method: "POST", path: "/api/v1/settings/refused-extensions",
			body: map[string]any{"code": "998", "reason": "r"}, want: 401},
		{name: "allow code company admin", user: "acme.admin", method: "DELETE", path: "/api/v1/settings/refused-extensions/999", want: 403},
		{name: "allow code", user: "operator", method: "DELETE", path: "/api/v1/settings/refused-extensions/999", want: 204},
		{name: "allow code not listed", user: "operator", method: "DELETE", path: "/api/v1/settings/refused-extensions/999", want: 404},
		{name: "allow code anonymous", method: "DELETE", path: "/api/v1/settings/refused-extensions/87", want: 401},
	}
}

// freshAdmin adds a company admin of Acme whose password must change, so
// every call of theirs but the password change is refused with 403.
func freshAdmin(t *testing.T, env *apptest.Env, username string) {
	t.Helper()
	ctx := context.Background()
	e, err := env.App.Directory.CreateEmployee(ctx, env.Fixture.Acme.ID, env.Fixture.Provider.ID, directory.EmployeeCreateRequest{
		Username: username, Role: access.RoleCompanyAdmin, FirstName: "Fresh", LastName: "Admin"}, "")
	if err != nil {
		t.Fatal(err)
	}
	err = env.App.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := env.App.DB.Q(ctx).Exec(ctx, "UPDATE accounts SET must_change_password = ? WHERE id = ?", true, e.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Private notes never reach a company user, the typed username rules hold,
// and an e-mail without a usable local part still gives a valid username.
func TestCustomerContacts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		e := seedProviderEstate(t, env)
		for _, tc := range []struct {
			user        string
			wantPrivate bool
		}{{"operator", true}, {"acme.admin", false}} {
			res := env.Do(t, sessionToken(t, env, tc.user), "GET", fmt.Sprintf("/api/v1/companies/%d/contacts", e.acme), nil)
			if res.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", tc.user, res.Status, res.Body)
			}
			if got := strings.Contains(string(res.Body), "private_notes"); got != tc.wantPrivate {
				t.Errorf("%s: private notes shown = %v, want %v: %s", tc.user, got, tc.wantPrivate, res.Body)
			}
			if !strings.Contains(string(res.Body), "Main contact for billing.") || !strings.Contains(string(res.Body), `"username":"carol"`) {
				t.Errorf("%s: contact list lacks the public notes or the derived username: %s", tc.user, res.Body)
			}
		}
		// The audit log, which company admins read, never holds private notes.
		res := env.Do(t, sessionToken(t, env, "acme.admin"), "GET", fmt.Sprintf("/api/v1/audit?company_id=%d&per_page=500", e.acme), nil)
		if strings.Contains(string(res.Body), "Prefers phone calls") {
			t.Errorf("the audit log shows private notes: %s", res.Body)
		}
		for email, want := range map[string]string{
			"Jane.O'Neil+voice@example.com": "jane.o.neil.voice",
			"x@example.com":                 "contactx",
			"carol@elsewhere.example":       "carol2",
		} {
			c, err := env.App.Tenancy.AddCustomerContact(context.Background(), env.Actor("operator"), e.acme,
				tenancy.CustomerContactRequest{FirstName: "A", LastName: "B", Email: email})
			if err != nil {
				t.Fatalf("%s: %v", email, err)
			}
			if c.Username != want {
				t.Errorf("%s: username %q, want %q", email, c.Username, want)
			}
		}
	})
}

// An internal number block asked for before the parameters exist is refused
// with the control panel's explanation, and nothing is assigned.
func TestInternalBlockNeedsParameters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		tok := sessionToken(t, env, "operator")
		res := env.Do(t, tok, "POST", fmt.Sprintf("/api/v1/companies/%d/internal-number-blocks", env.Fixture.Acme.ID), nil)
		if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "Number Range Parameters must be defined") {
			t.Fatalf("block before parameters: %d %s", res.Status, res.Body)
		}
		res = env.Do(t, tok, "GET", "/api/v1/settings/number-range-parameters", nil)
		if res.Status != http.StatusNotFound {
			t.Errorf("parameters before defined: %d %s", res.Status, res.Body)
		}
	})
}

// A MAC another company registered is a conflict that does not name it.
func TestDeviceMACOfOtherCompany(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		e := seedProviderEstate(t, env)
		res := env.Do(t, sessionToken(t, env, "acme.admin"), "POST", fmt.Sprintf("/api/v1/sites/%d/devices", e.leeds),
			map[string]any{"type_id": e.deskType.ID, "mac": "00:15:65:00:00:99"})
		if res.Status != http.StatusConflict {
			t.Fatalf("status %d %s", res.Status, res.Body)
		}
		for _, leak := range []string{"Globex", "Reading", "globex"} {
			if strings.Contains(string(res.Body), leak) {
				t.Errorf("the conflict names %q: %s", leak, res.Body)
			}
		}
	})
}

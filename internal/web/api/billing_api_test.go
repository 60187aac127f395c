package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/catalog"
)

// billingContractCalls exercise the billing operations against the
// document: rates, prices, settings, summaries and invoices.
func billingContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	a, f := c.env.App, c.env.Fixture
	op := c.env.Actor("operator")
	lastMonth, _ := billing.Month(time.Now().AddDate(0, -1, 0))
	invs, err := a.Billing.GenerateInvoices(ctx, op, []int64{f.Globex.ID}, lastMonth)
	if err != nil {
		t.Fatal(err)
	}
	rate, err := a.Billing.AddRate(ctx, op, billing.RateRequest{Traffic: "international", Prefix: "1", Currency: "GBP", PerMinute: 20_000})
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := a.Catalog.Packages(ctx, f.Provider.ID, catalog.PackageFilter{})
	if err != nil || len(pkgs) == 0 {
		t.Fatalf("packages: %d, %v", len(pkgs), err)
	}
	month := lastMonth.Format("2006-01")
	inv := fmt.Sprintf("/api/v1/invoices/%d", invs[0].ID)
	return []apiCall{
		{name: "add rate", user: "operator", method: "POST", path: "/api/v1/billing/rates", want: 201,
			body: map[string]any{"traffic": "mobile", "prefix": "447", "currency": "GBP", "per_minute_micros": 60000, "increment_seconds": 1}},
		{name: "add rate bad traffic", user: "operator", method: "POST", path: "/api/v1/billing/rates", want: 422,
			body: map[string]any{"traffic": "local", "currency": "GBP"}},
		{name: "add rate before the latest", user: "operator", method: "POST", path: "/api/v1/billing/rates", want: 409,
			body: map[string]any{"traffic": "mobile", "prefix": "447", "currency": "GBP", "valid_from": "2020-01-01T00:00:00Z"}},
		{name: "add rate company admin", user: "acme.admin", method: "POST", path: "/api/v1/billing/rates", want: 403,
			body: map[string]any{"traffic": "mobile", "currency": "GBP"}},
		{name: "add rate unknown field", user: "operator", method: "POST", path: "/api/v1/billing/rates", want: 400, badRequest: true,
			body: map[string]any{"traffic": "mobile", "currency": "GBP", "cost": 1}},
		{name: "add rate anonymous", method: "POST", path: "/api/v1/billing/rates", want: 401,
			body: map[string]any{"traffic": "mobile", "currency": "GBP"}},
		{name: "list rates", user: "operator", method: "GET", path: "/api/v1/billing/rates", want: 200},
		{name: "list rates anonymous", method: "GET", path: "/api/v1/billing/rates", want: 401},
		{name: "list rates employee", user: "west.one", method: "GET", path: "/api/v1/billing/rates", want: 403},
		{name: "end rate", user: "operator", method: "POST", path: fmt.Sprintf("/api/v1/billing/rates/%d/end", rate.ID), want: 204},
		{name: "end rate again", user: "operator", method: "POST", path: fmt.Sprintf("/api/v1/billing/rates/%d/end", rate.ID), want: 409},
		{name: "end missing rate", user: "operator", method: "POST", path: "/api/v1/billing/rates/999999/end", want: 404},
		{name: "end rate bad body", user: "operator", method: "POST", path: fmt.Sprintf("/api/v1/billing/rates/%d/end", rate.ID), want: 400,
			badRequest: true, body: map[string]any{"when": "now"}},
		{name: "end rate anonymous", method: "POST", path: fmt.Sprintf("/api/v1/billing/rates/%d/end", rate.ID), want: 401},
		{name: "end rate company admin", user: "acme.admin", method: "POST", path: fmt.Sprintf("/api/v1/billing/rates/%d/end", rate.ID), want: 403},
		{name: "set package price", user: "operator", method: "PUT", path: "/api/v1/billing/package-prices", want: 204,
			body: map[string]any{"package_id": pkgs[0].ID, "currency": "GBP", "monthly_micros": 4500000}},
		{name: "set package price unknown package", user: "operator", method: "PUT", path: "/api/v1/billing/package-prices", want: 422,
			body: map[string]any{"package_id": 999999, "currency": "GBP", "monthly_micros": 1}},
		{name: "set package price wrong type", user: "operator", method: "PUT", path: "/api/v1/billing/package-prices", want: 400, badRequest: true,
			body: map[string]any{"package_id": "one", "currency": "GBP", "monthly_micros": 1}},
		{name: "set package price anonymous", method: "PUT", path: "/api/v1/billing/package-prices", want: 401,
			body: map[string]any{"package_id": pkgs[0].ID, "currency": "GBP", "monthly_micros": 1}},
		{name: "set package price company admin", user: "acme.admin", method: "PUT", path: "/api/v1/billing/package-prices", want: 403,
			body: map[string]any{"package_id": pkgs[0].ID, "currency": "GBP", "monthly_micros": 1}},
		{name: "list package prices", user: "operator", method: "GET", path: "/api/v1/billing/package-prices", want: 200},
		{name: "list package prices anonymous", method: "GET", path: "/api/v1/billing/package-prices", want: 401},
		{name: "list package prices company admin", user: "acme.admin", method: "GET", path: "/api/v1/billing/package-prices", want: 403},
		{name: "billing settings", user: "operator", method: "GET", path: "/api/v1/billing/settings", want: 200},
		{name: "billing settings anonymous", method: "GET", path: "/api/v1/billing/settings", want: 401},
		{name: "billing settings company admin", user: "acme.admin", method: "GET", path: "/api/v1/billing/settings", want: 403},
		{name: "change billing settings", user: "operator", method: "PUT", path: "/api/v1/billing/settings", want: 200,
			body: map[string]any{"tax_rate_bp": 2000, "invoice_prefix": "INV-"}},
		{name: "change billing settings out of range", user: "operator", method: "PUT", path: "/api/v1/billing/settings", want: 422,
			body: map[string]any{"tax_rate_bp": 2000, "invoice_prefix": "IN V"}},
		{name: "change billing settings wrong type", user: "operator", method: "PUT", path: "/api/v1/billing/settings", want: 400, badRequest: true,
			body: map[string]any{"tax_rate_bp": "20%", "invoice_prefix": "INV-"}},
		{name: "change billing settings anonymous", method: "PUT", path: "/api/v1/billing/settings", want: 401,
			body: map[string]any{"tax_rate_bp": 0, "invoice_prefix": "X"}},
		{name: "change billing settings company admin", user: "acme.admin", method: "PUT", path: "/api/v1/billing/settings", want: 403,
			body: map[string]any{"tax_rate_bp": 0, "invoice_prefix": "X"}},
		{name: "monthly summary", user: "operator", method: "GET", path: "/api/v1/billing/summaries/monthly?month=" + month, want: 200},
		{name: "live summary", user: "operator", method: "GET", path: "/api/v1/billing/summaries/live", want: 200},
		{name: "daily summary bad date", user: "operator", method: "GET", path: "/api/v1/billing/summaries/daily?date=yesterday", want: 400},
		{name: "summary unknown period", user: "operator", method: "GET", path: "/api/v1/billing/summaries/weekly", want: 422, badRequest: true},
		{name: "summary anonymous", method: "GET", path: "/api/v1/billing/summaries/live", want: 401},
		{name: "summary company admin", user: "acme.admin", method: "GET", path: "/api/v1/billing/summaries/live", want: 403},
		{name: "generate invoice", user: "operator", method: "POST", path: "/api/v1/invoices", want: 201,
			body: map[string]any{"company_ids": []int64{f.Acme.ID}, "month": month}},
		{name: "generate invoice twice", user: "operator", method: "POST", path: "/api/v1/invoices", want: 409,
			body: map[string]any{"company_ids": []int64{f.Globex.ID}, "month": month}},
		{name: "generate invoice this month", user: "operator", method: "POST", path: "/api/v1/invoices", want: 422,
			body: map[string]any{"company_ids": []int64{f.Acme.ID}, "month": time.Now().UTC().Format("2006-01")}},
		{name: "generate invoice missing company", user: "operator", method: "POST", path: "/api/v1/invoices", want: 404,
			body: map[string]any{"company_ids": []int64{999999}, "month": month}},
		{name: "generate invoice wrong type", user: "operator", method: "POST", path: "/api/v1/invoices", want: 400, badRequest: true,
			body: map[string]any{"company_ids": "all", "month": month}},
		{name: "generate invoice anonymous", method: "POST", path: "/api/v1/invoices", want: 401,
			body: map[string]any{"company_ids": []int64{f.Acme.ID}, "month": month}},
		{name: "generate invoice company admin", user: "acme.admin", method: "POST", path: "/api/v1/invoices", want: 403,
			body: map[string]any{"company_ids": []int64{f.Acme.ID}, "month": month}},
		{name: "list invoices", user: "operator", method: "GET", path: "/api/v1/invoices?per_page=1", want: 200},
		{name: "list invoices bad cursor", user: "operator", method: "GET", path: "/api/v1/invoices?after=xyz", want: 400},
		{name: "list invoices missing company", user: "operator", method: "GET", path: "/api/v1/invoices?company_id=999999", want: 404},
		{name: "list invoices anonymous", method: "GET", path: "/api/v1/invoices", want: 401},
		{name: "list invoices company admin", user: "acme.admin", method: "GET", path: "/api/v1/invoices", want: 403},
		{name: "get invoice", user: "operator", method: "GET", path: inv, want: 200},
		{name: "get missing invoice", user: "operator", method: "GET", path: "/api/v1/invoices/999999", want: 404},
		{name: "get invoice anonymous", method: "GET", path: inv, want: 401},
		{name: "get invoice company admin", user: "acme.admin", method: "GET", path: inv, want: 403},
		{name: "invoice pdf", user: "operator", method: "GET", path: inv + "/pdf", want: 200},
		{name: "missing invoice pdf", user: "operator", method: "GET", path: "/api/v1/invoices/999999/pdf", want: 404},
		{name: "invoice pdf anonymous", method: "GET", path: inv + "/pdf", want: 401},
		{name: "invoice pdf company admin", user: "acme.admin", method: "GET", path: inv + "/pdf", want: 403},
	}
}

// channelsContractCalls exercise the channel events a switch posts and a
// customer's channels in use.
func channelsContractCalls(t *testing.T, c *contract) []apiCall {
	auth := map[string]string{}
	bad := map[string]string{"Authorization": basicAuth("nobody", "wrong")}
	path := fmt.Sprintf("/api/v1/companies/%d/channels", c.env.Fixture.Acme.ID)
	return []apiCall{
		{name: "channel events", method: "POST", path: "/api/v1/calls/channels", header: auth, want: 200,
			setup: func(t *testing.T) {
				auth["Authorization"] = basicAuth("chan1", addSwitch(t, c.env, "chan1", calls.FormatFreeSWITCHJSON))
			},
			body: map[string]any{"events": []map[string]any{{"event": "start", "id": "c-1", "calling": "+441134960001", "called": "07911123456"},
				{"event": "end", "id": "c-0"}}}},
		{name: "channel events unknown event", method: "POST", path: "/api/v1/calls/channels", header: auth, want: 422, badRequest: true,
			body: map[string]any{"events": []map[string]any{{"event": "ring", "id": "c-2"}}}},
		{name: "channel events empty id", method: "POST", path: "/api/v1/calls/channels", header: auth, want: 422,
			body: map[string]any{"events": []map[string]any{{"event": "end", "id": " "}}}},
		{name: "channel events unknown field", method: "POST", path: "/api/v1/calls/channels", header: auth, want: 400, badRequest: true,
			body: map[string]any{"events": []map[string]any{}, "all": true}},
		{name: "channel events wrong switch", method: "POST", path: "/api/v1/calls/channels", header: bad, want: 401,
			body: map[string]any{"events": []map[string]any{}}},
		{name: "channels in use", user: "acme.admin", method: "GET", path: path, want: 200},
		{name: "channels in use other company", user: "globex.admin", method: "GET", path: path, want: 404},
		{name: "channels in use anonymous", method: "GET", path: path, want: 401},
	}
}

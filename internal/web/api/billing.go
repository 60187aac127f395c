package api

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// billingRoutes are the provider's rate table, rental prices, invoicing
// settings, the customers' call summaries and their invoices
// (docs/billing.md). Provider operators only.
func billingRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/billing/rates", fn: func(h *Handler) handlerFunc { return h.listRates }},
		{Method: "POST", Pattern: "/api/v1/billing/rates", fn: func(h *Handler) handlerFunc { return h.addRate }},
		{Method: "POST", Pattern: "/api/v1/billing/rates/{id}/end", fn: func(h *Handler) handlerFunc { return h.endRate }},
		{Method: "GET", Pattern: "/api/v1/billing/package-prices", fn: func(h *Handler) handlerFunc { return h.listPackagePrices }},
		{Method: "PUT", Pattern: "/api/v1/billing/package-prices", fn: func(h *Handler) handlerFunc { return h.setPackagePrice }},
		{Method: "GET", Pattern: "/api/v1/billing/settings", fn: func(h *Handler) handlerFunc { return h.billingSettings }},
		{Method: "PUT", Pattern: "/api/v1/billing/settings", fn: func(h *Handler) handlerFunc { return h.changeBillingSettings }},
		{Method: "GET", Pattern: "/api/v1/billing/summaries/{period}", fn: func(h *Handler) handlerFunc { return h.callSummary }},
		{Method: "GET", Pattern: "/api/v1/invoices", fn: func(h *Handler) handlerFunc { return h.listInvoices }},
		{Method: "POST", Pattern: "/api/v1/invoices", fn: func(h *Handler) handlerFunc { return h.generateInvoices }},
		{Method: "GET", Pattern: "/api/v1/invoices/{id}", fn: func(h *Handler) handlerFunc { return h.getInvoice }},
		{Method: "GET", Pattern: "/api/v1/invoices/{id}/pdf", fn: func(h *Handler) handlerFunc { return h.invoicePDF }},
	}
}

func (h *Handler) listRates(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.app.Billing.Rates(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(rs, len(rs), pageOf(len(rs))))
	return nil
}

func (h *Handler) addRate(w http.ResponseWriter, r *http.Request) error {
	var req billing.RateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	rate, err := h.app.Billing.AddRate(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/billing/rates")
	WriteJSON(w, http.StatusCreated, rate)
	return nil
}

// EndRateRequest ends a rate at a time (now when absent).
type EndRateRequest struct {
	At time.Time `json:"at"`
}

func (h *Handler) endRate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req EndRateRequest
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			return err
		}
	}
	if err := h.app.Billing.EndRate(r.Context(), actor(r), id, req.At); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listPackagePrices(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.app.Billing.PackagePrices(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(ps, len(ps), pageOf(len(ps))))
	return nil
}

func (h *Handler) setPackagePrice(w http.ResponseWriter, r *http.Request) error {
	var req billing.PackagePrice
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.Billing.SetPackagePrice(r.Context(), actor(r), req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) billingSettings(w http.ResponseWriter, r *http.Request) error {
	s, err := h.app.Billing.SettingsFor(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) changeBillingSettings(w http.ResponseWriter, r *http.Request) error {
	var req billing.Settings
	if err := decode(r, &req); err != nil {
		return err
	}
	s, err := h.app.Billing.ChangeSettings(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

// callSummary is the Live, Daily or Monthly summary; ?date= (YYYY-MM-DD)
// or ?month= (YYYY-MM) picks the day or month (default: today, this month).
func (h *Handler) callSummary(w http.ResponseWriter, r *http.Request) error {
	at, err := summaryDate(r)
	if err != nil {
		return err
	}
	s, err := h.app.Billing.Summaries(r.Context(), actor(r), billing.Period(r.PathValue("period")), at)
	if err != nil {
		return err
	}
	if s.Rows == nil {
		s.Rows = []billing.SummaryRow{}
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

// summaryDate reads ?date=YYYY-MM-DD or ?month=YYYY-MM (UTC).
func summaryDate(r *http.Request) (time.Time, error) {
	q := r.URL.Query()
	for _, f := range []struct{ name, layout, example string }{{"date", "2006-01-02", "2026-11-30"}, {"month", "2006-01", "2026-11"}} {
		if v := q.Get(f.name); v != "" {
			t, err := time.Parse(f.layout, v)
			if err != nil {
				msg := fmt.Sprintf("%s is a UTC %s written like %s", f.name, f.name, f.example)
				return time.Time{}, &malformedError{detail: msg, fields: []derrors.FieldError{{Field: f.name, Message: msg}}}
			}
			return t, nil
		}
	}
	return time.Now().UTC(), nil
}

// GenerateInvoicesRequest names the ticked customers and the month.
type GenerateInvoicesRequest struct {
	CompanyIDs []int64 `json:"company_ids"`
	// Month is YYYY-MM (UTC).
	Month string `json:"month"`
}

func (h *Handler) generateInvoices(w http.ResponseWriter, r *http.Request) error {
	var req GenerateInvoicesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	month, err := time.Parse("2006-01", req.Month)
	if err != nil {
		return derrors.Invalid("month", "the month is written like 2026-11 (UTC)")
	}
	invs, err := h.app.Billing.GenerateInvoices(r.Context(), actor(r), req.CompanyIDs, month)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, list(invs, len(invs), pageOf(len(invs))))
	return nil
}

func (h *Handler) listInvoices(w http.ResponseWriter, r *http.Request) error {
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	company, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	invs, next, err := h.app.Billing.Invoices(r.Context(), actor(r), billing.InvoiceFilter{CompanyID: company, After: p.After, Limit: p.PerPage})
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(invs, -1, next, p))
	return nil
}

func (h *Handler) getInvoice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	inv, err := h.app.Billing.InvoiceFor(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, inv)
	return nil
}

func (h *Handler) invoicePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.app.Billing.InvoicePDF(r.Context(), actor(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"invoice-%d.pdf\"", id))
	_, err = w.Write(buf.Bytes())
	return err
}

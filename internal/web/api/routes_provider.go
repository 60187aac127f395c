package api

import "slices"

// providerRoutes are the provider control panel's endpoints: customer
// contacts, internal number blocks and their number range parameters, the
// refused extension codes, and the DN ranges of sites; followed by the service-offering, catalog, number
// pool and device endpoints of routes_offering.go.
func providerRoutes() []Route {
	return slices.Concat(controlPanelRoutes(), offeringRoutes())
}

func controlPanelRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/companies/{id}/contacts", fn: func(h *Handler) handlerFunc { return h.listContacts }},
		{Method: "POST", Pattern: "/api/v1/companies/{id}/contacts", fn: func(h *Handler) handlerFunc { return h.createContact }},
		{Method: "PATCH", Pattern: "/api/v1/companies/{id}/contacts/{contact_id}", fn: func(h *Handler) handlerFunc { return h.updateContact }},
		{Method: "POST", Pattern: "/api/v1/companies/{id}/contacts/{contact_id}/reset-password", fn: func(h *Handler) handlerFunc { return h.resetContactPassword }},
		{Method: "GET", Pattern: "/api/v1/companies/{id}/internal-number-blocks", fn: func(h *Handler) handlerFunc { return h.listInternalBlocks }},
		{Method: "POST", Pattern: "/api/v1/companies/{id}/internal-number-blocks", fn: func(h *Handler) handlerFunc { return h.assignInternalBlock }},
		{Method: "DELETE", Pattern: "/api/v1/companies/{id}/internal-number-blocks/{block_id}", fn: func(h *Handler) handlerFunc { return h.removeInternalBlock }},
		{Method: "GET", Pattern: "/api/v1/settings/number-range-parameters", fn: func(h *Handler) handlerFunc { return h.numberRangeParameters }},
		{Method: "PUT", Pattern: "/api/v1/settings/number-range-parameters", fn: func(h *Handler) handlerFunc { return h.setNumberRangeParameters }},
		{Method: "GET", Pattern: "/api/v1/settings/refused-extensions", fn: func(h *Handler) handlerFunc { return h.listRefusedExtensions }},
		{Method: "POST", Pattern: "/api/v1/settings/refused-extensions", fn: func(h *Handler) handlerFunc { return h.addRefusedExtension }},
		{Method: "DELETE", Pattern: "/api/v1/settings/refused-extensions/{code}", fn: func(h *Handler) handlerFunc { return h.removeRefusedExtension }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/ranges", fn: func(h *Handler) handlerFunc { return h.listRanges }},
		{Method: "POST", Pattern: "/api/v1/sites/{id}/ranges", fn: func(h *Handler) handlerFunc { return h.addRange }},
		{Method: "DELETE", Pattern: "/api/v1/sites/{id}/ranges/{range_id}", fn: func(h *Handler) handlerFunc { return h.removeRange }},
	}
}

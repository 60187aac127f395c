package api

// callsRoutes are call-record ingest from the switches and the provider's
// switches that send them (docs/cdr.md). The ingest route authenticates the
// switch itself (HTTP Basic: switch name and token), not an account.
func callsRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/calls/ingest", Public: true, fn: func(h *Handler) handlerFunc { return h.ingestCalls }},
		{Method: "POST", Pattern: "/api/v1/calls/channels", Public: true, fn: func(h *Handler) handlerFunc { return h.postChannels }},
		{Method: "GET", Pattern: "/api/v1/companies/{id}/channels", fn: func(h *Handler) handlerFunc { return h.companyChannels }},
		{Method: "GET", Pattern: "/api/v1/switches", fn: func(h *Handler) handlerFunc { return h.listSwitches }},
		{Method: "POST", Pattern: "/api/v1/switches", fn: func(h *Handler) handlerFunc { return h.createSwitch }},
		{Method: "GET", Pattern: "/api/v1/switches/{id}/batches", fn: func(h *Handler) handlerFunc { return h.listSwitchBatches }},
		{Method: "GET", Pattern: "/api/v1/call-logs/graph", fn: func(h *Handler) handlerFunc { return h.callLogGraph }},
		{Method: "GET", Pattern: "/api/v1/call-logs/list", fn: func(h *Handler) handlerFunc { return h.callLogList }},
		{Method: "GET", Pattern: "/api/v1/call-logs/types", fn: func(h *Handler) handlerFunc { return h.callLogTypes }},
		{Method: "GET", Pattern: "/api/v1/call-logs/top", fn: func(h *Handler) handlerFunc { return h.callLogTop }},
		{Method: "GET", Pattern: "/api/v1/call-logs/export", fn: func(h *Handler) handlerFunc { return h.callLogExport }},
	}
}

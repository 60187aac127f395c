package api

// searchRoutes are the live search box and the company's Search Tool.
func searchRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/search", fn: func(h *Handler) handlerFunc { return h.liveSearch }},
		{Method: "GET", Pattern: "/api/v1/search/numbers", fn: func(h *Handler) handlerFunc { return h.searchNumber }},
		{Method: "GET", Pattern: "/api/v1/search/names", fn: func(h *Handler) handlerFunc { return h.searchNames }},
		{Method: "GET", Pattern: "/api/v1/search/devices", fn: func(h *Handler) handlerFunc { return h.searchDevice }},
	}
}

package api

// dashboardRoutes are the Business Portal's site and employee dashboards
// (docs/ui.md, "Dashboards"): one read each, deciding access itself.
func dashboardRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/sites/{id}/dashboard", fn: func(h *Handler) handlerFunc { return h.siteDashboard }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/dashboard", fn: func(h *Handler) handlerFunc { return h.employeeDashboard }},
	}
}

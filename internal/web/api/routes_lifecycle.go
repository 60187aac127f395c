package api

// lifecycleRoutes are the employee lifecycle endpoints (Activate, Service
// Settings, Resubscribe, Cease), a site's employee limit, and the jobs
// Status endpoints.
func lifecycleRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/employees/activate", fn: func(h *Handler) handlerFunc { return h.activateEmployees }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/activate", fn: func(h *Handler) handlerFunc { return h.activateEmployee }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/service", fn: func(h *Handler) handlerFunc { return h.employeeService }},
		{Method: "PATCH", Pattern: "/api/v1/employees/{id}/service", fn: func(h *Handler) handlerFunc { return h.changeEmployeeService }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/resubscribe", fn: func(h *Handler) handlerFunc { return h.resubscribeEmployee }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/cease", fn: func(h *Handler) handlerFunc { return h.ceaseEmployee }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/employee-limit", fn: func(h *Handler) handlerFunc { return h.siteEmployeeLimit }},
		{Method: "PUT", Pattern: "/api/v1/sites/{id}/employee-limit", fn: func(h *Handler) handlerFunc { return h.setSiteEmployeeLimit }},
		{Method: "GET", Pattern: "/api/v1/jobs", fn: func(h *Handler) handlerFunc { return h.listJobs }},
		{Method: "GET", Pattern: "/api/v1/jobs/{id}", fn: func(h *Handler) handlerFunc { return h.getJob }},
		{Method: "GET", Pattern: "/api/v1/jobs/{id}/items", fn: func(h *Handler) handlerFunc { return h.jobItems }},
	}
}

package api

// featuresRoutes are the Features and Feature Assignment tabs of sites and
// employees, each feature's configuration and the service data
// (docs/features.md).
func featuresRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/features/service-data-schema", fn: func(h *Handler) handlerFunc { return h.serviceDataSchema }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/features", fn: func(h *Handler) handlerFunc { return h.siteFeatures }},
		{Method: "PUT", Pattern: "/api/v1/sites/{id}/features/{feature_id}/assignment", fn: func(h *Handler) handlerFunc { return h.siteFeatureAssignment }},
		{Method: "PUT", Pattern: "/api/v1/sites/{id}/features/{feature_id}/admin-privileges", fn: func(h *Handler) handlerFunc { return h.siteFeaturePrivileges }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/features/{code}/configuration", fn: func(h *Handler) handlerFunc { return h.siteFeatureConfig }},
		{Method: "PUT", Pattern: "/api/v1/sites/{id}/features/{code}/configuration", fn: func(h *Handler) handlerFunc { return h.configureSiteFeature }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/service-data", fn: func(h *Handler) handlerFunc { return h.siteServiceData }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/features", fn: func(h *Handler) handlerFunc { return h.employeeFeatures }},
		{Method: "PUT", Pattern: "/api/v1/employees/{id}/features/{feature_id}/assignment", fn: func(h *Handler) handlerFunc { return h.employeeFeatureAssignment }},
		{Method: "PUT", Pattern: "/api/v1/employees/{id}/features/{feature_id}/admin-privileges", fn: func(h *Handler) handlerFunc { return h.employeeFeaturePrivileges }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/features/{code}/configuration", fn: func(h *Handler) handlerFunc { return h.employeeFeatureConfig }},
		{Method: "PUT", Pattern: "/api/v1/employees/{id}/features/{code}/configuration", fn: func(h *Handler) handlerFunc { return h.configureEmployeeFeature }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/service-data", fn: func(h *Handler) handlerFunc { return h.employeeServiceData }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/blf-colleagues", fn: func(h *Handler) handlerFunc { return h.blfColleagues }},
	}
}

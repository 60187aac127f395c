package api

// importsRoutes are Import Employees, Import Group and the imports' Status.
func importsRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/imports", fn: func(h *Handler) handlerFunc { return h.listImports }},
		{Method: "GET", Pattern: "/api/v1/imports/employees/template", fn: func(h *Handler) handlerFunc { return h.employeeImportTemplate }},
		{Method: "POST", Pattern: "/api/v1/imports/employees", fn: func(h *Handler) handlerFunc { return h.importEmployees }},
		{Method: "GET", Pattern: "/api/v1/imports/groups/template", fn: func(h *Handler) handlerFunc { return h.groupImportTemplate }},
		{Method: "POST", Pattern: "/api/v1/imports/groups", fn: func(h *Handler) handlerFunc { return h.importGroups }},
		{Method: "GET", Pattern: "/api/v1/imports/{id}", fn: func(h *Handler) handlerFunc { return h.getImport }},
		{Method: "GET", Pattern: "/api/v1/imports/{id}/items", fn: func(h *Handler) handlerFunc { return h.importItems }},
		{Method: "POST", Pattern: "/api/v1/imports/{id}/cancel", fn: func(h *Handler) handlerFunc { return h.cancelImport }},
	}
}

package api

// offeringRoutes are the service-offering, catalog, number-pool, extension
// policy and device endpoints.
func offeringRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/service-offering", fn: func(h *Handler) handlerFunc { return h.serviceOffering }},
		{Method: "GET", Pattern: "/api/v1/catalog/features", fn: func(h *Handler) handlerFunc { return h.listFeatures }},
		{Method: "POST", Pattern: "/api/v1/catalog/features", fn: func(h *Handler) handlerFunc { return h.createFeature }},
		{Method: "GET", Pattern: "/api/v1/catalog/features/{id}", fn: func(h *Handler) handlerFunc { return h.getFeature }},
		{Method: "PUT", Pattern: "/api/v1/catalog/features/{id}", fn: func(h *Handler) handlerFunc { return h.replaceFeature }},
		{Method: "DELETE", Pattern: "/api/v1/catalog/features/{id}", fn: func(h *Handler) handlerFunc { return h.deleteFeature }},
		{Method: "GET", Pattern: "/api/v1/catalog/packages", fn: func(h *Handler) handlerFunc { return h.listPackages }},
		{Method: "POST", Pattern: "/api/v1/catalog/packages", fn: func(h *Handler) handlerFunc { return h.createPackage }},
		{Method: "GET", Pattern: "/api/v1/catalog/packages/{id}", fn: func(h *Handler) handlerFunc { return h.getPackage }},
		{Method: "PUT", Pattern: "/api/v1/catalog/packages/{id}", fn: func(h *Handler) handlerFunc { return h.replacePackage }},
		{Method: "DELETE", Pattern: "/api/v1/catalog/packages/{id}", fn: func(h *Handler) handlerFunc { return h.deletePackage }},
		{Method: "GET", Pattern: "/api/v1/catalog/packages/{id}/features", fn: func(h *Handler) handlerFunc { return h.packageFeatures }},
		{Method: "GET", Pattern: "/api/v1/catalog/terms", fn: func(h *Handler) handlerFunc { return h.listTerms }},
		{Method: "POST", Pattern: "/api/v1/catalog/terms", fn: func(h *Handler) handlerFunc { return h.createTerm }},
		{Method: "PUT", Pattern: "/api/v1/catalog/terms/{id}", fn: func(h *Handler) handlerFunc { return h.replaceTerm }},
		{Method: "DELETE", Pattern: "/api/v1/catalog/terms/{id}", fn: func(h *Handler) handlerFunc { return h.deleteTerm }},
		{Method: "GET", Pattern: "/api/v1/device-types", fn: func(h *Handler) handlerFunc { return h.listDeviceTypes }},
		{Method: "POST", Pattern: "/api/v1/device-types", fn: func(h *Handler) handlerFunc { return h.createDeviceType }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/numbers", fn: func(h *Handler) handlerFunc { return h.siteNumbers }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/offering", fn: func(h *Handler) handlerFunc { return h.siteOffering }},
		{Method: "PUT", Pattern: "/api/v1/sites/{id}/offering", fn: func(h *Handler) handlerFunc { return h.setSiteOffering }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/extension-policy", fn: func(h *Handler) handlerFunc { return h.extensionPolicy }},
		{Method: "PUT", Pattern: "/api/v1/sites/{id}/extension-policy", fn: func(h *Handler) handlerFunc { return h.setExtensionPolicy }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/devices", fn: func(h *Handler) handlerFunc { return h.siteDevices }},
		{Method: "POST", Pattern: "/api/v1/sites/{id}/devices", fn: func(h *Handler) handlerFunc { return h.createDevice }},
		{Method: "GET", Pattern: "/api/v1/devices/{id}", fn: func(h *Handler) handlerFunc { return h.getDevice }},
		{Method: "DELETE", Pattern: "/api/v1/devices/{id}", fn: func(h *Handler) handlerFunc { return h.deleteDevice }},
	}
}

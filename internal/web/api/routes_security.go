package api

// securityRoutes are the account-security, audit-reading and provider
// settings endpoints.
func securityRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/auth/password", fn: func(h *Handler) handlerFunc { return h.changePassword }},
		{Method: "POST", Pattern: "/api/v1/auth/security-email", fn: func(h *Handler) handlerFunc { return h.changeSecurityEmail }},
		{Method: "POST", Pattern: "/api/v1/auth/security-email/confirm", Public: true, fn: func(h *Handler) handlerFunc { return h.confirmSecurityEmail }},
		{Method: "POST", Pattern: "/api/v1/auth/password-reset", Public: true, fn: func(h *Handler) handlerFunc { return h.requestPasswordReset }},
		{Method: "POST", Pattern: "/api/v1/auth/password-reset/confirm", Public: true, fn: func(h *Handler) handlerFunc { return h.confirmPasswordReset }},
		{Method: "GET", Pattern: "/api/v1/settings/security", fn: func(h *Handler) handlerFunc { return h.securitySettings }},
		{Method: "PATCH", Pattern: "/api/v1/settings/security", fn: func(h *Handler) handlerFunc { return h.updateSecuritySettings }},
		{Method: "GET", Pattern: "/api/v1/mail/outbox", fn: func(h *Handler) handlerFunc { return h.outbox }},
		{Method: "GET", Pattern: "/api/v1/companies/{id}/recent-activity", fn: func(h *Handler) handlerFunc { return h.recentActivity }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/reset-password", fn: func(h *Handler) handlerFunc { return h.resetEmployeePassword }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/lock", fn: func(h *Handler) handlerFunc { return h.employeeLock }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/force-unlock", fn: func(h *Handler) handlerFunc { return h.forceUnlock }},
		{Method: "GET", Pattern: "/api/v1/operators", fn: func(h *Handler) handlerFunc { return h.operators }},
		{Method: "GET", Pattern: "/api/v1/operators/{id}/lock", fn: func(h *Handler) handlerFunc { return h.operatorLock }},
		{Method: "POST", Pattern: "/api/v1/operators/{id}/force-unlock", fn: func(h *Handler) handlerFunc { return h.forceUnlockOperator }},
		{Method: "PUT", Pattern: "/api/v1/employees/{id}/service-passwords", fn: func(h *Handler) handlerFunc { return h.setServicePasswords }},
		{Method: "GET", Pattern: "/api/v1/audit/events", fn: func(h *Handler) handlerFunc { return h.auditEventTypes }},
		{Method: "GET", Pattern: "/api/v1/audit/{id}", fn: func(h *Handler) handlerFunc { return h.auditEntry }},
	}
}

package api

// contactsRoutes are the caller's own personal contacts (the self-care
// portal's Contacts page): contacts, contact groups, the two-phase import,
// Export All, the templates and the directory revision. Every route works
// on the authenticated employee's contacts only; see contacts.go.
func contactsRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/contacts", fn: func(h *Handler) handlerFunc { return h.listContactsPersonal }},
		{Method: "POST", Pattern: "/api/v1/contacts", fn: func(h *Handler) handlerFunc { return h.createContactPersonal }},
		{Method: "POST", Pattern: "/api/v1/contacts/delete", fn: func(h *Handler) handlerFunc { return h.deleteContactsPersonal }},
		{Method: "GET", Pattern: "/api/v1/contacts/revision", fn: func(h *Handler) handlerFunc { return h.contactsRevision }},
		{Method: "GET", Pattern: "/api/v1/contacts/export", fn: func(h *Handler) handlerFunc { return h.exportContacts }},
		{Method: "GET", Pattern: "/api/v1/contacts/templates/{kind}", fn: func(h *Handler) handlerFunc { return h.contactsTemplate }},
		{Method: "GET", Pattern: "/api/v1/contacts/{id}", fn: func(h *Handler) handlerFunc { return h.getContactPersonal }},
		{Method: "PUT", Pattern: "/api/v1/contacts/{id}", fn: func(h *Handler) handlerFunc { return h.updateContactPersonal }},
		{Method: "DELETE", Pattern: "/api/v1/contacts/{id}", fn: func(h *Handler) handlerFunc { return h.deleteContactPersonal }},

		{Method: "GET", Pattern: "/api/v1/contacts/groups", fn: func(h *Handler) handlerFunc { return h.listContactGroups }},
		{Method: "POST", Pattern: "/api/v1/contacts/groups", fn: func(h *Handler) handlerFunc { return h.createContactGroup }},
		{Method: "GET", Pattern: "/api/v1/contacts/groups/{id}", fn: func(h *Handler) handlerFunc { return h.getContactGroup }},
		{Method: "PATCH", Pattern: "/api/v1/contacts/groups/{id}", fn: func(h *Handler) handlerFunc { return h.renameContactGroup }},
		{Method: "DELETE", Pattern: "/api/v1/contacts/groups/{id}", fn: func(h *Handler) handlerFunc { return h.deleteContactGroup }},
		{Method: "POST", Pattern: "/api/v1/contacts/groups/{id}/members", fn: func(h *Handler) handlerFunc { return h.changeContactGroupMembers }},

		{Method: "POST", Pattern: "/api/v1/contacts/imports", fn: func(h *Handler) handlerFunc { return h.previewContactImport }},
		{Method: "GET", Pattern: "/api/v1/contacts/imports/{id}", fn: func(h *Handler) handlerFunc { return h.getContactImport }},
		{Method: "POST", Pattern: "/api/v1/contacts/imports/{id}/confirm", fn: func(h *Handler) handlerFunc { return h.confirmContactImport }},
		{Method: "POST", Pattern: "/api/v1/contacts/imports/{id}/cancel", fn: func(h *Handler) handlerFunc { return h.cancelContactImport }},
	}
}

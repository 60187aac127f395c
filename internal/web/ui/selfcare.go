package ui

// The personal Contacts pages of the self-care portal, part of the account
// area (account.go). Their pages, flashes
// and routes are registered from this file and contacts.go.
func init() {
	pageNames = append(pageNames, "selfcare_contacts", "selfcare_contact", "selfcare_group", "selfcare_import", "selfcare_export")
	for k, v := range map[string]string{
		"pc-contact-created":  "The contact has been added.",
		"pc-contact-updated":  "The contact has been saved.",
		"pc-contacts-deleted": "The selected contacts have been deleted.",
		"pc-cgroup-created":   "The group has been created.",
		"pc-cgroup-updated":   "The group has been renamed.",
		"pc-cgroup-deleted":   "The group has been deleted; its contacts are kept.",
		"pc-imported":         "The contacts have been imported.",
		"pc-import-cancelled": "The import has been cancelled; your contacts have not changed.",
		"pc-select-one":       "Select exactly one contact to edit.",
		"pc-select-some":      "Select the contacts to delete first.",
	} {
		flashes[k] = v
	}
}

// registerSelfCare adds the Contacts pages.
func (p *Pages) registerSelfCare(auth func(pattern string, fn handlerFunc)) {
	auth("GET /contacts", p.pcList)
	auth("POST /contacts/selection", p.pcSelection)
	auth("GET /contacts/new", p.pcNew)
	auth("POST /contacts/new", p.pcCreate)
	auth("GET /contacts/{id}", p.pcEdit)
	auth("POST /contacts/{id}", p.pcSave)
	auth("GET /contacts/groups/new", p.pcGroupNew)
	auth("POST /contacts/groups/new", p.pcGroupCreate)
	auth("GET /contacts/groups/{id}", p.pcGroupEdit)
	auth("POST /contacts/groups/{id}", p.pcGroupSave)
	auth("POST /contacts/groups/{id}/delete", p.pcGroupDelete)
	auth("GET /contacts/import", p.pcImport)
	auth("POST /contacts/import", p.pcImportUpload)
	auth("GET /contacts/import/{id}", p.pcImportPreview)
	auth("POST /contacts/import/{id}/confirm", p.pcImportConfirm)
	auth("POST /contacts/import/{id}/cancel", p.pcImportCancel)
	auth("GET /contacts/export", p.pcExport)
	auth("GET /contacts/export/download", p.pcExportDownload)
	auth("GET /contacts/templates/{kind}", p.pcTemplate)
}

// selfCareTabs puts My Account and Contacts first in the top bar of the
// self-care pages (an employee's portal is these two), the one current.
func selfCareTabs(v *view, current string) {
	tabs := []navLink{
		{Label: "My Account", URL: "/account", Current: current != "contacts"},
		{Label: "Contacts", URL: "/contacts", Current: current == "contacts"},
	}
	for _, t := range v.Tabs {
		if t.URL != "/account" && t.URL != "/contacts" {
			t.Current = false
			tabs = append(tabs, t)
		}
	}
	v.Tabs = tabs
}

package ui

import (
	"net/http"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// The self-care portal ("My Account") and the personal Contacts page: the
// self-care portal made real for every employee. Their pages, flashes
// and routes are registered from this file and contacts.go.
func init() {
	pageNames = append(pageNames, "selfcare", "selfcare_contacts", "selfcare_contact", "selfcare_group", "selfcare_import", "selfcare_export")
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

// registerSelfCare adds the My Account and Contacts pages.
func (p *Pages) registerSelfCare(auth func(pattern string, fn handlerFunc)) {
	auth("GET /my-account", p.selfCare)
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
// self-care pages (an employee's portal is these two and their profile).
func selfCareTabs(v *view, current string) {
	tabs := []navLink{
		{Label: "My Account", URL: "/my-account", Current: current == "account"},
		{Label: "Contacts", URL: "/contacts", Current: current == "contacts"},
	}
	for _, t := range v.Tabs {
		if t.URL != "/my-account" && t.URL != "/contacts" {
			t.Current = false
			tabs = append(tabs, t)
		}
	}
	v.Tabs = tabs
}

// selfCareDetail is one line of Personal Details.
type selfCareDetail struct {
	Label string
	Value string
}

// selfCareLink is one entry of the Security section.
type selfCareLink struct {
	Label string
	URL   string
	Hint  string
}

type selfCarePage struct {
	Name     string
	Details  []selfCareDetail
	Security []selfCareLink
	Contacts int
}

// selfCare is My Account: Personal Details (read-only; an administrator
// changes them), Security (password, PINs, security e-mail) and Support
// (help and the contact templates), after the portal's bottom-of-page layout.
func (p *Pages) selfCare(w http.ResponseWriter, r *http.Request) error {
	a, _ := request.AuthFrom(r.Context())
	actor := a.Actor()
	ctx := r.Context()
	v, err := p.newView(r, a.Account.CompanyID, "account", "My Account")
	if err != nil {
		return err
	}
	selfCareTabs(v, "account")
	acct := a.Account
	pg := selfCarePage{Name: strings.TrimSpace(acct.FirstName + " " + acct.LastName)}
	if pg.Name == "" {
		pg.Name = acct.Username
	}
	dash := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return s
	}
	number, ext, site := "", "", ""
	if acct.CompanyID != 0 {
		e, err := p.app.Directory.Employee(ctx, acct.ID)
		if err != nil {
			return err
		}
		number = e.Phone
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: acct.ID}
		if ns, err := p.app.Numbering.OwnerNumbers(ctx, acct.CompanyID, owner); err == nil && len(ns) > 0 {
			number, site = ns[0].National, ns[0].SiteName
		}
		if es, err := p.app.Numbering.OwnerExtensions(ctx, acct.CompanyID, owner); err == nil && len(es) > 0 {
			ext = es[0].Extension
		}
		if n, err := p.app.Contacts.Count(ctx, actorOf(r), acct.ID); err == nil {
			pg.Contacts = n
		}
	}
	pg.Details = []selfCareDetail{
		{"First name", dash(acct.FirstName)}, {"Last name", dash(acct.LastName)}, {"Username", acct.Username},
		{"Number", dash(number)}, {"Extension", dash(ext)}, {"Site", dash(site)},
		{"Security e-mail", dash(acct.Email)}, {"Role", actor.Role.Label()},
	}
	pg.Security = []selfCareLink{
		{"Change Password", "/account/password", "The password you log in to this portal and the apps with."},
	}
	if acct.CompanyID != 0 && p.app.Access.Can(ctx, actor, access.UpdateEmployee, access.Employee(acct.ID)) {
		sp := "/employees/" + itoa64(acct.ID) + "/service-passwords"
		pg.Security = append(pg.Security,
			selfCareLink{"Change Call Services PIN", sp + "#f-voicemail-pin", "One PIN serves call services and voicemail: changing it here changes both."},
			selfCareLink{"Change Voicemail PIN", sp + "#f-voicemail-pin", "The PIN you dial into voicemail with."})
	}
	pg.Security = append(pg.Security, selfCareLink{"Change Security Email", "/account/security-email", "Where password-reset links are sent."})
	v.Data = pg
	p.render(w, r, http.StatusOK, "selfcare", v)
	return nil
}

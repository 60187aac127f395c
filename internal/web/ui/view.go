package ui

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// view is what the layout and every page template receive.
type view struct {
	Title string
	// Tab is the current top tab: customers, company, sites, employees,
	// groups, offering, profile.
	Tab  string
	User *userInfo
	// CSRF is the session's token every form posts back as csrf_token.
	CSRF string
	// Company is the company the page is about (nil on operator-wide pages).
	Company  *tenancy.Company
	Operator bool
	// Provider is a provider operator, who also sees the provider pages
	// (security settings, outbox, customers' audit logs).
	Provider bool
	Tabs     []navLink
	// ShowSearch shows the top bar's employee search box.
	ShowSearch bool
	Search     string
	Side       []sideSection
	SideLabel  string
	Flash      string
	// Bare pages (login) have no top bar.
	Bare bool
	Data any
}

type userInfo struct {
	ID        int64
	Username  string
	Name      string
	RoleLabel string
	Role      access.Role
}

type navLink struct {
	Label   string
	URL     string
	Current bool
}

type sideSection struct {
	Title string
	Links []navLink
}

// Link returns path with the company named for operators, who work across
// companies; company accounts never need it.
func (v *view) Link(path string) string {
	if !v.Operator || v.Company == nil {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "company_id=" + strconv.FormatInt(v.Company.ID, 10)
}

// actorOf returns the authenticated caller (adapt guarantees one on private pages).
func actorOf(r *http.Request) access.Actor {
	a, _ := request.AuthFrom(r.Context())
	return a.Actor()
}

// companyFor decides which company a company-wide page is about: the
// caller's own, or for operators the company_id they name, read through
// tenancy.ViewCompany, which decides whether the caller may see it: another
// company's id answers ErrNotFound like an id that does not exist. What the
// page then does is decided by the domain method it calls.
func (p *Pages) companyFor(r *http.Request) (int64, error) {
	id, err := pageCompany(r)
	if err != nil {
		return 0, err
	}
	if _, err := p.app.Tenancy.ViewCompany(r.Context(), actorOf(r), id); err != nil {
		return 0, err
	}
	return id, nil
}

// pageCompany is the company a page names (company_id) or the caller's
// own. It decides nothing: the domain method called with it does.
func pageCompany(r *http.Request) (int64, error) {
	a := actorOf(r)
	id := int64(0)
	if s := r.FormValue("company_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return 0, derrors.ErrNotFound
		}
		id = n
	}
	if id == 0 {
		if a.CompanyID == 0 {
			return 0, errChooseCompany
		}
		id = a.CompanyID
	}
	return id, nil
}

// formCompanyID reads the company_id a page names (0: none); one that is
// not a positive number is an unknown company.
func formCompanyID(r *http.Request) (int64, error) {
	s := r.FormValue("company_id")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, derrors.ErrNotFound
	}
	return n, nil
}

// errChooseCompany sends an operator without a company to the customer list.
var errChooseCompany = derrors.Invalid("company_id", "choose a customer first: operators work across companies, so open one from the Customers list")

// newView builds the common page frame for the caller and, when companyID
// is not 0, the company the page is about. The caller has already checked
// that the actor may see that company (or an object in it).
func (p *Pages) newView(r *http.Request, companyID int64, tab, title string) (*view, error) {
	a, _ := request.AuthFrom(r.Context())
	actor := a.Actor()
	v := &view{Title: title, Tab: tab, CSRF: a.Session.CSRFToken, Operator: actor.IsOperator()}
	name := strings.TrimSpace(a.Account.FirstName + " " + a.Account.LastName)
	if name == "" {
		name = a.Account.Username
	}
	v.User = &userInfo{ID: a.Account.ID, Username: a.Account.Username, Name: name, RoleLabel: actor.Role.Label(), Role: actor.Role}
	if companyID != 0 {
		c, err := p.app.Tenancy.Company(r.Context(), companyID)
		if err != nil {
			return nil, err
		}
		v.Company = &c
	}
	if v.Operator {
		v.Tabs = append(v.Tabs, navLink{Label: "Customers", URL: "/customers", Current: tab == "customers"})
		v.Provider = p.app.Access.Can(r.Context(), actor, access.ManageResellers, access.Provider(actor.ProviderID))
	}
	switch {
	case actor.Role == access.RoleEmployee:
		v.Tabs = append(v.Tabs, navLink{Label: "My Account", URL: "/account", Current: tab == "account"},
			navLink{Label: "Contacts", URL: "/contacts", Current: tab == "contacts"})
		v.Tabs = append(v.Tabs, navLink{Label: "Call Logs", URL: "/call-logs", Current: tab == "calllogs"})
	case v.Company != nil:
		if p.app.Access.Can(r.Context(), actor, access.ViewCompanyDashboard, access.Company(v.Company.ID)) {
			v.Tabs = append(v.Tabs, navLink{Label: "Company", URL: v.Link("/dashboard"), Current: tab == "company"})
		}
		v.Tabs = append(v.Tabs,
			navLink{Label: "Sites", URL: v.Link("/sites"), Current: tab == "sites"},
			navLink{Label: "Employees", URL: v.Link("/employees"), Current: tab == "employees"},
			navLink{Label: "Employee Groups", URL: v.Link("/groups"), Current: tab == "groups"},
			navLink{Label: "Service Offering", URL: v.Link("/service-offering"), Current: tab == "offering"},
			navLink{Label: "Call Logs", URL: v.Link("/call-logs"), Current: tab == "calllogs"},
		)
		v.ShowSearch = true
	case actor.Role == access.RoleProvider:
		v.Tabs = append(v.Tabs, navLink{Label: "Call Logs", URL: "/call-logs", Current: tab == "calllogs"})
	}
	v.Flash = flashText(r.URL.Query().Get("msg"))
	return v, nil
}

// errorView is the frame of an error page: the caller's own company when
// they have one, nothing company-specific otherwise (an error must not leak
// which company an id belongs to).
func (p *Pages) errorView(r *http.Request) *view {
	a, ok := request.AuthFrom(r.Context())
	if !ok {
		return &view{Bare: true}
	}
	v, err := p.newView(r, a.Account.CompanyID, "", "")
	if err != nil {
		p.app.Logger.WarnContext(r.Context(), "error page frame", "err", err)
		return &view{Bare: true}
	}
	v.Flash = ""
	return v
}

// flashes are the confirmation messages a redirect after a save may show;
// only these fixed texts can appear, so a link cannot inject a message.
var flashes = map[string]string{
	"group-created":     "The group has been created.",
	"group-updated":     "The group's profile has been updated.",
	"group-deleted":     "The group has been deleted.",
	"admins-updated":    "The group's administrator settings have been updated.",
	"members-updated":   "The group's members have been updated.",
	"nothing":           "Nothing changed: no box was ticked or cleared.",
	"emp-created":       "The employee has been added.",
	"emp-updated":       "The employee's profile has been updated.",
	"memberships":       "The employee's group memberships have been updated.",
	"privileges":        "The employee's admin privileges have been updated.",
	"password-changed":  "Your password has been changed.",
	"pw-reset":          "The password has been reset and e-mailed.",
	"unlocked":          "The account has been unlocked. The user can log in again now.",
	"service-passwords": "The service passwords have been changed.",
	"settings-saved":    "The security settings have been saved.",
	"service-saved":     "The service settings have been saved.",
}

func flashText(key string) string { return flashes[key] }

// redirectFlash redirects (303) to target with a confirmation message.
func redirectFlash(w http.ResponseWriter, r *http.Request, target, msg string) {
	u, err := url.Parse(target)
	if err != nil {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	q := u.Query()
	q.Set("msg", msg)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// pathID reads a positive id from the URL path; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, derrors.ErrNotFound
	}
	return id, nil
}

// form holds a submitted (or prefilled) form with per-field errors.
type form struct {
	Values url.Values
	Errs   map[string][]string
	// General are messages not tied to one field.
	General []string
	// Prefix keeps the element ids of its fields apart from those of
	// another form on the same page ("feature" gives f-feature-name).
	Prefix string
	order  []string
}

// ID is the HTML id of the input for field name on this form.
func (f *form) ID(name string) string {
	if f == nil || f.Prefix == "" {
		return fieldID(name)
	}
	return fieldID(f.Prefix + "." + name)
}

func newForm(vals url.Values) *form {
	if vals == nil {
		vals = url.Values{}
	}
	return &form{Values: vals, Errs: map[string][]string{}}
}

// V is the value of field name.
func (f *form) V(name string) string { return f.Values.Get(name) }

// E is the error messages of field name.
func (f *form) E(name string) []string { return f.Errs[name] }

// Has reports whether field name holds value (check boxes, selects).
func (f *form) Has(name, value string) bool {
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

// add records msg against field (once: a message is not repeated).
func (f *form) add(field, msg string) {
	for _, m := range f.Errs[field] {
		if m == msg {
			return
		}
	}
	if len(f.Errs[field]) == 0 {
		f.order = append(f.order, field)
	}
	f.Errs[field] = append(f.Errs[field], msg)
}

// summaryItem is one line of the error summary at the top of a form,
// linking to the field it is about.
type summaryItem struct {
	Href string
	Msg  string
}

// Summary lists every error, general ones first, then each field's in the
// order they were found, so a keyboard or screen-reader user can jump to
// the field.
func (f *form) Summary() []summaryItem {
	var out []summaryItem
	for _, m := range f.General {
		out = append(out, summaryItem{Msg: m})
	}
	for _, name := range f.order {
		for _, m := range f.Errs[name] {
			out = append(out, summaryItem{Href: "#" + f.ID(name), Msg: m})
		}
	}
	return out
}

// Invalid reports whether the form has any error.
func (f *form) Invalid() bool { return len(f.Errs) > 0 || len(f.General) > 0 }

// addErr records a domain error on the form when it is one the user can
// fix (validation or conflict) and reports whether it was; known maps API
// field names to the form's, unknown fields become general messages.
func (f *form) addErr(err error, known ...string) bool {
	var val *derrors.ValidationError
	var con *derrors.ConflictError
	isKnown := func(field string) bool {
		for _, k := range known {
			if k == field {
				return true
			}
		}
		return false
	}
	add := func(field, msg string) {
		if field != "" && isKnown(field) {
			f.add(field, sentence(msg))
		} else {
			f.General = append(f.General, sentence(msg))
		}
	}
	switch {
	case errors.As(err, &val):
		for _, fe := range val.Fields {
			add(fe.Field, fe.Message)
		}
		return true
	case errors.As(err, &con):
		add(con.Field, con.Message)
		return true
	}
	return false
}

// addAllOn records every message of a refusal of one of kinds on one field
// of the form: the input where the user gave what the domain checks in
// parts (a chosen file, the settings editor's JSON). named keeps the
// domain's field name in front of each message, for an input that holds
// many of them. It reports whether err was such a refusal; any other error
// stays the caller's.
func (f *form) addAllOn(field string, err error, named bool, kinds ...derrors.Kind) bool {
	c := derrors.Classify(err)
	if !slices.Contains(kinds, c.Kind) {
		return false
	}
	for _, fe := range c.Fields {
		msg := sentence(fe.Message)
		if named {
			msg = fe.Field + ": " + msg
		}
		f.add(field, msg)
	}
	if len(c.Fields) == 0 {
		f.add(field, sentence(c.Message))
	}
	return true
}

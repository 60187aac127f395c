package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// The provider control panel, the service-offering tab, the site pages
// (numbers, extension policy, devices) and the catalog pages:
//
//	GET  /customers/{id}                       customer Main: summary, details, contacts, internal number blocks
//	POST /customers/{id}                       save status, balance, limits and flags
//	GET  /customers/{id}/contacts/new          "+" next to Contacts
//	GET  /customers/{id}/contacts/{cid}        Contact Details
//	GET  /customers/{id}/contacts/{cid}/password  the key icon
//	POST /customers/{id}/internal-blocks       "+" next to Internal Number Block
//	GET  /settings/number-ranges               Number Range Parameters
//	GET  /catalog                              features, packages, add-ons, terms, device types
//	GET  /service-offering?site_id=|employee_id=
//	GET  /settings/refused-extensions          the refused extension codes (provider_refused.go)
//	GET  /sites/{id}                           a site's Dashboard; /sites/{id}/profile its profile
//	GET  /sites/{id}/numbers, /sites/{id}/extension-policy, /sites/{id}/devices
//	GET  /sites/{id}/service                   Package & Limit: the site's package, add-ons, employee limit
func init() {
	pageNames = append(pageNames, "customer_main", "contact_form", "contact_password", "number_ranges",
		"catalog", "site_numbers", "site_extension", "site_devices", "site_service", "refused_extensions")
	for k, v := range map[string]string{
		"company-saved":       "The customer's details have been saved.",
		"contact-added":       "The contact has been added. Their login details have been e-mailed to them.",
		"contact-saved":       "The contact's details have been saved.",
		"contact-pw-mail":     "A new password has been generated and e-mailed to the contact.",
		"contact-pw-set":      "The password has been changed. The contact must change it at the next login.",
		"block-assigned":      "An internal number block has been assigned.",
		"block-no-params":     "The Number Range Parameters must be defined before an Internal Number Block can be assigned.",
		"block-none-left":     "Every internal number block is taken: extend the Number Range Parameters first.",
		"ranges-saved":        "The Number Range Parameters have been saved.",
		"range-added":         "The DN range has been added to the site's pool.",
		"range-removed":       "The DN range has been removed.",
		"policy-saved":        "The extension policy has been saved.",
		"device-added":        "The device has been added.",
		"device-deleted":      "The device has been deleted.",
		"catalog-saved":       "The catalog has been updated.",
		"catalog-deleted":     "The entry has been deleted from the catalog.",
		"devtype-added":       "The device type has been added.",
		"nothing-selected":    "Nothing was chosen.",
		"site-offering-saved": "The site's feature package and add-ons have been saved.",
		"site-limit-saved":    "The site's employee limit has been saved.",
		"refused-added":       "The code has been added: new extensions can no longer be it.",
		"refused-removed":     "The code has been removed: it can be given as an extension again.",
	} {
		flashes[k] = v
	}
}

// registerService adds the pages of this file and its siblings
// (provider_catalog.go, offering.go, site_pages.go).
func (p *Pages) registerService(auth func(string, handlerFunc)) {
	auth("GET /customers/{id}", p.customerMain)
	auth("POST /customers/{id}", p.customerSave)
	auth("GET /customers/{id}/contacts/new", p.contactNew)
	auth("POST /customers/{id}/contacts/new", p.contactCreate)
	auth("GET /customers/{id}/contacts/{cid}", p.contactEdit)
	auth("POST /customers/{id}/contacts/{cid}", p.contactSave)
	auth("GET /customers/{id}/contacts/{cid}/password", p.contactPassword)
	auth("POST /customers/{id}/contacts/{cid}/password", p.contactPasswordSave)
	auth("POST /customers/{id}/internal-blocks", p.internalBlockAssign)
	auth("GET /settings/number-ranges", p.numberRanges)
	auth("POST /settings/number-ranges", p.numberRangesSave)
	p.registerCatalog(auth)
	p.registerSites(auth)
	p.registerRefused(auth)
	p.registerBilling(auth)
	p.registerResellers(auth)
}

// customerOf opens the customer {id} for the control panel
// (tenancy.Customer decides who may).
func (p *Pages) customerOf(r *http.Request) (tenancy.Company, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return tenancy.Company{}, err
	}
	return p.app.Tenancy.Customer(r.Context(), actorOf(r), id)
}

type customerPage struct {
	C        tenancy.Company
	Form     *form
	Statuses []statusOpt
	Contacts []tenancy.Contact
	Blocks   []numbering.InternalBlock
	Base     string
	// Channels is the customer's calls in progress now (docs/cdr.md).
	Channels int
}

func companyForm(c tenancy.Company) *form {
	f := newForm(nil)
	f.Values.Set("status", c.Status)
	f.Values.Set("balance", minorToText(c.BalanceMinor))
	f.Values.Set("balance_was", minorToText(c.BalanceMinor))
	f.Values.Set("debit_limit", minorToText(c.DebitLimitMinor))
	f.Values.Set("channel_limit", strconv.Itoa(c.ChannelLimit))
	if c.ConfigAndReg {
		f.Values.Set("config_and_reg", "1")
	}
	if c.AddEmployee {
		f.Values.Set("add_employee", "1")
	}
	return f
}

// minorToText writes minor units as "-12.34".
func minorToText(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

// textToMinor reads "12", "12.3" or "-12.34" as minor units.
func textToMinor(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.Trim(whole+frac, "0123456789") != "" || len(whole) > 13 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func (p *Pages) customerMain(w http.ResponseWriter, r *http.Request) error {
	c, err := p.customerOf(r)
	if err != nil {
		return err
	}
	return p.renderCustomer(w, r, http.StatusOK, c, companyForm(c))
}

func (p *Pages) renderCustomer(w http.ResponseWriter, r *http.Request, status int, c tenancy.Company, f *form) error {
	contacts, err := p.app.Tenancy.CustomerContacts(r.Context(), actorOf(r), c.ID)
	if err != nil {
		return err
	}
	blocks, err := p.app.Numbering.CompanyBlocks(r.Context(), actorOf(r), c.ID)
	if err != nil {
		return err
	}
	channels, err := p.app.Calls.ChannelsInUse(r.Context(), actorOf(r), c.ID)
	if err != nil {
		return err
	}
	v, err := p.newView(r, c.ID, "customers", c.Name+": Main")
	if err != nil {
		return err
	}
	providerSide(v, "customers")
	page := customerPage{C: c, Form: f, Contacts: contacts, Blocks: blocks, Base: "/customers/" + itoa64(c.ID), Channels: channels}
	for _, s := range tenancy.CompanyStatuses {
		page.Statuses = append(page.Statuses, statusOpt{Value: s, Label: statusLabel(s), Selected: f.V("status") == s})
	}
	v.Data = page
	p.render(w, r, status, "customer_main", v)
	return nil
}

// customerSave is the Main page's form: status, balance, debit limit,
// channel limit and the two flags (tenancy.ModifyCompany).
func (p *Pages) customerSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	c, err := p.customerOf(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	req := tenancy.CompanyUpdateRequest{}
	st := f.V("status")
	req.Status = &st
	// The balance moves with every call charged while the page is open: the
	// operator's edit is applied as the change they made to the figure the
	// page showed (a top-up of 100.00 adds 100.00), so neither saving the
	// other fields nor a top-up undoes those charges.
	if n, ok := textToMinor(f.V("balance")); ok {
		if was, ok := textToMinor(f.V("balance_was")); !ok {
			req.BalanceMinor = &n
		} else if n != was {
			now := c.BalanceMinor + (n - was)
			req.BalanceMinor = &now
		}
	} else {
		f.add("balance", "Enter the balance as an amount, e.g. 120.50 or -15.")
	}
	if n, ok := textToMinor(f.V("debit_limit")); ok {
		req.DebitLimitMinor = &n
	} else {
		f.add("debit_limit", "Enter the debit limit as an amount, e.g. 500.")
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.V("channel_limit"))); err == nil {
		req.ChannelLimit = &n
	} else {
		f.add("channel_limit", "Enter the channel limit as a whole number.")
	}
	cr, ae := f.V("config_and_reg") != "", f.V("add_employee") != ""
	req.ConfigAndReg, req.AddEmployee = &cr, &ae
	if !f.Invalid() {
		_, err = p.app.Tenancy.ModifyCompany(r.Context(), actorOf(r), c.ID, req)
		if err == nil {
			redirectFlash(w, r, "/customers/"+itoa64(c.ID), "company-saved")
			return nil
		}
		if !f.addErr(err, "status", "balance_minor", "debit_limit_minor", "channel_limit") {
			return err
		}
		for from, to := range map[string]string{"balance_minor": "balance", "debit_limit_minor": "debit_limit"} {
			if msgs := f.Errs[from]; msgs != nil {
				delete(f.Errs, from)
				for _, m := range msgs {
					f.add(to, m)
				}
			}
		}
	}
	return p.renderCustomer(w, r, http.StatusUnprocessableEntity, c, f)
}

type contactPage struct {
	C       tenancy.Company
	Contact *tenancy.Contact
	Form    *form
	Warning string
	Base    string
}

func (p *Pages) renderContact(w http.ResponseWriter, r *http.Request, status int, page string, c tenancy.Company, ct *tenancy.Contact, f *form) error {
	title := "Add Contact"
	if ct != nil {
		title = ct.Name()
	}
	v, err := p.newView(r, c.ID, "customers", c.Name+": "+title)
	if err != nil {
		return err
	}
	providerSide(v, "customers")
	v.Data = contactPage{C: c, Contact: ct, Form: f, Warning: tenancy.NotesWarning, Base: "/customers/" + itoa64(c.ID)}
	p.render(w, r, status, page, v)
	return nil
}

func (p *Pages) contactNew(w http.ResponseWriter, r *http.Request) error {
	c, err := p.customerOf(r)
	if err != nil {
		return err
	}
	f := newForm(nil)
	f.Values.Set("auto_password", "1")
	return p.renderContact(w, r, http.StatusOK, "contact_form", c, nil, f)
}

var contactFields = []string{"first_name", "last_name", "email", "username", "password", "mobile", "public_notes", "private_notes"}

func (p *Pages) contactCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	c, err := p.customerOf(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	req := tenancy.CustomerContactRequest{FirstName: f.V("first_name"), LastName: f.V("last_name"), Email: f.V("email"),
		Username: f.V("username"), ContactDetails: contactDetails(f)}
	if f.V("auto_password") == "" {
		if req.Password = f.V("password"); req.Password == "" {
			f.add("password", "Enter a password, or tick Auto Generate Password.")
			return p.renderContact(w, r, http.StatusUnprocessableEntity, "contact_form", c, nil, f)
		}
	}
	if _, err := p.app.Tenancy.AddCustomerContact(r.Context(), actorOf(r), c.ID, req); err != nil {
		if f.addErr(err, contactFields...) {
			return p.renderContact(w, r, http.StatusUnprocessableEntity, "contact_form", c, nil, f)
		}
		return err
	}
	redirectFlash(w, r, "/customers/"+itoa64(c.ID), "contact-added")
	return nil
}

func contactDetails(f *form) tenancy.ContactDetails {
	return tenancy.ContactDetails{Mobile: f.V("mobile"), PublicNotes: f.V("public_notes"), PrivateNotes: f.V("private_notes"),
		MobileVerified: f.V("mobile_verified") != "", EmailVerified: f.V("email_verified") != ""}
}

// contactOf loads {cid} of the customer (tenancy.CustomerContact decides
// who may).
func (p *Pages) contactOf(r *http.Request) (tenancy.Company, tenancy.Contact, error) {
	c, err := p.customerOf(r)
	if err != nil {
		return c, tenancy.Contact{}, err
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return c, tenancy.Contact{}, err
	}
	ct, err := p.app.Tenancy.CustomerContact(r.Context(), actorOf(r), c.ID, cid)
	return c, ct, err
}

func (p *Pages) contactEdit(w http.ResponseWriter, r *http.Request) error {
	c, ct, err := p.contactOf(r)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"mobile": {ct.Mobile}, "public_notes": {ct.PublicNotes}, "private_notes": {*ct.PrivateNotes}})
	if ct.MobileVerified {
		f.Values.Set("mobile_verified", "1")
	}
	if ct.EmailVerified {
		f.Values.Set("email_verified", "1")
	}
	return p.renderContact(w, r, http.StatusOK, "contact_form", c, &ct, f)
}

func (p *Pages) contactSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	c, ct, err := p.contactOf(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	d := contactDetails(f)
	req := tenancy.ContactUpdateRequest{Mobile: &d.Mobile, PublicNotes: &d.PublicNotes, PrivateNotes: &d.PrivateNotes,
		MobileVerified: &d.MobileVerified, EmailVerified: &d.EmailVerified}
	if _, err := p.app.Tenancy.ModifyCustomerContact(r.Context(), actorOf(r), c.ID, ct.AccountID, req); err != nil {
		if f.addErr(err, contactFields...) {
			return p.renderContact(w, r, http.StatusUnprocessableEntity, "contact_form", c, &ct, f)
		}
		return err
	}
	redirectFlash(w, r, "/customers/"+itoa64(c.ID), "contact-saved")
	return nil
}

func (p *Pages) contactPassword(w http.ResponseWriter, r *http.Request) error {
	c, ct, err := p.contactOf(r)
	if err != nil {
		return err
	}
	return p.renderContact(w, r, http.StatusOK, "contact_password", c, &ct, newForm(url.Values{"mode": {"auto"}}))
}

func (p *Pages) contactPasswordSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	c, ct, err := p.contactOf(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	pw := ""
	if f.V("mode") == "manual" {
		if pw = f.V("password"); pw == "" {
			f.add("password", "Enter the new password, or choose Auto Generate & Email Password.")
			return p.renderContact(w, r, http.StatusUnprocessableEntity, "contact_password", c, &ct, f)
		}
	}
	if err := p.app.Tenancy.ResetContactPassword(r.Context(), actorOf(r), c.ID, ct.AccountID, pw); err != nil {
		if f.addErr(err, "password") {
			return p.renderContact(w, r, http.StatusUnprocessableEntity, "contact_password", c, &ct, f)
		}
		return err
	}
	msg := "contact-pw-mail"
	if pw != "" {
		msg = "contact-pw-set"
	}
	redirectFlash(w, r, "/customers/"+itoa64(c.ID), msg)
	return nil
}

// internalBlockAssign is the "+" next to Internal Number Block.
func (p *Pages) internalBlockAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c := tenancy.Company{ID: id}
	_, err = p.app.Numbering.AddInternalBlock(r.Context(), actorOf(r), id)
	var con *derrors.ConflictError
	switch {
	case err == nil:
		redirectFlash(w, r, "/customers/"+itoa64(c.ID), "block-assigned")
	case errors.As(err, &con) && con.Field == "number_range_parameters":
		redirectFlash(w, r, "/customers/"+itoa64(c.ID), "block-no-params")
	case errors.As(err, &con):
		redirectFlash(w, r, "/customers/"+itoa64(c.ID), "block-none-left")
	default:
		return err
	}
	return nil
}

type numberRangesPage struct {
	Form    *form
	Current *numbering.NumberRangeParameters
}

func (p *Pages) numberRanges(w http.ResponseWriter, r *http.Request) error {
	f := newForm(nil)
	cur, err := p.app.Numbering.RangeParameters(r.Context(), actorOf(r))
	switch {
	case err == nil:
		f.Values = url.Values{"prefix": {cur.Prefix}, "digits": {strconv.Itoa(cur.Digits)}, "first": {itoa64(cur.First)},
			"last": {itoa64(cur.Last)}, "block_size": {itoa64(cur.BlockSize)}}
		return p.renderNumberRanges(w, r, http.StatusOK, f, &cur)
	case derrors.IsNotFound(err):
		return p.renderNumberRanges(w, r, http.StatusOK, f, nil)
	}
	return err
}

func (p *Pages) renderNumberRanges(w http.ResponseWriter, r *http.Request, status int, f *form, cur *numbering.NumberRangeParameters) error {
	v, err := p.newView(r, 0, "customers", "Number Range Parameters")
	if err != nil {
		return err
	}
	providerSide(v, "number-ranges")
	v.Data = numberRangesPage{Form: f, Current: cur}
	p.render(w, r, status, "number_ranges", v)
	return nil
}

func (p *Pages) numberRangesSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	num := func(name string) int64 {
		n, err := strconv.ParseInt(strings.TrimSpace(f.V(name)), 10, 64)
		if err != nil {
			f.add(name, "Enter a whole number.")
		}
		return n
	}
	params := numbering.NumberRangeParameters{Prefix: f.V("prefix"), Digits: int(num("digits")), First: num("first"), Last: num("last"), BlockSize: num("block_size")}
	if !f.Invalid() {
		_, err := p.app.Numbering.ChangeRangeParameters(r.Context(), actorOf(r), params)
		if err == nil {
			redirectFlash(w, r, "/settings/number-ranges", "ranges-saved")
			return nil
		}
		if !f.addErr(err, "prefix", "digits", "first", "last", "block_size") {
			return err
		}
	}
	// The form is shown again only to whoever may read the parameters
	// (none defined yet is ErrNotFound: an empty form).
	var cur *numbering.NumberRangeParameters
	c, err := p.app.Numbering.RangeParameters(r.Context(), actorOf(r))
	switch {
	case err == nil:
		cur = &c
	case !derrors.IsNotFound(err):
		return err
	}
	return p.renderNumberRanges(w, r, http.StatusUnprocessableEntity, f, cur)
}

package ui

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// pcOwner is whose contacts the pages show: always the caller's own
// (contacts are personal). Whether the caller may keep contacts at all is
// decided by the contacts service on every call (docs/architecture.md).
func (p *Pages) pcOwner(r *http.Request) int64 {
	return actorOf(r).AccountID
}

// pcView is the frame of every Contacts page: the tabs and the
// "Contacts and Groups" side bar.
func (p *Pages) pcView(r *http.Request, owner int64, title string, currentGroup int64) (*view, []contacts.Group, error) {
	v, err := p.newView(r, actorOf(r).CompanyID, "contacts", title)
	if err != nil {
		return nil, nil, err
	}
	if actorOf(r).Role == access.RoleEmployee {
		selfCareTabs(v, "contacts")
	}
	own, err := p.app.Identity.OwnAccountFor(r.Context(), actorOf(r))
	if err != nil {
		return nil, nil, err
	}
	gs, err := p.app.Contacts.Groups(r.Context(), actorOf(r), owner)
	if err != nil {
		return nil, nil, err
	}
	links := []navLink{{Label: "All contacts", URL: "/contacts", Current: currentGroup == 0 && title == "Contacts"}}
	for _, g := range gs {
		links = append(links, navLink{Label: g.Name + " (" + strconv.Itoa(g.Members) + ")", URL: "/contacts?group=" + itoa64(g.ID), Current: currentGroup == g.ID})
	}
	// The Contacts pages are a section of the account area: its side bar
	// first, then the contact groups.
	v.Side = []sideSection{{Title: "Contacts and Groups", Links: links}}
	accountSide(v, own, "contacts")
	v.SideLabel = "My account and contacts"
	return v, gs, nil
}

// pcNumberView is one number of a contact with its icon and label.
type pcNumberView struct {
	Icon  string
	Label string
	Value string
}

type pcRow struct {
	ID      int64
	Name    string
	Company string
	Numbers []pcNumberView
}

func pcNumbers(c contacts.Contact) []pcNumberView {
	var out []pcNumberView
	for _, n := range []pcNumberView{
		{"pc-home.svg", "home", c.HomeTel}, {"pc-work.svg", "work", c.WorkTel}, {"pc-cell.svg", "cell", c.CellTel},
		{"pc-fax.svg", "fax", c.FaxTel}, {"pc-other.svg", "other", c.OtherTel},
	} {
		if n.Value != "" {
			out = append(out, n)
		}
	}
	return out
}

type pcListPage struct {
	Rows       []pcRow
	Total      int
	Count      int
	Max        int
	Search     string
	Group      *contacts.Group
	Page       store.Page
	PrevURL    string
	NextURL    string
	ShownFirst int
	ShownLast  int
}

// contacts is the Contacts page as the portal shows it: New Contact, New
// Group, Import, Export All, Edit, Delete, Select all, Search for.., and
// the list as "Surname, First name" with each number's icon.
func (p *Pages) pcList(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	q := r.URL.Query()
	f := contacts.Filter{Search: strings.TrimSpace(q.Get("q"))}
	if s := q.Get("group"); s != "" {
		var err error
		if f.GroupID, err = strconv.ParseInt(s, 10, 64); err != nil || f.GroupID <= 0 {
			return derrors.ErrNotFound
		}
	}
	pageNo, _ := strconv.Atoi(q.Get("page"))
	pg := store.Page{Page: pageNo, PerPage: 100}.Normalize()
	v, _, err := p.pcView(r, owner, "Contacts", f.GroupID)
	if err != nil {
		return err
	}
	data := pcListPage{Search: f.Search, Page: pg, Max: contacts.MaxContacts}
	if f.GroupID != 0 {
		g, err := p.app.Contacts.Group(r.Context(), actorOf(r), owner, f.GroupID)
		if err != nil {
			return err
		}
		data.Group = &g
	}
	cs, total, err := p.app.Contacts.Contacts(r.Context(), actorOf(r), owner, f, pg)
	if err != nil {
		return err
	}
	if data.Count, err = p.app.Contacts.Count(r.Context(), actorOf(r), owner); err != nil {
		return err
	}
	data.Total = total
	for _, c := range cs {
		data.Rows = append(data.Rows, pcRow{ID: c.ID, Name: c.DisplayName, Company: c.Company, Numbers: pcNumbers(c)})
	}
	if len(cs) > 0 {
		data.ShownFirst = (pg.Page-1)*pg.PerPage + 1
		data.ShownLast = data.ShownFirst + len(cs) - 1
	}
	link := func(page int) string {
		u := url.Values{}
		if f.Search != "" {
			u.Set("q", f.Search)
		}
		if f.GroupID != 0 {
			u.Set("group", itoa64(f.GroupID))
		}
		u.Set("page", strconv.Itoa(page))
		return "/contacts?" + u.Encode()
	}
	if pg.Page > 1 {
		data.PrevURL = link(pg.Page - 1)
	}
	if pg.Page*pg.PerPage < total {
		data.NextURL = link(pg.Page + 1)
	}
	v.Data = data
	p.render(w, r, http.StatusOK, "selfcare_contacts", v)
	return nil
}

// pcSelection is the Edit and Delete buttons over the selected
// contacts. "Select all" (all=1) selects every contact shown on the page.
func (p *Pages) pcSelection(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	field := "id"
	if r.PostForm.Get("all") == "1" {
		field = "shown"
	}
	var ids []int64
	for _, s := range r.PostForm[field] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return derrors.ErrNotFound
		}
		ids = append(ids, id)
	}
	back := "/contacts"
	if ref := r.PostForm.Get("back"); strings.HasPrefix(ref, "/contacts") && !strings.HasPrefix(ref, "//") {
		back = ref
	}
	switch r.PostForm.Get("op") {
	case "edit":
		if len(ids) != 1 {
			redirectFlash(w, r, back, "pc-select-one")
			return nil
		}
		// Read it first so somebody else's id is a 404 here, not on the next page.
		if _, err := p.app.Contacts.Contact(r.Context(), actorOf(r), owner, ids[0]); err != nil {
			return err
		}
		http.Redirect(w, r, "/contacts/"+itoa64(ids[0]), http.StatusSeeOther)
		return nil
	case "delete":
		if len(ids) == 0 {
			redirectFlash(w, r, back, "pc-select-some")
			return nil
		}
		if _, err := p.app.Contacts.DeleteContacts(r.Context(), actorOf(r), owner, ids); err != nil {
			return err
		}
		redirectFlash(w, r, back, "pc-contacts-deleted")
		return nil
	}
	return derrors.Invalid("op", "choose Edit or Delete")
}

// pcFields are the form's names for the contact fields, the same as
// the API's JSON names (addresses as home_address.city …).
var pcFields = []string{"first_name", "last_name", "home_tel", "work_tel", "cell_tel", "fax_tel", "other_tel",
	"company", "job_title", "email", "email2", "web_page",
	"home_address.street", "home_address.city", "home_address.region", "home_address.postcode", "home_address.country",
	"business_address.street", "business_address.city", "business_address.region", "business_address.postcode", "business_address.country",
	"notes", "group_ids"}

func pcValues(c contacts.Contact) url.Values {
	v := url.Values{}
	set := func(k, s string) { v.Set(k, s) }
	set("first_name", c.FirstName)
	set("last_name", c.LastName)
	set("home_tel", c.HomeTel)
	set("work_tel", c.WorkTel)
	set("cell_tel", c.CellTel)
	set("fax_tel", c.FaxTel)
	set("other_tel", c.OtherTel)
	set("company", c.Company)
	set("job_title", c.JobTitle)
	set("email", c.Email)
	set("email2", c.Email2)
	set("web_page", c.WebPage)
	for prefix, a := range map[string]contacts.Address{"home_address.": c.Home, "business_address.": c.Business} {
		set(prefix+"street", a.Street)
		set(prefix+"city", a.City)
		set(prefix+"region", a.Region)
		set(prefix+"postcode", a.Postcode)
		set(prefix+"country", a.Country)
	}
	set("notes", c.Notes)
	for _, g := range c.GroupIDs {
		v.Add("group_ids", itoa64(g))
	}
	return v
}

func pcRequest(f url.Values) (contacts.ContactRequest, error) {
	g := f.Get
	addr := func(prefix string) contacts.Address {
		return contacts.Address{Street: g(prefix + "street"), City: g(prefix + "city"), Region: g(prefix + "region"),
			Postcode: g(prefix + "postcode"), Country: g(prefix + "country")}
	}
	req := contacts.ContactRequest{Fields: contacts.Fields{FirstName: g("first_name"), LastName: g("last_name"),
		HomeTel: g("home_tel"), WorkTel: g("work_tel"), CellTel: g("cell_tel"), FaxTel: g("fax_tel"), OtherTel: g("other_tel"),
		Company: g("company"), JobTitle: g("job_title"), Email: g("email"), Email2: g("email2"), WebPage: g("web_page"),
		Home: addr("home_address."), Business: addr("business_address."), Notes: g("notes")}, GroupIDs: []int64{}}
	for _, s := range f["group_ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return req, derrors.Invalid("group_ids", "choose groups from the list")
		}
		req.GroupIDs = append(req.GroupIDs, id)
	}
	return req, nil
}

type pcFormPage struct {
	Form    *form
	Contact *contacts.Contact
	Groups  []contacts.Group
	Action  string
	Heading string
}

func (p *Pages) renderPCForm(w http.ResponseWriter, r *http.Request, status int, owner int64, c *contacts.Contact, f *form) error {
	heading, action := "New Contact", "/contacts/new"
	if c != nil {
		heading, action = "Edit "+c.DisplayName, "/contacts/"+itoa64(c.ID)
	}
	v, gs, err := p.pcView(r, owner, heading, 0)
	if err != nil {
		return err
	}
	v.Data = pcFormPage{Form: f, Contact: c, Groups: gs, Action: action, Heading: heading}
	p.render(w, r, status, "selfcare_contact", v)
	return nil
}

// pcNew is New Contact.
func (p *Pages) pcNew(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	vals := url.Values{}
	if g := r.URL.Query().Get("group"); g != "" {
		vals.Set("group_ids", g)
	}
	return p.renderPCForm(w, r, http.StatusOK, owner, nil, newForm(vals))
}

func (p *Pages) pcCreate(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	req, err := pcRequest(r.PostForm)
	if err == nil {
		_, err = p.app.Contacts.CreateContact(r.Context(), actorOf(r), owner, req)
	}
	if err != nil {
		if f.addErr(err, pcFields...) {
			return p.renderPCForm(w, r, http.StatusUnprocessableEntity, owner, nil, f)
		}
		return err
	}
	redirectFlash(w, r, "/contacts", "pc-contact-created")
	return nil
}

// pcEdit is Edit on one contact.
func (p *Pages) pcEdit(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := p.app.Contacts.Contact(r.Context(), actorOf(r), owner, id)
	if err != nil {
		return err
	}
	return p.renderPCForm(w, r, http.StatusOK, owner, &c, newForm(pcValues(c)))
}

func (p *Pages) pcSave(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := p.app.Contacts.Contact(r.Context(), actorOf(r), owner, id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	req, err := pcRequest(r.PostForm)
	if err == nil {
		_, err = p.app.Contacts.UpdateContact(r.Context(), actorOf(r), owner, id, req)
	}
	if err != nil {
		if f.addErr(err, pcFields...) {
			return p.renderPCForm(w, r, http.StatusUnprocessableEntity, owner, &c, f)
		}
		return err
	}
	redirectFlash(w, r, "/contacts", "pc-contact-updated")
	return nil
}

type pcGroupPage struct {
	Form  *form
	Group *contacts.Group
}

func (p *Pages) renderPCGroup(w http.ResponseWriter, r *http.Request, status int, owner int64, g *contacts.Group, f *form) error {
	title, current := "New Group", int64(0)
	if g != nil {
		title, current = "Group "+g.Name, g.ID
	}
	v, _, err := p.pcView(r, owner, title, current)
	if err != nil {
		return err
	}
	v.Data = pcGroupPage{Form: f, Group: g}
	p.render(w, r, status, "selfcare_group", v)
	return nil
}

// pcGroupNew is New Group.
func (p *Pages) pcGroupNew(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	return p.renderPCGroup(w, r, http.StatusOK, owner, nil, newForm(nil))
}

func (p *Pages) pcGroupCreate(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	g, err := p.app.Contacts.CreateGroup(r.Context(), actorOf(r), owner, f.V("name"))
	if err != nil {
		if f.addErr(err, "name") {
			return p.renderPCGroup(w, r, http.StatusUnprocessableEntity, owner, nil, f)
		}
		return err
	}
	redirectFlash(w, r, "/contacts?group="+itoa64(g.ID), "pc-cgroup-created")
	return nil
}

func (p *Pages) pcOwnGroup(r *http.Request) (int64, contacts.Group, error) {
	owner := p.pcOwner(r)
	id, err := pathID(r, "id")
	if err != nil {
		return 0, contacts.Group{}, err
	}
	g, err := p.app.Contacts.Group(r.Context(), actorOf(r), owner, id)
	return owner, g, err
}

// pcGroupEdit renames or deletes a group.
func (p *Pages) pcGroupEdit(w http.ResponseWriter, r *http.Request) error {
	owner, g, err := p.pcOwnGroup(r)
	if err != nil {
		return err
	}
	return p.renderPCGroup(w, r, http.StatusOK, owner, &g, newForm(url.Values{"name": {g.Name}}))
}

func (p *Pages) pcGroupSave(w http.ResponseWriter, r *http.Request) error {
	owner, g, err := p.pcOwnGroup(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	if _, err := p.app.Contacts.RenameGroup(r.Context(), actorOf(r), owner, g.ID, f.V("name")); err != nil {
		if f.addErr(err, "name") {
			return p.renderPCGroup(w, r, http.StatusUnprocessableEntity, owner, &g, f)
		}
		return err
	}
	redirectFlash(w, r, "/contacts?group="+itoa64(g.ID), "pc-cgroup-updated")
	return nil
}

func (p *Pages) pcGroupDelete(w http.ResponseWriter, r *http.Request) error {
	owner, g, err := p.pcOwnGroup(r)
	if err != nil {
		return err
	}
	if err := p.app.Contacts.DeleteGroup(r.Context(), actorOf(r), owner, g.ID); err != nil {
		return err
	}
	redirectFlash(w, r, "/contacts", "pc-cgroup-deleted")
	return nil
}

// pcImportAction is one choice of "Action when contact exists", with the
// hover help that explains it.
type pcImportAction struct {
	Value string
	Label string
	Help  string
}

var pcImportActions = []pcImportAction{
	{"overwrite", "Overwrite the contact", "When you already have a contact with the same first and last name (ignoring case), " +
		"it is updated with the values in the file's columns; fields the file has no column for are kept."},
	{"duplicate", "Duplicate the contact", "When you already have a contact with the same first and last name, " +
		"the entry is added as another contact with that name; the existing one is not changed."},
	{"ignore", "Ignore imported entry", "When you already have a contact with the same first and last name, " +
		"the entry is skipped and listed under Details with the reason; the existing contact is not changed."},
}

type pcImportPage struct {
	Form    *form
	Actions []pcImportAction
	Action  string
	Preview *contacts.ImportPreview
	Note    string
	Limit   int
}

func (p *Pages) renderPCImport(w http.ResponseWriter, r *http.Request, status int, owner int64, f *form, pv *contacts.ImportPreview) error {
	v, _, err := p.pcView(r, owner, "Import Contacts", 0)
	if err != nil {
		return err
	}
	pg := pcImportPage{Form: f, Actions: pcImportActions, Action: f.V("action"), Preview: pv, Limit: contacts.MaxContacts}
	if pg.Action == "" {
		pg.Action = "ignore"
	}
	if pv != nil {
		pg.Action = string(pv.Action)
		pg.Note = pv.Note
	} else {
		n, err := p.app.Contacts.Count(r.Context(), actorOf(r), owner)
		if err != nil {
			return err
		}
		pg.Note = "You currently have " + strconv.Itoa(n) + " contacts. If you reach " + strconv.Itoa(contacts.MaxContacts) +
			" during the import, any remaining entries will be ignored."
	}
	v.Data = pg
	p.render(w, r, status, "selfcare_import", v)
	return nil
}

// pcImport is the Import Contacts dialog, first phase: choose the
// file and the action when a contact exists.
func (p *Pages) pcImport(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	return p.renderPCImport(w, r, http.StatusOK, owner, newForm(nil), nil)
}

// pcImportUpload is Import: the file is read (contacts.ReadUpload keeps
// at most MaxFileSize bytes and refuses a larger file with its true size)
// and the preview shown; nothing is stored until Confirm. The form may be
// larger than the file limit so that the refusal can say how large the
// file is; beyond 1 MB the form is spooled to disk, not held in memory.
// maxContactsForm bounds the import form's body.
const maxContactsForm = 64 << 20

func (p *Pages) pcImportUpload(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	if r.MultipartForm == nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxContactsForm)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			f := newForm(nil)
			f.add("file", fmt.Sprintf("Choose a CSV or vCard file of at most %d MB; this one is larger than %d MB.", contacts.MaxFileSize>>20, maxContactsForm>>20))
			return p.renderPCImport(w, r, http.StatusUnprocessableEntity, owner, f, nil)
		}
	}
	f := newForm(url.Values{"action": r.MultipartForm.Value["action"]})
	var file []byte
	if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 {
		fh, err := fhs[0].Open()
		if err != nil {
			return err
		}
		file, err = contacts.ReadUpload(fh)
		fh.Close()
		if err != nil {
			if f.addErr(err, "file") {
				return p.renderPCImport(w, r, http.StatusUnprocessableEntity, owner, f, nil)
			}
			return err
		}
	}
	pv, err := p.app.Contacts.PreviewImport(r.Context(), actorOf(r), owner, file, contacts.Action(f.V("action")))
	if err != nil {
		if f.addErr(err, "file", "action") {
			return p.renderPCImport(w, r, http.StatusUnprocessableEntity, owner, f, nil)
		}
		return err
	}
	http.Redirect(w, r, "/contacts/import/"+itoa64(pv.ID), http.StatusSeeOther)
	return nil
}

// pcImportPreview is the dialog's second phase: the counts, the note,
// Details, Confirm and Cancel.
func (p *Pages) pcImportPreview(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pv, err := p.app.Contacts.Import(r.Context(), actorOf(r), owner, id)
	if err != nil {
		return err
	}
	return p.renderPCImport(w, r, http.StatusOK, owner, newForm(url.Values{"action": {string(pv.Action)}}), &pv)
}

func (p *Pages) pcImportConfirm(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := p.app.Contacts.ConfirmImport(r.Context(), actorOf(r), owner, id); err != nil {
		f := newForm(nil)
		if f.addErr(err) {
			return p.renderPCImport(w, r, http.StatusConflict, owner, f, nil)
		}
		return err
	}
	redirectFlash(w, r, "/contacts", "pc-imported")
	return nil
}

func (p *Pages) pcImportCancel(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.app.Contacts.CancelImport(r.Context(), actorOf(r), owner, id); err != nil {
		return err
	}
	redirectFlash(w, r, "/contacts", "pc-import-cancelled")
	return nil
}

type pcExportMode struct {
	Value string
	Label string
	Help  string
}

var pcExportModes = []pcExportMode{
	{"outlook", contacts.ExportOutlook.String(), "A CSV file with Outlook's own column names, for Outlook and Outlook Express."},
	{"windows", contacts.ExportWindows.String(), "A CSV file with the column names Windows Contacts uses."},
	{"native", contacts.ExportNative.String(), "The full contacts template: every field, ready to edit in Excel and import again."},
	{"vcard", "vCard 4.0", "One .vcf file for address books, phones and most mail programs."},
	{"vcard3", "vCard 3.0 (older phones)", "The same as a vCard 3.0 file, for older phones and programs."},
}

// pcExport is Export All: choose the export mode.
func (p *Pages) pcExport(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	v, _, err := p.pcView(r, owner, "Export Contacts", 0)
	if err != nil {
		return err
	}
	n, err := p.app.Contacts.Count(r.Context(), actorOf(r), owner)
	if err != nil {
		return err
	}
	v.Data = struct {
		Modes []pcExportMode
		Count int
	}{pcExportModes, n}
	p.render(w, r, http.StatusOK, "selfcare_export", v)
	return nil
}

// sendPCFile sends a download with its file name.
func sendPCFile(w http.ResponseWriter, f contacts.File) {
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	_, _ = w.Write(f.Body)
}

func (p *Pages) pcExportDownload(w http.ResponseWriter, r *http.Request) error {
	owner := p.pcOwner(r)
	mode := contacts.ExportMode(r.URL.Query().Get("mode"))
	if mode == "" {
		mode = contacts.ExportNative
	}
	f, err := p.app.Contacts.Export(r.Context(), actorOf(r), owner, mode)
	if err != nil {
		return err
	}
	sendPCFile(w, f)
	return nil
}

// pcTemplate is "Contacts Minimal version" / "Contacts Full version".
func (p *Pages) pcTemplate(w http.ResponseWriter, r *http.Request) error {
	f, err := contacts.Template(contacts.TemplateKind(r.PathValue("kind")))
	if err != nil {
		return derrors.ErrNotFound
	}
	sendPCFile(w, f)
	return nil
}

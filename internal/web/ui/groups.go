package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// groupsSide is the Employee Groups side bar: Group Selection and Add Group,
// and the selected group's sections.
func groupsSide(v *view, g *directory.Group, current string) {
	v.SideLabel = "Employee Groups"
	v.Side = []sideSection{{Title: "Employee Groups", Links: []navLink{
		{Label: "Group Selection", URL: v.Link("/groups"), Current: current == "selection"},
		{Label: "Add Group", URL: v.Link("/groups/new"), Current: current == "add"},
		{Label: "Import Group", URL: v.Link("/groups/import"), Current: current == "import"},
	}}}
	if g != nil {
		base := "/groups/" + strconv.FormatInt(g.ID, 10)
		v.Side = append(v.Side, sideSection{Title: g.Path, Links: []navLink{
			{Label: "Profile", URL: base, Current: current == "profile"},
			{Label: "Group Admins", URL: base + "/admins", Current: current == "admins"},
			{Label: "Group Members", URL: base + "/members", Current: current == "members"},
		}})
	}
}

// group loads the group of the path for an action on it, which directory
// decides (pages of other domains use it for theirs).
func (p *Pages) group(r *http.Request, action access.Action) (directory.Group, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Group{}, err
	}
	return p.app.Directory.GroupFor(r.Context(), actorOf(r), action, id, false)
}

type groupRow struct {
	directory.Group
	Indent int
}

type groupsPage struct {
	Q      string
	Groups []groupRow
	Total  int
}

// groups is Group Selection: every group in the caller's scope as an
// indented tree, searchable by group or site name.
func (p *Pages) groups(w http.ResponseWriter, r *http.Request) error {
	id, err := p.companyFor(r)
	if errors.Is(err, errChooseCompany) {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	gs, err := p.scopedGroups(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	rows := indentGroups(gs)
	if q != "" {
		lq := strings.ToLower(q)
		var kept []groupRow
		for _, g := range rows {
			site, _, _ := strings.Cut(g.Path, "/")
			if strings.Contains(strings.ToLower(g.Name), lq) || strings.Contains(strings.ToLower(site), lq) {
				kept = append(kept, g)
			}
		}
		rows = kept
	}
	v, err := p.newView(r, id, "groups", "Group Selection")
	if err != nil {
		return err
	}
	groupsSide(v, nil, "selection")
	v.Data = groupsPage{Q: q, Groups: rows, Total: len(gs)}
	p.render(w, r, http.StatusOK, "groups", v)
	return nil
}

// scopedGroups is every group of companyID the actor's scope holds, for
// the group pickers of the forms.
func (p *Pages) scopedGroups(ctx context.Context, a access.Actor, companyID int64) ([]directory.Group, error) {
	return p.app.Directory.GroupsInScope(ctx, a, companyID)
}

// indentGroups indents each group under its shallowest visible ancestor, so
// a group admin's tree starts at the left edge too.
func indentGroups(gs []directory.Group) []groupRow {
	minDepth := -1
	for _, g := range gs {
		if minDepth < 0 || g.Depth < minDepth {
			minDepth = g.Depth
		}
	}
	rows := make([]groupRow, len(gs))
	for i, g := range gs {
		rows[i] = groupRow{Group: g, Indent: g.Depth - minDepth}
	}
	return rows
}

type groupNewPage struct {
	Form      *form
	Parents   []groupRow
	CompanyID int64
}

var groupFields = []string{"parent_id", "name", "profile.contact_first_name", "profile.contact_last_name",
	"profile.contact_email", "profile.contact_phone"}

// groupNew is Add Group: choose the Create Under Group among the groups the
// caller may manage, a name and the optional profile.
func (p *Pages) groupNew(w http.ResponseWriter, r *http.Request) error {
	f := newForm(nil)
	if pid := r.URL.Query().Get("parent_id"); pid != "" {
		f.Values.Set("parent_id", pid)
	}
	return p.renderGroupNew(w, r, http.StatusOK, f)
}

func (p *Pages) renderGroupNew(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	id, err := p.companyFor(r)
	if errors.Is(err, errChooseCompany) {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	gs, err := p.scopedGroups(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	v, err := p.newView(r, id, "groups", "Add Group")
	if err != nil {
		return err
	}
	groupsSide(v, nil, "add")
	v.Data = groupNewPage{Form: f, Parents: indentGroups(gs), CompanyID: id}
	p.render(w, r, status, "group_new", v)
	return nil
}

func groupProfileFrom(f *form) directory.GroupProfile {
	return directory.GroupProfile{
		ContactFirstName: f.V("profile.contact_first_name"),
		ContactLastName:  f.V("profile.contact_last_name"),
		ContactEmail:     f.V("profile.contact_email"),
		ContactPhone:     f.V("profile.contact_phone"),
		Address: directory.Address{
			Line1: f.V("profile.address.line1"), Line2: f.V("profile.address.line2"), City: f.V("profile.address.city"),
			Postcode: f.V("profile.address.postcode"), Country: f.V("profile.address.country"),
		},
	}
}

func groupProfileForm(g directory.Group) *form {
	pr := g.Profile
	return newForm(url.Values{
		"profile.contact_first_name": {pr.ContactFirstName}, "profile.contact_last_name": {pr.ContactLastName},
		"profile.contact_email": {pr.ContactEmail}, "profile.contact_phone": {pr.ContactPhone},
		"profile.address.line1": {pr.Address.Line1}, "profile.address.line2": {pr.Address.Line2},
		"profile.address.city": {pr.Address.City}, "profile.address.postcode": {pr.Address.Postcode},
		"profile.address.country": {pr.Address.Country},
	})
}

// groupCreate is Add Group: directory.AddGroup, as the API's createGroup
// (a parent the actor may not see is an unknown parent_id).
func (p *Pages) groupCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	parentID, _ := strconv.ParseInt(f.V("parent_id"), 10, 64)
	if parentID <= 0 {
		f.add("parent_id", "Choose the group to create the new group under (sites are created by the service provider).")
		return p.renderGroupNew(w, r, http.StatusUnprocessableEntity, f)
	}
	g, err := p.app.Directory.AddGroup(r.Context(), actorOf(r), directory.GroupCreateRequest{ParentID: parentID, Name: f.V("name"), Profile: groupProfileFrom(f)})
	if err != nil {
		if f.addErr(err, groupFields...) {
			return p.renderGroupNew(w, r, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	redirectFlash(w, r, "/groups/"+strconv.FormatInt(g.ID, 10), "group-created")
	return nil
}

type groupProfilePage struct {
	Group directory.Group
	Form  *form
	// Action is where the form posts (groupProfileURL).
	Action string
	// SiteURL opens a site's own pages from Employee Groups.
	SiteURL string
	CanEdit bool
	// Delete is whether Delete is offered, and why not now (directory's
	// answer, the check DeleteGroup makes).
	Delete directory.Deletion
	CanAdd bool
}

func (p *Pages) groupProfile(w http.ResponseWriter, r *http.Request) error {
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	return p.renderGroupProfile(w, r, http.StatusOK, g, groupProfileForm(g))
}

func (p *Pages) renderGroupProfile(w http.ResponseWriter, r *http.Request, status int, g directory.Group, f *form) error {
	a := actorOf(r)
	v, err := p.newView(r, g.CompanyID, "groups", g.Path)
	if err != nil {
		return err
	}
	siteURL := ""
	if inSiteArea(r, g) {
		siteSide(v, g, "profile")
	} else {
		groupsSide(v, &g, "profile")
		if g.IsSite {
			siteURL = "/sites/" + itoa64(g.ID)
		}
	}
	del, err := p.app.Directory.GroupDeletion(r.Context(), a, g.ID)
	if err != nil {
		return err
	}
	del.Refused = sentence(del.Refused)
	// What the page offers (display only: the actions decide).
	v.Data = groupProfilePage{Group: g, Form: f, Action: groupProfileURL(r, g), SiteURL: siteURL, Delete: del,
		CanEdit: p.app.Access.Can(r.Context(), a, access.UpdateGroup, access.Group(g.ID)),
		CanAdd:  p.app.Access.Can(r.Context(), a, access.CreateGroup, access.Group(g.ID)),
	}
	p.render(w, r, status, "group_profile", v)
	return nil
}

// groupUpdate saves the profile; the name never changes (docs/architecture.md).
func (p *Pages) groupUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	pr := groupProfileFrom(f)
	if _, err := p.app.Directory.ModifyGroup(r.Context(), actorOf(r), g.ID, false, directory.GroupUpdateRequest{Profile: &pr}); err != nil {
		if f.addErr(err, groupFields...) {
			return p.renderGroupProfile(w, r, http.StatusUnprocessableEntity, g, f)
		}
		return err
	}
	redirectFlash(w, r, groupProfileURL(r, g), "group-updated")
	return nil
}

type groupDeletePage struct {
	Group  directory.Group
	Errors []string
	// Refused is why the group cannot be deleted now: no Delete button.
	Refused string
}

// groupDeleteConfirm is the confirm step of Delete group.
func (p *Pages) groupDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	g, err := p.group(r, access.DeleteGroup)
	if err != nil {
		return err
	}
	del, err := p.app.Directory.GroupDeletion(r.Context(), actorOf(r), g.ID)
	if err != nil {
		return err
	}
	return p.renderGroupDelete(w, r, http.StatusOK, g, nil, sentence(del.Refused))
}

func (p *Pages) renderGroupDelete(w http.ResponseWriter, r *http.Request, status int, g directory.Group, errs []string, refused string) error {
	v, err := p.newView(r, g.CompanyID, "groups", "Delete "+g.Path)
	if err != nil {
		return err
	}
	groupsSide(v, &g, "profile")
	v.Data = groupDeletePage{Group: g, Errors: errs, Refused: refused}
	p.render(w, r, status, "group_delete", v)
	return nil
}

func (p *Pages) groupDelete(w http.ResponseWriter, r *http.Request) error {
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	if err := p.app.Directory.DeleteGroup(r.Context(), actorOf(r), g.ID); err != nil {
		f := newForm(nil)
		if f.addErr(err) {
			return p.renderGroupDelete(w, r, http.StatusConflict, g, f.General, "")
		}
		return err
	}
	v, err := p.newView(r, g.CompanyID, "groups", "")
	if err != nil {
		return err
	}
	redirectFlash(w, r, v.Link("/groups"), "group-deleted")
	return nil
}

// groupAdmins is the Group Admins section.
func (p *Pages) groupAdmins(w http.ResponseWriter, r *http.Request) error {
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	return p.renderGroupLinks(w, r, http.StatusOK, g, "admins", nil, nil)
}

// groupMembers is the Group Members section.
func (p *Pages) groupMembers(w http.ResponseWriter, r *http.Request) error {
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	return p.renderGroupLinks(w, r, http.StatusOK, g, "members", nil, nil)
}

// fetchGroupLinks lists the employees of the Group Admins or Group Members
// page, as the API's linkedEmployees does.
func (p *Pages) fetchGroupLinks(r *http.Request, g directory.Group, kind string, f directory.LinkFilter, q string) ([]directory.LinkedEmployee, error) {
	return p.app.Directory.GroupEmployees(r.Context(), actorOf(r), g.ID, groupLinks(kind), f, q)
}

func groupLinks(kind string) directory.GroupLinks {
	if kind == "admins" {
		return directory.Administrators
	}
	return directory.Memberships
}

func groupLinkAction(kind string) access.Action {
	if kind == "admins" {
		return access.ManageGroupAdmins
	}
	return access.ManageGroupMember
}

// renderGroupLinks shows one page of Group Admins or Group Members. pd is
// the unsaved selection: nil reads it from the page address (after
// Previous, Next or a search), a re-shown refused Save passes its own.
func (p *Pages) renderGroupLinks(w http.ResponseWriter, r *http.Request, status int, g directory.Group, kind string, errs []string, pd *pending) error {
	filter := parseFilter(r)
	q := strings.TrimSpace(r.FormValue("q"))
	if pd == nil {
		got, err := readPending(r.URL.Query())
		if err != nil {
			// An address edited by hand: show the saved state and say so.
			got, _ = readPending(nil)
			errs = append(errs, "The unsaved selection in the page address could not be read; tick the boxes again.")
		}
		pd = &got
	}
	page, _ := strconv.Atoi(r.FormValue("page"))
	pg := store.Page{Page: max(page, 1), PerPage: employeesPerPage}.Normalize()
	es, total, err := p.app.Directory.GroupEmployeesPage(r.Context(), actorOf(r), g.ID, groupLinks(kind), filter, q, pg)
	if err != nil {
		return err
	}
	v, err := p.newView(r, g.CompanyID, "groups", "")
	if err != nil {
		return err
	}
	groupsSide(v, &g, kind)
	self := "/groups/" + strconv.FormatInt(g.ID, 10) + "/" + kind
	lp := linksPage{Action: self, Self: self, Filter: string(filter), Errors: errs, Q: q,
		Columns: []string{"Username", "Name", "Number", "Status"},
		Paged:   true, Page: pg.Page, Total: total, Pages: max(1, (total+pg.PerPage-1)/pg.PerPage),
		Add: joinIDs(pd.add), Remove: joinIDs(pd.remove), AddCount: len(pd.add), RemoveCount: len(pd.remove)}
	if len(es) > 0 {
		lp.First, lp.Last = pg.Offset()+1, pg.Offset()+len(es)
	}
	// Whether the list can be saved (display only: the action decides).
	refusal, err := p.app.Directory.Refusal(r.Context(), actorOf(r), groupLinkAction(kind), access.Group(g.ID))
	if err != nil {
		return err
	}
	lp.CanEdit, lp.Note = refusal == "", sentence(refusal)
	// Without the right to save, the pager is plain links.
	link := func(n int) string {
		u := url.Values{}
		for k, val := range map[string]string{"q": q, "filter": string(filter)} {
			if val != "" {
				u.Set(k, val)
			}
		}
		u.Set("page", strconv.Itoa(n))
		return v.Link(self + "?" + u.Encode())
	}
	if lp.Page > 1 {
		lp.PrevURL = link(lp.Page - 1)
	}
	if lp.Page < lp.Pages {
		lp.NextURL = link(lp.Page + 1)
	}
	if kind == "admins" {
		v.Title = "Group Admins · " + g.Path
		lp.Heading = "Group Admins"
		lp.Intro = "Tick each Group Administrator who should administer " + g.Path + " (and every group under it); clear the box to remove the privilege. " +
			"Only accounts whose role is Group Administrator are listed: company administrators administer every group already. Change an employee's role under their Profile."
		lp.Filters = filters(filter, "All Group administrators", "Administrators of this group", "Administrators not of this group")
		lp.Empty = "No Group Administrators match this filter."
	} else {
		v.Title = "Group Members · " + g.Path
		lp.Heading = "Group Members"
		lp.Intro = "Tick each employee who should be a member of " + g.Path + "; clear the box to remove them from the group. " +
			"Your ticks are kept while you search and turn pages; Save applies them all."
		lp.Filters = filters(filter, "All employees", "Members of this group", "Not members of this group")
		lp.Search, lp.SearchLabel = true, "Search by username, name or phone"
		lp.Empty = "No employees match this search."
	}
	for _, e := range es {
		number := e.NumberNational
		if e.Extension != "" {
			number = strings.TrimSpace(number + " ext. " + e.Extension)
		}
		// On a phone the Number column is hidden: the number goes under
		// the username, and only when there is one.
		sub := number
		if number == "" {
			number = "—"
		}
		lp.Rows = append(lp.Rows, linkRow{ID: e.ID, Label: e.Username, URL: "/employees/" + strconv.FormatInt(e.ID, 10),
			Cells: []string{e.DisplayName(), number, statusLabel(e.Status)}, Checked: pd.checked(e.ID, e.Linked), Saved: e.Linked, Sub: sub})
	}
	if v.Operator {
		lp.CompanyID = g.CompanyID
	}
	v.Data = lp
	p.render(w, r, status, "links", v)
	return nil
}

func (p *Pages) groupAdminsSave(w http.ResponseWriter, r *http.Request) error {
	return p.groupLinksSave(w, r, "admins", "admins-updated")
}

func (p *Pages) groupMembersSave(w http.ResponseWriter, r *http.Request) error {
	return p.groupLinksSave(w, r, "members", "members-updated")
}

// groupLinksSave is the form of Group Admins or Group Members. With go
// set it only moves (a search, or a page of the pager) and carries the
// selection in the next page's address; otherwise it is Save: every
// pending change, the ticks of this page included, against the current
// links, handed to directory.ChangeGroupEmployees as the API's
// changeGroupLinks does.
func (p *Pages) groupLinksSave(w http.ResponseWriter, r *http.Request, kind, msg string) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	current, err := p.fetchGroupLinks(r, g, kind, directory.LinkAll, "")
	if err != nil {
		return err
	}
	linked := map[int64]bool{}
	for _, e := range current {
		linked[e.ID] = e.Linked
	}
	pd, err := readPending(r.PostForm)
	if err != nil {
		return err
	}
	if err := pd.tick(r, linked); err != nil {
		return err
	}
	self := "/groups/" + strconv.FormatInt(g.ID, 10) + "/" + kind
	if move := r.PostForm.Get("go"); move != "" {
		// Drop what is no change at all, so the address stays short.
		add, remove := pd.change(linked)
		pd = pending{add: map[int64]bool{}, remove: map[int64]bool{}}
		for _, id := range add {
			pd.add[id] = true
		}
		for _, id := range remove {
			pd.remove[id] = true
		}
		q := url.Values{}
		for _, k := range []string{"filter", "q", "company_id"} {
			if v := strings.TrimSpace(r.PostForm.Get(k)); v != "" {
				q.Set(k, v)
			}
		}
		if n, err := strconv.Atoi(move); err == nil && n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		http.Redirect(w, r, self+"?"+pd.query(q).Encode(), http.StatusSeeOther)
		return nil
	}
	back := backTo(self, r)
	addIDs, removeIDs := pd.change(linked)
	if len(addIDs) == 0 && len(removeIDs) == 0 {
		redirectFlash(w, r, back, "nothing")
		return nil
	}
	change := directory.LinkChange{Add: addIDs, Remove: removeIDs}
	if err := p.app.Directory.ChangeGroupEmployees(r.Context(), actorOf(r), g.ID, groupLinks(kind), change); err != nil {
		f := newForm(nil)
		if f.addErr(err) {
			return p.renderGroupLinks(w, r, http.StatusUnprocessableEntity, g, kind, f.General, &pd)
		}
		return err
	}
	redirectFlash(w, r, back, msg)
	return nil
}

// statusLabel is an employee status as the portal writes it.
func statusLabel(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

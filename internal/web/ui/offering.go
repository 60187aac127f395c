package ui

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// offeringSection is one list of the Service Offering tab.
type offeringSection struct {
	Title    string
	Empty    string
	Packages []catalog.Package
}

type offeringPage struct {
	// Object is what the tab is about: "company", "site" or "employee".
	Object   string
	Name     string
	Sections []offeringSection
	// Sites lets the user switch to a site's view.
	Sites  []directory.Group
	SiteID int64
	Term   *catalog.Term
	// CanEdit says the caller sets the site's package and add-ons (on the
	// site's Package & Limit page): operators.
	CanEdit bool
}

// offering is the Service Offering tab. It answers per object as the
// Business Portal's table says: ?site_id= a site, ?employee_id= an
// employee, otherwise the company. A group admin, who may not see the
// company's view, gets their first site's.
func (p *Pages) offering(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ctx := r.Context()
	qid := func(name string) (int64, error) {
		s := r.URL.Query().Get(name)
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return 0, derrors.ErrNotFound
		}
		return n, nil
	}
	siteID, err := qid("site_id")
	if err != nil {
		return err
	}
	empID, err := qid("employee_id")
	if err != nil {
		return err
	}
	var page offeringPage
	var companyID int64
	switch {
	case empID != 0:
		o, err := p.app.Catalog.EmployeeOfferingFor(ctx, a, empID)
		if err != nil {
			return err
		}
		// The frame's name, once catalog has decided the actor sees them.
		e, err := p.app.Directory.Employee(ctx, empID)
		if err != nil {
			return err
		}
		companyID, page.Object, page.Name, page.Term = e.CompanyID, "employee", e.DisplayName(), o.Term
		var pkgs []catalog.Package
		if o.Package != nil {
			pkgs = []catalog.Package{*o.Package}
		}
		page.Sections = []offeringSection{
			{Title: "Feature Package", Empty: "No feature package yet: it is chosen when the employee is activated.", Packages: pkgs},
			{Title: "Add-Ons", Empty: "No add-ons.", Packages: o.AddOns}}
	default:
		if siteID == 0 && a.Role == access.RoleGroupAdmin {
			gs, err := p.visibleSites(r, a.CompanyID, 1)
			if err != nil {
				return err
			}
			if len(gs) == 0 {
				return derrors.Forbidden("the Service Offering tab shows the sites you administer, and you administer none")
			}
			siteID = gs[0].ID
		}
		if siteID != 0 {
			o, err := p.app.Catalog.SiteOfferingFor(ctx, a, siteID)
			if err != nil {
				return err
			}
			g, err := p.siteFrame(r, siteID)
			if err != nil {
				return err
			}
			companyID, page.Object, page.Name, page.SiteID = g.CompanyID, "site", g.Name, g.ID
			page.CanEdit = p.app.Access.Can(ctx, a, access.ManageCompany, access.Company(g.CompanyID))
			var pkgs []catalog.Package
			if o.Package != nil {
				pkgs = []catalog.Package{*o.Package}
			}
			page.Sections = []offeringSection{
				{Title: "Site Feature Package", Empty: "The site has no feature package yet.", Packages: pkgs},
				{Title: "Site Add-Ons", Empty: "The site has no add-ons.", Packages: o.AddOns},
				{Title: "Employee Feature Packages available", Empty: "None defined.", Packages: o.EmployeePackages},
				{Title: "Employee Add-Ons available", Empty: "None defined.", Packages: o.EmployeeAddOns}}
		} else {
			id, err := formCompanyID(r)
			if err != nil {
				return err
			}
			if id == 0 {
				if id = a.CompanyID; id == 0 {
					http.Redirect(w, r, "/customers", http.StatusSeeOther)
					return nil
				}
			}
			o, err := p.app.Catalog.CompanyOfferingFor(ctx, a, id)
			if err != nil {
				return err
			}
			companyID, page.Object = id, "company"
			page.Sections = []offeringSection{
				{Title: "Site Feature Packages", Empty: "None defined.", Packages: o.SitePackages},
				{Title: "Site Add-Ons", Empty: "None defined.", Packages: o.SiteAddOns},
				{Title: "Employee Feature Packages", Empty: "None defined.", Packages: o.EmployeePackages},
				{Title: "Employee Add-Ons", Empty: "None defined.", Packages: o.EmployeeAddOns}}
		}
	}
	if page.Object != "employee" {
		if page.Sites, err = p.visibleSites(r, companyID, store.MaxPerPage); err != nil {
			return err
		}
	}
	v, err := p.newView(r, companyID, "offering", "Service Offering")
	if err != nil {
		return err
	}
	if page.Object == "company" {
		page.Name = v.Company.Name
	}
	v.Data = page
	p.render(w, r, http.StatusOK, "service_offering", v)
	return nil
}

// visibleSites lists up to n sites of companyID that the actor sees, for
// the offering page's site chooser. It shows, it decides nothing: every
// offering it links to is read through catalog, which checks. The listing
// belongs to directory's group list, which narrows it by the actor's
// scope.
func (p *Pages) visibleSites(r *http.Request, companyID int64, n int) ([]directory.Group, error) {
	gs, _, err := p.app.Directory.ListGroups(r.Context(), actorOf(r), companyID, directory.GroupFilter{SitesOnly: true}, store.Page{PerPage: n})
	return gs, err
}

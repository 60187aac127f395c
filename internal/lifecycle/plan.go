package lifecycle

import (
	"context"
	"fmt"
	"sort"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// Planning an activation reads what the whole batch needs by id lists (the
// employees, their permissions, the numbers, the extensions, the devices),
// a constant number of statements whatever the batch's size, and checks
// every row in Go (docs/lifecycle.md, "Cost of an activation").

// batch is one activation being planned: the request, what was read for
// it, and each row's resolution so far.
type batch struct {
	companyID, providerID int64
	region                string
	req                   ActivateRequest
	v                     *derrors.ValidationError
	plan                  Plan
	site                  SiteLimit
	siteOK                bool
	rows                  []*planRow
	// refused are the employees the actor may not activate, by row: the
	// field error each gets.
	refused map[int]string
}

// planRow is one employee of the batch.
type planRow struct {
	in     ActivateEmployee
	prefix string
	acct   account
	// skip: the row has an error that makes its other checks pointless.
	skip bool
	item PlanItem
}

// Prepare is the Activate form's submission checked for actor, without
// changing anything: access (ActivateEmployee on each employee and on the
// site), the company's activation flag, then every rule of every row at
// once (fields named employees[i].… unless req.Single). companyID 0 means
// the actor's company (or, with req.Single, the employee's).
func (s *Service) Prepare(ctx context.Context, actor access.Actor, companyID int64, req ActivateRequest) (plan Plan, err error) {
	defer derrors.Wrap(&err, "lifecycle: prepare activation")
	b, err := s.authorizeActivation(ctx, actor, companyID, req)
	if err != nil {
		return plan, err
	}
	if err := s.planBatch(ctx, b, false); err != nil {
		return plan, err
	}
	if err := b.v.Err(); err != nil {
		return Plan{}, err
	}
	return b.plan, nil
}

// authorizeActivation is Prepare's access and flag step: the targets, then
// the company's activation flag.
func (s *Service) authorizeActivation(ctx context.Context, actor access.Actor, companyID int64, req ActivateRequest) (*batch, error) {
	b, err := s.activationTargets(ctx, actor, companyID, req)
	if err != nil {
		return nil, err
	}
	if err := s.requireActivation(ctx, actor, b.companyID); err != nil {
		return nil, err
	}
	return b, nil
}

// activationTargets asks access about the company, the employees (one
// ErrNotFound for a single activation, a field error per row otherwise)
// and the site (a field error), in a constant number of statements.
func (s *Service) activationTargets(ctx context.Context, actor access.Actor, companyID int64, req ActivateRequest) (*batch, error) {
	b := &batch{req: req, v: &derrors.ValidationError{}, refused: map[int]string{}}
	var err error
	if req.Single {
		companyID, err = s.singleTarget(ctx, actor, companyID, req)
	} else {
		companyID, err = s.multiTargets(ctx, actor, companyID, req, b.refused)
	}
	if err != nil {
		return nil, err
	}
	b.companyID = companyID
	if req.SiteID != 0 {
		var forb *derrors.ForbiddenError
		switch err := s.access.Check(ctx, actor, access.ActivateEmployee, access.Group(req.SiteID)); {
		case err == nil:
		case derrors.IsNotFound(err):
			b.v.Add("site_id", "site %d does not exist", req.SiteID)
			b.req.SiteID = -1 // checked: no further look-up
		case asForbidden(err, &forb):
			b.v.Add("site_id", "%s", forb.Reason)
			b.req.SiteID = -1
		default:
			return nil, err
		}
	}
	return b, nil
}

// singleTarget asks access about the one employee of a single activation
// and returns their company: ErrNotFound (or a ForbiddenError) refuses the
// whole request.
func (s *Service) singleTarget(ctx context.Context, actor access.Actor, companyID int64, req ActivateRequest) (int64, error) {
	if len(req.Employees) != 1 {
		return 0, fmt.Errorf("a single activation names one employee, not %d", len(req.Employees))
	}
	a, err := s.employeeFor(ctx, actor, access.ActivateEmployee, req.Employees[0].EmployeeID)
	if err != nil {
		return 0, err
	}
	if companyID != 0 && companyID != a.CompanyID {
		return 0, derrors.ErrNotFound
	}
	return a.CompanyID, nil
}

// multiTargets asks access about the company and, in one go, every
// employee of a multi-select activation: each refused employee gets its
// row's field error in refused.
func (s *Service) multiTargets(ctx context.Context, actor access.Actor, companyID int64, req ActivateRequest, refused map[int]string) (int64, error) {
	if companyID == 0 {
		if actor.CompanyID == 0 {
			return 0, derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
		}
		companyID = actor.CompanyID
	}
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(companyID)); err != nil {
		return 0, err
	}
	ids := make([]int64, len(req.Employees))
	for i, e := range req.Employees {
		ids[i] = e.EmployeeID
	}
	answers, err := s.access.CheckEmployees(ctx, actor, access.ActivateEmployee, ids)
	if err != nil {
		return 0, err
	}
	for i, e := range req.Employees {
		var forb *derrors.ForbiddenError
		switch err := answers[e.EmployeeID]; {
		case err == nil:
		case derrors.IsNotFound(err):
			refused[i] = fmt.Sprintf("employee %d does not exist", e.EmployeeID)
		case asForbidden(err, &forb):
			refused[i] = forb.Reason
		default:
			return 0, err
		}
	}
	return companyID, nil
}

// planBatch runs the planning steps on b. With propose, blank numbers,
// extensions and devices are proposed and errors of rows are kept only as
// far as they say what cannot be proposed (the Activate form's defaults).
func (s *Service) planBatch(ctx context.Context, b *batch, propose bool) error {
	if err := s.planCompany(ctx, b); err != nil {
		return err
	}
	if err := s.planSite(ctx, b); err != nil {
		return err
	}
	if err := s.planOffering(ctx, b); err != nil {
		return err
	}
	if err := s.planEmployees(ctx, b); err != nil {
		return err
	}
	if !b.siteOK {
		return nil
	}
	if err := s.planNumbers(ctx, b); err != nil {
		return err
	}
	if err := s.planExtensions(ctx, b); err != nil {
		return err
	}
	if err := s.planDevices(ctx, b, propose); err != nil {
		return err
	}
	for _, r := range b.rows {
		if !r.skip {
			b.plan.Items = append(b.plan.Items, r.item)
		}
	}
	return nil
}

// planCompany reads the company's provider and region.
func (s *Service) planCompany(ctx context.Context, b *batch) error {
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT c.provider_id, p.default_region FROM companies c JOIN providers p ON p.id = c.provider_id WHERE c.id = ?",
		b.companyID).Scan(&b.providerID, &b.region)
	if err != nil {
		return fmt.Errorf("company %d: %w", b.companyID, err)
	}
	req := b.req
	b.plan = Plan{CompanyID: b.companyID, SiteID: req.SiteID, UserType: req.UserType, Language: trimmed(req.Language),
		TermID: req.TermID, PackageID: req.PackageID}
	if b.plan.Language == "" {
		b.plan.Language = "en-GB"
	}
	return nil
}

// planSite checks the site and its employee limit.
func (s *Service) planSite(ctx context.Context, b *batch) error {
	switch b.req.SiteID {
	case 0:
		b.v.Add("site_id", "choose the site the employee works at: it is the location given to the emergency services")
		return nil
	case -1: // refused by access: its field error is there already
		b.plan.SiteID = 0
		return nil
	}
	l, err := s.SiteLimit(ctx, b.companyID, b.req.SiteID)
	if derrors.IsNotFound(err) {
		b.v.Add("site_id", "site %d does not exist", b.req.SiteID)
		return nil
	}
	if err != nil {
		return err
	}
	b.site, b.siteOK, b.plan.SiteName = l, true, l.SiteName
	if l.EmployeeLimit > 0 && l.Employees+len(b.req.Employees) > l.EmployeeLimit {
		b.v.Fields = append(b.v.Fields, limitError(l, len(b.req.Employees)).(*derrors.ValidationError).Fields...)
	}
	return nil
}

// planOffering checks the user type, language, term, package and add-ons:
// two statements (the provider's terms and employee packages).
func (s *Service) planOffering(ctx context.Context, b *batch) error {
	req, v := b.req, b.v
	if !req.UserType.Valid() {
		v.Add("user_type", "choose the user type: ip_centrex (IP Centrex User), business_trunking (Business Trunking User) or additional_line (Additional Line)")
	}
	if !validLanguage(b.plan.Language) {
		v.Add("language", "%q is not a language the service offers", b.plan.Language)
	}
	terms, err := s.catalog.Terms(ctx, b.providerID)
	if err != nil {
		return err
	}
	if req.TermID == 0 {
		v.Add("term_id", "choose the term agreed with your service provider")
	} else if !hasTerm(terms, req.TermID) {
		v.Add("term_id", "term %d does not exist", req.TermID)
	}
	pkgs, err := s.catalog.Packages(ctx, b.providerID, catalog.PackageFilter{})
	if err != nil {
		return err
	}
	byID := make(map[int64]catalog.Package, len(pkgs))
	for _, p := range pkgs {
		byID[p.ID] = p
	}
	if req.PackageID == 0 {
		v.Add("package_id", "choose the employee feature package")
	} else if msg := packageProblem(byID, req.PackageID, catalog.TypePackage); msg != "" {
		v.Add("package_id", "%s", msg)
	}
	seen := map[int64]bool{}
	for _, id := range req.AddOnIDs {
		if seen[id] {
			v.Add("add_on_ids", "add-on %d is listed twice", id)
			continue
		}
		seen[id] = true
		if msg := packageProblem(byID, id, catalog.TypeAddOn); msg != "" {
			v.Add("add_on_ids", "%s", msg)
		}
		b.plan.AddOnIDs = append(b.plan.AddOnIDs, id)
	}
	sort.Slice(b.plan.AddOnIDs, func(i, j int) bool { return b.plan.AddOnIDs[i] < b.plan.AddOnIDs[j] })
	return nil
}

func hasTerm(ts []catalog.Term, id int64) bool {
	for _, t := range ts {
		if t.ID == id {
			return true
		}
	}
	return false
}

// packageProblem returns why id is not an employee package of type t, or "".
func packageProblem(byID map[int64]catalog.Package, id int64, t catalog.Type) string {
	p, ok := byID[id]
	switch {
	case !ok:
		return fmt.Sprintf("%s %d does not exist", t.Label(), id)
	case p.Type != t:
		return fmt.Sprintf("%q is not %s", p.Name, article(t.Label()))
	case p.Kind != catalog.KindEmployee:
		return fmt.Sprintf("%q is a %s %s; an employee needs an employee %s", p.Name, p.Kind, p.Type.Label(), t.Label())
	}
	return ""
}

// planEmployees reads the employees in one statement and checks each row's
// employee, status and caller-ID names.
func (s *Service) planEmployees(ctx context.Context, b *batch) error {
	req, v := b.req, b.v
	switch {
	case len(req.Employees) == 0:
		v.Add("employees", "select at least one employee to activate")
	case len(req.Employees) > MaxActivations:
		v.Add("employees", "activate at most %d employees at once", MaxActivations)
		return nil
	}
	ids := make([]int64, 0, len(req.Employees))
	for i, e := range req.Employees {
		if _, refused := b.refused[i]; !refused {
			ids = append(ids, e.EmployeeID)
		}
	}
	accts, err := s.loadMany(ctx, b.companyID, ids)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for i, e := range req.Employees {
		r := &planRow{in: e, prefix: b.prefix(i), item: PlanItem{EmployeeID: e.EmployeeID}}
		b.rows = append(b.rows, r)
		p := r.prefix
		if msg, refused := b.refused[i]; refused {
			v.Add(p+"employee_id", "%s", msg)
			r.skip = true
			continue
		}
		if seen[e.EmployeeID] {
			v.Add(p+"employee_id", "employee %d is selected twice", e.EmployeeID)
			r.skip = true
			continue
		}
		seen[e.EmployeeID] = true
		a, ok := accts[e.EmployeeID]
		if !ok {
			v.Add(p+"employee_id", "employee %d does not exist", e.EmployeeID)
			r.skip = true
			continue
		}
		r.acct = a
		r.item.Username, r.item.PrevSiteID = a.Username, a.SiteID
		switch a.Status {
		case directory.StatusActive:
			v.Add(p+"employee_id", "%s is already active: cease the service before activating it again", a.Username)
		case directory.StatusPending:
			v.Add(p+"employee_id", "%s is already being activated or resubscribed: wait for that job to finish", a.Username)
		}
		r.item.CLIFirst, r.item.CLILast = trimmed(e.CLIFirstName), trimmed(e.CLILastName)
		if r.item.CLIFirst == "" {
			r.item.CLIFirst = firstNonBlank(a.CLIFirst, a.First)
		}
		if r.item.CLILast == "" {
			r.item.CLILast = firstNonBlank(a.CLILast, a.Last)
		}
		checkCLI(v, p, r.item.CLIFirst, r.item.CLILast)
	}
	return nil
}

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if trimmed(s) != "" {
			return trimmed(s)
		}
	}
	return ""
}

// prefix is the field prefix of row i.
func (b *batch) prefix(i int) string {
	if b.req.Single {
		return ""
	}
	return fmt.Sprintf("employees[%d].", i)
}

// planNumbers checks the chosen numbers (one statement for all) and
// proposes the site's next free ones for the others (one statement).
func (s *Service) planNumbers(ctx context.Context, b *batch) error {
	chosen := map[*planRow]string{}
	var e164s []string
	count := map[string]int{}
	for _, r := range b.rows {
		n := trimmed(r.in.Number)
		if r.skip || n == "" {
			continue
		}
		num, err := numbering.ParseNumber("number", n, b.region)
		if err != nil {
			msg, _ := userMessage(err)
			b.v.Add(r.prefix+"number", "%s", msg)
			continue
		}
		e164 := numbering.E164(num)
		chosen[r] = e164
		e164s = append(e164s, e164)
		count[e164]++
	}
	known, err := s.numbering.NumbersOf(ctx, b.companyID, e164s)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, e := range e164s {
		taken[e] = true
	}
	need := 0
	for _, r := range b.rows {
		if !r.skip && trimmed(r.in.Number) == "" {
			need++
		}
	}
	var free []numbering.Number
	if need > 0 {
		if free, err = s.numbering.FreeNumbers(ctx, b.companyID, b.plan.SiteID, need+len(e164s)); err != nil {
			return err
		}
	}
	for _, r := range b.rows {
		if r.skip {
			continue
		}
		if e164, ok := chosen[r]; ok {
			n, found := known[e164]
			if msg := numberProblem(n, found, e164, b.plan.SiteID, b.plan.SiteName, b.region, 0); msg != "" {
				b.v.Add(r.prefix+"number", "%s", msg)
			} else if r.item.Number = e164; count[e164] > 1 {
				b.v.Add(r.prefix+"number", "%s is chosen for more than one employee", numbering.National(e164, b.region))
			}
			continue
		}
		if trimmed(r.in.Number) != "" {
			continue // unreadable: reported above
		}
		for _, f := range free {
			if !taken[f.E164] {
				r.item.Number, r.item.AutoNumber = f.E164, true
				taken[f.E164] = true
				break
			}
		}
		if r.item.Number == "" {
			b.v.Add(r.prefix+"number", "site %q has no free number left: ask your service provider for another DN range", b.plan.SiteName)
		}
	}
	return nil
}

// numberProblem says why the number e164 (n, found by a look-up of the
// company's pool) cannot be given at siteID, or "". keep is an employee
// who may keep the number they hold. A number of another company reads
// exactly like one in no range.
func numberProblem(n numbering.Number, found bool, e164 string, siteID int64, siteName, region string, keep int64) string {
	if !found {
		return fmt.Sprintf("%s is not in the company's number pool", numbering.National(e164, region))
	}
	if n.SiteID != siteID {
		return fmt.Sprintf("%s belongs to the number pool of site %q; choose a number of site %q", n.National, n.SiteName, siteName)
	}
	if !n.Free() {
		if keep != 0 && n.Owner != nil && n.Owner.Kind == numbering.OwnerUser && n.Owner.ID == keep {
			return ""
		}
		holder := "somebody else"
		if n.Owner != nil {
			holder = n.Owner.Name
		}
		return fmt.Sprintf("%s is already assigned to %s", n.National, holder)
	}
	return ""
}

// planExtensions checks the typed extensions and proposes the site
// policy's for the others, reading the policy and the holders of every
// candidate at once.
func (s *Service) planExtensions(ctx context.Context, b *batch) error {
	var candidates []string
	for _, r := range b.rows {
		if r.skip {
			continue
		}
		if x := trimmed(r.in.Extension); x != "" {
			candidates = append(candidates, x)
		} else if d := digits(r.item.Number); d != "" {
			for n := numbering.MinExtensionLength; n <= numbering.MaxExtensionLength && n <= len(d); n++ {
				candidates = append(candidates, d[len(d)-n:])
			}
		}
	}
	rules, err := s.numbering.SiteExtensionRules(ctx, b.companyID, b.plan.SiteID, candidates)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, r := range b.rows {
		if r.skip {
			continue
		}
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: r.acct.ID}
		if x := trimmed(r.in.Extension); x != "" {
			if err := rules.Check(x, owner); err != nil {
				msg, _ := userMessage(err)
				b.v.Add(r.prefix+"extension", "%s", msg)
			} else if taken[x] {
				b.v.Add(r.prefix+"extension", "extension %s is chosen for more than one employee", x)
			}
			r.item.Extension = x
			taken[x] = true
			continue
		}
		if r.item.Number == "" {
			continue
		}
		x, err := rules.Default(r.item.Number, taken)
		if err != nil {
			msg, _ := userMessage(err)
			b.v.Add(r.prefix+"extension", "%s; enter another extension", msg)
		}
		r.item.Extension, r.item.AutoExtension = x, err == nil
		taken[x] = true
	}
	return nil
}

func digits(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			out = append(out, s[i])
		}
	}
	return string(out)
}

// deviceLookup is what checking device choices needs, read for a whole
// batch at once: the chosen devices, the provider's device types and the
// MACs already registered.
type deviceLookup struct {
	devices map[int64]devices.Device
	types   map[int64]devices.Type
	macs    map[string]bool
}

// lookupDevices reads the devices, types and MACs that choices name.
// numberOf gives the number a choice's employee will have (a soft client's
// MAC is built from it).
func (s *Service) lookupDevices(ctx context.Context, companyID, providerID int64, choices []DeviceChoice, numbers []string) (deviceLookup, error) {
	l := deviceLookup{types: map[int64]devices.Type{}}
	ts, err := s.devices.Types(ctx, providerID)
	if err != nil {
		return l, err
	}
	for _, t := range ts {
		l.types[t.ID] = t
	}
	var ids []int64
	var macs []string
	for i, c := range choices {
		switch c.Mode {
		case DeviceExisting:
			if c.DeviceID != 0 {
				ids = append(ids, c.DeviceID)
			}
		case DeviceNew:
			t, ok := l.types[c.TypeID]
			if !ok {
				continue
			}
			if t.SoftClient && numbers[i] != "" {
				macs = append(macs, devices.SoftClientMAC(numbers[i]))
			} else if norm, err := devices.NormalizeMAC(trimmed(c.MAC), t.SoftClient); err == nil {
				macs = append(macs, norm)
			}
		}
	}
	if l.devices, err = s.devices.DevicesOf(ctx, companyID, ids); err != nil {
		return l, err
	}
	if l.macs, err = s.devices.MACsInUse(ctx, macs); err != nil {
		return l, err
	}
	return l, nil
}

// planDevices checks each row's device choice; with propose, a row without
// one gets the site's next free device, or a new device.
func (s *Service) planDevices(ctx context.Context, b *batch, propose bool) error {
	var free []devices.Device
	if propose {
		var err error
		if free, err = s.devices.SiteDevices(ctx, b.companyID, b.plan.SiteID, true); err != nil {
			return err
		}
	}
	choices := make([]DeviceChoice, len(b.rows))
	numbers := make([]string, len(b.rows))
	for i, r := range b.rows {
		choices[i], numbers[i] = r.in.Device, r.item.Number
	}
	l, err := s.lookupDevices(ctx, b.companyID, b.providerID, choices, numbers)
	if err != nil {
		return err
	}
	sc := deviceScope{companyID: b.companyID, providerID: b.providerID, siteID: b.plan.SiteID, region: b.region, userType: b.req.UserType}
	takenDevices, takenMACs := map[int64]bool{}, map[string]bool{}
	for _, r := range b.rows {
		if r.skip {
			continue
		}
		if propose && r.in.Device.Mode == "" {
			r.in.Device.Mode = DeviceNew
			for _, d := range free {
				if !takenDevices[d.ID] {
					r.in.Device = DeviceChoice{Mode: DeviceExisting, DeviceID: d.ID}
					l.devices[d.ID] = d
					break
				}
			}
		}
		checkDevice(b.v, r.prefix, sc, l, r.in.Device, &r.item, takenDevices, takenMACs)
	}
	return nil
}

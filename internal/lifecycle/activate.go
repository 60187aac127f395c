package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// Device choice modes of Activate step 16.
const (
	DeviceExisting = "existing"
	DeviceNew      = "new"
	// DeviceNone is Service Settings' "no device": the employee keeps
	// their number and features without a primary device for a while (the
	// guide's convert-to-VDM procedure frees a phone this way;
	// docs/devices.md). Activate refuses it: a device is mandatory there.
	DeviceNone = "none"
)

// DeviceChoice is the mandatory device of an activation: an existing free
// device of the site, or a new one (type and MAC; a soft client's MAC is
// its CLI followed by "A", filled in when left blank, and a soft client is
// for IP Centrex users only).
type DeviceChoice struct {
	Mode     string `json:"mode"`
	DeviceID int64  `json:"device_id,omitempty"`
	TypeID   int64  `json:"type_id,omitempty"`
	MAC      string `json:"mac,omitempty"`
}

// ActivateEmployee is one employee of an activation with what is theirs
// alone. Blank CLI names come from the employee's names, a blank number is
// the site's next available one, a blank extension follows the site's
// extension policy.
type ActivateEmployee struct {
	EmployeeID   int64        `json:"employee_id"`
	CLIFirstName string       `json:"cli_first_name,omitempty"`
	CLILastName  string       `json:"cli_last_name,omitempty"`
	Number       string       `json:"number,omitempty"`
	Extension    string       `json:"extension,omitempty"`
	Device       DeviceChoice `json:"device"`
}

// ActivateRequest activates one or many employees at one site with one
// user type, term, feature package and add-ons.
type ActivateRequest struct {
	SiteID    int64              `json:"site_id"`
	UserType  UserType           `json:"user_type"`
	Language  string             `json:"language,omitempty"`
	TermID    int64              `json:"term_id"`
	PackageID int64              `json:"package_id"`
	AddOnIDs  []int64            `json:"add_on_ids"`
	Employees []ActivateEmployee `json:"employees"`
	// Single marks the Activate form of one employee (the employee's own
	// page or endpoint): an employee the actor may not activate is the
	// whole request's ErrNotFound (or ForbiddenError), and fields are named
	// without the employees[0]. prefix. Otherwise each refused employee is
	// a field error of its row.
	Single bool `json:"-"`
}

// MaxActivations bounds one multi-select activation.
const MaxActivations = 200

// Plan is a validated activation: every number, extension and device
// resolved, ready to be enqueued. Single reports field names without the
// employees[i] prefix (the single-employee endpoint).
type Plan struct {
	CompanyID int64      `json:"company_id"`
	SiteID    int64      `json:"site_id"`
	SiteName  string     `json:"site_name"`
	UserType  UserType   `json:"user_type"`
	Language  string     `json:"language"`
	TermID    int64      `json:"term_id"`
	PackageID int64      `json:"package_id"`
	AddOnIDs  []int64    `json:"add_on_ids"`
	Items     []PlanItem `json:"items"`
}

// PlanItem is one employee's resolved activation.
type PlanItem struct {
	EmployeeID int64  `json:"employee_id"`
	Username   string `json:"username"`
	CLIFirst   string `json:"cli_first_name"`
	CLILast    string `json:"cli_last_name"`
	Number     string `json:"number"`
	Extension  string `json:"extension"`
	DeviceID   int64  `json:"device_id,omitempty"`
	TypeID     int64  `json:"type_id,omitempty"`
	MAC        string `json:"mac,omitempty"`
	PrevSiteID int64  `json:"prev_site_id,omitempty"`
	// AutoNumber and AutoExtension mark a number and extension proposed by
	// default rather than chosen: the job takes them at run time under the
	// site's lock, the proposed one when it is still free, otherwise the
	// next free one (docs/lifecycle.md, "Concurrent activations").
	AutoNumber    bool `json:"auto_number,omitempty"`
	AutoExtension bool `json:"auto_extension,omitempty"`
	// SoftClient marks a new soft client, whose MAC follows the number.
	SoftClient bool `json:"soft_client,omitempty"`
}

func checkCLI(v *derrors.ValidationError, p, first, last string) {
	if first == "" {
		v.Add(p+"cli_first_name", "the calling line ID first name is required")
	} else if utf8.RuneCountInString(first) > 64 {
		v.Add(p+"cli_first_name", "the calling line ID first name must be at most 64 characters")
	}
	if last == "" {
		v.Add(p+"cli_last_name", "the calling line ID surname is required")
	} else if utf8.RuneCountInString(last) > 64 {
		v.Add(p+"cli_last_name", "the calling line ID surname must be at most 64 characters")
	}
}

func countIn(es []ActivateEmployee, e164, region string) int {
	n := 0
	for _, e := range es {
		if x := trimmed(e.Number); x != "" {
			if num, err := numbering.ParseNumber("number", x, region); err == nil && numbering.E164(num) == e164 {
				n++
			}
		}
	}
	return n
}

// userMessage returns the message of a validation or conflict error.
func userMessage(err error) (string, bool) {
	var ve *derrors.ValidationError
	var ce *derrors.ConflictError
	switch {
	case errors.As(err, &ve) && len(ve.Fields) > 0:
		return ve.Fields[0].Message, true
	case errors.As(err, &ce):
		return ce.Message, true
	}
	return "", false
}

func asForbidden(err error, target **derrors.ForbiddenError) bool { return errors.As(err, target) }

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// Proposal is the Activate form before the administrator changes it: the
// request with its blanks filled as Prepare would resolve them (the site,
// user type, language, term and package; each employee's caller-ID names,
// next free number, the policy's extension and a device), and why the
// actor may not activate here, if that is so.
type Proposal struct {
	CompanyID int64
	Request   ActivateRequest
	// Blocked is why the company may not activate (its flag is off).
	Blocked string
	// Sites are the sites of the company actor may activate at.
	Sites []Ref
	// Limit is the chosen site's employee limit.
	Limit SiteLimit
	// Problems are the rules the proposal already breaks (a site without a
	// free number, …), as Prepare would report them.
	Problems *derrors.ValidationError
	// Employees are req's employees in order; one the actor may not
	// activate is the zero Employee, with the reason in Refused.
	Employees []directory.Employee
	Refused   map[int]string
}

// Propose fills the blanks of req for actor's Activate form with what
// Prepare would resolve them to, through the same steps (planNumbers,
// planExtensions, planDevices), so the numbers and extensions the form
// shows are the ones Prepare would choose. Nothing is changed. companyID 0
// means the actor's company (or, with req.Single, the employee's).
func (s *Service) Propose(ctx context.Context, actor access.Actor, companyID int64, req ActivateRequest) (p Proposal, err error) {
	defer derrors.Wrap(&err, "lifecycle: propose activation")
	b, err := s.activationTargets(ctx, actor, companyID, ActivateRequest{Single: req.Single, Employees: req.Employees})
	if err != nil {
		return p, err
	}
	// With the flag off the form still shows what would be done, with why
	// it cannot be.
	var forb *derrors.ForbiddenError
	if err := s.requireActivation(ctx, actor, b.companyID); asForbidden(err, &forb) {
		p.Blocked = sentenceOf(forb.Reason)
	} else if err != nil {
		return p, err
	}
	p.CompanyID = b.companyID
	if p.Sites, err = s.activationSites(ctx, actor, b.companyID); err != nil {
		return p, err
	}
	if b.req, err = s.proposeOffering(ctx, b, req, p.Sites); err != nil {
		return p, err
	}
	if err := s.planBatch(ctx, b, true); err != nil {
		return p, err
	}
	p.Limit, p.Problems = b.site, b.v
	p.Request = b.req
	p.Employees, p.Refused = make([]directory.Employee, len(req.Employees)), map[int]string{}
	for i, e := range req.Employees {
		if msg, refused := b.refused[i]; refused {
			p.Refused[i] = sentenceOf(msg)
			continue
		}
		emp, err := s.directory.Employee(ctx, e.EmployeeID)
		if derrors.IsNotFound(err) || (err == nil && emp.CompanyID != b.companyID) {
			p.Refused[i] = fmt.Sprintf("Employee %d does not exist.", e.EmployeeID)
			continue
		}
		if err != nil {
			return p, err
		}
		p.Employees[i] = emp
	}
	for i, r := range b.rows {
		e := &p.Request.Employees[i]
		if r.skip {
			continue
		}
		e.CLIFirstName, e.CLILastName = r.item.CLIFirst, r.item.CLILast
		e.Number, e.Extension, e.Device = r.item.Number, r.item.Extension, r.in.Device
	}
	return p, nil
}

// proposeOffering fills the blank site, user type, language, term and
// package of req: the first employee's current site when actor may
// activate there (else the first such site), an IP Centrex user in
// English (UK), the first term and the site's default package.
func (s *Service) proposeOffering(ctx context.Context, b *batch, req ActivateRequest, sites []Ref) (ActivateRequest, error) {
	out := req
	out.Employees = append([]ActivateEmployee(nil), req.Employees...)
	allowed := func(id int64) bool {
		for _, x := range sites {
			if x.ID == id {
				return true
			}
		}
		return false
	}
	if out.SiteID == 0 || !allowed(out.SiteID) {
		out.SiteID = 0
		if len(req.Employees) > 0 {
			accts, err := s.loadMany(ctx, b.companyID, []int64{req.Employees[0].EmployeeID})
			if err != nil {
				return out, err
			}
			if a, ok := accts[req.Employees[0].EmployeeID]; ok && allowed(a.SiteID) {
				out.SiteID = a.SiteID
			}
		}
		if out.SiteID == 0 && len(sites) > 0 {
			out.SiteID = sites[0].ID
		}
	}
	if out.UserType == "" {
		out.UserType = IPCentrex
	}
	if out.Language == "" {
		out.Language = "en-GB"
	}
	var providerID int64
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT provider_id FROM companies WHERE id = ?", b.companyID).Scan(&providerID); err != nil {
		return out, fmt.Errorf("company %d: %w", b.companyID, err)
	}
	if out.TermID == 0 {
		ts, err := s.catalog.Terms(ctx, providerID)
		if err != nil {
			return out, err
		}
		if len(ts) > 0 {
			out.TermID = ts[0].ID
		}
	}
	if out.PackageID == 0 && out.SiteID != 0 {
		// The site's proposed package (the entry-level one; see
		// DefaultEmployeePackage), not whichever comes first by name.
		o, err := s.catalog.ForSite(ctx, b.companyID, out.SiteID)
		if err != nil {
			return out, err
		}
		if pkg, ok := o.DefaultEmployeePackage(); ok {
			out.PackageID = pkg.ID
		}
	}
	return out, nil
}

// activationSites lists the sites of companyID actor may activate at.
func (s *Service) activationSites(ctx context.Context, actor access.Actor, companyID int64) ([]Ref, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT id, name FROM org_groups WHERE company_id = ? AND is_site = ? ORDER BY lower(name), id", companyID, true)
	if err != nil {
		return nil, fmt.Errorf("sites of company %d: %w", companyID, err)
	}
	var all []Ref
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Ref
	for _, r := range all {
		if s.access.Can(ctx, actor, access.ActivateEmployee, access.Group(r.ID)) {
			out = append(out, r)
		}
	}
	return out, nil
}

// FreeNumbers lists the numbers Activate and Service Settings may offer at
// a site, in the order they are handed out.
func (s *Service) FreeNumbers(ctx context.Context, companyID, siteID int64) ([]numbering.Number, error) {
	return s.numbering.FreeNumbers(ctx, companyID, siteID, 5*MaxActivations)
}

package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Device choice modes of Activate step 16.
const (
	DeviceExisting = "existing"
	DeviceNew      = "new"
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
}

// Prepare validates req for companyID and resolves its defaults, reporting
// every broken rule at once (fields named employees[i].… unless single).
// The caller has checked that the actor may activate each employee and use
// the site. Nothing is changed.
func (s *Service) Prepare(ctx context.Context, companyID int64, req ActivateRequest, single bool) (plan Plan, err error) {
	defer derrors.Wrap(&err, "lifecycle: prepare activation")
	v := &derrors.ValidationError{}
	prefix := func(i int) string {
		if single {
			return ""
		}
		return fmt.Sprintf("employees[%d].", i)
	}
	var providerID int64
	var region string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT c.provider_id, p.default_region FROM companies c JOIN providers p ON p.id = c.provider_id WHERE c.id = ?",
		companyID).Scan(&providerID, &region); err != nil {
		return plan, err
	}
	plan = Plan{CompanyID: companyID, SiteID: req.SiteID, UserType: req.UserType, Language: trimmed(req.Language),
		TermID: req.TermID, PackageID: req.PackageID}
	if plan.Language == "" {
		plan.Language = "en-GB"
	}
	// Site.
	var limit SiteLimit
	siteOK := false
	if req.SiteID == 0 {
		v.Add("site_id", "choose the site the employee works at: it is the location given to the emergency services")
	} else if limit, err = s.SiteLimit(ctx, companyID, req.SiteID); derrors.IsNotFound(err) {
		v.Add("site_id", "site %d does not exist", req.SiteID)
	} else if err != nil {
		return plan, err
	} else {
		siteOK = true
		plan.SiteName = limit.SiteName
		if limit.EmployeeLimit > 0 && limit.Employees+len(req.Employees) > limit.EmployeeLimit {
			v.Fields = append(v.Fields, limitError(limit, len(req.Employees)).(*derrors.ValidationError).Fields...)
		}
	}
	if !req.UserType.Valid() {
		v.Add("user_type", "choose the user type: ip_centrex (IP Centrex User), business_trunking (Business Trunking User) or additional_line (Additional Line)")
	}
	if !validLanguage(plan.Language) {
		v.Add("language", "%q is not a language the service offers", plan.Language)
	}
	// Offering.
	if req.TermID == 0 {
		v.Add("term_id", "choose the term agreed with your service provider")
	} else if _, err := s.catalog.Term(ctx, providerID, req.TermID); derrors.IsNotFound(err) {
		v.Add("term_id", "term %d does not exist", req.TermID)
	} else if err != nil {
		return plan, err
	}
	if req.PackageID == 0 {
		v.Add("package_id", "choose the employee feature package")
	} else if msg, err := s.checkPackage(ctx, providerID, req.PackageID, catalog.TypePackage); err != nil {
		return plan, err
	} else if msg != "" {
		v.Add("package_id", "%s", msg)
	}
	seenAddOn := map[int64]bool{}
	for _, id := range req.AddOnIDs {
		if seenAddOn[id] {
			v.Add("add_on_ids", "add-on %d is listed twice", id)
			continue
		}
		seenAddOn[id] = true
		if msg, err := s.checkPackage(ctx, providerID, id, catalog.TypeAddOn); err != nil {
			return plan, err
		} else if msg != "" {
			v.Add("add_on_ids", "%s", msg)
		}
		plan.AddOnIDs = append(plan.AddOnIDs, id)
	}
	sort.Slice(plan.AddOnIDs, func(i, j int) bool { return plan.AddOnIDs[i] < plan.AddOnIDs[j] })
	// Employees.
	switch {
	case len(req.Employees) == 0:
		v.Add("employees", "select at least one employee to activate")
	case len(req.Employees) > MaxActivations:
		v.Add("employees", "activate at most %d employees at once", MaxActivations)
	}
	var free []numbering.Number
	if siteOK {
		if free, err = s.freeNumbers(ctx, companyID, req.SiteID); err != nil {
			return plan, err
		}
	}
	takenNumbers, takenExts, takenDevices, takenMACs := map[string]bool{}, map[string]bool{}, map[int64]bool{}, map[string]bool{}
	seenEmp := map[int64]bool{}
	// Explicit numbers first, so the defaults skip them.
	for _, e := range req.Employees {
		if n := trimmed(e.Number); n != "" {
			if num, err := numbering.ParseNumber("number", n, region); err == nil {
				takenNumbers[numbering.E164(num)] = true
			}
		}
	}
	for i, e := range req.Employees {
		p := prefix(i)
		it := PlanItem{EmployeeID: e.EmployeeID}
		if seenEmp[e.EmployeeID] {
			v.Add(p+"employee_id", "employee %d is selected twice", e.EmployeeID)
			continue
		}
		seenEmp[e.EmployeeID] = true
		a, err := s.load(ctx, companyID, e.EmployeeID)
		if derrors.IsNotFound(err) {
			v.Add(p+"employee_id", "employee %d does not exist", e.EmployeeID)
			continue
		}
		if err != nil {
			return plan, err
		}
		it.Username, it.PrevSiteID = a.Username, a.SiteID
		switch a.Status {
		case directory.StatusActive:
			v.Add(p+"employee_id", "%s is already active: cease the service before activating it again", a.Username)
		case directory.StatusPending:
			v.Add(p+"employee_id", "%s is already being activated or resubscribed: wait for that job to finish", a.Username)
		}
		it.CLIFirst, it.CLILast = trimmed(e.CLIFirstName), trimmed(e.CLILastName)
		if it.CLIFirst == "" {
			it.CLIFirst = a.First
		}
		if it.CLILast == "" {
			it.CLILast = a.Last
		}
		checkCLI(v, p, it.CLIFirst, it.CLILast)
		if !siteOK {
			continue
		}
		// Number: chosen from the site's pool, or the next available.
		if n := trimmed(e.Number); n != "" {
			e164, msg, err := s.checkNumber(ctx, companyID, providerID, req.SiteID, plan.SiteName, n, region, 0)
			if err != nil {
				return plan, err
			}
			if msg != "" {
				v.Add(p+"number", "%s", msg)
			} else if it.Number = e164; countIn(req.Employees, e164, region) > 1 {
				v.Add(p+"number", "%s is chosen for more than one employee", numbering.National(e164, region))
			}
		} else {
			for _, f := range free {
				if !takenNumbers[f.E164] {
					it.Number = f.E164
					takenNumbers[f.E164] = true
					break
				}
			}
			if it.Number == "" {
				v.Add(p+"number", "site %q has no free number left: ask your service provider for another DN range", plan.SiteName)
			}
		}
		// Extension: typed, or from the site's policy.
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: a.ID}
		if x := trimmed(e.Extension); x != "" {
			if err := s.numbering.ValidateExtension(ctx, companyID, req.SiteID, x, owner); err != nil {
				if msg, ok := userMessage(err); ok {
					v.Add(p+"extension", "%s", msg)
				} else {
					return plan, err
				}
			} else if takenExts[x] {
				v.Add(p+"extension", "extension %s is chosen for more than one employee", x)
			}
			it.Extension = x
			takenExts[x] = true
		} else if it.Number != "" {
			x, err := s.defaultExtension(ctx, companyID, req.SiteID, it.Number, takenExts)
			if err != nil {
				if msg, ok := userMessage(err); ok {
					v.Add(p+"extension", "%s; enter another extension", msg)
				} else {
					return plan, err
				}
			}
			it.Extension = x
			takenExts[x] = true
		}
		// Device: mandatory.
		scope := deviceScope{companyID: companyID, providerID: providerID, siteID: req.SiteID, region: region, userType: req.UserType}
		s.checkDevice(ctx, v, p, scope, e.Device, &it, takenDevices, takenMACs)
		plan.Items = append(plan.Items, it)
	}
	if err := v.Err(); err != nil {
		return Plan{}, err
	}
	return plan, nil
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

// checkPackage returns why id is not an employee package of type t, or "".
func (s *Service) checkPackage(ctx context.Context, providerID, id int64, t catalog.Type) (string, error) {
	p, err := s.catalog.Package(ctx, providerID, id)
	if derrors.IsNotFound(err) {
		return fmt.Sprintf("%s %d does not exist", t.Label(), id), nil
	}
	if err != nil {
		return "", err
	}
	if p.Type != t {
		return fmt.Sprintf("%q is not %s", p.Name, article(t.Label())), nil
	}
	if p.Kind != catalog.KindEmployee {
		return fmt.Sprintf("%q is a %s %s; an employee needs an employee %s", p.Name, p.Kind, p.Type.Label(), t.Label()), nil
	}
	return "", nil
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// freeNumbers lists the site's free numbers in the order numbering hands
// them out: never-used first in number order, then returned ones, longest
// returned first.
func (s *Service) freeNumbers(ctx context.Context, companyID, siteID int64) ([]numbering.Number, error) {
	var out []numbering.Number
	for page := 1; ; page++ {
		ns, total, err := s.numbering.Pool(ctx, companyID, siteID, numbering.PoolFilter{Status: numbering.StatusFree},
			store.Page{Page: page, PerPage: store.MaxPerPage})
		if err != nil {
			return nil, err
		}
		out = append(out, ns...)
		if len(ns) == 0 || len(out) >= total || len(out) >= 5*MaxActivations {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Status == numbering.StatusAvailable) != (b.Status == numbering.StatusAvailable) {
			return a.Status == numbering.StatusAvailable
		}
		if a.Status == numbering.StatusReturned && a.ReturnedAt != nil && b.ReturnedAt != nil && !a.ReturnedAt.Equal(*b.ReturnedAt) {
			return a.ReturnedAt.Before(*b.ReturnedAt)
		}
		return a.E164 < b.E164
	})
	return out, nil
}

// FreeNumbers lists the numbers Activate and Service Settings may offer at
// a site, in the order they are handed out.
func (s *Service) FreeNumbers(ctx context.Context, companyID, siteID int64) ([]numbering.Number, error) {
	return s.freeNumbers(ctx, companyID, siteID)
}

// checkNumber reads input as a number of the site's pool that is free (or
// already held by keep), returning its E.164 form or why it cannot be used.
// A number of another company reads exactly like one in no range.
func (s *Service) checkNumber(ctx context.Context, companyID, providerID, siteID int64, siteName, input, region string, keep int64) (string, string, error) {
	num, err := numbering.ParseNumber("number", input, region)
	if err != nil {
		msg, _ := userMessage(err)
		return "", msg, nil
	}
	e164 := numbering.E164(num)
	n, err := s.numbering.Lookup(ctx, providerID, e164)
	if derrors.IsNotFound(err) || (err == nil && n.CompanyID != companyID) {
		return "", fmt.Sprintf("%s is not in the company's number pool", numbering.National(e164, region)), nil
	}
	if err != nil {
		return "", "", err
	}
	if n.SiteID != siteID {
		return "", fmt.Sprintf("%s belongs to the number pool of site %q; choose a number of site %q", n.National, n.SiteName, siteName), nil
	}
	if !n.Free() {
		if keep != 0 && n.Owner != nil && n.Owner.Kind == numbering.OwnerUser && n.Owner.ID == keep {
			return e164, "", nil
		}
		holder := "somebody else"
		if n.Owner != nil {
			holder = n.Owner.Name
		}
		return "", fmt.Sprintf("%s is already assigned to %s", n.National, holder), nil
	}
	return e164, "", nil
}

// defaultExtension is the site policy's extension for number, skipping
// extensions planned for other employees of the same activation.
func (s *Service) defaultExtension(ctx context.Context, companyID, siteID int64, number string, planned map[string]bool) (string, error) {
	p, err := s.numbering.ExtensionPolicy(ctx, companyID, siteID)
	if err != nil {
		return "", err
	}
	if p.Mode == numbering.ModeLastDigits {
		x, err := s.numbering.DefaultExtension(ctx, companyID, siteID, number)
		if err == nil && planned[x] {
			return x, derrors.Invalid("extension", "extension %s is proposed for another selected employee too", x)
		}
		return x, err
	}
	from, _ := strconv.Atoi(p.RangeFrom)
	to, _ := strconv.Atoi(p.RangeTo)
	for i := from; i <= to; i++ {
		x := fmt.Sprintf("%0*d", p.Length, i)
		if planned[x] {
			continue
		}
		if err := s.numbering.ValidateExtension(ctx, companyID, siteID, x, numbering.Owner{}); err == nil {
			return x, nil
		} else if _, ok := userMessage(err); !ok {
			return "", err
		}
	}
	return "", derrors.Conflict("extension", "every extension from %s to %s is taken", p.RangeFrom, p.RangeTo)
}

// deviceScope is what a device choice is checked against: the employee's
// company, site and region, and the user type they will have.
type deviceScope struct {
	companyID, providerID, siteID int64
	region                        string
	userType                      UserType
}

// softClientAllowed reports whether an employee of userType may have a soft
// client. The seed's "(Centrex only)" (Activate step 18) limits soft
// clients to IP Centrex users: a Business Trunking user is a PBX on a SIP
// trunk, and an Additional Line goes on an existing phone
// (docs/lifecycle.md). An invalid user type has its own error, so it is not
// refused twice.
func softClientAllowed(userType UserType) bool {
	return userType == IPCentrex || !userType.Valid()
}

// centrexOnly is the reason a soft client is refused to userType.
func centrexOnly(userType UserType) string {
	return fmt.Sprintf("a soft client is for IP Centrex users only (Centrex only), not for %s", article(userType.Label()))
}

// softClientMACRule is the refusal of a soft client whose MAC is not the
// CLI of number followed by "A".
func softClientMACRule(number, region string) string {
	return fmt.Sprintf("a soft client's MAC is the employee's CLI followed by \"A\": with %s it must be %s",
		numbering.National(number, region), devices.SoftClientMAC(number))
}

// checkDevice validates the device choice into it, whose Number is the
// number the employee will have (a soft client's MAC is built from it).
func (s *Service) checkDevice(ctx context.Context, v *derrors.ValidationError, p string, sc deviceScope, d DeviceChoice,
	it *PlanItem, takenDevices map[int64]bool, takenMACs map[string]bool) {
	switch d.Mode {
	case DeviceExisting:
		if d.DeviceID == 0 {
			v.Add(p+"device.device_id", "choose the device from the site's devices")
			return
		}
		dev, err := s.devices.Device(ctx, sc.companyID, d.DeviceID)
		switch {
		case err != nil:
			v.Add(p+"device.device_id", "device %d does not exist", d.DeviceID)
			return
		case dev.SiteID != sc.siteID:
			v.Add(p+"device.device_id", "device %s belongs to another site; choose a device of the employee's site", dev.MAC)
			return
		case dev.AccountID != nil:
			v.Add(p+"device.device_id", "device %s is already used by another employee", dev.MAC)
			return
		case takenDevices[dev.ID]:
			v.Add(p+"device.device_id", "device %s is chosen for more than one employee", dev.MAC)
			return
		}
		t, err := s.devices.Type(ctx, sc.providerID, dev.TypeID)
		if err != nil {
			v.Add(p+"device.device_id", "device %s has a device type that no longer exists", dev.MAC)
			return
		}
		if t.SoftClient {
			// A free soft client kept on the site after a device change
			// carries its former employee's CLI: it fits nobody else.
			if !softClientAllowed(sc.userType) {
				v.Add(p+"device.device_id", "device %s is a soft client, and %s: choose a desk phone or trunk device, or the user type ip_centrex",
					dev.MAC, centrexOnly(sc.userType))
				return
			}
			if it.Number != "" && dev.MAC != devices.SoftClientMAC(it.Number) {
				v.Add(p+"device.device_id", "device %s is the soft client of another number (%s); choose another device or a new soft client",
					dev.MAC, softClientMACRule(it.Number, sc.region))
				return
			}
		}
		takenDevices[dev.ID] = true
		it.DeviceID = dev.ID
	case DeviceNew:
		if d.TypeID == 0 {
			v.Add(p+"device.type_id", "choose the device type")
			return
		}
		t, err := s.devices.Type(ctx, sc.providerID, d.TypeID)
		if err != nil {
			v.Add(p+"device.type_id", "device type %d does not exist", d.TypeID)
			return
		}
		mac := trimmed(d.MAC)
		if t.SoftClient {
			if !softClientAllowed(sc.userType) {
				v.Add(p+"device.type_id", "%s: choose a desk phone or trunk device type, or the user type ip_centrex", centrexOnly(sc.userType))
				return
			}
			if it.Number == "" {
				v.Add(p+"device.mac", "a soft client's MAC is built from the employee's number: choose a valid number first")
				return
			}
			// Only the CLI followed by "A" (separators and case aside, as for
			// any MAC): another number's digits, or this number's national
			// form, would register the soft client under the wrong line.
			want := devices.SoftClientMAC(it.Number)
			if mac != "" {
				if norm, err := devices.NormalizeMAC(mac, true); err != nil || norm != want {
					v.Add(p+"device.mac", "%s (or leave it blank to have it filled in)", softClientMACRule(it.Number, sc.region))
					return
				}
			}
			mac = want
		}
		if mac == "" {
			v.Add(p+"device.mac", "enter the device's MAC address (required for a new device)")
			return
		}
		norm, err := devices.NormalizeMAC(mac, t.SoftClient)
		if err != nil {
			msg, _ := userMessage(err)
			v.Add(p+"device.mac", "%s", msg)
			return
		}
		if taken, err := s.devices.MACInUse(ctx, norm, 0); err != nil || taken {
			v.Add(p+"device.mac", "the MAC %s is already registered to a device; choose it as an existing device or remove it first", norm)
			return
		}
		if takenMACs[norm] {
			v.Add(p+"device.mac", "the MAC %s is given for more than one employee", norm)
			return
		}
		takenMACs[norm] = true
		it.TypeID, it.MAC = t.ID, norm
	default:
		v.Add(p+"device.mode", "a device is mandatory: choose an existing device of the site (mode existing) or a new one (mode new)")
	}
}

// Activate puts every employee of plan in Pending and enqueues one
// activate_employees job for them, all in one transaction: the job exists
// exactly when the employees show Pending. An employee whose status changed
// since Prepare is a conflict and nothing is enqueued. The site's employee
// limit is checked again under the site's lock (Prepare counted outside any
// transaction, so two activations could both have seen the last place).
func (s *Service) Activate(ctx context.Context, plan Plan) (job jobs.Job, err error) {
	defer derrors.Wrap(&err, "lifecycle: activate")
	args, err := json.Marshal(plan)
	if err != nil {
		return job, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		// The employees are inactive or in error (the update below makes
		// sure), so none of them is in the count yet.
		l, err := s.lockSite(ctx, plan.CompanyID, plan.SiteID, 0)
		if derrors.IsNotFound(err) {
			return derrors.Invalid("site_id", "site %d does not exist", plan.SiteID)
		}
		if err != nil {
			return err
		}
		if l.EmployeeLimit > 0 && l.Employees+len(plan.Items) > l.EmployeeLimit {
			return limitError(l, len(plan.Items))
		}
		now := store.Now()
		for _, it := range plan.Items {
			res, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET status = 'pending', status_reason = '', site_id = ?, updated_at = ?
				WHERE id = ? AND company_id = ? AND status IN ('inactive', 'error')`, plan.SiteID, now, it.EmployeeID, plan.CompanyID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return derrors.Conflict("employee_id", "%s is no longer waiting for activation: reload and try again", it.Username)
			}
			if err := s.audit.Record(ctx, audit.Event{Event: "Request Activation", ObjectKind: "employee", ObjectID: it.EmployeeID,
				ObjectName: it.Username, CompanyID: plan.CompanyID, SiteID: plan.SiteID,
				After: map[string]any{"status": directory.StatusPending, "site": plan.SiteName, "number": it.Number, "extension": it.Extension}}); err != nil {
				return err
			}
		}
		name := "Activate " + plan.Items[0].Username
		if len(plan.Items) > 1 {
			name = fmt.Sprintf("Activate %d employees at %s", len(plan.Items), plan.SiteName)
		}
		job, err = s.jobs.Enqueue(ctx, jobs.Job{CompanyID: plan.CompanyID, Kind: KindActivate, Name: name, Args: args, MaxAttempts: 3})
		return err
	})
	return job, err
}

// errAlreadyDone marks an item a retried job had finished before.
var errAlreadyDone = errors.New("already done")

// jobContext attributes the job's audit entries to whoever asked for it.
func (s *Service) jobContext(ctx context.Context, j *jobs.Job) context.Context {
	if j.CreatedBy == 0 {
		return ctx
	}
	var username string
	var provider int64
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT username, provider_id FROM accounts WHERE id = ?", j.CreatedBy).Scan(&username, &provider); err != nil {
		return ctx
	}
	return audit.WithActor(ctx, audit.Actor{ID: j.CreatedBy, Username: username, ProviderID: provider})
}

// runActivate is the activate_employees job: each employee in one
// transaction, reported per item; an employee that fails shows Error with
// the reason and keeps nothing of the attempt.
func (s *Service) runActivate(ctx context.Context, j *jobs.Job, rep jobs.Reporter) error {
	var plan Plan
	if err := j.DecodeArgs(&plan); err != nil {
		return err
	}
	if plan.CompanyID != j.CompanyID {
		return fmt.Errorf("lifecycle: job %d: the plan names another company", j.ID)
	}
	ctx = s.jobContext(ctx, j)
	if err := rep.SetTotal(ctx, len(plan.Items)); err != nil {
		return err
	}
	failed := 0
	for _, it := range plan.Items {
		full := ""
		err := s.db.Tx(ctx, func(ctx context.Context) error {
			err := s.applyActivation(ctx, plan, it)
			var sf siteFull
			if !errors.As(err, &sf) {
				return err
			}
			// Refused with the site locked and nothing written yet: mark
			// the error in this transaction, so the next activation at the
			// site (another worker's, waiting for the lock) no longer counts
			// this employee as pending.
			full, _ = userMessage(err)
			return s.markError(ctx, plan, it, full)
		})
		switch {
		case err == nil && full != "":
			failed++
			if err := rep.Item(ctx, it.Username, jobs.ItemError, full); err != nil {
				return err
			}
		case err == nil:
			msg := fmt.Sprintf("activated at %s with %s, extension %s", plan.SiteName, it.Number, it.Extension)
			if err := rep.Item(ctx, it.Username, jobs.ItemOK, msg); err != nil {
				return err
			}
		case errors.Is(err, errAlreadyDone):
			if err := rep.Item(ctx, it.Username, jobs.ItemSkipped, "already active"); err != nil {
				return err
			}
		default:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			reason, ok := userMessage(err)
			if !ok {
				s.logger.ErrorContext(ctx, "lifecycle: activation failed", "employee", it.EmployeeID, "err", err)
				reason = "the activation failed unexpectedly; try again or contact your service provider"
			}
			if err := s.markError(ctx, plan, it, reason); err != nil {
				return err
			}
			if err := rep.Item(ctx, it.Username, jobs.ItemError, reason); err != nil {
				return err
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d activations failed; see each employee's result", failed, len(plan.Items))
	}
	return nil
}

// siteFull is applyActivation's refusal when the site has no place left;
// nothing has been written when it is returned.
type siteFull struct{ error }

func (e siteFull) Unwrap() error { return e.error }

// applyActivation applies one employee's activation inside a transaction.
func (s *Service) applyActivation(ctx context.Context, plan Plan, it PlanItem) error {
	a, err := s.load(ctx, plan.CompanyID, it.EmployeeID)
	if derrors.IsNotFound(err) {
		return derrors.Invalid("employee_id", "the employee was deleted before the activation ran")
	}
	if err != nil {
		return err
	}
	switch a.Status {
	case directory.StatusActive:
		return errAlreadyDone
	case directory.StatusPending:
	default:
		return derrors.Conflict("employee_id", "the employee is no longer waiting for activation (status %s)", a.Status)
	}
	// The employee holds a place (pending) since Activate; the others that
	// hold one are counted under the site's lock, so two workers cannot both
	// take the last place when the limit was lowered meanwhile.
	l, err := s.lockSite(ctx, plan.CompanyID, plan.SiteID, a.ID)
	if derrors.IsNotFound(err) {
		return derrors.Invalid("site_id", "the site was removed before the activation ran")
	}
	if err != nil {
		return err
	}
	if l.EmployeeLimit > 0 && l.Employees >= l.EmployeeLimit {
		return siteFull{limitError(l, 1)}
	}
	owner := a.owner()
	if _, err := s.numbering.Assign(ctx, plan.CompanyID, it.Number, owner); err != nil {
		return err
	}
	if _, err := s.numbering.ReserveExtension(ctx, plan.CompanyID, plan.SiteID, it.Extension, owner); err != nil {
		return err
	}
	if _, err := s.catalog.SetEmployeeOffering(ctx, plan.CompanyID, a.ID, plan.PackageID, plan.AddOnIDs, plan.TermID); err != nil {
		return err
	}
	if err := s.giveDevice(ctx, a, plan.SiteID, it); err != nil {
		return err
	}
	now := store.Now()
	if _, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET status = 'active', status_reason = '', site_id = ?, user_type = ?, language = ?,
		cli_first_name = ?, cli_last_name = ?, activated_at = ?, ceased_at = 0, portal_access = ?, updated_at = ? WHERE id = ?`,
		plan.SiteID, string(plan.UserType), plan.Language, it.CLIFirst, it.CLILast, now, true, now, a.ID); err != nil {
		return err
	}
	after, err := s.Service(ctx, plan.CompanyID, a.ID)
	if err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Event{Event: "Activate Employee", ObjectKind: "employee", ObjectID: a.ID, ObjectName: a.Username,
		CompanyID: plan.CompanyID, SiteID: plan.SiteID, Before: map[string]any{"status": a.Status}, After: after})
}

// giveDevice makes the device checkDevice resolved into it the employee's
// primary device: the chosen existing device of siteID, or a new one
// created there first (labelled with the username). Activate and a device
// change in Service Settings both use it, inside their transaction.
func (s *Service) giveDevice(ctx context.Context, a account, siteID int64, it PlanItem) error {
	deviceID := it.DeviceID
	if deviceID == 0 {
		d, err := s.devices.Create(ctx, a.ProviderID, a.CompanyID, devices.DeviceCreateRequest{SiteID: siteID, TypeID: it.TypeID,
			MAC: it.MAC, Label: a.Username})
		if err != nil {
			return err
		}
		deviceID = d.ID
	}
	return s.devices.AssignPrimary(ctx, a.CompanyID, siteID, deviceID, a.ID)
}

// markError shows a failed activation on the employee: status Error with
// the reason, and the site they had before.
func (s *Service) markError(ctx context.Context, plan Plan, it PlanItem, reason string) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		var prev any
		if it.PrevSiteID != 0 {
			prev = it.PrevSiteID
		}
		res, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET status = 'error', status_reason = ?, site_id = ?, updated_at = ?
			WHERE id = ? AND company_id = ? AND status = 'pending'`, reason, prev, store.Now(), it.EmployeeID, plan.CompanyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.audit.Record(ctx, audit.Event{Event: "Activation Failed", ObjectKind: "employee", ObjectID: it.EmployeeID,
			ObjectName: it.Username, CompanyID: plan.CompanyID, SiteID: plan.SiteID,
			After: map[string]any{"status": directory.StatusError, "status_reason": reason}})
	})
}

package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// ServiceChange is a Service Settings save; nil fields stay. Names and
// caller-ID names are always editable; the rest needs config & reg
// (NeedsConfigAndReg) and an active service. Device changes the primary
// device, chosen as Activate chooses it (DeviceChoice): another free device
// of the employee's site, or a new one — or none for now (DeviceNone).
type ServiceChange struct {
	FirstName    *string       `json:"first_name"`
	LastName     *string       `json:"last_name"`
	CLIFirstName *string       `json:"cli_first_name"`
	CLILastName  *string       `json:"cli_last_name"`
	UserType     *UserType     `json:"user_type"`
	Language     *string       `json:"language"`
	Number       *string       `json:"number"`
	Extension    *string       `json:"extension"`
	PackageID    *int64        `json:"package_id"`
	TermID       *int64        `json:"term_id"`
	AddOnIDs     *[]int64      `json:"add_on_ids"`
	Device       *DeviceChoice `json:"device"`
}

// NeedsConfigAndReg reports whether c changes anything beyond the names.
func (c ServiceChange) NeedsConfigAndReg() bool {
	return c.UserType != nil || c.Language != nil || c.Number != nil || c.Extension != nil || c.PackageID != nil ||
		c.TermID != nil || c.AddOnIDs != nil || c.Device != nil
}

// Without drops the parts that do not change cur, so a form that posts
// every field back asks for config & reg only when something did change.
func (c ServiceChange) Without(cur EmployeeService) ServiceChange {
	if c.UserType != nil && cur.UserType != nil && *c.UserType == *cur.UserType {
		c.UserType = nil
	}
	if c.Language != nil && *c.Language == cur.Language {
		c.Language = nil
	}
	if c.Number != nil && cur.Number != nil && (trimmed(*c.Number) == cur.Number.E164 || trimmed(*c.Number) == cur.Number.National) {
		c.Number = nil
	}
	if c.Extension != nil && trimmed(*c.Extension) == cur.Extension {
		c.Extension = nil
	}
	if c.PackageID != nil && cur.Package != nil && *c.PackageID == cur.Package.ID {
		c.PackageID = nil
	}
	if c.TermID != nil && cur.Term != nil && *c.TermID == cur.Term.ID {
		c.TermID = nil
	}
	if c.Device != nil && c.Device.Mode == DeviceExisting && cur.Device != nil && c.Device.DeviceID == cur.Device.ID {
		c.Device = nil
	}
	if c.Device != nil && c.Device.Mode == DeviceNone && cur.Device == nil {
		c.Device = nil
	}
	if c.AddOnIDs != nil {
		have := make([]int64, 0, len(cur.AddOns))
		for _, a := range cur.AddOns {
			have = append(have, a.ID)
		}
		want := append([]int64(nil), (*c.AddOnIDs)...)
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		sort.Slice(have, func(i, j int) bool { return have[i] < have[j] })
		if fmt.Sprint(want) == fmt.Sprint(have) {
			c.AddOnIDs = nil
		}
	}
	return c
}

// ChangeService is a Service Settings save for actor, who needs
// ManageService on the employee, and config & reg (RequireConfigAndReg)
// when c changes anything beyond the names once the parts that do not
// change are dropped (ServiceChange.Without). It applies in one
// transaction. A new number comes from the employee's site pool and the
// old one goes back to it as returned; the term can only be upgraded. A new
// primary device is validated as Activate validates one (checkDevice) and
// given with the same code (giveDevice); the old device stays on the site
// as a free device (docs/lifecycle.md). A soft client the employee keeps
// follows a number change (its MAC is the CLI followed by "A"), and only an
// IP Centrex user may keep or get one. Every broken rule of the names, user
// type, number and device is reported at once, before anything changes.
func (s *Service) ChangeService(ctx context.Context, actor access.Actor, employeeID int64, c ServiceChange) (out EmployeeService, err error) {
	defer derrors.Wrap(&err, "lifecycle: change service of employee %d", employeeID)
	acct, err := s.employeeFor(ctx, actor, access.ManageService, employeeID)
	if err != nil {
		return out, err
	}
	companyID := acct.CompanyID
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, companyID, employeeID)
		if err != nil {
			return err
		}
		before, err := s.Service(ctx, companyID, employeeID)
		if err != nil {
			return err
		}
		c := c.Without(before)
		if c.NeedsConfigAndReg() {
			if err := RequireConfigAndReg(ctx, s.db, actor, companyID); err != nil {
				return err
			}
		}
		ch, err := s.checkServiceChange(ctx, a, before, c)
		if err != nil {
			return err
		}
		if err := s.applyServiceChange(ctx, a, before, c, ch); err != nil {
			return err
		}
		if out, err = s.Service(ctx, companyID, employeeID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Employee Service", ObjectKind: "employee", ObjectID: a.ID, ObjectName: a.Username,
			CompanyID: companyID, SiteID: a.SiteID, Before: before, After: out})
	})
	return out, err
}

// serviceChange is a checked Service Settings save: the values the
// employee will have.
type serviceChange struct {
	cliFirst, cliLast string
	userType          UserType
	language          string
	// number is the number the employee will have ("" for none).
	number string
	// device is the new primary device (c.Device set).
	device PlanItem
	// softMAC is the new MAC of the soft client the employee keeps.
	softMAC string
}

// checkServiceChange validates c for a, whose service is before,
// reporting every broken rule at once.
func (s *Service) checkServiceChange(ctx context.Context, a account, before EmployeeService, c ServiceChange) (ch serviceChange, err error) {
	v := &derrors.ValidationError{}
	ch = checkServiceNames(v, a, c)
	active := a.Status == directory.StatusActive
	if c.NeedsConfigAndReg() && !active {
		v.Add("", "the number, extension, user type, language, feature package, term, add-ons and device belong to an active service: activate the employee first")
	}
	if before.Number != nil {
		ch.number = before.Number.E164
	}
	if active {
		if err := s.checkNumberChange(ctx, v, a, c, &ch); err != nil {
			return ch, err
		}
		if err := s.checkDeviceChange(ctx, v, a, before, c, &ch); err != nil {
			return ch, err
		}
	}
	return ch, v.Err()
}

// checkServiceNames checks the caller-ID names, user type and language.
func checkServiceNames(v *derrors.ValidationError, a account, c ServiceChange) serviceChange {
	ch := serviceChange{cliFirst: a.CLIFirst, cliLast: a.CLILast, userType: UserType(a.UserType), language: a.Language}
	if c.CLIFirstName != nil {
		ch.cliFirst = trimmed(*c.CLIFirstName)
	}
	if c.CLILastName != nil {
		ch.cliLast = trimmed(*c.CLILastName)
	}
	if c.CLIFirstName != nil || c.CLILastName != nil {
		checkCLI(v, "", ch.cliFirst, ch.cliLast)
	}
	if c.UserType != nil {
		if ch.userType = *c.UserType; !ch.userType.Valid() {
			v.Add("user_type", "the user type must be ip_centrex, business_trunking or additional_line")
		}
	}
	if c.Language != nil {
		if ch.language = trimmed(*c.Language); !validLanguage(ch.language) {
			v.Add("language", "%q is not a language the service offers", ch.language)
		}
	}
	return ch
}

// checkNumberChange checks a new number of the employee's site pool. The
// number the employee will have matters to the device too: a soft
// client's MAC is built from it.
func (s *Service) checkNumberChange(ctx context.Context, v *derrors.ValidationError, a account, c ServiceChange, ch *serviceChange) error {
	if c.Number == nil {
		return nil
	}
	num, err := numbering.ParseNumber("number", trimmed(*c.Number), a.Region)
	if err != nil {
		msg, _ := userMessage(err)
		v.Add("number", "%s", msg)
		return nil
	}
	e164 := numbering.E164(num)
	known, err := s.numbering.NumbersOf(ctx, a.CompanyID, []string{e164})
	if err != nil {
		return err
	}
	n, found := known[e164]
	if msg := numberProblem(n, found, e164, a.SiteID, a.SiteName, a.Region, a.ID); msg != "" {
		v.Add("number", "%s", msg)
	}
	ch.number = e164
	return nil
}

// checkDeviceChange checks a new primary device, and what keeping a soft
// client means for the user type and the number.
func (s *Service) checkDeviceChange(ctx context.Context, v *derrors.ValidationError, a account, before EmployeeService, c ServiceChange, ch *serviceChange) error {
	ch.device = PlanItem{Number: ch.number}
	if c.Device != nil && c.Device.Mode == DeviceNone {
		// No device for now: nothing to check; the employee keeps their
		// number and features.
		return nil
	}
	var choices []DeviceChoice
	if c.Device != nil {
		choices = append(choices, *c.Device)
	}
	l, err := s.lookupDevices(ctx, a.CompanyID, a.ProviderID, choices, []string{ch.number})
	if err != nil {
		return err
	}
	if c.Device != nil {
		sc := deviceScope{companyID: a.CompanyID, providerID: a.ProviderID, siteID: a.SiteID, region: a.Region, userType: ch.userType}
		checkDevice(v, "", sc, l, *c.Device, &ch.device, map[int64]bool{}, map[string]bool{})
		return nil
	}
	if before.Device == nil || !l.types[before.Device.TypeID].SoftClient {
		return nil
	}
	// The employee keeps a soft client (no new device in this save).
	if c.UserType != nil && ch.userType != UserType(a.UserType) && !softClientAllowed(ch.userType) {
		v.Add("user_type", "%s's device is the soft client %s, and %s: give them a desk phone or trunk device in the same save, or choose ip_centrex",
			a.Username, before.Device.MAC, centrexOnly(ch.userType))
	}
	// Its MAC is the CLI followed by "A": it follows the new number.
	if ch.number == "" || (before.Number != nil && ch.number == before.Number.E164) {
		return nil
	}
	want := devices.SoftClientMAC(ch.number)
	if want == before.Device.MAC {
		return nil
	}
	taken, err := s.devices.MACInUse(ctx, want, before.Device.ID)
	if err != nil {
		return err
	}
	if taken {
		v.Add("number", "the soft client's MAC would become %s with %s, and that MAC is already registered to another device: remove that device first, or give the employee another device in the same save",
			want, numbering.National(ch.number, a.Region))
	}
	ch.softMAC = want
	return nil
}

// applyServiceChange writes a checked save.
func (s *Service) applyServiceChange(ctx context.Context, a account, before EmployeeService, c ServiceChange, ch serviceChange) error {
	if c.FirstName != nil || c.LastName != nil {
		if _, err := s.directory.UpdateEmployee(ctx, a.ID, directory.EmployeeUpdateRequest{FirstName: c.FirstName, LastName: c.LastName}); err != nil {
			return err
		}
	}
	if err := s.applyNumberChange(ctx, a, before, c, ch); err != nil {
		return err
	}
	if err := s.applyOfferingChange(ctx, a, before, c); err != nil {
		return err
	}
	if c.Device != nil {
		if before.Device != nil {
			if _, err := s.devices.UnassignForEmployee(ctx, a.CompanyID, a.ID); err != nil {
				return err
			}
		}
		if c.Device.Mode != DeviceNone {
			if _, err := s.giveDevice(ctx, a, a.SiteID, ch.device); err != nil {
				return err
			}
		}
	}
	if _, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET cli_first_name = ?, cli_last_name = ?, user_type = ?, language = ?, updated_at = ?
		WHERE id = ?`, ch.cliFirst, ch.cliLast, string(ch.userType), ch.language, store.Now(), a.ID); err != nil {
		return err
	}
	// A new device gets a line; a new number, a line named after it
	// (docs/sip.md, "Line credentials").
	if c.Device != nil || c.Number != nil {
		if _, err := s.devices.SyncPrimaryLine(ctx, a.CompanyID, a.ID); err != nil {
			return err
		}
	}
	return nil
}

// applyNumberChange takes the new number (returning the old one to the
// pool), moves the kept soft client's MAC with it, and changes the
// extension.
func (s *Service) applyNumberChange(ctx context.Context, a account, before EmployeeService, c ServiceChange, ch serviceChange) error {
	owner := a.owner()
	if c.Number != nil && (before.Number == nil || ch.number != before.Number.E164) {
		if _, err := s.numbering.Assign(ctx, a.CompanyID, ch.number, owner); err != nil {
			return err
		}
		if before.Number != nil {
			if _, err := s.numbering.Release(ctx, a.CompanyID, before.Number.E164); err != nil {
				return err
			}
		}
	}
	if ch.softMAC != "" {
		if _, err := s.devices.ChangeMAC(ctx, a.ProviderID, a.CompanyID, before.Device.ID, ch.softMAC); err != nil {
			return err
		}
	}
	if c.Extension != nil && trimmed(*c.Extension) != before.Extension {
		if _, err := s.numbering.ReserveExtension(ctx, a.CompanyID, a.SiteID, trimmed(*c.Extension), owner); err != nil {
			return err
		}
		if before.Extension != "" {
			if err := s.numbering.ReleaseExtension(ctx, a.CompanyID, before.Extension); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyOfferingChange sets the package, term and add-ons, each kept as it
// was unless c changes it.
func (s *Service) applyOfferingChange(ctx context.Context, a account, before EmployeeService, c ServiceChange) error {
	if c.PackageID == nil && c.TermID == nil && c.AddOnIDs == nil {
		return nil
	}
	var pkg, term int64
	if before.Package != nil {
		pkg = before.Package.ID
	}
	if before.Term != nil {
		term = before.Term.ID
	}
	addOns := make([]int64, 0, len(before.AddOns))
	for _, x := range before.AddOns {
		addOns = append(addOns, x.ID)
	}
	if c.PackageID != nil {
		pkg = *c.PackageID
	}
	if c.TermID != nil {
		term = *c.TermID
	}
	if c.AddOnIDs != nil {
		addOns = *c.AddOnIDs
	}
	_, err := s.catalog.SetEmployeeOffering(ctx, a.CompanyID, a.ID, pkg, addOns, term)
	return err
}

// Resubscribe re-applies an active employee's service as a job
// (resubscribe_employees) for actor, who needs ManageService on the
// employee: the employee shows Pending until it completes.
func (s *Service) Resubscribe(ctx context.Context, actor access.Actor, employeeID int64) (job jobs.Job, err error) {
	defer derrors.Wrap(&err, "lifecycle: resubscribe employee %d", employeeID)
	a, err := s.employeeFor(ctx, actor, access.ManageService, employeeID)
	if err != nil {
		return job, err
	}
	companyID := a.CompanyID
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, companyID, employeeID)
		if err != nil {
			return err
		}
		if a.Status != directory.StatusActive {
			return derrors.Conflict("", "only an active employee can be resubscribed; %s is %s", a.Username, a.Status)
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE accounts SET status = 'pending', updated_at = ? WHERE id = ?", store.Now(), a.ID); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Event{Event: "Request Resubscribe", ObjectKind: "employee", ObjectID: a.ID, ObjectName: a.Username,
			CompanyID: companyID, SiteID: a.SiteID, Before: map[string]any{"status": a.Status}, After: map[string]any{"status": directory.StatusPending}}); err != nil {
			return err
		}
		job, err = s.jobs.Enqueue(ctx, jobs.Job{CompanyID: companyID, Kind: KindResubscribe, Name: "Resubscribe " + a.Username,
			Args: []byte(fmt.Sprintf(`{"employee_ids":[%d]}`, a.ID)), CreatedBy: actor.AccountID})
		return err
	})
	return job, err
}

// runResubscribe checks each employee still has the whole service (number,
// extension, package, device) and makes them active again.
func (s *Service) runResubscribe(ctx context.Context, j *jobs.Job, rep jobs.Reporter) error {
	var args struct {
		EmployeeIDs []int64 `json:"employee_ids"`
	}
	if err := j.DecodeArgs(&args); err != nil {
		return err
	}
	ctx = s.jobContext(ctx, j)
	if err := rep.SetTotal(ctx, len(args.EmployeeIDs)); err != nil {
		return err
	}
	failed := 0
	for _, id := range args.EmployeeIDs {
		key, reason, err := s.resubscribeOne(ctx, j.CompanyID, id)
		status, msg := jobs.ItemOK, "resubscribed: the current features are applied"
		switch {
		case errors.Is(err, errAlreadyDone):
			status, msg = jobs.ItemSkipped, "already active"
		case derrors.IsNotFound(err):
			failed++
			status, msg = jobs.ItemError, "the employee was deleted before the resubscribe ran"
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			status = jobs.ItemError
			var known bool
			if msg, known = userMessage(err); !known {
				// A fault is logged whole and shown as a sentence.
				s.logger.ErrorContext(ctx, "lifecycle: resubscribe failed", "employee", id, "err", err)
				msg = "the resubscribe failed unexpectedly; try again or contact your service provider"
			}
		case reason != "":
			failed++
			status, msg = jobs.ItemError, reason
		}
		if err := rep.Item(ctx, key, status, msg); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d resubscriptions failed", failed, len(args.EmployeeIDs))
	}
	return nil
}

// resubscribeOne makes employee id of companyID active again in its own
// transaction when their service is whole, or Error with the reason
// (returned); key is how the job's report names them.
func (s *Service) resubscribeOne(ctx context.Context, companyID, id int64) (key, reason string, err error) {
	key = fmt.Sprintf("employee %d", id)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, companyID, id)
		if err != nil {
			return err
		}
		key = a.Username
		if a.Status == directory.StatusActive {
			return errAlreadyDone
		}
		if a.Status != directory.StatusPending {
			return derrors.Conflict("", "the employee is %s, not waiting for a resubscribe", a.Status)
		}
		cur, err := s.Service(ctx, companyID, id)
		if err != nil {
			return err
		}
		switch {
		case cur.Number == nil:
			reason = "the employee has no number"
		case cur.Extension == "":
			reason = "the employee has no extension"
		case cur.Package == nil:
			reason = "the employee has no feature package"
		case cur.Device == nil:
			reason = "the employee has no device"
		}
		status := directory.StatusActive
		if reason != "" {
			status, reason = directory.StatusError, reason+": cease and activate the service again"
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE accounts SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?",
			status, reason, store.Now(), id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Resubscribe Employee", ObjectKind: "employee", ObjectID: id, ObjectName: a.Username,
			CompanyID: companyID, SiteID: a.SiteID, Before: map[string]any{"status": a.Status},
			After: map[string]any{"status": status, "status_reason": reason}})
	})
	return key, reason, err
}

// Cease deactivates an employee in one transaction, as the portal lists:
// licence and portal access revoked (status Inactive, sessions ended), the
// number returned to the site pool, the extension released, the feature
// package, term and add-ons cleared, and the device with its MAC removed
// from the employee and from the site. Names and details stay. actor needs
// CeaseEmployee on the employee, and config & reg (RequireConfigAndReg).
func (s *Service) Cease(ctx context.Context, actor access.Actor, employeeID int64) (out EmployeeService, err error) {
	defer derrors.Wrap(&err, "lifecycle: cease employee %d", employeeID)
	acct, err := s.employeeFor(ctx, actor, access.CeaseEmployee, employeeID)
	if err != nil {
		return out, err
	}
	companyID := acct.CompanyID
	if err := RequireConfigAndReg(ctx, s.db, actor, companyID); err != nil {
		return out, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, companyID, employeeID)
		if err != nil {
			return err
		}
		switch a.Status {
		case directory.StatusActive, directory.StatusError:
		case directory.StatusPending:
			return derrors.Conflict("", "%s is being activated or resubscribed: wait for the job to finish, then cease", a.Username)
		default:
			return derrors.Conflict("", "%s has no active service to cease", a.Username)
		}
		before, err := s.Service(ctx, companyID, employeeID)
		if err != nil {
			return err
		}
		if err := s.release(ctx, a); err != nil {
			return err
		}
		q := s.db.Q(ctx)
		now := store.Now()
		if _, err := q.Exec(ctx, `UPDATE accounts SET status = 'inactive', status_reason = '', ceased_at = ?, portal_access = ?, updated_at = ?
			WHERE id = ?`, now, false, now, a.ID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM sessions WHERE account_id = ?", a.ID); err != nil {
			return err
		}
		if out, err = s.Service(ctx, companyID, employeeID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Cease Employee", ObjectKind: "employee", ObjectID: a.ID, ObjectName: a.Username,
			CompanyID: companyID, SiteID: a.SiteID, Before: before, After: out})
	})
	return out, err
}

// release gives back everything an employee's service holds; it must run
// inside a transaction.
func (s *Service) release(ctx context.Context, a account) error {
	owner := a.owner()
	if _, err := s.numbering.ReleaseOwner(ctx, a.CompanyID, owner); err != nil {
		return err
	}
	exts, err := s.numbering.OwnerExtensions(ctx, a.CompanyID, owner)
	if err != nil {
		return err
	}
	for _, x := range exts {
		if err := s.numbering.ReleaseExtension(ctx, a.CompanyID, x.Extension); err != nil {
			return err
		}
	}
	if err := s.catalog.ClearEmployeeOffering(ctx, a.CompanyID, a.ID); err != nil {
		return err
	}
	if err := s.devices.RemoveSharedAppearancesOf(ctx, a.CompanyID, a.ID); err != nil {
		return err
	}
	if _, err := s.devices.RemoveForEmployee(ctx, a.CompanyID, a.ID); err != nil && !derrors.IsNotFound(err) {
		return err
	}
	return nil
}

// ReleaseForDelete is Delete's clean-up, run in the delete's transaction:
// an employee deleted with a service gives back the number (returned to the
// pool), the extension, the offering and the device, as a cease would.
func (s *Service) ReleaseForDelete(ctx context.Context, e directory.Employee) error {
	if !store.InTx(ctx) {
		return errors.New("lifecycle: ReleaseForDelete must run inside the delete's transaction")
	}
	a, err := s.load(ctx, e.CompanyID, e.ID)
	if err != nil {
		return err
	}
	return s.release(ctx, a)
}

// Numbers reports the employee's numbers (for tests and the Search Tool).
func (s *Service) Numbers(ctx context.Context, companyID, employeeID int64) ([]numbering.Number, error) {
	return s.numbering.OwnerNumbers(ctx, companyID, numbering.Owner{Kind: numbering.OwnerUser, ID: employeeID})
}

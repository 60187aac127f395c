package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sort"

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
// of the employee's site, or a new one.
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

// ChangeService applies a Service Settings save in one transaction. The
// caller has checked access and, when c.NeedsConfigAndReg(), the company's
// config & reg flag. A new number comes from the employee's site pool and
// the old one goes back to it as returned; the term can only be upgraded. A
// new primary device is validated as Activate validates one (checkDevice)
// and given with the same code (giveDevice); the old device stays on the
// site as a free device (docs/lifecycle.md). A soft client the employee
// keeps follows a number change (its MAC is the CLI followed by "A"), and
// only an IP Centrex user may keep or get one. Every broken rule of the
// names, user type, number and device is reported at once, before anything
// changes.
func (s *Service) ChangeService(ctx context.Context, companyID, employeeID int64, c ServiceChange) (out EmployeeService, err error) {
	defer derrors.Wrap(&err, "lifecycle: change service of employee %d", employeeID)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, companyID, employeeID)
		if err != nil {
			return err
		}
		before, err := s.Service(ctx, companyID, employeeID)
		if err != nil {
			return err
		}
		if c.Device != nil && c.Device.Mode == DeviceExisting && before.Device != nil && c.Device.DeviceID == before.Device.ID {
			c.Device = nil // the device the employee already has: no change
		}
		v := &derrors.ValidationError{}
		cliFirst, cliLast := a.CLIFirst, a.CLILast
		if c.CLIFirstName != nil {
			cliFirst = trimmed(*c.CLIFirstName)
		}
		if c.CLILastName != nil {
			cliLast = trimmed(*c.CLILastName)
		}
		if c.CLIFirstName != nil || c.CLILastName != nil {
			checkCLI(v, "", cliFirst, cliLast)
		}
		userType, language := UserType(a.UserType), a.Language
		if c.UserType != nil {
			if userType = *c.UserType; !userType.Valid() {
				v.Add("user_type", "the user type must be ip_centrex, business_trunking or additional_line")
			}
		}
		if c.Language != nil {
			if language = trimmed(*c.Language); !validLanguage(language) {
				v.Add("language", "%q is not a language the service offers", language)
			}
		}
		active := a.Status == directory.StatusActive
		if c.NeedsConfigAndReg() && !active {
			v.Add("", "the number, extension, user type, language, feature package, term, add-ons and device belong to an active service: activate the employee first")
		}
		// The number the employee will have: a soft client's MAC is built
		// from it, so a number and a device changed together agree.
		number := ""
		if before.Number != nil {
			number = before.Number.E164
		}
		if c.Number != nil && active {
			e164, msg, err := s.checkNumber(ctx, companyID, a.ProviderID, a.SiteID, a.SiteName, *c.Number, a.Region, a.ID)
			if err != nil {
				return err
			}
			if msg != "" {
				v.Add("number", "%s", msg)
			}
			number = e164
		}
		dev := PlanItem{Number: number}
		if c.Device != nil && active {
			sc := deviceScope{companyID: companyID, providerID: a.ProviderID, siteID: a.SiteID, region: a.Region, userType: userType}
			s.checkDevice(ctx, v, "", sc, *c.Device, &dev, map[int64]bool{}, map[string]bool{})
		}
		// A soft client the employee keeps (no new device in this save).
		keptSoft := false
		if c.Device == nil && active && before.Device != nil {
			t, err := s.devices.Type(ctx, a.ProviderID, before.Device.TypeID)
			if err != nil {
				return err
			}
			keptSoft = t.SoftClient
		}
		if keptSoft && c.UserType != nil && userType != UserType(a.UserType) {
			if !softClientAllowed(userType) {
				v.Add("user_type", "%s's device is the soft client %s, and %s: give them a desk phone or trunk device in the same save, or choose ip_centrex",
					a.Username, before.Device.MAC, centrexOnly(userType))
			}
		}
		// Its MAC is the CLI followed by "A": it follows the new number.
		softMAC := ""
		if keptSoft && number != "" && (before.Number == nil || number != before.Number.E164) {
			if want := devices.SoftClientMAC(number); want != before.Device.MAC {
				taken, err := s.devices.MACInUse(ctx, want, before.Device.ID)
				if err != nil {
					return err
				}
				if taken {
					v.Add("number", "the soft client's MAC would become %s with %s, and that MAC is already registered to another device: remove that device first, or give the employee another device in the same save",
						want, numbering.National(number, a.Region))
				}
				softMAC = want
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if c.FirstName != nil || c.LastName != nil {
			if _, err := s.directory.UpdateEmployee(ctx, a.ID, directory.EmployeeUpdateRequest{FirstName: c.FirstName, LastName: c.LastName}); err != nil {
				return err
			}
		}
		owner := a.owner()
		if c.Number != nil && (before.Number == nil || number != before.Number.E164) {
			if _, err := s.numbering.Assign(ctx, companyID, number, owner); err != nil {
				return err
			}
			if before.Number != nil {
				if _, err := s.numbering.Release(ctx, companyID, before.Number.E164); err != nil {
					return err
				}
			}
		}
		if softMAC != "" {
			if _, err := s.devices.ChangeMAC(ctx, a.ProviderID, companyID, before.Device.ID, softMAC); err != nil {
				return err
			}
		}
		if c.Extension != nil && trimmed(*c.Extension) != before.Extension {
			if _, err := s.numbering.ReserveExtension(ctx, companyID, a.SiteID, trimmed(*c.Extension), owner); err != nil {
				return err
			}
			if before.Extension != "" {
				if err := s.numbering.ReleaseExtension(ctx, companyID, before.Extension); err != nil {
					return err
				}
			}
		}
		if c.PackageID != nil || c.TermID != nil || c.AddOnIDs != nil {
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
			if _, err := s.catalog.SetEmployeeOffering(ctx, companyID, a.ID, pkg, addOns, term); err != nil {
				return err
			}
		}
		if c.Device != nil {
			if before.Device != nil {
				if _, err := s.devices.UnassignForEmployee(ctx, companyID, a.ID); err != nil {
					return err
				}
			}
			if err := s.giveDevice(ctx, a, a.SiteID, dev); err != nil {
				return err
			}
		}
		if _, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET cli_first_name = ?, cli_last_name = ?, user_type = ?, language = ?, updated_at = ?
			WHERE id = ?`, cliFirst, cliLast, string(userType), language, store.Now(), a.ID); err != nil {
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

// Resubscribe re-applies an active employee's service as a job
// (resubscribe_employees): the employee shows Pending until it completes.
func (s *Service) Resubscribe(ctx context.Context, companyID, employeeID int64) (job jobs.Job, err error) {
	defer derrors.Wrap(&err, "lifecycle: resubscribe employee %d", employeeID)
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
			Args: []byte(fmt.Sprintf(`{"employee_ids":[%d]}`, a.ID))})
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
		key := fmt.Sprintf("employee %d", id)
		var reason string
		err := s.db.Tx(ctx, func(ctx context.Context) error {
			a, err := s.load(ctx, j.CompanyID, id)
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
			cur, err := s.Service(ctx, j.CompanyID, id)
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
				CompanyID: j.CompanyID, SiteID: a.SiteID, Before: map[string]any{"status": a.Status},
				After: map[string]any{"status": status, "status_reason": reason}})
		})
		status, msg := jobs.ItemOK, "resubscribed: the current features are applied"
		switch {
		case errors.Is(err, errAlreadyDone):
			status, msg = jobs.ItemSkipped, "already active"
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			status, msg = jobs.ItemError, err.Error()
			if m, ok := userMessage(err); ok {
				msg = m
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

// Cease deactivates an employee in one transaction, as the seed lists:
// licence and portal access revoked (status Inactive, sessions ended), the
// number returned to the site pool, the extension released, the feature
// package, term and add-ons cleared, and the device with its MAC removed
// from the employee and from the site. Names and details stay. The caller
// has checked access and config & reg.
func (s *Service) Cease(ctx context.Context, companyID, employeeID int64) (out EmployeeService, err error) {
	defer derrors.Wrap(&err, "lifecycle: cease employee %d", employeeID)
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

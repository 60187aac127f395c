package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Activation is what Activate answers: the job that runs it and the plan
// it runs (the employees now Pending).
type Activation struct {
	Job  jobs.Job
	Plan Plan
}

// Activate is the Activate action for actor: Prepare's checks, then every
// employee of the plan in Pending and one activate_employees job for them,
// all in one transaction, so the job exists exactly when the employees show
// Pending. An employee whose status changed since the checks is a conflict
// and nothing is enqueued. The site's employee limit is checked again under
// the site's lock (Prepare counted outside any transaction, so two
// activations could both have seen the last place).
func (s *Service) Activate(ctx context.Context, actor access.Actor, companyID int64, req ActivateRequest) (out Activation, err error) {
	defer derrors.Wrap(&err, "lifecycle: activate")
	plan, err := s.Prepare(ctx, actor, companyID, req)
	if err != nil {
		return out, err
	}
	job, err := s.enqueueActivation(ctx, actor, plan)
	if err != nil {
		return out, err
	}
	return Activation{Job: job, Plan: plan}, nil
}

// enqueueActivation is Activate's transaction: a constant number of
// statements for the batch (one update of all the employees, one insert of
// all the audit entries, the job).
func (s *Service) enqueueActivation(ctx context.Context, actor access.Actor, plan Plan) (job jobs.Job, err error) {
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
		if err := s.markPending(ctx, plan); err != nil {
			return err
		}
		events := make([]audit.Event, len(plan.Items))
		for i, it := range plan.Items {
			events[i] = audit.Event{Event: "Request Activation", ObjectKind: "employee", ObjectID: it.EmployeeID,
				ObjectName: it.Username, CompanyID: plan.CompanyID, SiteID: plan.SiteID,
				After: map[string]any{"status": directory.StatusPending, "site": plan.SiteName, "number": it.Number, "extension": it.Extension}}
		}
		if err := s.audit.RecordAll(ctx, events); err != nil {
			return err
		}
		name := "Activate " + plan.Items[0].Username
		if len(plan.Items) > 1 {
			name = fmt.Sprintf("Activate %d employees at %s", len(plan.Items), plan.SiteName)
		}
		job, err = s.jobs.Enqueue(ctx, jobs.Job{CompanyID: plan.CompanyID, Kind: KindActivate, Name: name, Args: args, MaxAttempts: 3,
			CreatedBy: actor.AccountID})
		return err
	})
	return job, err
}

// markPending puts the plan's employees in Pending at the plan's site with
// one statement; if any of them is no longer inactive or in error, it names
// the first such one in a conflict.
func (s *Service) markPending(ctx context.Context, plan Plan) error {
	ids := make([]any, 0, len(plan.Items)+3)
	ids = append(ids, plan.SiteID, store.Now(), plan.CompanyID)
	for _, it := range plan.Items {
		ids = append(ids, it.EmployeeID)
	}
	res, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET status = 'pending', status_reason = '', site_id = ?, updated_at = ?
		WHERE company_id = ? AND status IN ('inactive', 'error') AND id IN (`+store.Placeholders(len(plan.Items))+`)`, ids...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if int(n) == len(plan.Items) {
		return nil
	}
	ids = ids[3:]
	accts, err := s.loadMany(ctx, plan.CompanyID, anyIDs(ids))
	if err != nil {
		return err
	}
	for _, it := range plan.Items {
		if a, ok := accts[it.EmployeeID]; !ok || a.Status != directory.StatusPending {
			return derrors.Conflict("employee_id", "%s is no longer waiting for activation: reload and try again", it.Username)
		}
	}
	return derrors.Conflict("employee_id", "an employee is no longer waiting for activation: reload and try again")
}

func anyIDs(xs []any) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = x.(int64)
	}
	return out
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
	out, err := s.activateBatch(ctx, plan)
	switch {
	case err == nil:
		for _, it := range plan.Items {
			o := out[it.EmployeeID]
			if o.status == jobs.ItemError {
				failed++
			}
			if err := rep.Item(ctx, it.Username, o.status, o.message); err != nil {
				return err
			}
		}
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		// Nothing of the batch was written: each employee on its own
		// reports what stops it, and the others go through.
		s.logger.InfoContext(ctx, "lifecycle: activation batch refused; activating one by one", "job", j.ID, "err", err)
		for _, it := range plan.Items {
			ok, err := s.runItem(ctx, plan, it, rep)
			if err != nil {
				return err
			}
			if !ok {
				failed++
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d activations failed; see each employee's result", failed, len(plan.Items))
	}
	return nil
}

// runItem activates one employee of plan in its own transaction and
// reports the result; ok is false when the employee ended in Error. The
// error returned stops the job (a cancelled context, a failed report).
func (s *Service) runItem(ctx context.Context, plan Plan, it PlanItem, rep jobs.Reporter) (ok bool, err error) {
	full := ""
	var done PlanItem
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		done, err = s.applyActivation(ctx, plan, it)
		var sf siteFull
		if !errors.As(err, &sf) {
			return err
		}
		// Refused with the site locked and nothing written yet: mark the
		// error in this transaction, so the next activation at the site
		// (another worker's, waiting for the lock) no longer counts this
		// employee as pending.
		full, _ = userMessage(err)
		return s.markError(ctx, plan, it, full)
	})
	switch {
	case err == nil && full != "":
		return false, rep.Item(ctx, it.Username, jobs.ItemError, full)
	case err == nil:
		msg := fmt.Sprintf("activated at %s with %s, extension %s", plan.SiteName, done.Number, done.Extension)
		return true, rep.Item(ctx, it.Username, jobs.ItemOK, msg)
	case errors.Is(err, errAlreadyDone):
		return true, rep.Item(ctx, it.Username, jobs.ItemSkipped, "already active")
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	reason, known := userMessage(err)
	if !known {
		s.logger.ErrorContext(ctx, "lifecycle: activation failed", "employee", it.EmployeeID, "err", err)
		reason = "the activation failed unexpectedly; try again or contact your service provider"
	}
	if err := s.markError(ctx, plan, it, reason); err != nil {
		return false, err
	}
	return false, rep.Item(ctx, it.Username, jobs.ItemError, reason)
}

// siteFull is applyActivation's refusal when the site has no place left;
// nothing has been written when it is returned.
type siteFull struct{ error }

func (e siteFull) Unwrap() error { return e.error }

// applyActivation applies one employee's activation inside a transaction
// and returns the item as applied (the number and extension taken at run
// time for defaults).
func (s *Service) applyActivation(ctx context.Context, plan Plan, it PlanItem) (PlanItem, error) {
	a, err := s.load(ctx, plan.CompanyID, it.EmployeeID)
	if derrors.IsNotFound(err) {
		return it, derrors.Invalid("employee_id", "the employee was deleted before the activation ran")
	}
	if err != nil {
		return it, err
	}
	switch a.Status {
	case directory.StatusActive:
		return it, errAlreadyDone
	case directory.StatusPending:
	default:
		return it, derrors.Conflict("employee_id", "the employee is no longer waiting for activation (status %s)", a.Status)
	}
	if err := s.lockForActivation(ctx, plan, a); err != nil {
		return it, err
	}
	if it, err = s.resolveAtRunTime(ctx, plan, a, it); err != nil {
		return it, err
	}
	return it, s.writeActivation(ctx, plan, a, it)
}

// lockForActivation takes the site's lock and checks its limit. The
// employee holds a place (pending) since Activate; the others that hold
// one are counted under the lock, so two workers cannot both take the last
// place when the limit was lowered meanwhile. The lock also serialises the
// run-time choice of default numbers and extensions at the site.
func (s *Service) lockForActivation(ctx context.Context, plan Plan, a account) error {
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
	return nil
}

// resolveAtRunTime takes the item's default number and extension under
// the site's lock: the proposed ones while they are still free, otherwise
// the site's next free number and the policy's extension for it. Numbers
// and extensions the administrator chose are kept as they are (taking a
// chosen number that somebody got meanwhile fails, as it should). A new
// soft client's MAC follows the number.
func (s *Service) resolveAtRunTime(ctx context.Context, plan Plan, a account, it PlanItem) (PlanItem, error) {
	if !it.AutoNumber && !it.AutoExtension {
		return it, nil
	}
	proposed := it.Number
	if it.AutoNumber {
		known, err := s.numbering.NumbersOf(ctx, plan.CompanyID, []string{it.Number})
		if err != nil {
			return it, err
		}
		if n, ok := known[it.Number]; !ok || !n.Free() || n.SiteID != plan.SiteID {
			free, err := s.numbering.FreeNumbers(ctx, plan.CompanyID, plan.SiteID, 1)
			if err != nil {
				return it, err
			}
			if len(free) == 0 {
				return it, derrors.Conflict("number", "site %q has no free number left: ask your service provider for another DN range", plan.SiteName)
			}
			it.Number = free[0].E164
		}
	}
	if it.Number != proposed {
		if it.DeviceID != 0 && it.SoftClient {
			return it, derrors.Conflict("number", "the proposed number %s was taken meanwhile and the chosen soft client is that number's: activate again", proposed)
		}
		if it.SoftClient {
			it.MAC = devices.SoftClientMAC(it.Number)
		}
	}
	if it.AutoExtension {
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: a.ID}
		d := digits(it.Number)
		candidates := []string{it.Extension}
		for n := numbering.MinExtensionLength; n <= numbering.MaxExtensionLength && n <= len(d); n++ {
			candidates = append(candidates, d[len(d)-n:])
		}
		rules, err := s.numbering.SiteExtensionRules(ctx, plan.CompanyID, plan.SiteID, candidates)
		if err != nil {
			return it, err
		}
		keep := it.Number == proposed && rules.Check(it.Extension, owner) == nil
		if !keep {
			x, err := rules.Default(it.Number, nil)
			if err != nil {
				return it, err
			}
			it.Extension = x
		}
	}
	return it, nil
}

// writeActivation gives the employee the number, extension, offering and
// device, and makes them Active.
func (s *Service) writeActivation(ctx context.Context, plan Plan, a account, it PlanItem) error {
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
	deviceID, err := s.giveDevice(ctx, a, plan.SiteID, it)
	if err != nil {
		return err
	}
	// The phone's SIP line, so it can register (docs/sip.md).
	if _, err := s.devices.SyncPrimaryLine(ctx, plan.CompanyID, a.ID); err != nil {
		return err
	}
	now := store.Now()
	if _, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET status = 'active', status_reason = '', site_id = ?, user_type = ?, language = ?,
		cli_first_name = ?, cli_last_name = ?, activated_at = ?, ceased_at = 0, portal_access = ?, updated_at = ? WHERE id = ?`,
		plan.SiteID, string(plan.UserType), plan.Language, it.CLIFirst, it.CLILast, now, true, now, a.ID); err != nil {
		return err
	}
	return s.audit.Record(ctx, audit.Event{Event: "Activate Employee", ObjectKind: "employee", ObjectID: a.ID, ObjectName: a.Username,
		CompanyID: plan.CompanyID, SiteID: plan.SiteID, Before: map[string]any{"status": a.Status}, After: activatedEntry(plan, it, deviceID)})
}

// giveDevice makes the device checkDevice resolved into it the employee's
// primary device: the chosen existing device of siteID, or a new one
// created there first (labelled with the username). Activate and a device
// change in Service Settings both use it, inside their transaction.
func (s *Service) giveDevice(ctx context.Context, a account, siteID int64, it PlanItem) (int64, error) {
	deviceID := it.DeviceID
	if deviceID == 0 {
		d, err := s.devices.Create(ctx, a.ProviderID, a.CompanyID, devices.DeviceCreateRequest{SiteID: siteID, TypeID: it.TypeID,
			MAC: it.MAC, Label: a.Username})
		if err != nil {
			return 0, err
		}
		deviceID = d.ID
	}
	return deviceID, s.devices.AssignPrimary(ctx, a.CompanyID, siteID, deviceID, a.ID)
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

package lifecycle

import (
	"context"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The activation job applies its whole batch in one transaction under the
// site's lock: it reads what every employee needs at once, decides each
// employee in Go (an employee that cannot be activated is marked Error
// with the reason, the others go on), and writes the numbers, extensions,
// offerings, devices and accounts with multi-row statements: a constant
// number of statements per batch, plus the Error marks of the refused
// (docs/lifecycle.md, "Cost of an activation"). Should the writes still
// fail on a user error (a race the checks could not see), the batch is
// rolled back and each employee is run on its own, in its own transaction,
// as before.

// outcome is what the job reports for one employee.
type outcome struct {
	status, message string
}

// activateBatch runs plan's activations in one transaction and returns
// each employee's outcome, by employee id.
func (s *Service) activateBatch(ctx context.Context, plan Plan) (map[int64]outcome, error) {
	var out map[int64]outcome
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		out = map[int64]outcome{}
		r, err := s.readRun(ctx, plan)
		if err != nil {
			return err
		}
		s.decideRun(r, out)
		for _, it := range r.refused {
			if err := s.markError(ctx, plan, it, out[it.EmployeeID].message); err != nil {
				return err
			}
		}
		if err := s.writeRun(ctx, r); err != nil {
			return err
		}
		for _, it := range r.ok {
			out[it.EmployeeID] = outcome{jobs.ItemOK, fmt.Sprintf("activated at %s with %s, extension %s", plan.SiteName, it.Number, it.Extension)}
		}
		return nil
	})
	return out, err
}

// runBatch is what the job read for its batch and what it decided.
type runBatch struct {
	plan    Plan
	site    SiteLimit
	accts   map[int64]account
	numbers map[string]numbering.Number
	free    []numbering.Number
	rules   *numbering.ExtensionRules
	devs    deviceLookup
	// ok are the items to write (with the numbers, extensions and MACs
	// taken at run time), refused those marked Error.
	ok, refused []PlanItem
}

// readRun takes the site's lock and reads the batch's employees, numbers,
// extensions and devices.
func (s *Service) readRun(ctx context.Context, plan Plan) (*runBatch, error) {
	r := &runBatch{plan: plan}
	l, err := s.lockSite(ctx, plan.CompanyID, plan.SiteID, 0)
	if derrors.IsNotFound(err) {
		return nil, derrors.Invalid("site_id", "the site was removed before the activation ran")
	}
	if err != nil {
		return nil, err
	}
	r.site = l
	ids := make([]int64, len(plan.Items))
	var e164s, exts []string
	var choices []DeviceChoice
	var numbers []string
	for i, it := range plan.Items {
		ids[i] = it.EmployeeID
		e164s = append(e164s, it.Number)
		exts = append(exts, it.Extension)
		exts = append(exts, lastDigits(it.Number)...)
		if it.DeviceID != 0 {
			choices = append(choices, DeviceChoice{Mode: DeviceExisting, DeviceID: it.DeviceID})
		} else {
			choices = append(choices, DeviceChoice{Mode: DeviceNew, TypeID: it.TypeID, MAC: it.MAC})
		}
		numbers = append(numbers, it.Number)
	}
	if r.accts, err = s.loadMany(ctx, plan.CompanyID, ids); err != nil {
		return nil, err
	}
	if r.numbers, err = s.numbering.NumbersOf(ctx, plan.CompanyID, e164s); err != nil {
		return nil, err
	}
	// Enough free numbers for every default to fall back on, past the
	// proposed ones.
	if r.free, err = s.numbering.FreeNumbers(ctx, plan.CompanyID, plan.SiteID, 2*len(plan.Items)); err != nil {
		return nil, err
	}
	for _, f := range r.free {
		exts = append(exts, lastDigits(f.E164)...)
	}
	if r.rules, err = s.numbering.SiteExtensionRules(ctx, plan.CompanyID, plan.SiteID, exts); err != nil {
		return nil, err
	}
	var providerID int64
	for _, a := range r.accts {
		providerID = a.ProviderID
	}
	if r.devs, err = s.lookupDevices(ctx, plan.CompanyID, providerID, choices, numbers); err != nil {
		return nil, err
	}
	// A soft client's MAC follows a number taken at run time: know which
	// of those MACs are registered already.
	var macs []string
	for _, f := range r.free {
		macs = append(macs, devices.SoftClientMAC(f.E164))
	}
	more, err := s.devices.MACsInUse(ctx, macs)
	if err != nil {
		return nil, err
	}
	for m := range more {
		r.devs.macs[m] = true
	}
	return r, nil
}

// lastDigits are the extensions a last-digits policy may derive from
// number.
func lastDigits(number string) []string {
	d := digits(number)
	var out []string
	for n := numbering.MinExtensionLength; n <= numbering.MaxExtensionLength && n <= len(d); n++ {
		out = append(out, d[len(d)-n:])
	}
	return out
}

// decideRun decides each employee of the batch, recording the refused
// ones' outcomes in out.
func (s *Service) decideRun(r *runBatch, out map[int64]outcome) {
	plan := r.plan
	// The batch's pending employees at the site hold places already: the
	// others are those the limit leaves to them.
	mine := 0
	for _, a := range r.accts {
		if a.Status == directory.StatusPending && a.SiteID == plan.SiteID {
			mine++
		}
	}
	others := r.site.Employees - mine
	takenNumbers, takenExts, takenDevices, takenMACs := map[string]bool{}, map[string]bool{}, map[int64]bool{}, map[string]bool{}
	// The proposed numbers still free are kept for their items: a default
	// that must move takes another one.
	for _, it := range plan.Items {
		if n, ok := r.numbers[it.Number]; ok && n.Free() {
			takenNumbers[it.Number] = true
		}
	}
	refuse := func(it PlanItem, status, msg string) {
		out[it.EmployeeID] = outcome{status, msg}
		if status == jobs.ItemError {
			r.refused = append(r.refused, it)
		}
	}
	for _, it := range plan.Items {
		a, ok := r.accts[it.EmployeeID]
		switch {
		case !ok:
			out[it.EmployeeID] = outcome{jobs.ItemError, "the employee was deleted before the activation ran"}
			continue
		case a.Status == directory.StatusActive:
			refuse(it, jobs.ItemSkipped, "already active")
			continue
		case a.Status != directory.StatusPending:
			out[it.EmployeeID] = outcome{jobs.ItemError, fmt.Sprintf("the employee is no longer waiting for activation (status %s)", a.Status)}
			continue
		}
		if l := r.site; l.EmployeeLimit > 0 && others+len(r.ok) >= l.EmployeeLimit {
			l.Employees = others + len(r.ok)
			msg, _ := userMessage(limitError(l, 1))
			refuse(it, jobs.ItemError, msg)
			continue
		}
		done, msg := r.resolve(a, it, takenNumbers, takenExts, takenDevices, takenMACs)
		if msg != "" {
			refuse(it, jobs.ItemError, msg)
			continue
		}
		r.ok = append(r.ok, done)
	}
}

// resolve takes one employee's number, extension and device at run time,
// or says why it cannot.
func (r *runBatch) resolve(a account, it PlanItem, takenNumbers, takenExts map[string]bool, takenDevices map[int64]bool, takenMACs map[string]bool) (PlanItem, string) {
	plan := r.plan
	proposed := it.Number
	n, known := r.numbers[it.Number]
	if !known || !n.Free() || n.SiteID != plan.SiteID {
		if !it.AutoNumber {
			return it, numberProblem(n, known, it.Number, plan.SiteID, plan.SiteName, a.Region, 0)
		}
		it.Number = ""
		for _, f := range r.free {
			if !takenNumbers[f.E164] {
				it.Number = f.E164
				break
			}
		}
		if it.Number == "" {
			return it, fmt.Sprintf("site %q has no free number left: ask your service provider for another DN range", plan.SiteName)
		}
	}
	takenNumbers[it.Number] = true
	owner := numbering.Owner{Kind: numbering.OwnerUser, ID: a.ID}
	switch {
	case it.AutoExtension && (it.Number != proposed || r.rules.Check(it.Extension, owner) != nil || takenExts[it.Extension]):
		x, err := r.rules.Default(it.Number, takenExts)
		if err != nil {
			msg, _ := userMessage(err)
			return it, msg
		}
		it.Extension = x
	default:
		if err := r.rules.Check(it.Extension, owner); err != nil {
			msg, _ := userMessage(err)
			return it, msg
		}
		if takenExts[it.Extension] {
			return it, fmt.Sprintf("extension %s is chosen for more than one employee", it.Extension)
		}
	}
	takenExts[it.Extension] = true
	if it.DeviceID != 0 {
		d, ok := r.devs.devices[it.DeviceID]
		switch {
		case !ok:
			return it, "the chosen device was removed before the activation ran"
		case d.SiteID != plan.SiteID:
			return it, fmt.Sprintf("device %s belongs to another site; choose a device of the employee's site", d.MAC)
		case (d.AccountID != nil && *d.AccountID != a.ID) || takenDevices[d.ID]:
			return it, fmt.Sprintf("device %s is already used by another employee", d.MAC)
		case r.devs.types[d.TypeID].SoftClient && d.MAC != devices.SoftClientMAC(it.Number):
			return it, fmt.Sprintf("the proposed number %s was taken meanwhile and the chosen soft client is that number's: activate again", proposed)
		}
		takenDevices[d.ID] = true
		return it, ""
	}
	if it.SoftClient {
		it.MAC = devices.SoftClientMAC(it.Number)
	}
	if r.devs.macs[it.MAC] || takenMACs[it.MAC] {
		return it, fmt.Sprintf("the MAC %s is already registered to a device; choose it as an existing device or remove it first", it.MAC)
	}
	takenMACs[it.MAC] = true
	return it, ""
}

// writeRun writes the decided activations with multi-row statements.
func (s *Service) writeRun(ctx context.Context, r *runBatch) error {
	if len(r.ok) == 0 {
		return nil
	}
	plan := r.plan
	ids := make([]int64, len(r.ok))
	var assigns []numbering.Assignment
	var exts []numbering.ExtensionReservation
	var news []devices.DeviceCreateRequest
	var newFor []int64
	give := map[int64]int64{}
	for i, it := range r.ok {
		a := r.accts[it.EmployeeID]
		ids[i] = a.ID
		assigns = append(assigns, numbering.Assignment{Number: it.Number, OwnerID: a.ID})
		exts = append(exts, numbering.ExtensionReservation{Extension: it.Extension, OwnerID: a.ID})
		if it.DeviceID != 0 {
			give[it.DeviceID] = a.ID
		} else {
			news = append(news, devices.DeviceCreateRequest{SiteID: plan.SiteID, TypeID: it.TypeID, MAC: it.MAC, Label: a.Username})
			newFor = append(newFor, a.ID)
		}
	}
	if err := s.numbering.AssignMany(ctx, plan.CompanyID, assigns); err != nil {
		return err
	}
	if err := s.numbering.ReserveExtensions(ctx, plan.CompanyID, plan.SiteID, exts); err != nil {
		return err
	}
	if err := s.catalog.SetEmployeeOfferings(ctx, plan.CompanyID, ids, plan.PackageID, plan.AddOnIDs, plan.TermID); err != nil {
		return err
	}
	var providerID int64
	for _, a := range r.accts {
		providerID = a.ProviderID
	}
	created, err := s.devices.CreateMany(ctx, providerID, plan.CompanyID, news)
	if err != nil {
		return err
	}
	deviceOf := map[int64]int64{}
	for i, d := range created {
		give[d.ID] = newFor[i]
	}
	for d, a := range give {
		deviceOf[a] = d
	}
	if err := s.devices.AssignPrimaryMany(ctx, plan.CompanyID, plan.SiteID, give); err != nil {
		return err
	}
	// The phones' SIP lines, so they can register (docs/sip.md).
	numbers := make(map[int64]string, len(r.ok))
	for _, it := range r.ok {
		numbers[r.accts[it.EmployeeID].ID] = it.Number
	}
	if err := s.devices.ProvisionPrimaryLines(ctx, plan.CompanyID, give, numbers); err != nil {
		return err
	}
	if err := s.activateAccounts(ctx, plan, r.ok); err != nil {
		return err
	}
	events := make([]audit.Event, len(r.ok))
	for i, it := range r.ok {
		a := r.accts[it.EmployeeID]
		events[i] = audit.Event{Event: "Activate Employee", ObjectKind: "employee", ObjectID: a.ID, ObjectName: a.Username,
			CompanyID: plan.CompanyID, SiteID: plan.SiteID, Before: map[string]any{"status": a.Status},
			After: activatedEntry(plan, it, deviceOf[a.ID])}
	}
	return s.audit.RecordAll(ctx, events)
}

// activatedEntry is what an "Activate Employee" entry records: what was
// applied, from the plan (reading the whole service back would cost a
// handful of statements per employee).
func activatedEntry(plan Plan, it PlanItem, deviceID int64) map[string]any {
	return map[string]any{"status": directory.StatusActive, "site": plan.SiteName, "user_type": plan.UserType, "language": plan.Language,
		"cli_first_name": it.CLIFirst, "cli_last_name": it.CLILast, "number": it.Number, "extension": it.Extension,
		"package_id": plan.PackageID, "term_id": plan.TermID, "add_on_ids": plan.AddOnIDs, "device_id": deviceID}
}

// activateAccounts makes the items' employees Active with their caller-ID
// names, in one statement.
func (s *Service) activateAccounts(ctx context.Context, plan Plan, items []PlanItem) error {
	now := store.Now()
	var first, last string
	var firstArgs, lastArgs, inArgs []any
	for _, it := range items {
		first += " WHEN ? THEN CAST(? AS TEXT)"
		last += " WHEN ? THEN CAST(? AS TEXT)"
		firstArgs = append(firstArgs, it.EmployeeID, it.CLIFirst)
		lastArgs = append(lastArgs, it.EmployeeID, it.CLILast)
		inArgs = append(inArgs, it.EmployeeID)
	}
	args := []any{plan.SiteID, string(plan.UserType), plan.Language}
	args = append(append(args, firstArgs...), lastArgs...)
	args = append(args, now, true, now, plan.CompanyID)
	args = append(args, inArgs...)
	res, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET status = 'active', status_reason = '', site_id = ?, user_type = ?, language = ?,
		cli_first_name = CASE id`+first+` END, cli_last_name = CASE id`+last+` END, activated_at = ?, ceased_at = 0, portal_access = ?,
		updated_at = ? WHERE company_id = ? AND status = 'pending' AND id IN (`+store.Placeholders(len(items))+`)`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if int(n) != len(items) {
		return derrors.Conflict("employee_id", "an employee is no longer waiting for activation")
	}
	return nil
}

package features

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// checker validates one feature's settings for an owner: it collects field
// errors in v, and keeps the first database fault in err (a fault is never
// shown as a field error).
type checker struct {
	ctx context.Context
	s   *Service
	// actor is who saves: a recording they newly choose must be one they
	// may read (audio).
	actor access.Actor
	w     owner
	// owner is w.Owner, for the settings' own rules.
	owner Owner
	v     *derrors.ValidationError
	err   error
	// doc is the owner's document with the settings being saved in place,
	// so a reference to a schedule saved in the same document is checked
	// against the new value.
	doc   document
	dests *numbering.Destinations // reads destinations, loaded lazily
	own   map[string]bool         // the owner's own numbers and extensions
	site  *document               // the site's document (employees), loaded lazily
	saved map[int64]bool          // the recordings the saved settings of the feature use
}

func (c *checker) fault(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *checker) intRange(field string, v, min, max int, unit string) {
	if v < min || v > max {
		if unit != "" {
			unit = " " + unit
		}
		c.v.Add(field, "must be from %d to %d%s", min, max, unit)
	}
}

// name trims a schedule's or call group's name and checks it is 1 to 40
// characters and not used twice (seen, case-insensitive).
func (c *checker) name(field, s string, seen map[string]bool) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		c.v.Add(field, "enter a name")
	case utf8.RuneCountInString(s) > 40:
		c.v.Add(field, "the name must be at most 40 characters")
	case seen[strings.ToLower(s)]:
		c.v.Add(field, "%q is used twice: names must differ", s)
	}
	seen[strings.ToLower(s)] = true
	return s
}

// destination reads where a call is sent by the number rule
// (numbering.Read, docs/contacts.md "The number rule"): a number with an
// E.164 form is kept in E.164; anything else must be an extension held in
// the company (3 to 6 digits, not a code the public network reserves).
// Feature codes (*…, #…) are dialled from a phone and are no destination.
// The owner's own number or extension would loop. "" stays "".
func (c *checker) destination(field, in string) string {
	if strings.TrimSpace(in) == "" {
		return ""
	}
	if c.dests == nil {
		c.dests = c.s.numbering.Destinations(c.w.companyID, c.w.providerID, c.w.region)
	}
	v, holder, refusal, err := c.dests.Read(c.ctx, in)
	switch {
	case err != nil:
		c.fault(err)
	case refusal != nil && refusal.Kind == numbering.RefusalFeatureCode:
		c.v.Add(field, "%s is a feature code, dialled from a phone: enter a telephone number or an extension", v)
	case refusal != nil && refusal.Kind == numbering.RefusalEmergency:
		c.v.Add(field, "%s is an emergency number: calls are never sent there automatically", v)
	case refusal != nil:
		c.v.Add(field, "%s", refusal.Reason)
	case strings.HasPrefix(v, "+"):
		if c.ownNumber(v) {
			c.v.Add(field, "%s is this %s's own number: calls would come straight back", strings.TrimSpace(in), c.owner.Kind)
		}
	case c.owner.Kind == OwnerEmployee && holder.Owner.Kind == numbering.OwnerUser && holder.Owner.ID == c.owner.ID:
		c.v.Add(field, "%s is this employee's own extension: calls would come straight back", v)
	}
	return v
}

// ownNumber reports whether e164 is one of the employee's own numbers.
func (c *checker) ownNumber(e164 string) bool {
	if c.owner.Kind != OwnerEmployee {
		return false
	}
	if c.own == nil {
		c.own = map[string]bool{}
		ns, err := c.s.numbering.OwnerNumbers(c.ctx, c.w.companyID, numbering.Owner{Kind: numbering.OwnerUser, ID: c.owner.ID})
		if err != nil {
			c.fault(err)
		}
		for _, n := range ns {
			c.own[n.E164] = true
		}
	}
	return c.own[e164]
}

// employee checks id is an employee of the owner's company (another
// company's employee is answered like a missing one).
func (c *checker) employee(field string, id int64) {
	var n int
	if err := c.s.db.Q(c.ctx).QueryRow(c.ctx, "SELECT COUNT(*) FROM accounts WHERE id = ? AND company_id = ?", id, c.w.companyID).Scan(&n); err != nil {
		c.fault(err)
		return
	}
	if n == 0 {
		c.v.Add(field, "employee %d does not exist", id)
	}
}

// audio checks a reference to a stored audio item.
func (c *checker) audio(field string, ref *AudioRef) {
	if ref == nil {
		return
	}
	if c.s.Audio == nil {
		c.v.Add(field, "this node has no audio library yet: leave it empty (null) to play the system's own audio")
		return
	}
	ok, err := c.s.Audio.AudioExists(c.ctx, c.w.companyID, ref.AudioID)
	if err == nil && ok && !c.saved[ref.AudioID] {
		// A recording newly chosen must be one the actor may read: the
		// owner's features then play it to whoever configures them
		// (audio.Library.ItemFor). One the owner already uses stays, so an
		// employee may save a form holding an administrator's choice.
		ok, err = c.s.Audio.Readable(c.ctx, c.actor, ref.AudioID)
	}
	if err != nil {
		c.fault(err)
	} else if !ok {
		c.v.Add(field, "recording %d does not exist in this company: upload it under Recordings first, or leave it empty (null) to play the system's own audio", ref.AudioID)
	}
}

// siteDocument is the document whose schedules the owner may refer to: its
// own for a site, its site's for an employee (nil when it has no site).
func (c *checker) siteDocument() *document {
	if c.owner.Kind == OwnerSite {
		return &c.doc
	}
	if c.site == nil && c.w.siteID != 0 {
		site, err := c.s.load(c.ctx, Site(c.w.siteID))
		if err != nil {
			c.fault(err)
			return nil
		}
		d, err := c.s.document(c.ctx, site)
		if err != nil {
			c.fault(err)
			return nil
		}
		c.site = &d
	}
	return c.site
}

func (c *checker) scheduleNames(code string) (map[string]string, bool) {
	d := c.siteDocument()
	if d == nil {
		return nil, false
	}
	out := map[string]string{}
	raw := d.Settings[code]
	switch code {
	case CodeTimeSchedules:
		var ts TimeSchedules
		if raw != nil {
			if err := json.Unmarshal(raw, &ts); err != nil {
				c.fault(err)
			}
		}
		for _, s := range ts.Schedules {
			out[strings.ToLower(s.Name)] = s.Name
		}
	case CodeHolidaySchedules:
		var hs HolidaySchedules
		if raw != nil {
			if err := json.Unmarshal(raw, &hs); err != nil {
				c.fault(err)
			}
		}
		for _, s := range hs.Schedules {
			out[strings.ToLower(s.Name)] = s.Name
		}
	}
	return out, true
}

func (c *checker) schedule(field, name, code, what string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	names, ok := c.scheduleNames(code)
	if !ok {
		c.v.Add(field, "this employee has no site yet, so there are no %s schedules to follow", what)
		return name
	}
	if canonical, ok := names[strings.ToLower(name)]; ok {
		return canonical
	}
	c.v.Add(field, "the site has no %s schedule named %q", what, name)
	return name
}

func (c *checker) timeSchedule(field, name string) string {
	return c.schedule(field, name, CodeTimeSchedules, "time")
}

func (c *checker) holidaySchedule(field, name string) string {
	return c.schedule(field, name, CodeHolidaySchedules, "holiday")
}

// identity checks a call group's name, number and extension. The number
// must be in the site's pool and free (or the group's own); the extension
// follows the site's extension policy. Both are reserved in numbering when
// the settings are saved (syncCallGroups), which settles races.
func (c *checker) identity(p string, id *CallGroupIdentity) {
	id.Name = strings.TrimSpace(id.Name)
	switch {
	case id.Name == "":
		c.v.Add(p+".name", "enter a name")
	case utf8.RuneCountInString(id.Name) > 60:
		c.v.Add(p+".name", "the name must be at most 60 characters")
	}
	self := numbering.Owner{Kind: numbering.OwnerEGF, ID: id.ID}
	if strings.TrimSpace(id.Number) != "" {
		num, err := numbering.ParseNumber(p+".number", id.Number, c.w.region)
		if err != nil {
			c.v.Fields = append(c.v.Fields, fieldErrors(err)...)
		} else {
			id.Number = numbering.E164(num)
			n, err := c.s.numbering.Lookup(c.ctx, c.w.providerID, id.Number)
			switch {
			case derrors.IsNotFound(err) || (err == nil && (n.CompanyID != c.w.companyID || n.SiteID != c.w.ID)):
				c.v.Add(p+".number", "%s is not a number of this site's pool", id.Number)
			case err != nil:
				c.fault(err)
			case !n.Free() && (n.Owner == nil || n.Owner.Kind != self.Kind || n.Owner.ID != id.ID || id.ID == 0):
				holder := "somebody else"
				if n.Owner != nil {
					holder = n.Owner.Name
				}
				c.v.Add(p+".number", "%s is already assigned to %s", id.Number, holder)
			}
		}
	} else {
		id.Number = ""
	}
	id.Extension = strings.TrimSpace(id.Extension)
	if err := c.s.numbering.ValidateExtension(c.ctx, c.w.companyID, c.w.ID, id.Extension, self); err != nil {
		if fs := fieldErrors(err); fs != nil {
			for _, f := range fs {
				c.v.Add(p+".extension", "%s", f.Message)
			}
		} else {
			c.fault(err)
		}
	}
}

// distinct checks a list's call groups name no id, name, number or
// extension twice.
func (c *checker) distinct(field string, ids []CallGroupIdentity) {
	seen := map[string]int{}
	for i, id := range ids {
		for _, k := range []struct{ kind, val string }{{"id", fmt.Sprint(id.ID)}, {"name", strings.ToLower(id.Name)},
			{"number", id.Number}, {"extension", id.Extension}} {
			if k.val == "" || k.val == "0" {
				continue
			}
			key := k.kind + "\x00" + k.val
			if j, ok := seen[key]; ok {
				c.v.Add(fmt.Sprintf("%s[%d].%s", field, i, k.kind), "the same %s as %s[%d]", k.kind, field, j)
			} else {
				seen[key] = i
			}
		}
	}
}

// fieldErrors returns the field errors of a validation or conflict error
// (nil for any other error, a fault).
func fieldErrors(err error) []derrors.FieldError {
	var ve *derrors.ValidationError
	var ce *derrors.ConflictError
	switch {
	case asError(err, &ve):
		return ve.Fields
	case asError(err, &ce):
		return []derrors.FieldError{{Field: ce.Field, Message: ce.Message}}
	}
	return nil
}

// policy checks the routing policy of the call group at path p (hunt
// groups and call centre queues share the policies); empty is def.
func (c *checker) policy(p string, policy *string, def string) {
	switch *policy {
	case PolicyCircular, PolicyRegular, PolicySimultaneous, PolicyUniform, PolicyWeighted:
	case "":
		*policy = def
	default:
		c.v.Add(p+".policy", "the policy is circular, regular, simultaneous, uniform or weighted")
	}
}

// weightedPeople checks the ordered employees of a call group at path list
// (a hunt group's members, a queue's agents): at most max, each an employee
// of the company, none twice, a weight from 1 to 100 (0 is 1). group and
// role name them in the messages ("a queue", "agent"); at gives the n-th
// one's employee and weight.
func (c *checker) weightedPeople(list, group, role string, max, n int, at func(j int) (employeeID int64, weight *int)) {
	if n > max {
		c.v.Add(list, "%s has at most %d %ss", group, max, role)
	}
	article := "a"
	if strings.ContainsRune("aeiou", rune(role[0])) {
		article = "an"
	}
	seen := map[int64]bool{}
	for j := range n {
		id, weight := at(j)
		f := fmt.Sprintf("%s[%d]", list, j)
		if seen[id] {
			c.v.Add(f+".employee_id", "employee %d is %s %s twice", id, article, role)
		} else {
			c.employee(f+".employee_id", id)
		}
		seen[id] = true
		if *weight == 0 {
			*weight = 1
		}
		c.intRange(f+".weight", *weight, 1, 100, "")
	}
}

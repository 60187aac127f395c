package features

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

func asError[T error](err error, target *T) bool { return errors.As(err, target) }

// document is a site's or an employee's configuration document: the saved
// settings of each feature by code, and the revision.
type document struct {
	Revision int64
	Settings map[string]json.RawMessage
}

func (s *Service) document(ctx context.Context, w owner) (document, error) {
	d := document{Settings: map[string]json.RawMessage{}}
	var raw string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT revision, settings FROM feature_configs WHERE "+w.column()+" = ?", w.ID).Scan(&d.Revision, &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal([]byte(raw), &d.Settings); err != nil {
		return d, fmt.Errorf("document of %s %d: %w", w.Kind, w.ID, err)
	}
	return d, nil
}

// write stores settings (nil: keep them) and raises the revision by one.
func (s *Service) write(ctx context.Context, w owner, settings map[string]json.RawMessage) (int64, error) {
	q := s.db.Q(ctx)
	now := store.Now()
	var res sql.Result
	var err error
	var text []byte
	if settings != nil {
		if text, err = json.Marshal(settings); err != nil {
			return 0, err
		}
		res, err = q.Exec(ctx, "UPDATE feature_configs SET revision = revision + 1, settings = ?, updated_at = ? WHERE "+w.column()+" = ?", string(text), now, w.ID)
	} else {
		text = []byte("{}")
		res, err = q.Exec(ctx, "UPDATE feature_configs SET revision = revision + 1, updated_at = ? WHERE "+w.column()+" = ?", now, w.ID)
	}
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := q.Exec(ctx, "INSERT INTO feature_configs (company_id, "+w.column()+", revision, settings, updated_at) VALUES (?, ?, 1, ?, ?)",
			w.companyID, w.ID, string(text), now); err != nil {
			return 0, err
		}
	}
	var rev int64
	err = q.QueryRow(ctx, "SELECT revision FROM feature_configs WHERE "+w.column()+" = ?", w.ID).Scan(&rev)
	return rev, err
}

// lockDocument makes sure the owner's document row exists and locks it
// until the transaction ends, so two changes of one owner's features (an
// administrator's and the employee's own, say) apply one after the other
// and neither is lost: the document is read after the lock. SQLite has a
// single writer; on PostgreSQL the UPDATE takes the row lock.
func (s *Service) lockDocument(ctx context.Context, w owner) error {
	q := s.db.Q(ctx)
	if _, err := q.Exec(ctx, "INSERT INTO feature_configs (company_id, "+w.column()+", revision, settings, updated_at) VALUES (?, ?, 0, '{}', ?) ON CONFLICT DO NOTHING",
		w.companyID, w.ID, store.Now()); err != nil {
		return err
	}
	_, err := q.Exec(ctx, "UPDATE feature_configs SET revision = revision WHERE "+w.column()+" = ?", w.ID)
	return err
}

// bump raises the revision of the owner's document (an assignment changed
// what the service data says).
func (s *Service) bump(ctx context.Context, w owner) (int64, error) { return s.write(ctx, w, nil) }

// settingsOf decodes saved settings over the definition's defaults.
func settingsOf(d Definition, raw json.RawMessage) (settings, error) {
	v := d.defaults()
	if raw != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, fmt.Errorf("settings of %s: %w", d.Code, err)
		}
	}
	return v, nil
}

// Config is one feature's configuration as the Configure page shows it.
type Config struct {
	FeatureID int64  `json:"feature_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Category  string `json:"category"`
	// Active is false when the feature is unavailable here or at the site:
	// its settings are kept but not used.
	Active     bool  `json:"active"`
	Configured bool  `json:"configured"`
	Revision   int64 `json:"revision"`
	// Settings are the feature's settings (the defaults until saved); their
	// JSON Schema is the feature's definition in the service-data schema.
	Settings any `json:"settings"`
}

// FeatureConfig is the Configure page of one feature of a site or an
// employee, by the feature's code.
func (s *Service) FeatureConfig(ctx context.Context, actor access.Actor, o Owner, code string) (c Config, err error) {
	defer derrors.Wrap(&err, "features: configuration of %s of %s %d", code, o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ViewFeatures, o.target()); err != nil {
		return c, err
	}
	w, err := s.load(ctx, o)
	if err != nil {
		return c, err
	}
	f, err := s.featureByCode(ctx, w, code)
	if err != nil {
		return c, err
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return c, err
	}
	return configOf(f, w.Kind, doc)
}

func configOf(f Feature, kind OwnerKind, doc document) (Config, error) {
	d, _ := definitionFor(f.Code, kind)
	v, err := settingsOf(d, doc.Settings[f.Code])
	if err != nil {
		return Config{}, err
	}
	_, configured := doc.Settings[f.Code]
	return Config{FeatureID: f.FeatureID, Code: f.Code, Name: f.Name, Category: f.Category, Active: f.Active,
		Configured: configured, Revision: doc.Revision, Settings: v}, nil
}

// Configure replaces one feature's settings on a site or an employee (a
// field left out takes its default). Administrators and the employee
// themselves (self-care) may; there is no precedence between them: the last
// change wins. The feature must be active (available here and at the site);
// the change is audited as its difference.
func (s *Service) Configure(ctx context.Context, actor access.Actor, o Owner, code string, body []byte) (c Config, err error) {
	defer derrors.Wrap(&err, "features: configure %s of %s %d", code, o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ConfigureFeatures, o.target()); err != nil {
		return c, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		w, err := s.load(ctx, o)
		if err != nil {
			return err
		}
		c, err = s.configure(ctx, actor, w, code, body, "Configure ")
		return err
	})
	return c, err
}

// configure is one feature's change inside the caller's transaction, after
// the caller checked ConfigureFeatures on the owner: the feature's own
// privilege, that it is active, the settings, the call groups' numbers, the
// document and the audit entry (event names the action: "Configure ",
// "Copy ").
func (s *Service) configure(ctx context.Context, actor access.Actor, w owner, code string, body []byte, event string) (c Config, err error) {
	o := w.Owner
	f, err := s.featureByCode(ctx, w, code)
	if err != nil {
		return c, err
	}
	if err := s.access.CheckFeature(ctx, actor, access.ConfigureFeatures, o.target(), f.FeatureID); err != nil {
		return c, err
	}
	if !f.Active {
		return c, derrors.Conflict("feature", "%s is unavailable to this %s: make it available under Feature Assignment first", f.Name, o.Kind)
	}
	d, _ := definitionFor(code, o.Kind)
	next := d.defaults()
	if err := decodeStrict(body, next); err != nil {
		return c, err
	}
	if err := s.lockDocument(ctx, w); err != nil {
		return c, err
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return c, err
	}
	old, err := settingsOf(d, doc.Settings[code])
	if err != nil {
		return c, err
	}
	if err := s.validate(ctx, actor, w, doc, code, next); err != nil {
		return c, err
	}
	if err := s.syncCallGroups(ctx, w, code, old, next); err != nil {
		return c, err
	}
	if err := s.syncDirectorNumbers(ctx, w, next); err != nil {
		return c, err
	}
	oldJSON, err := json.Marshal(old)
	if err != nil {
		return c, err
	}
	newJSON, err := json.Marshal(next)
	if err != nil {
		return c, err
	}
	_, wasConfigured := doc.Settings[code]
	before, after := difference(code, oldJSON, newJSON)
	if len(after) == 0 && len(before) == 0 {
		if wasConfigured {
			return configOf(f, o.Kind, doc)
		}
		after = map[string]any{code: "saved with its defaults"}
	}
	doc.Settings[code] = newJSON
	if doc.Revision, err = s.write(ctx, w, doc.Settings); err != nil {
		return c, err
	}
	if c, err = configOf(f, o.Kind, doc); err != nil {
		return c, err
	}
	name := "Configure Feature"
	if event == "Copy " {
		name = "Copy Feature"
	}
	return c, s.audit.Record(ctx, audit.Event{Event: name, ObjectKind: string(o.Kind), ObjectID: o.ID,
		ObjectName: w.name + " · " + f.Name, CompanyID: w.companyID, SiteID: w.siteID, Before: before, After: after})
}

// CopyFeatures copies the settings of features (codes) from one employee to
// another in one transaction — the step a bulk feature job repeats for each
// target. The reference must have each feature configured; the target must
// have it active, and each copy is validated on the target as if typed there
// (its own number is a loop there) and audited on the target as "Copy
// <feature>" with its difference. Audio is not copied: the target keeps its
// own greetings (a bulk job's audio mapping copies a recording into the
// target's library, bulk_audio.go). Sites' call groups (hunt groups, auto
// attendants, call centres) are not copied: they hold numbers of their own
// site.
func (s *Service) CopyFeatures(ctx context.Context, actor access.Actor, from, to Owner, codes []string) (out []Config, err error) {
	defer derrors.Wrap(&err, "features: copy %v from %s %d to %s %d", codes, from.Kind, from.ID, to.Kind, to.ID)
	if err := s.access.Check(ctx, actor, access.ViewFeatures, from.target()); err != nil {
		return nil, err
	}
	if err := s.access.Check(ctx, actor, access.ConfigureFeatures, to.target()); err != nil {
		return nil, err
	}
	if from.Kind != to.Kind {
		return nil, derrors.Invalid("features", "features are copied from one employee to another, or from one site to another")
	}
	for i, code := range codes {
		if err := copyable(from.Kind, code); err != nil {
			return nil, derrors.Invalid(fmt.Sprintf("features[%d]", i), "%s", err.Error())
		}
	}
	if from.ID == to.ID {
		return nil, derrors.Invalid("features", "choose another employee than the reference")
	}
	if len(codes) == 0 {
		return nil, derrors.Invalid("features", "choose the features to copy")
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		src, err := s.load(ctx, from)
		if err != nil {
			return err
		}
		dst, err := s.load(ctx, to)
		if err != nil {
			return err
		}
		doc, err := s.document(ctx, src)
		if err != nil {
			return err
		}
		own, err := s.document(ctx, dst)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, code := range codes {
			field := fmt.Sprintf("features[%d]", i)
			if seen[code] {
				return derrors.Invalid(field, "%s is listed twice", code)
			}
			seen[code] = true
			if _, err := s.featureByCode(ctx, src, code); err != nil {
				if derrors.IsNotFound(err) {
					return derrors.Invalid(field, "the reference has no feature %q with settings", code)
				}
				return err
			}
			c, err := s.copyFeature(ctx, actor, doc.Settings, dst, own, code, field)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// copyFeature copies the reference's settings of code (in ref) onto the
// target dst, whose own settings are own: the one copy step of
// CopyFeatures and of a bulk job's targets. The target keeps its own audio
// (keepTargetAudio); the copy is validated on the target as if typed there
// and audited there as "Copy <feature>". A feature the reference has no
// settings of, or the target does not have active, is refused under field;
// the target's refusals name the feature in their fields.
func (s *Service) copyFeature(ctx context.Context, actor access.Actor, ref map[string]json.RawMessage, dst owner, own document, code, field string) (Config, error) {
	raw, ok := ref[code]
	if !ok {
		return Config{}, derrors.Invalid(field, "%s is not configured on the reference: there is nothing to copy", featureName(dst.Kind, code))
	}
	raw, err := keepTargetAudio(dst.Kind, code, raw, own.Settings[code])
	if err != nil {
		return Config{}, err
	}
	c, err := s.configure(ctx, actor, dst, code, raw, "Copy ")
	if derrors.IsNotFound(err) {
		return Config{}, derrors.Invalid(field, "this %s does not have %s", dst.Kind, featureName(dst.Kind, code))
	}
	if err != nil {
		return Config{}, prefixFields(err, code)
	}
	return c, nil
}

// prefixFields names the feature in the fields of a validation or
// conflict error ("call_forwarding.always.destination").
func prefixFields(err error, code string) error {
	var ce *derrors.ConflictError
	if asError(err, &ce) {
		return derrors.Conflict(code+"."+ce.Field, "%s", ce.Message)
	}
	if fs := fieldErrors(err); fs != nil {
		v := &derrors.ValidationError{}
		for _, f := range fs {
			v.Add(code+"."+f.Field, "%s", f.Message)
		}
		return v.Err()
	}
	return err
}

// decodeStrict decodes one JSON object into v, refusing unknown fields,
// wrong types and trailing data with a field error the user can act on.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case asError(err, &te):
			return derrors.Invalid(te.Field, "must be a %s, not a JSON %s", jsonType(te.Type.Kind().String()), te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return derrors.Invalid(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "is not a setting of this feature")
		}
		return derrors.Invalid("settings", "the settings are not a JSON object: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return derrors.Invalid("settings", "the settings must be one JSON object, with nothing after it")
	}
	return nil
}

func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "list"
	case kind == "map", kind == "struct", kind == "ptr":
		return "object"
	}
	return kind
}

// validate checks next, the new settings of code, and that removing a
// schedule leaves no reference to it.
func (s *Service) validate(ctx context.Context, actor access.Actor, w owner, doc document, code string, next settings) error {
	saved, err := audioRefs(doc.Settings[code])
	if err != nil {
		return err
	}
	c := &checker{ctx: ctx, s: s, actor: actor, w: w, owner: w.Owner, v: &derrors.ValidationError{}, saved: saved,
		doc: document{Revision: doc.Revision, Settings: map[string]json.RawMessage{}}}
	for k, v := range doc.Settings {
		c.doc.Settings[k] = v
	}
	next.validate(c)
	if c.err != nil {
		return c.err
	}
	if err := c.v.Err(); err != nil {
		return err
	}
	if code != CodeTimeSchedules && code != CodeHolidaySchedules {
		return nil
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return err
	}
	c.doc.Settings[code] = raw
	return s.checkScheduleUsers(ctx, c, code)
}

// checkScheduleUsers refuses a change of a site's schedules that would
// leave an auto attendant of the site, or the simultaneous ring or
// pre-alerting of one of its employees, following a schedule that no
// longer exists.
func (s *Service) checkScheduleUsers(ctx context.Context, c *checker, code string) error {
	names, _ := c.scheduleNames(code)
	missing := func(name string) bool { return name != "" && names[strings.ToLower(name)] == "" }
	if raw, ok := c.doc.Settings[CodeAutoAttendant]; ok {
		var aa AutoAttendants
		if err := json.Unmarshal(raw, &aa); err != nil {
			return err
		}
		for _, a := range aa.Attendants {
			if (code == CodeTimeSchedules && missing(a.BusinessHours)) || (code == CodeHolidaySchedules && missing(a.Holidays)) {
				return derrors.Conflict("schedules", "auto attendant %q follows a schedule this change removes: change the auto attendant first", a.Name)
			}
		}
	}
	if code != CodeTimeSchedules {
		return nil
	}
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT a.username, f.settings FROM feature_configs f JOIN accounts a ON a.id = f.account_id
		WHERE a.company_id = ? AND (a.site_id = ? OR (a.site_id IS NULL AND a.id IN (SELECT m.account_id FROM group_members m
		JOIN org_groups g ON g.id = m.group_id WHERE g.path LIKE ?)))`, c.w.companyID, c.w.ID, fmt.Sprintf("/%d/%%", c.w.ID))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var user, raw string
		if err := rows.Scan(&user, &raw); err != nil {
			return err
		}
		var settings map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &settings); err != nil {
			return err
		}
		var sr SimultaneousRing
		if r, ok := settings[CodeSimultaneousRing]; ok {
			if err := json.Unmarshal(r, &sr); err != nil {
				return err
			}
		}
		if missing(sr.Schedule) {
			return derrors.Conflict("schedules", "%s's simultaneous ring follows %q, which this change removes: change it first", user, sr.Schedule)
		}
		var pa PreAlerting
		if r, ok := settings[CodePreAlerting]; ok {
			if err := json.Unmarshal(r, &pa); err != nil {
				return err
			}
		}
		if missing(pa.Schedule) {
			return derrors.Conflict("schedules", "%s's pre-alerting follows %q, which this change removes: change it first", user, pa.Schedule)
		}
	}
	return rows.Err()
}

// identities lists the call groups of hunt group or auto attendant settings.
func identities(v settings) []*CallGroupIdentity {
	var out []*CallGroupIdentity
	switch x := v.(type) {
	case numbered:
		out, _ = x.callGroups()
	case *HuntGroups:
		for i := range x.Groups {
			out = append(out, &x.Groups[i].CallGroupIdentity)
		}
	case *AutoAttendants:
		for i := range x.Attendants {
			out = append(out, &x.Attendants[i].CallGroupIdentity)
		}
	case *CallCentre:
		for i := range x.Queues {
			out = append(out, &x.Queues[i].CallGroupIdentity)
		}
	}
	return out
}

// syncCallGroups gives each new hunt group or auto attendant its id, and
// holds each one's number and extension in numbering (owner kind egf, so
// the Search Tool finds them as the guide's EGF): a new or changed number or
// extension is reserved, one no longer used is released, a removed group
// gives both back. Numbering settles races; its refusals come back as errors
// of the group's fields.
func (s *Service) syncCallGroups(ctx context.Context, w owner, code string, old, next settings) error {
	prefix := map[string]string{CodeHuntGroups: "groups", CodeAutoAttendant: "attendants", CodeCallCentre: "queues"}[code]
	fieldOf := func(i int) string { return fmt.Sprintf("%s[%d]", prefix, i) }
	if n, ok := next.(numbered); ok {
		_, fieldOf = n.callGroups()
	} else if prefix == "" {
		return nil
	}
	was := map[int64]CallGroupIdentity{}
	for _, id := range identities(old) {
		was[id.ID] = *id
	}
	q := s.db.Q(ctx)
	kept := map[int64]bool{}
	for i, id := range identities(next) {
		if id.ID != 0 {
			if _, ok := was[id.ID]; !ok {
				return derrors.Invalid(fieldOf(i)+".id", "%d is not one of this site's; leave the id out to create one", id.ID)
			}
			kept[id.ID] = true
		}
	}
	for oldID, id := range was {
		if !kept[oldID] {
			if err := s.releaseCallGroup(ctx, w, id, CallGroupIdentity{}); err != nil {
				return err
			}
			if _, err := q.Exec(ctx, "DELETE FROM call_groups WHERE id = ? AND site_id = ?", oldID, w.ID); err != nil {
				return err
			}
		}
	}
	for i, id := range identities(next) {
		field := fieldOf(i)
		if id.ID == 0 {
			if err := q.QueryRow(ctx, "INSERT INTO call_groups (company_id, site_id, feature_code, created_at) VALUES (?, ?, ?, ?) RETURNING id",
				w.companyID, w.ID, code, store.Now()).Scan(&id.ID); err != nil {
				return err
			}
		}
		before := was[id.ID]
		if err := s.releaseCallGroup(ctx, w, before, *id); err != nil {
			return err
		}
		holder := numbering.Owner{Kind: numbering.OwnerEGF, ID: id.ID, Name: id.Name}
		if id.Number != "" && id.Number != before.Number {
			if _, err := s.numbering.Assign(ctx, w.companyID, id.Number, holder); err != nil {
				return refield(err, field+".number")
			}
		}
		if id.Extension != before.Extension {
			if _, err := s.numbering.ReserveExtension(ctx, w.companyID, w.ID, id.Extension, holder); err != nil {
				return refield(err, field+".extension")
			}
		}
	}
	return nil
}

// releaseCallGroup gives back what was held and next no longer holds.
func (s *Service) releaseCallGroup(ctx context.Context, w owner, was, next CallGroupIdentity) error {
	if was.Number != "" && was.Number != next.Number {
		if _, err := s.numbering.Release(ctx, w.companyID, was.Number); err != nil {
			return err
		}
	}
	if was.Extension != "" && was.Extension != next.Extension {
		if err := s.numbering.ReleaseExtension(ctx, w.companyID, was.Extension); err != nil {
			return err
		}
	}
	return nil
}

// refield names field in numbering's validation and conflict errors.
func refield(err error, field string) error {
	var ce *derrors.ConflictError
	if asError(err, &ce) {
		return derrors.Conflict(field, "%s", ce.Message)
	}
	if fs := fieldErrors(err); fs != nil {
		v := &derrors.ValidationError{}
		for _, f := range fs {
			v.Add(field, "%s", f.Message)
		}
		return v.Err()
	}
	return err
}

// difference is what changed between two settings documents of code, as
// two maps from the setting's path to its old and its new value (only the
// settings that changed). Settings hold no secrets, so values are kept.
func difference(code string, oldJSON, newJSON []byte) (before, after map[string]any) {
	var o, n any
	_ = json.Unmarshal(oldJSON, &o)
	_ = json.Unmarshal(newJSON, &n)
	fo, fn := map[string]any{}, map[string]any{}
	flatten(code, o, fo)
	flatten(code, n, fn)
	before, after = map[string]any{}, map[string]any{}
	for k, v := range fo {
		if w, ok := fn[k]; !ok || !jsonEqual(v, w) {
			before[k] = v
		}
	}
	for k, v := range fn {
		if w, ok := fo[k]; !ok || !jsonEqual(v, w) {
			after[k] = v
		}
	}
	for _, m := range []map[string]any{before, after} {
		for k := range m {
			if maskedSetting(k) {
				m[k] = "(a secret code, not kept in the audit trail)"
			}
		}
	}
	return before, after
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// flatten writes the leaves of v under path into out; an empty list or
// object is a leaf of its own, so emptying one shows.
func flatten(path string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = x
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(path+"."+k, x[k], out)
		}
	case []any:
		if len(x) == 0 {
			out[path] = x
		}
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", path, i), e, out)
		}
	default:
		out[path] = x
	}
}

// SchemaVersion is the version of the service-data document's shape
// (docs/features.md, "Configuration document and service data"); it changes only when a call engine
// would have to change to read it.
const SchemaVersion = 1

// ServiceData is the whole configuration of a site or an employee as a call
// engine executes it: every feature the owner is granted, whether it is
// active, and its settings (defaults until saved). It names no portal
// concept beyond ids; its JSON Schema is ServiceDataSchema.
type ServiceData struct {
	SchemaVersion int   `json:"schema_version"`
	Owner         Owner `json:"owner"`
	CompanyID     int64 `json:"company_id"`
	// SiteID is the site itself, or the employee's site (0: none yet).
	SiteID int64 `json:"site_id"`
	// Revision grows with every change of this owner's document or
	// assignments; SiteRevision (employees) is the site's, whose
	// assignments decide which of the employee's features are active.
	Revision     int64                  `json:"revision"`
	SiteRevision int64                  `json:"site_revision"`
	Features     map[string]FeatureData `json:"features"`
	// SharedAppearances are an employee's shared call appearances
	// (docs/devices.md), read from the devices at each fetch: Revision does
	// not cover them. Absent for a site and for an employee without any.
	SharedAppearances []SharedAppearanceData `json:"shared_appearances,omitempty"`
}

// FeatureData is one feature in the service data. Settings is absent for a
// feature without settings (it is on or off only).
type FeatureData struct {
	Active   bool `json:"active"`
	Settings any  `json:"settings,omitempty"`
}

// ServiceDataFor is GET …/service-data: the owner's whole configuration in
// one read.
func (s *Service) ServiceDataFor(ctx context.Context, actor access.Actor, o Owner) (sd ServiceData, err error) {
	defer derrors.Wrap(&err, "features: service data of %s %d", o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ViewFeatures, o.target()); err != nil {
		return sd, err
	}
	w, err := s.load(ctx, o)
	if err != nil {
		return sd, err
	}
	return s.serviceData(ctx, w)
}

func (s *Service) serviceData(ctx context.Context, w owner) (ServiceData, error) {
	sd := ServiceData{SchemaVersion: SchemaVersion, Owner: w.Owner, CompanyID: w.companyID, SiteID: w.siteID, Features: map[string]FeatureData{}}
	fs, err := s.list(ctx, w)
	if err != nil {
		return sd, err
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return sd, err
	}
	sd.Revision = doc.Revision
	if w.Kind == OwnerSite {
		sd.SiteRevision = doc.Revision
	} else if w.siteID != 0 {
		site, err := s.load(ctx, Site(w.siteID))
		if err != nil {
			return sd, err
		}
		sdoc, err := s.document(ctx, site)
		if err != nil {
			return sd, err
		}
		sd.SiteRevision = sdoc.Revision
	}
	for _, f := range fs {
		fd := FeatureData{Active: f.Active}
		if d, ok := definitionFor(f.Code, w.Kind); ok {
			if fd.Settings, err = settingsOf(d, doc.Settings[f.Code]); err != nil {
				return sd, err
			}
		}
		sd.Features[f.Code] = fd
	}
	if w.Kind == OwnerEmployee && s.Appearances != nil {
		if sd.SharedAppearances, err = s.Appearances(ctx, w.companyID, w.ID); err != nil {
			return sd, err
		}
	}
	return sd, nil
}

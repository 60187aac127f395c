package features

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// What a site's dashboard shows of its features (docs/pages.md,
// "Dashboards"): its call groups with a way to create one, how many
// features it has and uses, and the Voice Recording section where call
// recording is sold.

// CallGroupList is one kind of call group of a site: its auto attendants,
// call centres or hunt groups.
type CallGroupList struct {
	// Code is the feature whose settings hold them (auto_attendant,
	// call_centre, hunt_groups).
	Code string `json:"code"`
	Name string `json:"name"`
	// Sold: the site is granted the feature; Active: and it is available.
	Sold   bool     `json:"sold"`
	Active bool     `json:"active"`
	Count  int      `json:"count"`
	Names  []string `json:"names"`
	// CanCreate: the actor may configure the feature here, so the page may
	// offer "Create new" (Configure asks access again).
	CanCreate bool `json:"can_create"`
}

// FeatureRef names a feature of a summary.
type FeatureRef struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category"`
}

// RecordedEmployee is an employee whose calls may be recorded.
type RecordedEmployee struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// Mode is their Call Recording setting: always, on_demand or never.
	Mode string `json:"mode"`
}

// RecordingSummary is the Voice Recording section.
type RecordingSummary struct {
	// Recorded counts the site's active employees with Call Recording
	// active (sold to them, available to them and at the site).
	Recorded int `json:"recorded"`
	// Employees are the first MaxRecordedListed of them by name.
	Employees []RecordedEmployee `json:"employees"`
}

// MaxRecordedListed bounds the Voice Recording details on a dashboard.
const MaxRecordedListed = 50

// SiteSummary is the features part of a site's dashboard.
type SiteSummary struct {
	SiteID int64 `json:"site_id"`
	// CallGroups are Auto Attendants, Call Centres and Hunt Groups, in the
	// guide's order.
	CallGroups []CallGroupList `json:"call_groups"`
	// Granted, Available and Active count the site's sold features (the
	// facilities every site has are not counted).
	Granted   int          `json:"granted"`
	Available int          `json:"available"`
	Active    int          `json:"active"`
	Features  []FeatureRef `json:"active_features"`
	// Recording is nil when call recording is not sold at the site or the
	// site made it unavailable.
	Recording *RecordingSummary `json:"recording"`
}

// callGroupCodes are the site features that hold call groups, in the
// order the guide lists them on the site dashboard, and callGroupNames
// what the dashboard calls each list.
var (
	callGroupCodes = []string{CodeAutoAttendant, CodeCallCentre, CodeHuntGroups}
	callGroupNames = map[string]string{CodeAutoAttendant: "Auto Attendants", CodeCallCentre: "Call Centres", CodeHuntGroups: "Hunt Groups"}
)

// SiteSummary is what site id's dashboard shows of its features, for
// whoever may view the site's features (docs/features.md, "Who may change
// what"); anyone else gets the answer of a site that does not exist.
func (s *Service) SiteSummary(ctx context.Context, actor access.Actor, id int64) (sum SiteSummary, err error) {
	defer derrors.Wrap(&err, "features: summary of site %d", id)
	lines, err := s.Features(ctx, actor, Site(id), "")
	if err != nil {
		return sum, err
	}
	w, err := s.load(ctx, Site(id))
	if err != nil {
		return sum, err
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return sum, err
	}
	sum = SiteSummary{SiteID: id, Features: []FeatureRef{}}
	byCode := map[string]Feature{}
	for _, f := range lines {
		byCode[f.Code] = f
		if f.FeatureID == 0 {
			continue // a facility
		}
		sum.Granted++
		if f.Available {
			sum.Available++
		}
		if f.Active {
			sum.Active++
			sum.Features = append(sum.Features, FeatureRef{Code: f.Code, Name: f.Name, Category: f.Category})
		}
	}
	for _, code := range callGroupCodes {
		d, _ := definitionFor(code, OwnerSite)
		f, sold := byCode[code]
		l := CallGroupList{Code: code, Name: callGroupNames[code], Sold: sold, Active: sold && f.Active, Names: []string{},
			CanCreate: sold && f.Active && f.Can.Configure}
		if sold {
			v, err := settingsOf(d, doc.Settings[code])
			if err != nil {
				return sum, err
			}
			for _, g := range identities(v) {
				l.Names = append(l.Names, g.Name)
			}
			l.Count = len(l.Names)
		}
		sum.CallGroups = append(sum.CallGroups, l)
	}
	if f, ok := byCode[CodeCallRecording]; ok && f.Active {
		if sum.Recording, err = s.recorded(ctx, w, f.FeatureID); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// recordedWhere selects the site's active employees with the feature sold
// (by their package or an add-on) and not made unavailable to them. The
// site's own choice was read by the caller. It reads the site's employees
// through accounts_site and each one's offering by its key.
const recordedWhere = ` FROM accounts a WHERE a.site_id = ? AND a.company_id = ? AND a.status = 'active'
	AND (EXISTS (SELECT 1 FROM employee_offerings o JOIN catalog_package_features pf ON pf.package_id = o.package_id
			WHERE o.account_id = a.id AND pf.feature_id = ?)
		OR EXISTS (SELECT 1 FROM employee_offering_addons ad JOIN catalog_package_features pf ON pf.package_id = ad.package_id
			WHERE ad.account_id = a.id AND pf.feature_id = ?))
	AND NOT EXISTS (SELECT 1 FROM feature_assignments fa WHERE fa.account_id = a.id AND fa.feature_id = ? AND fa.available = ?)`

func (s *Service) recorded(ctx context.Context, w owner, featureID int64) (*RecordingSummary, error) {
	args := []any{w.ID, w.companyID, featureID, featureID, featureID, false}
	q := s.db.Q(ctx)
	out := &RecordingSummary{Employees: []RecordedEmployee{}}
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+recordedWhere, args...).Scan(&out.Recorded); err != nil {
		return nil, fmt.Errorf("recorded employees: %w", err)
	}
	rows, err := q.Query(ctx, "SELECT a.id, a.username, a.first_name, a.last_name"+recordedWhere+
		" ORDER BY lower(a.last_name), lower(a.first_name), a.id LIMIT "+fmt.Sprint(MaxRecordedListed), args...)
	if err != nil {
		return nil, fmt.Errorf("recorded employees: %w", err)
	}
	defer rows.Close()
	// The mode of an employee who never saved the feature is its default.
	def, _ := definitionFor(CodeCallRecording, OwnerEmployee)
	modeOf := func(raw json.RawMessage) string {
		v, err := settingsOf(def, raw)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(v.(*CallRecording).Mode)
	}
	dflt := modeOf(nil)
	var ids []any
	for rows.Next() {
		var e RecordedEmployee
		if err := rows.Scan(&e.ID, &e.Username, &e.FirstName, &e.LastName); err != nil {
			return nil, err
		}
		e.Mode = dflt
		out.Employees = append(out.Employees, e)
		ids = append(ids, e.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return out, nil
	}
	// Each one's mode, from their documents (the default when unsaved).
	docs, err := q.Query(ctx, "SELECT account_id, settings FROM feature_configs WHERE account_id IN ("+store.Placeholders(len(ids))+")", ids...)
	if err != nil {
		return nil, fmt.Errorf("recording modes: %w", err)
	}
	defer docs.Close()
	mode := map[int64]string{}
	for docs.Next() {
		var id int64
		var raw string
		if err := docs.Scan(&id, &raw); err != nil {
			return nil, err
		}
		var d map[string]json.RawMessage
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			return nil, fmt.Errorf("document of employee %d: %w", id, err)
		}
		if r, ok := d[CodeCallRecording]; ok {
			if m := modeOf(r); m != "" {
				mode[id] = m
			}
		}
	}
	if err := docs.Err(); err != nil {
		return nil, err
	}
	for i := range out.Employees {
		if m, ok := mode[out.Employees[i].ID]; ok {
			out.Employees[i].Mode = m
		}
	}
	return out, nil
}

package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The features rule (docs/features.md, "Who may change what"; Business
// Portal seed, Feature Assignment): company administrators see and change
// the features of every site and employee of their company; a group
// administrator only where they administer the site itself (a site's
// features, or an employee whose site it is), and for each feature only
// while its "Allow Admin Privileges" box is ticked on that site or
// employee; employees see and configure their own features (self-care) but
// do not assign them; nobody but a company administrator or an operator
// ticks the box.

// permittedFeatures decides the feature actions on a visible target
// (decided false: not one of them). The per-feature privilege is
// CheckFeature's second step.
func permittedFeatures(a Actor, action Action, t Target, r resolved, adminPaths []string) (bool, error) {
	switch action {
	case ViewFeatures, AssignFeatures, ConfigureFeatures, ManageFeaturePrivileges:
	default:
		return false, nil
	}
	switch {
	case t.Kind == KindGroup && !r.isSite:
		return true, derrors.Forbidden("features are assigned to a site, not to a group below it")
	case t.Kind != KindGroup && t.Kind != KindEmployee:
		return true, derrors.Forbidden("features belong to a site or an employee")
	}
	if a.IsOperator() || a.Role == RoleCompanyAdmin {
		return true, nil
	}
	self := t.Kind == KindEmployee && t.ID == a.AccountID
	if self && (action == ViewFeatures || action == ConfigureFeatures) {
		return true, nil // self-care: one's own features, whatever one's role
	}
	switch a.Role {
	case RoleGroupAdmin:
		if action == ManageFeaturePrivileges {
			return true, derrors.Forbidden("only a company administrator decides which features group administrators may change")
		}
		if t.Kind == KindEmployee && !anyUnder(employeeSites(r), adminPaths) {
			return true, derrors.Forbidden("group administrators manage the features of employees at the sites they administer")
		}
		return true, nil // a site: visible only to the admins of the site itself
	case RoleEmployee:
		if self {
			return true, derrors.Forbidden("feature assignment is for administrators; you can configure the features you have")
		}
	}
	return true, derrors.Forbidden("your role does not allow this")
}

// employeeSites are the paths of the sites an employee belongs to: the site
// of their service, else the sites their groups are under.
func employeeSites(r resolved) []string {
	if r.sitePath != "" {
		return []string{r.sitePath}
	}
	var out []string
	for _, p := range r.memberPaths {
		if i := strings.Index(strings.TrimPrefix(p, "/"), "/"); i >= 0 {
			out = append(out, p[:i+2])
		}
	}
	return out
}

// CheckFeature is Check for an action on one feature of a site or an
// employee (featureID, a catalog feature; 0 for a site facility that is no
// sold feature, such as its time schedules): on top of Check, the feature's
// "Allow Admin Privileges" box on that site or employee decides for group
// administrators (FeaturePrivilege). A box never cleared allows.
func (s *Service) CheckFeature(ctx context.Context, actor Actor, action Action, t Target, featureID int64) error {
	if err := s.Check(ctx, actor, action, t); err != nil {
		return err
	}
	if featureID == 0 {
		return nil
	}
	column := "site_id"
	if t.Kind == KindEmployee {
		column = "account_id"
	}
	allowed := true
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT allow_group_admins FROM feature_assignments WHERE "+column+" = ? AND feature_id = ?",
		t.ID, featureID).Scan(&allowed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("access: %s %s %d feature %d: %w", action, t.Kind, t.ID, featureID, err)
	}
	return FeaturePrivilege(actor, action, t, allowed)
}

// FeaturePrivilege is the second step of CheckFeature once Check has
// allowed the action on t: a group administrator changing a feature
// (AssignFeatures, ConfigureFeatures) of anybody but themselves needs the
// feature's box ticked (allowGroupAdmins). The features list calls it for
// each line, with the boxes it has read, to show what the actor may change.
func FeaturePrivilege(actor Actor, action Action, t Target, allowGroupAdmins bool) error {
	if actor.Role != RoleGroupAdmin || allowGroupAdmins || (action != AssignFeatures && action != ConfigureFeatures) {
		return nil
	}
	if t.Kind == KindEmployee && t.ID == actor.AccountID && action == ConfigureFeatures {
		return nil
	}
	return derrors.Forbidden("the company administrator has not allowed group administrators to change this feature here")
}

package features

import (
	"context"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// PhoneDirectory is what an employee's desk phones list in their contact
// directory beside the provisioning server's own entries (docs/features.md,
// "Company Contacts and Group Contacts"): whether the employee's personal
// contacts are shown, and the shared directories of their site that are.
type PhoneDirectory struct {
	Personal bool
	Shared   []SharedDirectory
}

// SharedDirectory is one shared directory as a phone lists it: "Company"
// for Company Contacts, the site's name for Group Contacts.
type SharedDirectory struct {
	Name     string
	Contacts []SharedContact
}

// PhoneDirectoryOf answers what accountID's phones list. It is a fact for
// the provisioning server, which has already decided whose phone it is
// serving; it checks no actor. Personal contacts are shown unless the
// employee's active Personal Contacts feature says otherwise; a shared
// directory is listed when the site's feature is active and says so.
func (s *Service) PhoneDirectoryOf(ctx context.Context, accountID int64) (out PhoneDirectory, err error) {
	w, err := s.load(ctx, Employee(accountID))
	if err != nil {
		return out, fmt.Errorf("features: phone directory of %d: %w", accountID, err)
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return out, fmt.Errorf("features: phone directory of %d: %w", accountID, err)
	}
	out.Personal = true
	if v, ok, err := s.activeSettings(ctx, w, doc, CodePersonalContacts); err != nil {
		return out, fmt.Errorf("features: phone directory of %d: %w", accountID, err)
	} else if ok {
		out.Personal = v.(*PersonalContacts).ShowOnPhones
	}
	if w.siteID == 0 {
		return out, nil
	}
	site, err := s.load(ctx, Site(w.siteID))
	if err != nil {
		return out, fmt.Errorf("features: phone directory of %d: %w", accountID, err)
	}
	siteDoc, err := s.document(ctx, site)
	if err != nil {
		return out, fmt.Errorf("features: phone directory of %d: %w", accountID, err)
	}
	for _, d := range []struct{ code, name string }{{CodeCompanyContacts, "Company"}, {CodeGroupContacts, site.name}} {
		v, ok, err := s.activeSettings(ctx, site, siteDoc, d.code)
		if err != nil {
			return out, fmt.Errorf("features: phone directory of %d: %w", accountID, err)
		}
		if sc := v.(*SharedContacts); ok && sc.ShowOnPhones && len(sc.Contacts) > 0 {
			out.Shared = append(out.Shared, SharedDirectory{Name: d.name, Contacts: sc.Contacts})
		}
	}
	return out, nil
}

// activeSettings are the settings of code in w's document doc (its
// defaults when never configured), and whether the feature is granted and
// active there.
func (s *Service) activeSettings(ctx context.Context, w owner, doc document, code string) (settings, bool, error) {
	d, ok := definitionFor(code, w.Kind)
	if !ok {
		return nil, false, fmt.Errorf("%s is no feature of a %s", code, w.Kind)
	}
	f, err := s.featureByCode(ctx, w, code)
	if err != nil && !derrors.IsNotFound(err) {
		return nil, false, err
	}
	v, verr := settingsOf(d, doc.Settings[code])
	if verr != nil {
		return nil, false, verr
	}
	return v, err == nil && f.Active, nil
}

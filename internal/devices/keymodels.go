package devices

import (
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The one table of how many keys each phone model's configuration
// addresses (docs/devices.md, "One table of key counts"; docs/provisioning.md,
// "Keys"). The Visual Device Manager offers no key past it and the
// provisioning server writes every key within it, both reading it through
// KeyModelOf, so a key the portal accepts is a key the phone gets.

// The vendor families whose keys the platform writes.
const (
	FamilyPolycom = "polycom"
	FamilyYealink = "yealink"
)

// Family is the vendor family of a device type's vendor ("" for a vendor
// whose phones the platform does not write keys for).
func Family(vendor string) string {
	switch strings.ToLower(strings.TrimSpace(vendor)) {
	case "polycom", "poly":
		return FamilyPolycom
	case "yealink":
		return FamilyYealink
	}
	return ""
}

// modelSeparators are what people write inside a model name ("VVX 411",
// "SIP-T48G", "T48G_VDM") and the vendors' tables do not.
var modelSeparators = strings.NewReplacer(" ", "", "-", "", "_", "")

// NormaliseModel is a model name as the table names it: upper case,
// without separators, without Yealink's "SIP" prefix ("SIP-T48G" is the
// T48G) and without the "VDM" suffix of the catalog's VDM types.
func NormaliseModel(model string) string {
	m := strings.ToUpper(modelSeparators.Replace(strings.TrimSpace(model)))
	m = strings.TrimPrefix(m, "SIP")
	return strings.TrimSuffix(m, "VDM")
}

// polycomModuleKeys is a VVX expansion module's keys in the lineKey
// numbering: 28 buttons on each of 3 pages ("VVX 600 + 3 LCD EMs = 16 +
// 252 = 268 lines"). It holds for every VVX, known to the table or not.
const polycomModuleKeys = 84

// KeyModel is what one model's configuration addresses.
type KeyModel struct {
	Family string
	// Model is the normalised name; "" for a model the table does not know.
	Model string
	// LineKeys is how many of the phone's own line keys its configuration
	// numbers (Polycom lineKey.x over its buttons, Yealink linekey.X).
	LineKeys int
	// PageKeys is how many line keys one page of the phone shows when it
	// pages them (its buttons less the page switch; 0: it does not page).
	// A type paging its keys so may end its last page early: the T48G's
	// 10 × 3 ends at key 29.
	PageKeys int
	// FactoryLines is how many line keys are Line keys at the factory
	// (Yealink line key X on account X): a Default key is written as that.
	FactoryLines int
	// ModuleKeys is how many keys one expansion module takes in the
	// numbering; 0 on a known model: it takes no module.
	ModuleKeys int
}

// keyModels are the vendors' figures (docs/devices.md gives the sources).
var keyModels = []KeyModel{
	{Family: FamilyPolycom, Model: "VVX250", LineKeys: 4, ModuleKeys: polycomModuleKeys},
	{Family: FamilyPolycom, Model: "VVX301", LineKeys: 6, ModuleKeys: polycomModuleKeys},
	{Family: FamilyPolycom, Model: "VVX411", LineKeys: 12, ModuleKeys: polycomModuleKeys},
	{Family: FamilyPolycom, Model: "VVX450", LineKeys: 12, ModuleKeys: polycomModuleKeys},
	{Family: FamilyPolycom, Model: "VVX601", LineKeys: 16, ModuleKeys: polycomModuleKeys},
	{Family: FamilyYealink, Model: "T41P", LineKeys: 15, PageKeys: 5, FactoryLines: 6},
	{Family: FamilyYealink, Model: "T42G", LineKeys: 15, PageKeys: 5, FactoryLines: 12},
	{Family: FamilyYealink, Model: "T46G", LineKeys: 27, PageKeys: 9, FactoryLines: 16, ModuleKeys: 40},
	{Family: FamilyYealink, Model: "T48G", LineKeys: 29, PageKeys: 10, FactoryLines: 16, ModuleKeys: 40},
}

// KeyModelOf is the table's entry for the vendor's model (Known says
// whether the table has one). A model it does not know has no limit of its
// own (LineKeys 0: every key of the type is addressed), except what holds
// for the whole family (a VVX expansion module's 84 keys).
func KeyModelOf(vendor, model string) KeyModel {
	f, m := Family(vendor), NormaliseModel(model)
	for _, k := range keyModels {
		if k.Family == f && k.Model == m {
			return k
		}
	}
	out := KeyModel{Family: f}
	if f == FamilyPolycom {
		out.ModuleKeys = polycomModuleKeys
	}
	return out
}

// Known reports whether the table knows the model.
func (m KeyModel) Known() bool { return m.Model != "" }

// PhoneKeys is how many of typeKeys (a type's line keys per page × pages)
// the phone addresses.
func (m KeyModel) PhoneKeys(typeKeys int) int {
	if m.Known() {
		return min(typeKeys, m.LineKeys)
	}
	return typeKeys
}

// SidecarKeys is how many of typeKeys (the keys a type gives one sidecar)
// one module of the phone addresses: none on a model that takes no module.
func (m KeyModel) SidecarKeys(typeKeys int) int {
	switch {
	case m.ModuleKeys > 0:
		return min(typeKeys, m.ModuleKeys)
	case m.Known():
		return 0
	}
	return typeKeys
}

// checkModelKeys refuses capabilities that give a model the table knows
// more keys than its configuration addresses: the phone would never get
// them (docs/devices.md, "One table of key counts"). A type of a paging model may
// end its last page early when it pages as the phone does (the T48G's
// 10 × 3 for its 29 keys). A model the table does not know is not checked.
func checkModelKeys(vendor, model string, c Capabilities) error {
	m := KeyModelOf(vendor, model)
	if !m.Known() {
		return nil
	}
	name := strings.TrimSpace(vendor) + " " + strings.TrimSpace(model)
	v := &derrors.ValidationError{}
	keys := c.LineKeysPerPage * c.Pages
	shortLastPage := m.PageKeys > 0 && c.LineKeysPerPage == m.PageKeys && (c.Pages-1)*c.LineKeysPerPage < m.LineKeys
	if keys > m.LineKeys && !shortLastPage {
		own, paging := "", ""
		if m.PageKeys > 0 {
			paging = fmt.Sprintf(", or page them as the phone does, %d per page", m.PageKeys)
		} else {
			own = " (its own buttons; an expansion module's keys are the sidecar's)"
		}
		v.Add("line_keys_per_page", "a %s addresses at most %d line keys%s: %d per page × %d pages gives %d; give at most %d keys over the pages%s",
			name, m.LineKeys, own, c.LineKeysPerPage, c.Pages, keys, m.LineKeys, paging)
	}
	if c.SidecarMax > 0 {
		switch {
		case m.ModuleKeys == 0:
			v.Add("sidecar_model", "a %s takes no expansion module: leave the sidecar model empty and the maximum at 0", name)
		case c.SidecarKeys > m.ModuleKeys:
			v.Add("sidecar_keys", "a %s addresses at most %d keys per expansion module; %d were given", name, m.ModuleKeys, c.SidecarKeys)
		}
	}
	return v.Err()
}

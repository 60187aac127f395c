package devices

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The Visual Device Manager of a VDM device (docs/devices.md, "The Visual
// Device Manager"): what is stored per device (its general settings, the
// keys set explicitly, its ringer) and how it resolves into the KeyLayout
// the provisioning server writes. The actions taking an actor are in
// vdm_usecases.go.

// The BLF start positions of General Settings.
const (
	BLFStartPhone   = "phone"
	BLFStartSidecar = "sidecar"
)

// Limits of what a key carries: phones show a short label, and a vendor
// macro string is a line of their configuration file.
const (
	maxKeyLabel = 32
	maxMacro    = 256
)

// Function is one of the platform's functions a soft key may carry: the
// phone dials its feature code when the key is pressed.
type Function struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Code        string `json:"code"`
	Description string `json:"description"`
}

// Functions is the platform's function list (docs/devices.md gives it with
// the feature codes the platform answers to).
var Functions = []Function{
	{"call_pull", "Call Pull", "*11", "Moves a call in progress on another of your devices (your mobile, a soft client) to this phone."},
	{"directed_pickup", "Directed Call Pickup", "*97", "Answers a colleague's ringing phone: press, then dial their extension."},
	{"group_pickup", "Call Pickup", "*98", "Answers a call ringing at any phone of your pickup group."},
	{"voicemail", "Voicemail", "*62", "Calls your voicemail box to listen to your messages."},
	{"dnd_on", "Do Not Disturb On", "*78", "Sends your calls straight to voicemail (or busy) until you turn it off."},
	{"dnd_off", "Do Not Disturb Off", "*79", "Lets your calls ring again."},
	{"call_park", "Call Park", "*68", "Parks the current call so anyone in the site can pick it up with Park Retrieve."},
	{"park_retrieve", "Call Park Retrieve", "*88", "Picks up a parked call: press, then dial the extension it was parked on."},
	{"forward_always_on", "Call Forward Always On", "*72", "Forwards every call: press, then dial the number to forward to."},
	{"forward_always_off", "Call Forward Always Off", "*73", "Stops forwarding your calls."},
	{"night_service", "Night Service", "*80", "Switches the site between its day and night call routing (who may is set on the site's features)."},
	{"last_call_return", "Last Call Return", "*69", "Calls back the last person who called you."},
}

// FunctionByID returns the function with the id.
func FunctionByID(id string) (Function, bool) {
	for _, f := range Functions {
		if f.ID == id {
			return f, true
		}
	}
	return Function{}, false
}

// vdmConfig is what is stored per device (devices.vdm_config, JSON). Keys
// at their default are not stored. Line keys are addressed by slot (see
// slotName); soft keys by their number.
type vdmConfig struct {
	Sidecars int `json:"sidecars"`
	// SidecarsWritten is the most sidecars the device has had: the keys
	// of those detached since are written at their defaults, or the phone
	// would keep what they last did (KeyLayout.DetachedSidecars).
	SidecarsWritten int            `json:"sidecars_written,omitempty"`
	BLFStart        string         `json:"blf_start"`
	Ringer          string         `json:"ringer,omitempty"`
	LineKeys        map[string]Key `json:"line_keys,omitempty"`
	SoftKeys        map[string]Key `json:"soft_keys,omitempty"`
}

func decodeVDM(raw string) (vdmConfig, error) {
	c := vdmConfig{BLFStart: BLFStartPhone}
	if strings.TrimSpace(raw) != "" {
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return c, fmt.Errorf("devices: stored Visual Device Manager settings: %w", err)
		}
	}
	if c.LineKeys == nil {
		c.LineKeys = map[string]Key{}
	}
	if c.SoftKeys == nil {
		c.SoftKeys = map[string]Key{}
	}
	if c.BLFStart == "" {
		c.BLFStart = BLFStartPhone
	}
	return c, nil
}

func (c vdmConfig) encode() string {
	if c.Sidecars == 0 && c.SidecarsWritten == 0 && c.BLFStart == BLFStartPhone && c.Ringer == "" && len(c.LineKeys) == 0 && len(c.SoftKeys) == 0 {
		return ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func (c vdmConfig) clone() vdmConfig {
	out := c
	out.LineKeys, out.SoftKeys = map[string]Key{}, map[string]Key{}
	for k, v := range c.LineKeys {
		out.LineKeys[k] = v
	}
	for k, v := range c.SoftKeys {
		out.SoftKeys[k] = v
	}
	return out
}

// slot is one line key position: sidecar 0 is the phone itself, whose keys
// are numbered across its pages (page 2 key 1 follows page 1's last key);
// a sidecar's keys are numbered across its own pages.
type slot struct{ sidecar, index int }

func (s slot) name() string {
	if s.sidecar == 0 {
		return "phone/" + strconv.Itoa(s.index)
	}
	return "sidecar" + strconv.Itoa(s.sidecar) + "/" + strconv.Itoa(s.index)
}

// takesSidecars reports whether a device of the type can have sidecars: a
// sidecar model, a maximum, and a model that takes modules (a type saved
// before the catalog checked models may name one for a model that takes
// none: KeyModelOf).
func takesSidecars(t Type) bool {
	return t.SidecarModel != "" && t.SidecarMax > 0 && sidecarKeyCount(t) > 0
}

// attachedSidecars is how many sidecars the device has, within what the
// type takes now (an operator may have lowered the maximum since).
func attachedSidecars(t Type, c vdmConfig) int {
	if !takesSidecars(t) {
		return 0
	}
	return max(0, min(c.Sidecars, t.SidecarMax))
}

// phoneKeyCount is how many of the phone's own line keys the device can
// be given: its pages' keys, but no more than the model addresses
// (KeyModelOf), so no key is set that the provisioning server could not
// deliver.
func phoneKeyCount(t Type) int {
	return KeyModelOf(t.Vendor, t.Model).PhoneKeys(t.LineKeysPerPage * t.Pages)
}

// sidecarKeyCount is how many keys of one sidecar the device can be given:
// the type's, but no more than the model's module addresses.
func sidecarKeyCount(t Type) int {
	return KeyModelOf(t.Vendor, t.Model).SidecarKeys(t.SidecarKeys)
}

// slots lists every line key position of the device in order: the phone's
// pages, then each attached sidecar.
func slots(t Type, c vdmConfig) []slot {
	var out []slot
	for i := 1; i <= phoneKeyCount(t); i++ {
		out = append(out, slot{0, i})
	}
	for s := 1; s <= attachedSidecars(t, c); s++ {
		for i := 1; i <= sidecarKeyCount(t); i++ {
			out = append(out, slot{s, i})
		}
	}
	return out
}

// blfEntry is one monitored colleague: the SIP user part of their primary
// line and their name.
type blfEntry struct{ user, name string }

// resolveLayout turns what is stored into the keys a phone gets
// (docs/devices.md, "Resolution"): explicit keys as stored; every line of
// the device not on a key takes the next spare key; the remaining spare
// keys show the BLF list in order, from the phone or the sidecar first;
// what is left stays Default. lineLabel names a line on its key.
func resolveLayout(t Type, c vdmConfig, lines []Line, lineLabel func(Line) string, blf []blfEntry) KeyLayout {
	all := slots(t, c)
	keys := make([]Key, len(all))
	onDevice := map[int64]Line{}
	for _, l := range lines {
		onDevice[l.ID] = l
	}
	placed := map[int64]bool{}
	var spare []int
	for i, s := range all {
		k, ok := c.LineKeys[s.name()]
		switch {
		case !ok:
			spare = append(spare, i)
		case k.Action == KeyLine:
			l, there := onDevice[k.LineID]
			if !there || placed[k.LineID] {
				// The line left the device: the key is spare again.
				spare = append(spare, i)
				continue
			}
			placed[k.LineID] = true
			keys[i] = Key{Action: KeyLine, LineID: l.ID, Label: lineLabel(l)}
		case k.Action == KeySpeedDial || k.Action == KeyNone:
			keys[i] = k
		default:
			spare = append(spare, i)
		}
	}
	for _, l := range lines {
		if placed[l.ID] || len(spare) == 0 {
			continue
		}
		keys[spare[0]] = Key{Action: KeyLine, LineID: l.ID, Label: lineLabel(l)}
		spare = spare[1:]
	}
	if c.BLFStart == BLFStartSidecar {
		// Sidecar keys first, then the phone's: a stable partition of the
		// spare keys keeps each part in key order.
		var side, phone []int
		for _, i := range spare {
			if all[i].sidecar > 0 {
				side = append(side, i)
			} else {
				phone = append(phone, i)
			}
		}
		spare = append(side, phone...)
	}
	for n, i := range spare {
		if n < len(blf) {
			keys[i] = Key{Action: KeyBLF, Value: blf[n].user, Label: blf[n].name}
		} else {
			keys[i] = Key{Action: KeyDefault}
		}
	}
	out := KeyLayout{SidecarModel: t.SidecarModel, SidecarKeys: [][]Key{}, SoftKeys: resolveSoftKeys(t, c)}
	phoneKeys, moduleKeys := phoneKeyCount(t), sidecarKeyCount(t)
	out.PhoneKeys = keys[:phoneKeys:phoneKeys]
	for s := 1; s <= attachedSidecars(t, c); s++ {
		start := phoneKeys + (s-1)*moduleKeys
		out.SidecarKeys = append(out.SidecarKeys, keys[start:start+moduleKeys:start+moduleKeys])
	}
	if t.SidecarModel != "" && moduleKeys > 0 {
		out.SidecarKeyCount = moduleKeys
		out.DetachedSidecars = max(0, min(c.SidecarsWritten, t.SidecarMax)-len(out.SidecarKeys))
	}
	if slices.Contains(t.RingTones, c.Ringer) {
		out.Ringer = c.Ringer
	}
	return out
}

func resolveSoftKeys(t Type, c vdmConfig) []Key {
	out := make([]Key, t.SoftKeys)
	for i := range out {
		k, ok := c.SoftKeys[strconv.Itoa(i+1)]
		switch {
		case !ok:
			out[i] = Key{Action: KeyDefault}
		case k.Action == KeyFunction:
			f, known := FunctionByID(k.Value)
			if !known {
				out[i] = Key{Action: KeyDefault}
				continue
			}
			out[i] = Key{Action: KeyFunction, Value: f.Code, Label: f.Name}
		default:
			out[i] = k
		}
	}
	return out
}

// vdmState is one device with everything its Visual Device Manager and
// its KeyLayout are computed from.
type vdmState struct {
	d     Device
	t     Type
	cfg   vdmConfig
	lines []Line
	// names of the accounts the lines belong to.
	names map[int64]string
}

// loadVDM reads device id of companyID and what resolving its keys needs.
func (s *Service) loadVDM(ctx context.Context, companyID, id int64) (vdmState, error) {
	var st vdmState
	var err error
	if st.d, err = s.Device(ctx, companyID, id); err != nil {
		return st, err
	}
	providerID, err := s.providerOf(ctx, companyID)
	if err != nil {
		return st, err
	}
	if st.t, err = s.Type(ctx, providerID, st.d.TypeID); err != nil {
		return st, err
	}
	var raw string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT vdm_config FROM devices WHERE id = ?", id).Scan(&raw); err != nil {
		return st, err
	}
	if st.cfg, err = decodeVDM(raw); err != nil {
		return st, err
	}
	if st.lines, err = s.DeviceLines(ctx, companyID, id); err != nil {
		return st, err
	}
	ids := []int64{}
	for _, l := range st.lines {
		ids = append(ids, l.AccountID)
	}
	if st.d.AccountID != nil {
		ids = append(ids, *st.d.AccountID)
	}
	st.names, err = s.numbering.UserNames(ctx, companyID, ids)
	return st, err
}

// loadLayout reads what resolving device id's keys needs — its type, its
// stored settings, its lines and their employees' names — in one query,
// since the provisioning server asks for every file it renders
// (docs/provisioning.md, "Keys"). It fills what loadVDM fills but the
// device's own columns past its company and user.
func (s *Service) loadLayout(ctx context.Context, id int64) (vdmState, error) {
	st := vdmState{names: map[int64]string{}}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+typeColumns+`, d.id, d.company_id, d.account_id, d.vdm_config,
		l.id, l.account_id, l.appearance, l.username, l.realm, l.created_at, l.updated_at, a.username, a.first_name, a.last_name
		FROM devices d JOIN device_types t ON t.id = d.type_id
		LEFT JOIN lines l ON l.device_id = d.id AND l.company_id = d.company_id
		LEFT JOIN accounts a ON a.id = l.account_id AND a.company_id = d.company_id
		WHERE d.id = ? ORDER BY l.appearance, l.id`, id)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	found := false
	var raw string
	for rows.Next() {
		var account, lineID, lineAccount, appearance, created, updated sql.NullInt64
		var user, realm, username, first, last sql.NullString
		t, err := scanType(scanPrefix{rows, []any{&st.d.ID, &st.d.CompanyID, &account, &raw,
			&lineID, &lineAccount, &appearance, &user, &realm, &created, &updated, &username, &first, &last}})
		if err != nil {
			return st, err
		}
		found, st.t = true, t
		if account.Valid {
			st.d.AccountID = &account.Int64
		}
		if !lineID.Valid {
			continue
		}
		st.lines = append(st.lines, Line{ID: lineID.Int64, CompanyID: st.d.CompanyID, DeviceID: st.d.ID, AccountID: lineAccount.Int64,
			Appearance: int(appearance.Int64), Username: user.String, Realm: realm.String,
			CreatedAt: store.Time(created.Int64), UpdatedAt: store.Time(updated.Int64)})
		if username.Valid {
			st.names[lineAccount.Int64] = accountName(username.String, first.String, last.String)
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	if !found {
		return st, fmt.Errorf("devices: device %d: %w", id, derrors.ErrNotFound)
	}
	st.d.TypeID, st.d.TypeName = st.t.ID, st.t.Name()
	st.cfg, err = decodeVDM(raw)
	return st, err
}

// lineKind says what a line is to the device's user: their primary line,
// an additional line of theirs, or a shared call appearance of a colleague.
func (st vdmState) lineKind(l Line) string {
	if st.d.AccountID != nil && l.AccountID == *st.d.AccountID {
		if l.Appearance == 0 {
			return "primary"
		}
		return "additional"
	}
	return "shared"
}

// lineLabel is what a line key shows: the name of the line's employee.
func (st vdmState) lineLabel(l Line) string {
	if n := st.names[l.AccountID]; n != "" {
		return n
	}
	return l.Username
}

// blfList is the device user's Busy Lamp Field list: each monitored
// colleague of the company with a primary line, in the feature's order
// (a colleague without a line has nothing to monitor and is skipped).
func (s *Service) blfList(ctx context.Context, st vdmState) ([]blfEntry, error) {
	if st.d.AccountID == nil || s.MonitoredEmployees == nil {
		return nil, nil
	}
	ids, err := s.MonitoredEmployees(ctx, *st.d.AccountID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	// The colleagues' names and primary lines in one read.
	args := []any{st.d.CompanyID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT a.id, a.username, a.first_name, a.last_name, l.username FROM lines l
		JOIN devices d ON d.id = l.device_id AND d.account_id = l.account_id
		JOIN accounts a ON a.id = l.account_id AND a.company_id = l.company_id
		WHERE l.company_id = ? AND l.appearance = 0 AND l.account_id IN (`+store.Placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	users := map[int64]blfEntry{}
	for rows.Next() {
		var id int64
		var username, first, last, user string
		if err := rows.Scan(&id, &username, &first, &last, &user); err != nil {
			return nil, err
		}
		users[id] = blfEntry{user: user, name: accountName(username, first, last)}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []blfEntry
	for _, id := range ids {
		if users[id].user == "" {
			continue
		}
		out = append(out, users[id])
	}
	return out, nil
}

// accountName is how the devices pages name an employee: their first and
// last name, or their username without one (as numbering.UserNames does).
func accountName(username, first, last string) string {
	if name := strings.TrimSpace(first + " " + last); name != "" {
		return name
	}
	return username
}

func (s *Service) layoutOf(ctx context.Context, st vdmState) (KeyLayout, error) {
	blf, err := s.blfList(ctx, st)
	if err != nil {
		return KeyLayout{}, err
	}
	return resolveLayout(st.t, st.cfg, st.lines, st.lineLabel, blf), nil
}

// KeyLayout is device deviceID's keys as its phone gets them, for the
// provisioning server (no actor: the device itself is asking). A device of
// a type that is not VDM has nothing stored: its lines take the first
// keys and the BLF list the rest.
func (s *Service) KeyLayout(ctx context.Context, deviceID int64) (KeyLayout, error) {
	st, err := s.loadLayout(ctx, deviceID)
	if err != nil {
		return KeyLayout{}, fmt.Errorf("devices: key layout of device %d: %w", deviceID, err)
	}
	l, err := s.layoutOf(ctx, st)
	if err != nil {
		return KeyLayout{}, fmt.Errorf("devices: key layout of device %d: %w", deviceID, err)
	}
	return l, nil
}

// VDM is a device's Visual Device Manager as its pages show it.
type VDM struct {
	// Device carries the registration status where the handlers fill it
	// (Device.Registration).
	Device Device   `json:"device"`
	Type   Type     `json:"type"`
	User   *VDMUser `json:"user"`
	// LastSeen is when the phone last fetched its configuration or was
	// otherwise seen (nil: never).
	LastSeen *time.Time `json:"last_seen"`
	// AvailableToEmployees is the site type's "VDM available to Employees".
	AvailableToEmployees bool       `json:"vdm_available_to_employees"`
	General              VDMGeneral `json:"general"`
	// Pages are the line key pages: the phone's, then one per attached
	// sidecar.
	Pages    []VDMPage `json:"pages"`
	SoftKeys []VDMKey  `json:"soft_keys"`
	// Ringer is one of the type's ring tones; "" is the phone's own.
	Ringer    string     `json:"ringer"`
	Lines     []VDMLine  `json:"lines"`
	Functions []Function `json:"functions"`
	// NoneAllowed: the type's vendor takes a None line key (Polycom).
	NoneAllowed bool `json:"none_allowed"`
}

// VDMUser is the employee using the device.
type VDMUser struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// VDMGeneral is the General Settings: the sidecars attached and where the
// BLF keys start.
type VDMGeneral struct {
	Sidecars int    `json:"sidecars"`
	BLFStart string `json:"blf_start"`
}

// VDMPage is one page of line keys.
type VDMPage struct {
	Page  int    `json:"page"`
	Title string `json:"title"`
	// Sidecar is the sidecar the page is (1 for the first); 0: the phone.
	Sidecar int      `json:"sidecar"`
	Keys    []VDMKey `json:"keys"`
}

// VDMKey is one key: what is set on it (action default when nothing is)
// and what it does once resolved.
type VDMKey struct {
	Key      int `json:"key"`
	Set      Key `json:"set"`
	Resolved Key `json:"resolved"`
}

// VDMLine is a line of the device a Line key may show.
type VDMLine struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// view builds the Visual Device Manager of st.
func (s *Service) view(ctx context.Context, st vdmState) (VDM, error) {
	layout, err := s.layoutOf(ctx, st)
	if err != nil {
		return VDM{}, err
	}
	t, c := st.t, st.cfg
	v := VDM{Device: st.d, Type: t, General: VDMGeneral{Sidecars: attachedSidecars(t, c), BLFStart: c.BLFStart}, Ringer: layout.Ringer,
		Lines: []VDMLine{}, Functions: Functions, NoneAllowed: noneAllowed(t), Pages: []VDMPage{}, SoftKeys: []VDMKey{}}
	if st.d.AccountID != nil {
		v.User = &VDMUser{ID: *st.d.AccountID, Name: st.names[*st.d.AccountID]}
	}
	seen, err := s.LastSeen(ctx, st.d.ID)
	if err != nil {
		return VDM{}, err
	}
	if !seen.IsZero() {
		v.LastSeen = &seen
	}
	r, err := s.siteTypeRow(ctx, st.d.SiteID, t.ID)
	if err != nil {
		return VDM{}, err
	}
	v.AvailableToEmployees = r.vdm
	for _, l := range st.lines {
		v.Lines = append(v.Lines, VDMLine{ID: l.ID, Kind: st.lineKind(l), Name: st.lineLabel(l), Username: l.Username})
	}
	set := func(m map[string]Key, name string) Key {
		if k, ok := m[name]; ok {
			return k
		}
		return Key{Action: KeyDefault}
	}
	for p := 1; p <= t.Pages; p++ {
		page := VDMPage{Page: p, Title: fmt.Sprintf("Page %d", p), Keys: []VDMKey{}}
		for k := 1; k <= pageKeys(t, p); k++ {
			idx := (p-1)*t.LineKeysPerPage + k
			page.Keys = append(page.Keys, VDMKey{Key: k, Set: set(c.LineKeys, slot{0, idx}.name()), Resolved: layout.PhoneKeys[idx-1]})
		}
		v.Pages = append(v.Pages, page)
	}
	for sc, keys := range layout.SidecarKeys {
		page := VDMPage{Page: t.Pages + sc + 1, Sidecar: sc + 1, Title: fmt.Sprintf("Sidecar %d (%s)", sc+1, t.SidecarModel), Keys: []VDMKey{}}
		for k := range keys {
			page.Keys = append(page.Keys, VDMKey{Key: k + 1, Set: set(c.LineKeys, slot{sc + 1, k + 1}.name()), Resolved: keys[k]})
		}
		v.Pages = append(v.Pages, page)
	}
	for i, k := range layout.SoftKeys {
		v.SoftKeys = append(v.SoftKeys, VDMKey{Key: i + 1, Set: set(c.SoftKeys, strconv.Itoa(i+1)), Resolved: k})
	}
	return v, nil
}

// noneAllowed: only Polycom phones take a None line key (the guide says
// so; a Yealink line key has no "blank and reserved" type).
func noneAllowed(t Type) bool { return Family(t.Vendor) == FamilyPolycom }

// pageSlot is the slot of key k on page p of the device (pages 1..Pages
// are the phone's, the next ones each attached sidecar).
func pageSlot(t Type, c vdmConfig, p, k int) (slot, error) {
	sidecars := attachedSidecars(t, c)
	last := t.Pages + sidecars
	if p < 1 || p > last {
		if sidecars == 0 {
			return slot{}, derrors.Invalid("page", "the %s has line key pages 1 to %d", t.Name(), t.Pages)
		}
		return slot{}, derrors.Invalid("page", "the %s has line key pages 1 to %d (pages %d to %d are its sidecars)", t.Name(), last, t.Pages+1, last)
	}
	if p <= t.Pages {
		if n := pageKeys(t, p); k < 1 || k > n {
			if n == 0 {
				return slot{}, derrors.Invalid("page", "page %d of the %s has no key the phone addresses (it addresses %d line keys)", p, t.Name(), phoneKeyCount(t))
			}
			if n < t.LineKeysPerPage {
				return slot{}, derrors.Invalid("key", "page %d of the %s has keys 1 to %d (the phone addresses %d line keys)", p, t.Name(), n, phoneKeyCount(t))
			}
			return slot{}, derrors.Invalid("key", "a page of the %s has keys 1 to %d", t.Name(), t.LineKeysPerPage)
		}
		return slot{0, (p-1)*t.LineKeysPerPage + k}, nil
	}
	if n := sidecarKeyCount(t); k < 1 || k > n {
		return slot{}, derrors.Invalid("key", "a %s has keys 1 to %d", t.SidecarModel, n)
	}
	return slot{p - t.Pages, k}, nil
}

// pageKeys is how many keys page p has: a phone page ends early where the
// model's line keys end (phoneKeyCount).
func pageKeys(t Type, p int) int {
	if p <= t.Pages {
		return max(0, min(t.LineKeysPerPage, phoneKeyCount(t)-(p-1)*t.LineKeysPerPage))
	}
	return sidecarKeyCount(t)
}

// validText checks a label or macro: at most n characters, no control
// characters (they would break the phone's configuration file).
func validText(v *derrors.ValidationError, field, what, s string, n int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		v.Add(field, "the %s is required", what)
	case utf8.RuneCountInString(s) > n:
		v.Add(field, "the %s may have at most %d characters", what, n)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, "the %s may not contain control characters (tabs, line breaks)", what)
	}
	return s
}

// numberRules reads speed dials' numbers for one company
// (numbering.Destinations).
type numberRules = numbering.Destinations

func (s *Service) numberRules(ctx context.Context, companyID int64) (*numberRules, error) {
	var providerID int64
	var region string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT c.provider_id, p.default_region FROM companies c JOIN providers p ON p.id = c.provider_id WHERE c.id = ?", companyID).
		Scan(&providerID, &region)
	return s.numbering.Destinations(companyID, providerID, region), err
}

// speedDialNumber reads a speed dial's number by the shared number rule
// (numbering.Destinations, docs/contacts.md "The number rule"), as features
// read their destinations: a number with an E.164 form is kept in E.164;
// anything else must be an extension held in the company. Feature codes
// belong on a Function key; emergency numbers are dialled, never put on a
// key one can press by accident.
func speedDialNumber(ctx context.Context, r *numberRules, v *derrors.ValidationError, field, in string) (string, error) {
	if strings.TrimSpace(in) == "" {
		v.Add(field, "enter the number the speed dial calls")
		return "", nil
	}
	n, _, refusal, err := r.Read(ctx, in)
	if err != nil {
		return "", err
	}
	switch {
	case refusal == nil:
	case refusal.Kind == numbering.RefusalFeatureCode:
		v.Add(field, "%s is a feature code: choose it as a Function (soft keys) instead of a speed dial", n)
	case refusal.Kind == numbering.RefusalEmergency:
		v.Add(field, "%s is an emergency number: dial it directly rather than from a key that can be pressed by accident", n)
	default:
		v.Add(field, "%s", refusal.Reason)
	}
	return n, nil
}

// lineKey validates a key set on a line key position; it returns the key
// as stored and whether it is the default (nothing stored).
func (s *Service) lineKey(ctx context.Context, st vdmState, rules *numberRules, v *derrors.ValidationError, field string, k Key) (Key, bool, error) {
	switch k.Action {
	case KeyDefault, "":
		return Key{}, true, nil
	case KeyNone:
		if !noneAllowed(st.t) {
			v.Add(field+".action", "None is for Polycom phones only: a %s line key cannot be blank and reserved; choose Default to leave it spare", st.t.Name())
		}
		return Key{Action: KeyNone}, false, nil
	case KeyLine:
		for _, l := range st.lines {
			if l.ID == k.LineID {
				return Key{Action: KeyLine, LineID: l.ID}, false, nil
			}
		}
		v.Add(field+".line_id", "line %d is not a line of this device: choose one of its lines (the primary line, an additional line or a shared call appearance)", k.LineID)
		return Key{}, false, nil
	case KeySpeedDial:
		label := validText(v, field+".label", "label", k.Label, maxKeyLabel)
		n, err := speedDialNumber(ctx, rules, v, field+".value", k.Value)
		return Key{Action: KeySpeedDial, Label: label, Value: n}, false, err
	case KeyBLF:
		v.Add(field+".action", "BLF keys are not set here: the spare keys show the Busy Lamp Field list in its order (the employee's Busy Lamp Field feature)")
	default:
		v.Add(field+".action", "%q is not a line key type: default, none, line or speed_dial", k.Action)
	}
	return Key{}, false, nil
}

// softKey validates a key set on a soft key.
func (s *Service) softKey(ctx context.Context, rules *numberRules, v *derrors.ValidationError, field string, k Key) (Key, bool, error) {
	switch k.Action {
	case KeyDefault, "":
		return Key{}, true, nil
	case KeyNone:
		return Key{Action: KeyNone}, false, nil
	case KeyFunction:
		f, ok := FunctionByID(k.Value)
		if !ok {
			ids := make([]string, len(Functions))
			for i, f := range Functions {
				ids[i] = f.ID
			}
			v.Add(field+".value", "%q is not one of the platform's functions (%s)", k.Value, strings.Join(ids, ", "))
		}
		return Key{Action: KeyFunction, Value: f.ID}, false, nil
	case KeyCustom:
		label := validText(v, field+".label", "label", k.Label, maxKeyLabel)
		macro := validText(v, field+".value", "macro string", k.Value, maxMacro)
		return Key{Action: KeyCustom, Label: label, Value: macro}, false, nil
	case KeySpeedDial:
		label := validText(v, field+".label", "label", k.Label, maxKeyLabel)
		n, err := speedDialNumber(ctx, rules, v, field+".value", k.Value)
		return Key{Action: KeySpeedDial, Label: label, Value: n}, false, err
	default:
		v.Add(field+".action", "%q is not a soft key type: default, none, function, custom or speed_dial", k.Action)
	}
	return Key{}, false, nil
}

// checkLinesOnce refuses a line shown on two keys: a line has one key.
func checkLinesOnce(t Type, c vdmConfig) error {
	where := map[int64]string{}
	for _, s := range slots(t, c) {
		k, ok := c.LineKeys[s.name()]
		if !ok || k.Action != KeyLine {
			continue
		}
		here := describeSlot(t, s)
		if prev, dup := where[k.LineID]; dup {
			return derrors.Invalid("keys", "line %d is already on %s: set that key to Default or None before putting the line on %s", k.LineID, prev, here)
		}
		where[k.LineID] = here
	}
	return nil
}

func describeSlot(t Type, s slot) string {
	if s.sidecar == 0 {
		per := max(1, t.LineKeysPerPage)
		return fmt.Sprintf("page %d key %d", (s.index-1)/per+1, (s.index-1)%per+1)
	}
	return fmt.Sprintf("sidecar %d key %d", s.sidecar, s.index)
}

// lockVDM locks the row of device id until
// the transaction ends (the UPDATE takes the row lock on PostgreSQL; SQLite
// has one writer), so two edits of one phone apply one after the other.
func (s *Service) lockVDM(ctx context.Context, companyID, id int64) error {
	res, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET vdm_config = vdm_config WHERE id = ? AND company_id = ?", id, companyID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

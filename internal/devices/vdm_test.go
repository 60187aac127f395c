package devices_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// vdmRig is the fixture estate with the service sold, west.one using a
// Yealink T46G VDM at Leeds with a primary line, and a Busy Lamp Field list
// of support.one then london.one (each with a phone and a line).
type vdmRig struct {
	env   *apptest.Env
	svc   *devices.Service
	ctx   context.Context
	sv    apptest.Service
	phone devices.Device
	line  devices.LineCredentials
	// users are the SIP user parts of support.one's and london.one's lines.
	users []string
}

func newVDMRig(t testing.TB, db *store.DB) *vdmRig {
	t.Helper()
	env := apptest.New(t, db)
	env.AddCast(t)
	r := &vdmRig{env: env, svc: env.App.Devices, ctx: context.Background()}
	r.sv = env.SeedService(t)
	a, f := env.App, env.Fixture
	sealer, err := devices.NewSealer([]byte(strings.Repeat("v", 32)))
	if err != nil {
		t.Fatal(err)
	}
	a.Devices.Lines.Sealer, a.Devices.Lines.Domain = sealer, "voice.example.net"
	give := func(user string, site int64, model, mac string) (devices.Device, devices.LineCredentials) {
		d, err := r.svc.Create(r.ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: site, TypeID: r.sv.Types[model].ID, MAC: mac})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.svc.AssignPrimary(r.ctx, f.Acme.ID, site, d.ID, env.ID(user)); err != nil {
			t.Fatal(err)
		}
		l, err := r.svc.ProvisionPrimaryLine(r.ctx, f.Acme.ID, env.ID(user))
		if err != nil {
			t.Fatal(err)
		}
		if d, err = r.svc.Device(r.ctx, f.Acme.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		return d, l
	}
	r.phone, r.line = give("west.one", f.Leeds.ID, "T46G VDM", "00:15:65:0A:00:01")
	_, support := give("support.one", f.Leeds.ID, "VVX 301", "00:04:F2:0A:00:02")
	_, london := give("london.one", f.London.ID, "T42G", "00:15:65:0A:00:03")
	r.users = []string{support.Username, london.Username}
	if _, err := a.Catalog.SetEmployeeOffering(r.ctx, f.Acme.ID, env.ID("west.one"), r.sv.Packages["Standard"].ID, nil, r.sv.Terms["Monthly"].ID); err != nil {
		t.Fatal(err)
	}
	blf := fmt.Sprintf(`{"monitored":[%d,%d]}`, env.ID("support.one"), env.ID("london.one"))
	if _, err := a.Features.Configure(r.ctx, env.Actor("acme.admin"), features.Employee(env.ID("west.one")), features.CodeBusyLampField, []byte(blf)); err != nil {
		t.Fatal(err)
	}
	return r
}

// keyString writes a key compactly for comparisons: action, then label,
// value or line.
func keyString(k devices.Key) string {
	switch k.Action {
	case devices.KeyLine:
		return fmt.Sprintf("line:%d", k.LineID)
	case devices.KeyDefault, devices.KeyNone:
		return string(k.Action)
	}
	return fmt.Sprintf("%s:%s=%s", k.Action, k.Label, k.Value)
}

func keyStrings(ks []devices.Key, n int) []string {
	out := []string{}
	for _, k := range ks[:min(n, len(ks))] {
		out = append(out, keyString(k))
	}
	return out
}

func sameKeys(t *testing.T, what string, got []devices.Key, want ...string) {
	t.Helper()
	if g := keyStrings(got, len(want)); strings.Join(g, " ") != strings.Join(want, " ") {
		t.Errorf("%s: %v, want %v", what, g, want)
	}
}

// TestKeyLayout follows a T46G VDM through the Visual Device Manager and
// checks the keys its phone gets after each change (docs/devices.md,
// "Resolution").
func TestKeyLayout(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newVDMRig(t, db)
		admin := r.env.Actor("leeds.admin")
		id := r.phone.ID
		layout := func() devices.KeyLayout {
			t.Helper()
			l, err := r.svc.KeyLayout(r.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		line := fmt.Sprintf("line:%d", r.line.ID)
		blf1, blf2 := "blf:Stan Port="+r.users[0], "blf:Lola Don="+r.users[1]

		// Nothing set: the line on the first key, the BLF list after it.
		l := layout()
		if len(l.PhoneKeys) != 27 || len(l.SidecarKeys) != 0 || len(l.SoftKeys) != 4 || l.SidecarModel != "EXP40" {
			t.Fatalf("layout: %d phone keys, %d sidecars, %d soft keys, sidecar %q; want 27 (9 × 3, what a T46G addresses), 0, 4, EXP40",
				len(l.PhoneKeys), len(l.SidecarKeys), len(l.SoftKeys), l.SidecarModel)
		}
		sameKeys(t, "defaults", l.PhoneKeys, line, blf1, blf2, "default")
		sameKeys(t, "default soft keys", l.SoftKeys, "default", "default", "default", "default")

		// A sidecar, BLF starting on it.
		if _, err := r.svc.SetVDMGeneral(r.ctx, admin, id, devices.VDMGeneral{Sidecars: 1, BLFStart: devices.BLFStartSidecar}); err != nil {
			t.Fatal(err)
		}
		l = layout()
		if len(l.SidecarKeys) != 1 || len(l.SidecarKeys[0]) != 40 {
			t.Fatalf("one EXP40 attached: %d sidecars", len(l.SidecarKeys))
		}
		sameKeys(t, "BLF on the sidecar first", l.PhoneKeys, line, "default")
		sameKeys(t, "sidecar", l.SidecarKeys[0], blf1, blf2, "default")

		// A speed dial on the line's key: the line takes the next spare key.
		v, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 1, devices.Key{Action: devices.KeySpeedDial, Label: "Reception", Value: "0113 496 0000"})
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Pages[0].Keys[0].Set.Value; got != "+441134960000" {
			t.Errorf("speed dial stored as %q, want the E.164 form +441134960000", got)
		}
		sameKeys(t, "speed dial first", layout().PhoneKeys, "speed_dial:Reception=+441134960000", line, "default")

		// The line placed on the sidecar's third key by hand.
		if _, err := r.svc.SetLineKey(r.ctx, admin, id, 4, 3, devices.Key{Action: devices.KeyLine, LineID: r.line.ID}); err != nil {
			t.Fatal(err)
		}
		l = layout()
		sameKeys(t, "phone after moving the line", l.PhoneKeys, "speed_dial:Reception=+441134960000", "default")
		sameKeys(t, "sidecar after moving the line", l.SidecarKeys[0], blf1, blf2, line, "default")

		// Page 2 as a whole, BLF back on the phone first.
		page := make([]devices.Key, 9)
		page[0] = devices.Key{Action: devices.KeySpeedDial, Label: "Stan", Value: "+44 113 496 0001"}
		if _, err := r.svc.SetLineKeys(r.ctx, admin, id, 2, page); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SetVDMGeneral(r.ctx, admin, id, devices.VDMGeneral{Sidecars: 1, BLFStart: devices.BLFStartPhone}); err != nil {
			t.Fatal(err)
		}
		l = layout()
		sameKeys(t, "phone, BLF first", l.PhoneKeys, "speed_dial:Reception=+441134960000", blf1, blf2, "default")
		sameKeys(t, "page 2", l.PhoneKeys[9:], "speed_dial:Stan=+441134960001", "default")
		sameKeys(t, "sidecar, BLF on the phone", l.SidecarKeys[0], "default", "default", line)

		// Soft keys: a function, a custom macro, a speed dial.
		soft := []devices.Key{{Action: devices.KeyFunction, Value: "call_pull"}, {Action: devices.KeyCustom, Label: "Night", Value: "2281$Tinvite$$Cwc$*$Tdtmf$"},
			{Action: devices.KeySpeedDial, Label: "Ops", Value: "+442079460001"}, {Action: devices.KeyNone}}
		if _, err := r.svc.SetSoftKeys(r.ctx, admin, id, soft); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SetRinger(r.ctx, admin, id, "Ring3.wav"); err != nil {
			t.Fatal(err)
		}
		l = layout()
		sameKeys(t, "soft keys", l.SoftKeys, "function:Call Pull=*11", "custom:Night=2281$Tinvite$$Cwc$*$Tdtmf$", "speed_dial:Ops=+442079460001", "none")
		// One soft key alone: the others keep what is set.
		if _, err := r.svc.SetSoftKey(r.ctx, admin, id, 4, devices.Key{Action: devices.KeyDefault}); err != nil {
			t.Fatal(err)
		}
		sameKeys(t, "one soft key", layout().SoftKeys, "function:Call Pull=*11", "custom:Night=2281$Tinvite$$Cwc$*$Tdtmf$", "speed_dial:Ops=+442079460001", "default")
		if _, err := r.svc.SetSoftKey(r.ctx, admin, id, 4, devices.Key{Action: devices.KeyNone}); err != nil {
			t.Fatal(err)
		}
		if l.Ringer != "Ring3.wav" {
			t.Errorf("ringer %q, want Ring3.wav", l.Ringer)
		}

		// Detaching the sidecar drops its keys: the line comes back to the
		// phone's first spare key.
		if _, err := r.svc.SetVDMGeneral(r.ctx, admin, id, devices.VDMGeneral{Sidecars: 0}); err != nil {
			t.Fatal(err)
		}
		l = layout()
		sameKeys(t, "no sidecar", l.PhoneKeys, "speed_dial:Reception=+441134960000", line, blf1, blf2, "default")
		// The phone is told to reset the detached module's keys.
		if len(l.SidecarKeys) != 0 || l.DetachedSidecars != 1 || l.SidecarKeyCount == 0 {
			t.Errorf("after detaching: %d attached, %d detached of %d keys; want 0, 1 and the model's keys", len(l.SidecarKeys), l.DetachedSidecars, l.SidecarKeyCount)
		}

		// Reset: every key at its default, the ringer stays.
		if _, err := r.svc.ResetVDMKeys(r.ctx, admin, id); err != nil {
			t.Fatal(err)
		}
		l = layout()
		sameKeys(t, "reset", l.PhoneKeys, line, blf1, blf2, "default")
		sameKeys(t, "reset soft keys", l.SoftKeys, "default", "default", "default", "default")
		if l.Ringer != "Ring3.wav" {
			t.Errorf("ringer after reset %q, want Ring3.wav", l.Ringer)
		}

		// A change of the BLF list changes the keys, and moves the company's
		// provisioning revision so phones fetch them.
		revision := func() int64 {
			var n int64
			if err := db.Q(r.ctx).QueryRow(r.ctx, "SELECT revision FROM provisioning_revisions WHERE company_id = ?", r.env.Fixture.Acme.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		rev := revision()
		blf := fmt.Sprintf(`{"monitored":[%d]}`, r.env.ID("london.one"))
		if _, err := r.env.App.Features.Configure(r.ctx, r.env.Actor("acme.admin"), features.Employee(r.env.ID("west.one")), features.CodeBusyLampField, []byte(blf)); err != nil {
			t.Fatal(err)
		}
		sameKeys(t, "shorter BLF list", layout().PhoneKeys, line, blf2, "default")
		if revision() <= rev {
			t.Errorf("the BLF list changed but the provisioning revision stayed %d", rev)
		}
		// So does renaming a monitored colleague (their key's label), but
		// not a change of theirs that no phone shows.
		rev = revision()
		renamed := "Lolita"
		if _, err := r.env.App.Directory.ModifyEmployee(r.ctx, r.env.Actor("acme.admin"), r.env.ID("london.one"), directory.EmployeeUpdateRequest{FirstName: &renamed}); err != nil {
			t.Fatal(err)
		}
		if revision() <= rev {
			t.Errorf("a monitored colleague was renamed but the provisioning revision stayed %d", rev)
		}
		rev = revision()
		phone := "+441134960777"
		if _, err := r.env.App.Directory.ModifyEmployee(r.ctx, r.env.Actor("acme.admin"), r.env.ID("london.one"), directory.EmployeeUpdateRequest{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		if got := revision(); got != rev {
			t.Errorf("a contact phone change moved the provisioning revision %d → %d", rev, got)
		}
		if _, err := r.env.App.Features.Configure(r.ctx, r.env.Actor("acme.admin"), features.Employee(r.env.ID("west.one")), features.CodeBusyLampField,
			[]byte(fmt.Sprintf(`{"monitored":[%d,%d]}`, r.env.ID("support.one"), r.env.ID("london.one")))); err != nil {
			t.Fatal(err)
		}

		// The view draws the same keys the phone gets.
		v, err = r.svc.VisualDeviceManager(r.ctx, admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Pages) != 3 || v.Pages[0].Keys[1].Resolved.Value != r.users[0] || v.User == nil || v.User.Name != "Wendy West" ||
			len(v.Lines) != 1 || v.Lines[0].Kind != "primary" || !v.AvailableToEmployees {
			t.Errorf("view: %d pages, key 2 %+v, user %+v, lines %+v, available %v", len(v.Pages), v.Pages[0].Keys[1].Resolved, v.User, v.Lines, v.AvailableToEmployees)
		}
	})
}

// TestVDMRefusals: bad input is refused with a reason naming what to do,
// and changes nothing (audit included).
func TestVDMRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newVDMRig(t, db)
		admin := r.env.Actor("acme.admin")
		f := r.env.Fixture
		other, err := r.svc.Create(r.ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: r.sv.Types["T46G"].ID, MAC: "00:15:65:0A:00:09"})
		if err != nil {
			t.Fatal(err)
		}
		id := r.phone.ID
		speed := func(n string) devices.Key { return devices.Key{Action: devices.KeySpeedDial, Label: "X", Value: n} }
		before := storetest.Counts(t, db)
		for _, tt := range []struct {
			name string
			run  func() error
			want string
		}{
			{"not a VDM type", func() error { _, err := r.svc.VisualDeviceManager(r.ctx, admin, other.ID); return err }, "convert the device to a VDM type first"},
			{"None on a Yealink", func() error {
				_, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, devices.Key{Action: devices.KeyNone})
				return err
			}, "Polycom phones only"},
			{"BLF set by hand", func() error {
				_, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, devices.Key{Action: devices.KeyBLF})
				return err
			}, "Busy Lamp Field list"},
			{"letters as a number", func() error { _, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, speed("call me")); return err }, "not a telephone number"},
			{"a feature code", func() error { _, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, speed("*11")); return err }, "choose it as a Function"},
			{"an emergency number", func() error { _, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, speed("999")); return err }, "emergency number"},
			{"an extension nobody has", func() error { _, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, speed("4711")); return err }, "nobody in the company has extension 4711"},
			{"a label too long", func() error {
				_, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, devices.Key{Action: devices.KeySpeedDial, Label: strings.Repeat("a", 33), Value: "+441134960001"})
				return err
			}, "at most 32 characters"},
			{"a line of another device", func() error {
				_, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 2, devices.Key{Action: devices.KeyLine, LineID: r.line.ID + 100})
				return err
			}, "not a line of this device"},
			{"a line on two keys", func() error {
				page := make([]devices.Key, 9)
				page[0] = devices.Key{Action: devices.KeyLine, LineID: r.line.ID}
				page[5] = page[0]
				_, err := r.svc.SetLineKeys(r.ctx, admin, id, 1, page)
				return err
			}, "already on page 1 key 1"},
			{"a page too short", func() error { _, err := r.svc.SetLineKeys(r.ctx, admin, id, 1, make([]devices.Key, 3)); return err }, "page 1 has 9 keys"},
			{"a sidecar page without a sidecar", func() error { _, err := r.svc.SetLineKey(r.ctx, admin, id, 4, 1, speed("+441134960001")); return err }, "pages 1 to 3"},
			{"a key beyond the page", func() error { _, err := r.svc.SetLineKey(r.ctx, admin, id, 1, 10, speed("+441134960001")); return err }, "keys 1 to 9"},
			{"too many sidecars", func() error {
				_, err := r.svc.SetVDMGeneral(r.ctx, admin, id, devices.VDMGeneral{Sidecars: 7})
				return err
			}, "0 to 6 EXP40"},
			{"an unknown BLF start", func() error {
				_, err := r.svc.SetVDMGeneral(r.ctx, admin, id, devices.VDMGeneral{BLFStart: "middle"})
				return err
			}, "phone (phone first) or sidecar"},
			{"an unknown function", func() error {
				_, err := r.svc.SetSoftKeys(r.ctx, admin, id, []devices.Key{{Action: devices.KeyFunction, Value: "teleport"}, {}, {}, {}})
				return err
			}, "not one of the platform's functions"},
			{"a macro with a line break", func() error {
				_, err := r.svc.SetSoftKeys(r.ctx, admin, id, []devices.Key{{Action: devices.KeyCustom, Label: "N", Value: "1\n2"}, {}, {}, {}})
				return err
			}, "control characters"},
			{"a soft key past the phone's", func() error {
				_, err := r.svc.SetSoftKey(r.ctx, admin, id, 5, devices.Key{Action: devices.KeyNone})
				return err
			}, "soft keys 1 to 4"},
			{"an unknown function on one soft key", func() error {
				_, err := r.svc.SetSoftKey(r.ctx, admin, id, 1, devices.Key{Action: devices.KeyFunction, Value: "teleport"})
				return err
			}, "not one of the platform's functions"},
			{"a line on a soft key", func() error {
				_, err := r.svc.SetSoftKeys(r.ctx, admin, id, []devices.Key{{Action: devices.KeyLine, LineID: r.line.ID}, {}, {}, {}})
				return err
			}, "not a soft key type"},
			{"a ring tone of another vendor", func() error { _, err := r.svc.SetRinger(r.ctx, admin, id, "Low Trill"); return err }, "not a ring tone of the Yealink T46G VDM"},
		} {
			err := tt.run()
			if err == nil || !strings.Contains(derrors.Classify(err).Message+err.Error(), tt.want) {
				t.Errorf("%s: %v, want an error saying %q", tt.name, err, tt.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		// A Polycom takes None.
		poly, err := r.svc.Create(r.ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: r.sv.Types["VVX 411 VDM"].ID, MAC: "00:04:F2:0A:00:0A"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := r.svc.SetLineKey(r.ctx, admin, poly.ID, 1, 1, devices.Key{Action: devices.KeyNone})
		if err != nil {
			t.Fatalf("None on a Polycom: %v", err)
		}
		if v.Pages[0].Keys[0].Resolved.Action != devices.KeyNone || !v.NoneAllowed {
			t.Errorf("Polycom key 1: %+v", v.Pages[0].Keys[0].Resolved)
		}
	})
}

// TestVDMUseCases tries each Visual Device Manager action with every kind
// of actor: the site's device managers and the employee using the phone
// may; everyone else is refused and nothing changes. Unticking "VDM
// available to Employees" refuses the employee with the reason.
func TestVDMUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newVDMRig(t, db)
		svc, ctx := r.svc, r.ctx
		target := func(try apptest.Try) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return r.phone.ID
		}
		allowed := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "west.one"}
		speed := devices.Key{Action: devices.KeySpeedDial, Label: "Reception", Value: "+441134960000"}
		cases := []apptest.UseCase{
			{Name: "VisualDeviceManager", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.VisualDeviceManager(ctx, a, target(try))
				return err
			}},
			{Name: "SetVDMGeneral", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SetVDMGeneral(ctx, a, target(try), devices.VDMGeneral{Sidecars: n % 3, BLFStart: devices.BLFStartSidecar})
				return err
			}},
			{Name: "SetLineKey", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SetLineKey(ctx, a, target(try), 2, 1+n%9, speed)
				return err
			}},
			{Name: "SetLineKeys", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SetLineKeys(ctx, a, target(try), 3, make([]devices.Key, 9))
				return err
			}},
			{Name: "SetSoftKeys", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SetSoftKeys(ctx, a, target(try), []devices.Key{{Action: devices.KeyFunction, Value: "voicemail"}, {}, {}, {}})
				return err
			}},
			{Name: "SetSoftKey", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SetSoftKey(ctx, a, target(try), 1+n%4, devices.Key{Action: devices.KeyFunction, Value: "voicemail"})
				return err
			}},
			{Name: "SetRinger", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SetRinger(ctx, a, target(try), "Ring2.wav")
				return err
			}},
			{Name: "ResetVDMKeys", Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ResetVDMKeys(ctx, a, target(try))
				return err
			}},
		}
		for i := range cases {
			cases[i].Allowed = allowed
		}
		r.env.CheckUseCases(t, cases)

		// MyPhone finds the employee's own phone; an administrator without
		// a phone of their own has none.
		v, err := svc.MyPhone(ctx, r.env.Actor("west.one"))
		if err != nil || v.Device.ID != r.phone.ID {
			t.Errorf("west.one's phone: %v, %v", v.Device.ID, err)
		}
		if _, err := svc.MyPhone(ctx, r.env.Actor("acme.admin")); !derrors.IsNotFound(err) {
			t.Errorf("acme.admin's phone: %v, want not found", err)
		}

		// The site's type restricts employees: refused with the reason,
		// nothing changes; administrators still may.
		no := false
		if _, err := svc.CustomiseSiteType(ctx, r.env.Actor("acme.admin"), r.env.Fixture.Leeds.ID, r.phone.TypeID,
			devices.SiteTypeRequest{VDMAvailableToEmployees: &no}); err != nil {
			t.Fatal(err)
		}
		before := storetest.Counts(t, db)
		west := r.env.Actor("west.one")
		for name, run := range map[string]func() error{
			"read":   func() error { _, err := svc.VisualDeviceManager(ctx, west, r.phone.ID); return err },
			"ringer": func() error { _, err := svc.SetRinger(ctx, west, r.phone.ID, "Ring4.wav"); return err },
			"keys":   func() error { _, err := svc.SetLineKey(ctx, west, r.phone.ID, 1, 2, speed); return err },
			"mine":   func() error { _, err := svc.MyPhone(ctx, west); return err },
		} {
			if got := apptest.Refusal(run()); !strings.Contains(got, "not made the Visual Device Manager") {
				t.Errorf("restricted %s: %q, want the reason", name, got)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if _, err := svc.SetRinger(ctx, r.env.Actor("leeds.admin"), r.phone.ID, "Ring4.wav"); err != nil {
			t.Errorf("leeds.admin on a restricted type: %v", err)
		}
	})
}

// BenchmarkKeyLayout resolves the keys of a T46G VDM with an EXP40, a few
// keys set and a BLF list of two, as the provisioning server does for
// every configuration it renders (SQLite).
func BenchmarkKeyLayout(b *testing.B) {
	r := newVDMRig(b, storetest.SQLite(b))
	admin := r.env.Actor("acme.admin")
	if _, err := r.svc.SetVDMGeneral(r.ctx, admin, r.phone.ID, devices.VDMGeneral{Sidecars: 1}); err != nil {
		b.Fatal(err)
	}
	if _, err := r.svc.SetLineKey(r.ctx, admin, r.phone.ID, 4, 1, devices.Key{Action: devices.KeySpeedDial, Label: "Ops", Value: "+442079460001"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.svc.KeyLayout(r.ctx, r.phone.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// TestVDMKeysThePhoneAddresses: every key the Visual Device Manager offers
// is one the provisioning server writes (docs/devices.md). A T48G pages 10
// keys at a time but has no linekey.30, so its third page ends at key 9;
// a VVX has one page of its own buttons.
func TestVDMKeysThePhoneAddresses(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newVDMRig(t, db)
		admin := r.env.Actor("acme.admin")
		f := r.env.Fixture
		for _, tt := range []struct {
			typ, mac        string
			pageKeys        []int
			phoneKeys       int
			refusePage, key int
			want            string
		}{
			{"T48G VDM", "00:15:65:0A:00:20", []int{10, 10, 9}, 29, 3, 10, "page 3 of the Yealink T48G VDM has keys 1 to 9"},
			{"T42G VDM", "00:15:65:0A:00:21", []int{5, 5, 5}, 15, 1, 6, "keys 1 to 5"},
			{"VVX 411 VDM", "00:04:F2:0A:00:22", []int{12}, 12, 2, 1, "line key pages 1 to 1"},
		} {
			d, err := r.svc.Create(r.ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: r.sv.Types[tt.typ].ID, MAC: tt.mac})
			if err != nil {
				t.Fatal(err)
			}
			v, err := r.svc.VisualDeviceManager(r.ctx, admin, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, p := range v.Pages {
				got = append(got, len(p.Keys))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.pageKeys) {
				t.Errorf("%s: pages of %v keys, want %v", tt.typ, got, tt.pageKeys)
			}
			l, err := r.svc.KeyLayout(r.ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(l.PhoneKeys) != tt.phoneKeys {
				t.Errorf("%s: %d phone keys in the layout, want %d", tt.typ, len(l.PhoneKeys), tt.phoneKeys)
			}
			before := storetest.Counts(t, db)
			_, err = r.svc.SetLineKey(r.ctx, admin, d.ID, tt.refusePage, tt.key, devices.Key{Action: devices.KeySpeedDial, Label: "X", Value: "+441134960001"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: page %d key %d: %v, want an error saying %q", tt.typ, tt.refusePage, tt.key, err, tt.want)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
			last := tt.pageKeys[len(tt.pageKeys)-1]
			if _, err := r.svc.SetLineKeys(r.ctx, admin, d.ID, len(tt.pageKeys), make([]devices.Key, last)); err != nil {
				t.Errorf("%s: the last page's %d keys: %v", tt.typ, last, err)
			}
		}
	})
}

// TestVDMRefusesSidecarsTheModelTakesNone: a type saved before the catalog
// checked models may name a sidecar for a model that takes none; the
// Visual Device Manager refuses to attach one rather than store a count
// the phone never gets.
func TestVDMRefusesSidecarsTheModelTakesNone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newVDMRig(t, db)
		admin := r.env.Actor("acme.admin")
		f := r.env.Fixture
		typ := r.sv.Types["T42G VDM"]
		if _, err := storetest.Exec(r.ctx, db, "UPDATE device_types SET sidecar_model = 'EXP40', sidecar_max = 2, sidecar_keys = 40 WHERE id = ?", typ.ID); err != nil {
			t.Fatal(err)
		}
		d, err := r.svc.Create(r.ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: typ.ID, MAC: "00:15:65:0A:00:30"})
		if err != nil {
			t.Fatal(err)
		}
		before := storetest.Counts(t, db)
		_, err = r.svc.SetVDMGeneral(r.ctx, admin, d.ID, devices.VDMGeneral{Sidecars: 1})
		if err == nil || !strings.Contains(err.Error(), "takes no sidecar") {
			t.Errorf("a sidecar on a T42G: %v, want a refusal saying it takes none", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}

// TestTypeChangeKeepsWrittenSidecars: a device whose type changes starts
// from the new type's defaults, but keeps how many expansion modules its
// configuration has addressed, so the next files still reset the keys the
// phone's modules were given (docs/devices.md, "The Visual Device Manager").
func TestTypeChangeKeepsWrittenSidecars(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newVDMRig(t, db)
		admin := r.env.Actor("acme.admin")
		f := r.env.Fixture
		d, err := r.svc.AddDevice(r.ctx, admin, f.Leeds.ID, devices.DeviceCreateRequest{TypeID: r.sv.Types["T46G VDM"].ID, MAC: "00:15:65:0A:00:30", Name: "Spare T46G"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SetVDMGeneral(r.ctx, admin, d.ID, devices.VDMGeneral{Sidecars: 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SetLineKey(r.ctx, admin, d.ID, 4, 3, devices.Key{Action: devices.KeySpeedDial, Label: "Ops", Value: "+442079460001"}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.svc.SetRinger(r.ctx, admin, d.ID, "Ring3.wav"); err != nil {
			t.Fatal(err)
		}
		retype := func(model string) devices.KeyLayout {
			t.Helper()
			if _, err := r.svc.ModifyDevice(r.ctx, admin, d.ID, devices.DeviceUpdate{Name: d.Name, TypeID: r.sv.Types[model].ID, MAC: d.MAC}); err != nil {
				t.Fatal(err)
			}
			l, err := r.svc.KeyLayout(r.ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		for _, tt := range []struct {
			model    string
			detached int
		}{
			// Both modules were written: the T48G's files reset them.
			{"T48G VDM", 2},
			// A type without a sidecar writes no module...
			{"T42G VDM", 0},
			// ...but the count stays for a type with one again.
			{"T46G VDM", 2},
		} {
			l := retype(tt.model)
			if len(l.SidecarKeys) != 0 || l.DetachedSidecars != tt.detached || l.Ringer != "" {
				t.Errorf("as a %s: %d sidecars attached, %d detached, ringer %q; want 0, %d and the phone's own", tt.model, len(l.SidecarKeys), l.DetachedSidecars, l.Ringer, tt.detached)
			}
			v, err := r.svc.VisualDeviceManager(r.ctx, admin, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.General.Sidecars != 0 || len(v.Pages) != 3 {
				t.Errorf("as a %s: the Visual Device Manager shows %d sidecars and %d pages, want 0 and the phone's 3", tt.model, v.General.Sidecars, len(v.Pages))
			}
			for _, p := range v.Pages {
				for _, k := range p.Keys {
					if k.Set.Action != devices.KeyDefault && k.Set.Action != "" {
						t.Errorf("as a %s: a key kept from the old type: %+v", tt.model, k.Set)
					}
				}
			}
		}
	})
}

// TestKeyLayoutStatements: the provisioning server resolves a device's
// keys for every file it renders, so the read is one query for the device
// (type, settings, lines and their names) and one for its Busy Lamp Field
// colleagues, besides what the features package's list itself reads.
func TestKeyLayoutStatements(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newVDMRig(t, db)
		if _, err := r.svc.SetVDMGeneral(r.ctx, r.env.Actor("acme.admin"), r.phone.ID, devices.VDMGeneral{Sidecars: 1}); err != nil {
			t.Fatal(err)
		}
		ctx, hook := store.WithStatementCounter(r.ctx)
		ids, err := r.env.App.Features.MonitoredEmployees(ctx, r.env.ID("west.one"))
		if err != nil || len(ids) != 2 {
			t.Fatalf("the BLF list: %v, %v", ids, err)
		}
		ctx, counter := store.WithStatementCounter(r.ctx)
		l, err := r.svc.KeyLayout(ctx, r.phone.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.PhoneKeys) != 27 || l.PhoneKeys[0].Action != devices.KeyLine || l.PhoneKeys[1].Action != devices.KeyBLF || len(l.SidecarKeys) != 1 {
			t.Fatalf("layout: %+v", l)
		}
		if got, want := counter.N(), hook.N()+2; got != want {
			t.Errorf("KeyLayout ran %d statements, want %d (2 and the BLF list's %d)", got, want, hook.N())
		}
		if _, err := r.svc.KeyLayout(r.ctx, apptest.MissingID); !derrors.IsNotFound(err) {
			t.Errorf("a missing device: %v, want not found", err)
		}
	})
}

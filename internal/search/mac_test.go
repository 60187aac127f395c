package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/search"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// macEstate adds Acme's Leeds phone of Wendy West (805EC0AA0001), a spare
// phone at Acme's London (805EC0AA0002) and Globex's Reading phone
// (805EC0AA0003).
func macEstate(t *testing.T, env *apptest.Env) (wendys, spare, globexs devices.Device) {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Yealink", Model: "T46G"})
	if err != nil {
		t.Fatal(err)
	}
	add := func(companyID, siteID int64, mac string) devices.Device {
		d, err := a.Devices.Create(ctx, f.Provider.ID, companyID, devices.DeviceCreateRequest{SiteID: siteID, TypeID: ty.ID, MAC: mac})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	wendys = add(f.Acme.ID, f.Leeds.ID, "805EC0AA0001")
	if err := a.Devices.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, wendys.ID, env.ID("west.one")); err != nil {
		t.Fatal(err)
	}
	return wendys, add(f.Acme.ID, f.London.ID, "805EC0AA0002"), add(f.Globex.ID, f.Reading.ID, "805EC0AA0003")
}

// TestFindMAC: who finds which device, in what spelling, and that a
// device of a company the searcher may not view answers exactly like an
// unknown MAC.
func TestFindMAC(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		wendys, spare, globexs := macEstate(t, env)
		f := env.Fixture
		ctx := context.Background()
		for _, tc := range []struct {
			user, mac string
			device    int64 // 0: not found
			site      string
			user2     string // the device's user, "" for none
			field     string
			forbidden bool
		}{
			{user: "acme.admin", mac: "80:5e:c0:aa:00:01", device: wendys.ID, site: "Leeds", user2: "Wendy West"},
			{user: "acme.admin", mac: "805ec0-aa0001", device: wendys.ID, site: "Leeds", user2: "Wendy West"},
			{user: "acme.admin", mac: " 805E.C0AA.0002 ", device: spare.ID, site: "London"},
			{user: "acme.admin2", mac: "805EC0AA0001", device: wendys.ID, site: "Leeds", user2: "Wendy West"},
			{user: "acme.reseller", mac: "805EC0AA0002", device: spare.ID, site: "London"},
			{user: "operator", mac: "805ec0aa0003", device: globexs.ID, site: "Reading"},
			{user: "operator", mac: "805ec0aa0001", device: wendys.ID, site: "Leeds", user2: "Wendy West"},
			{user: "globex.admin", mac: "805EC0AA0003", device: globexs.ID, site: "Reading"},
			// Another company's device: the same answer as a MAC nobody has.
			{user: "acme.admin", mac: "805EC0AA0003"},
			{user: "acme.admin", mac: "805EC0AA0009"},
			{user: "globex.admin", mac: "805EC0AA0001"},
			{user: "reseller.admin", mac: "805EC0AA0001"},
			{user: "other.reseller", mac: "805EC0AA0001"},
			{user: "other.operator", mac: "805EC0AA0001"},
			// Not a MAC: a field error naming mac.
			{user: "acme.admin", mac: "", field: "mac"},
			{user: "acme.admin", mac: "805EC0AA00", field: "mac"},
			{user: "acme.admin", mac: "805EC0AA00GG", field: "mac"},
			{user: "acme.admin", mac: "000000000000", field: "mac"},
			// Not Search Tool users.
			{user: "leeds.admin", mac: "805EC0AA0001", forbidden: true},
			{user: "leeds.admin2", mac: "805EC0AA0001", forbidden: true},
			{user: "west.one", mac: "805EC0AA0001", forbidden: true},
			{user: "globex.one", mac: "805EC0AA0003", forbidden: true},
		} {
			t.Run(tc.user+"/"+tc.mac, func(t *testing.T) {
				before := storetest.Counts(t, db)
				res, err := env.App.Search.FindMAC(ctx, env.Actor(tc.user), tc.mac)
				storetest.SameCounts(t, before, storetest.Counts(t, db))
				switch {
				case tc.field != "":
					if fieldOf(err) != tc.field {
						t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
					}
					return
				case tc.forbidden:
					if !errorsIsForbidden(err) {
						t.Fatalf("err = %v, want forbidden", err)
					}
					return
				case err != nil:
					t.Fatal(err)
				}
				if tc.device == 0 {
					want := search.DeviceResult{Outcome: search.OutcomeNotFound, MAC: res.MAC, Message: "No device found with MAC " + res.MAC}
					raw, _ := json.Marshal(res)
					wantRaw, _ := json.Marshal(want)
					if string(raw) != string(wantRaw) || len(res.MAC) != 12 {
						t.Errorf("answer %s, want exactly %s", raw, wantRaw)
					}
					return
				}
				if res.Outcome != search.OutcomeFound || res.Device == nil || res.Device.ID != tc.device || res.Site.Name != tc.site ||
					res.Device.Model != "T46G" || res.MAC != map[int64]string{wendys.ID: "805EC0AA0001", spare.ID: "805EC0AA0002", globexs.ID: "805EC0AA0003"}[tc.device] {
					t.Fatalf("found %+v device %+v site %+v", res, res.Device, res.Site)
				}
				wantCompany := f.Acme.ID
				if tc.device == globexs.ID {
					wantCompany = f.Globex.ID
				}
				if res.Company.ID != wantCompany {
					t.Errorf("company %+v", res.Company)
				}
				switch {
				case tc.user2 == "" && res.User != nil:
					t.Errorf("spare device has a user: %+v", res.User)
				case tc.user2 != "" && (res.User == nil || res.User.Name != tc.user2 || res.User.ID != env.ID("west.one")):
					t.Errorf("user %+v, want %s", res.User, tc.user2)
				}
			})
		}
	})
}

func errorsIsForbidden(err error) bool { return errors.Is(err, derrors.ErrForbidden) }

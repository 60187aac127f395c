package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// The demo's desk phones: the first employees activated at each site get a
// Yealink T46G or a Polycom VVX 411 instead of a soft client, so a newcomer
// can fetch a real configuration from the provisioning server
// (docs/provisioning.md) with the credentials the demo prints.
var deskModels = []struct {
	Vendor, Model, OUI string
}{
	{"Yealink", "T46G", "805EC0"},
	{"Polycom", "VVX 411", "0004F2"},
}

// deskTypes returns the ids of the demo's desk phone types, adding them to
// the provider's catalog when missing.
func deskTypes(ctx context.Context, a *app.App, providerID int64) ([]int64, error) {
	ts, err := a.Devices.Types(ctx, providerID)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(deskModels))
	for i, m := range deskModels {
		for _, t := range ts {
			if t.Vendor == m.Vendor && t.Model == m.Model {
				ids[i] = t.ID
			}
		}
		if ids[i] == 0 {
			t, err := a.Devices.CreateType(ctx, providerID, devices.Type{Vendor: m.Vendor, Model: m.Model})
			if err != nil && !errors.Is(err, derrors.ErrConflict) {
				return nil, err
			}
			ids[i] = t.ID
		}
	}
	return ids, nil
}

// deskMAC is a stable MAC of the model's vendor for the employee.
func deskMAC(model int, employeeID int64) string {
	return fmt.Sprintf("%s%06X", deskModels[model].OUI, employeeID&0xFFFFFF)
}

// deskContacts are the personal contacts each desk phone user starts with,
// so their phone's directory is not empty.
var deskContacts = []contacts.Fields{
	{FirstName: "Olivia", LastName: "Reed", WorkTel: "+44 113 496 0500", CellTel: "+44 7700 900123"},
	{FirstName: "Sam", LastName: "Okafor", WorkTel: "+44 20 7946 0811"},
	{FirstName: "Reception", WorkTel: "+44 161 496 0000"},
}

// seedProvisioning issues the provisioning credentials of every desk phone
// and gives its employee a few personal contacts.
func seedProvisioning(ctx context.Context, a *app.App) error {
	rows, err := a.DB.Q(ctx).Query(ctx, `SELECT d.company_id, d.id, COALESCE(d.account_id, 0) FROM devices d JOIN device_types t ON t.id = d.type_id
		WHERE t.soft_client = ? ORDER BY d.id`, false)
	if err != nil {
		return err
	}
	var ids [][3]int64
	for rows.Next() {
		var c, d, acct int64
		if err := rows.Scan(&c, &d, &acct); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, [3]int64{c, d, acct})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := a.Provisioning.ProvisionCredentials(ctx, id[0], id[1]); err != nil {
			return err
		}
		if id[2] == 0 {
			continue
		}
		// Personal contacts are the employee's own to keep.
		acct, err := a.Identity.Account(ctx, id[2])
		if err != nil {
			return err
		}
		for _, f := range deskContacts {
			if _, err := a.Contacts.CreateContact(ctx, acct.Actor(), id[2], contacts.ContactRequest{Fields: f}); err != nil {
				return fmt.Errorf("demo: contacts of %d: %w", id[2], err)
			}
		}
	}
	return nil
}

// Phone is a demo desk phone with its provisioning credentials, printed at
// start-up.
type Phone struct {
	Employee, Type, MAC, Secret, File string
}

// SamplePhone returns the first desk phone with a line (a Polycom one when
// there is one: its master file lists the others).
func SamplePhone(ctx context.Context, a *app.App) (Phone, error) {
	var companyID, deviceID int64
	var p Phone
	err := a.DB.Q(ctx).QueryRow(ctx, `SELECT d.company_id, d.id, t.vendor || ' ' || t.model, COALESCE(acc.username, '') FROM devices d
		JOIN device_types t ON t.id = d.type_id JOIN device_provisioning p ON p.device_id = d.id
		LEFT JOIN accounts acc ON acc.id = d.account_id
		ORDER BY CASE WHEN t.vendor = 'Polycom' THEN 0 ELSE 1 END, d.id LIMIT 1`).Scan(&companyID, &deviceID, &p.Type, &p.Employee)
	if err != nil {
		return Phone{}, fmt.Errorf("demo: sample phone: %w", err)
	}
	c, err := a.Provisioning.CredentialsOf(ctx, companyID, deviceID)
	if err != nil {
		return Phone{}, err
	}
	p.MAC, p.Secret = c.Username, c.Secret
	p.File = strings.ToLower(c.Username) + ".cfg"
	return p, nil
}

// seedDeviceManagement gives a site's Device Management something to show
// (docs/devices.md): two spare VDM phones, the Yealink T46G customised
// (BLF on) and a mask applied to both desk phone types of the site.
func seedDeviceManagement(ctx context.Context, a *app.App, providerID, siteID int64) error {
	provider := access.Actor{Role: access.RoleProvider, ProviderID: providerID}
	ts, err := a.Devices.Types(ctx, providerID)
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for _, t := range ts {
		byName[t.Name()] = t.ID
	}
	var spares []devices.Device
	for _, d := range []devices.DeviceCreateRequest{
		{TypeID: byName["Yealink T46G VDM"], MAC: "805EC0FF0001"},
		{TypeID: byName["Polycom VVX 601 VDM"], MAC: "0004F2FF0002", Name: "Reception", Label: "Front desk"},
	} {
		dev, err := a.Devices.AddDevice(ctx, provider, siteID, d)
		if err != nil {
			return fmt.Errorf("demo: spare device %s: %w", d.MAC, err)
		}
		spares = append(spares, dev)
	}
	if err := seedVDMKeys(ctx, a, provider, spares[0].ID, spares[1].ID); err != nil {
		return err
	}
	if err := seedEveryType(ctx, a, provider, siteID, ts); err != nil {
		return err
	}
	on, off := true, false
	if _, err := a.Devices.CustomiseSiteType(ctx, provider, siteID, byName["Yealink T46G"], devices.SiteTypeRequest{Settings: devices.Settings{BLF: &on}}); err != nil {
		return fmt.Errorf("demo: customise the T46G: %w", err)
	}
	m, err := a.Devices.CreateMask(ctx, provider, siteID, devices.MaskRequest{Name: "Call centre desks", Settings: devices.Settings{ACD: &on, MCN: &off}})
	if err != nil {
		return fmt.Errorf("demo: mask: %w", err)
	}
	if _, err := a.Devices.ApplyMask(ctx, provider, m.ID, []int64{byName["Yealink T46G"], byName["Polycom VVX 411"]}); err != nil {
		return fmt.Errorf("demo: apply the mask: %w", err)
	}
	return nil
}

// seedVDMKeys configures the demo's VDM phones in the Visual Device Manager
// (docs/devices.md), so a newcomer finds keys set: the T46G VDM with an
// EXP40 sidecar, speed dials on the phone and the sidecar and Call Pull and
// a night-service macro on its soft keys; the VVX 601 VDM (the reception
// desk) with speed dials, a None key, Voicemail and DND soft keys and a
// ringer.
func seedVDMKeys(ctx context.Context, a *app.App, actor access.Actor, yealink, polycom int64) error {
	speed := func(label, number string) devices.Key {
		return devices.Key{Action: devices.KeySpeedDial, Label: label, Value: number}
	}
	steps := []func() error{
		func() error {
			_, err := a.Devices.SetVDMGeneral(ctx, actor, yealink, devices.VDMGeneral{Sidecars: 1, BLFStart: devices.BLFStartPhone})
			return err
		},
		func() error {
			_, err := a.Devices.SetLineKey(ctx, actor, yealink, 1, 3, speed("Reception", "+44 113 496 0000"))
			return err
		},
		func() error {
			_, err := a.Devices.SetLineKey(ctx, actor, yealink, 4, 1, speed("Olivia Reed", "+44 113 496 0500"))
			return err
		},
		func() error {
			_, err := a.Devices.SetLineKey(ctx, actor, yealink, 4, 2, speed("Sam Okafor", "+44 20 7946 0811"))
			return err
		},
		func() error {
			_, err := a.Devices.SetSoftKeys(ctx, actor, yealink, []devices.Key{
				{Action: devices.KeyFunction, Value: "call_pull"},
				{Action: devices.KeyCustom, Label: "Night", Value: "01134960000$Tinvite$$Cwc$*$Tdtmf$2281$Tdtmf$$Cp1$3$Tdtmf$"},
				{}, {}})
			return err
		},
		func() error {
			_, err := a.Devices.SetLineKey(ctx, actor, polycom, 1, 1, speed("Facilities", "+44 113 496 0700"))
			return err
		},
		func() error {
			_, err := a.Devices.SetLineKey(ctx, actor, polycom, 1, 2, devices.Key{Action: devices.KeyNone})
			return err
		},
		func() error {
			_, err := a.Devices.SetSoftKeys(ctx, actor, polycom, []devices.Key{
				{Action: devices.KeyFunction, Value: "voicemail"}, {Action: devices.KeyFunction, Value: "dnd_on"},
				{Action: devices.KeyFunction, Value: "dnd_off"}, {}})
			return err
		},
		func() error { _, err := a.Devices.SetRinger(ctx, actor, polycom, "Beeble"); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("demo: Visual Device Manager keys: %w", err)
		}
	}
	return nil
}

// vendorOUI is the MAC prefix of the demo's phones of a vendor.
var vendorOUI = map[string]string{"Yealink": "805EC0", "Polycom": "0004F2"}

// seedEveryType adds a spare phone of every desk type of the catalog the
// demo has no phone of yet, so that a newcomer can fetch a configuration of
// each model (README, docs/provisioning.md "Trying it"); a VDM one gets a
// speed dial to the reception on its first key.
func seedEveryType(ctx context.Context, a *app.App, actor access.Actor, siteID int64, ts []devices.Type) error {
	ids, err := a.DB.Q(ctx).IDs(ctx, "SELECT DISTINCT type_id FROM devices")
	if err != nil {
		return fmt.Errorf("demo: device types in use: %w", err)
	}
	used := map[int64]bool{}
	for _, id := range ids {
		used[id] = true
	}
	for i, t := range ts {
		oui, ok := vendorOUI[t.Vendor]
		if t.SoftClient || used[t.ID] || !ok {
			continue
		}
		d, err := a.Devices.AddDevice(ctx, actor, siteID, devices.DeviceCreateRequest{TypeID: t.ID, MAC: fmt.Sprintf("%sFE%04X", oui, i+1)})
		if err != nil {
			return fmt.Errorf("demo: spare %s: %w", t.Name(), err)
		}
		if t.VDM {
			key := devices.Key{Action: devices.KeySpeedDial, Label: "Reception", Value: "+44 113 496 0000"}
			if _, err := a.Devices.SetLineKey(ctx, actor, d.ID, 1, 1, key); err != nil {
				return fmt.Errorf("demo: keys of the spare %s: %w", t.Name(), err)
			}
		}
	}
	return nil
}

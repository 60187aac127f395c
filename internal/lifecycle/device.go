package lifecycle

import (
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// deviceScope is what a device choice is checked against: the employee's
// company, site and region, and the user type they will have.
type deviceScope struct {
	companyID, providerID, siteID int64
	region                        string
	userType                      UserType
}

// softClientAllowed reports whether an employee of userType may have a soft
// client. The portal's "(Centrex only)" (Activate step 18) limits soft
// clients to IP Centrex users: a Business Trunking user is a PBX on a SIP
// trunk, and an Additional Line goes on an existing phone
// (docs/lifecycle.md). An invalid user type has its own error, so it is not
// refused twice.
func softClientAllowed(userType UserType) bool {
	return userType == IPCentrex || !userType.Valid()
}

// centrexOnly is the reason a soft client is refused to userType.
func centrexOnly(userType UserType) string {
	return fmt.Sprintf("a soft client is for IP Centrex users only (Centrex only), not for %s", article(userType.Label()))
}

// softClientMACRule is the refusal of a soft client whose MAC is not the
// CLI of number followed by "A".
func softClientMACRule(number, region string) string {
	return fmt.Sprintf("a soft client's MAC is the employee's CLI followed by \"A\": with %s it must be %s",
		numbering.National(number, region), devices.SoftClientMAC(number))
}

// checkDevice validates the device choice into it, whose Number is the
// number the employee will have (a soft client's MAC is built from it).
// The devices, types and registered MACs come from l, read for the whole
// batch beforehand, so a fault reading them is the caller's error, never a
// field message here.
func checkDevice(v *derrors.ValidationError, p string, sc deviceScope, l deviceLookup, d DeviceChoice,
	it *PlanItem, takenDevices map[int64]bool, takenMACs map[string]bool) {
	switch d.Mode {
	case DeviceExisting:
		checkExistingDevice(v, p, sc, l, d, it, takenDevices)
	case DeviceNew:
		checkNewDevice(v, p, sc, l, d, it, takenMACs)
	default:
		v.Add(p+"device.mode", "a device is mandatory: choose an existing device of the site (mode existing) or a new one (mode new)")
	}
}

// checkExistingDevice checks the choice of a free device of the site.
func checkExistingDevice(v *derrors.ValidationError, p string, sc deviceScope, l deviceLookup, d DeviceChoice, it *PlanItem, takenDevices map[int64]bool) {
	if d.DeviceID == 0 {
		v.Add(p+"device.device_id", "choose the device from the site's devices")
		return
	}
	dev, ok := l.devices[d.DeviceID]
	switch {
	case !ok:
		v.Add(p+"device.device_id", "device %d does not exist", d.DeviceID)
		return
	case dev.SiteID != sc.siteID:
		v.Add(p+"device.device_id", "device %s belongs to another site; choose a device of the employee's site", dev.MAC)
		return
	case dev.AccountID != nil:
		v.Add(p+"device.device_id", "device %s is already used by another employee", dev.MAC)
		return
	case takenDevices[dev.ID]:
		v.Add(p+"device.device_id", "device %s is chosen for more than one employee", dev.MAC)
		return
	}
	t, ok := l.types[dev.TypeID]
	if !ok {
		v.Add(p+"device.device_id", "device %s has a device type that no longer exists", dev.MAC)
		return
	}
	if t.SoftClient {
		// A free soft client kept on the site after a device change
		// carries its former employee's CLI: it fits nobody else.
		if !softClientAllowed(sc.userType) {
			v.Add(p+"device.device_id", "device %s is a soft client, and %s: choose a desk phone or trunk device, or the user type ip_centrex",
				dev.MAC, centrexOnly(sc.userType))
			return
		}
		if it.Number != "" && dev.MAC != devices.SoftClientMAC(it.Number) {
			v.Add(p+"device.device_id", "device %s is the soft client of another number (%s); choose another device or a new soft client",
				dev.MAC, softClientMACRule(it.Number, sc.region))
			return
		}
	}
	takenDevices[dev.ID] = true
	it.DeviceID = dev.ID
}

// checkNewDevice checks a new device: its type and MAC (a soft client's
// is the number's CLI followed by "A").
func checkNewDevice(v *derrors.ValidationError, p string, sc deviceScope, l deviceLookup, d DeviceChoice, it *PlanItem, takenMACs map[string]bool) {
	if d.TypeID == 0 {
		v.Add(p+"device.type_id", "choose the device type")
		return
	}
	t, ok := l.types[d.TypeID]
	if !ok {
		v.Add(p+"device.type_id", "device type %d does not exist", d.TypeID)
		return
	}
	mac := trimmed(d.MAC)
	if t.SoftClient {
		if !softClientAllowed(sc.userType) {
			v.Add(p+"device.type_id", "%s: choose a desk phone or trunk device type, or the user type ip_centrex", centrexOnly(sc.userType))
			return
		}
		if it.Number == "" {
			v.Add(p+"device.mac", "a soft client's MAC is built from the employee's number: choose a valid number first")
			return
		}
		// Only the CLI followed by "A" (separators and case aside, as for
		// any MAC): another number's digits, or this number's national
		// form, would register the soft client under the wrong line.
		want := devices.SoftClientMAC(it.Number)
		if mac != "" {
			if norm, err := devices.NormalizeMAC(mac, true); err != nil || norm != want {
				v.Add(p+"device.mac", "%s (or leave it blank to have it filled in)", softClientMACRule(it.Number, sc.region))
				return
			}
		}
		mac = want
	}
	if mac == "" {
		v.Add(p+"device.mac", "enter the device's MAC address (required for a new device)")
		return
	}
	norm, err := devices.NormalizeMAC(mac, t.SoftClient)
	if err != nil {
		msg, _ := userMessage(err)
		v.Add(p+"device.mac", "%s", msg)
		return
	}
	if l.macs[norm] {
		v.Add(p+"device.mac", "the MAC %s is already registered to a device; choose it as an existing device or remove it first", norm)
		return
	}
	if takenMACs[norm] {
		v.Add(p+"device.mac", "the MAC %s is given for more than one employee", norm)
		return
	}
	takenMACs[norm] = true
	it.TypeID, it.MAC, it.SoftClient = t.ID, norm, t.SoftClient
}

package ui

import (
	"net/http"
	"sort"

	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/sip"
)

// Reboots over the SIP edge (docs/sip.md, "Reboot"): the reboot buttons of
// a site's Devices page, the Reboot Status view and Clear Job.
//
//	POST /devices/{id}/reboot                        reboot one device
//	POST /sites/{id}/device-types/{type_id}/reboot   reboot a device type at the site
//	GET  /reboots/{id}                               Reboot Status
//	POST /reboots/{id}/clear                         Clear Job
func init() {
	pageNames = append(pageNames, "reboot_status")
	for k, v := range map[string]string{
		"reboot-launched": "The reboot has been launched. Refresh this page for updates.",
		"reboot-cleared":  "The reboot job has been cleared.",
	} {
		flashes[k] = v
	}
}

func (p *Pages) registerReboots(auth func(string, handlerFunc)) {
	auth("POST /devices/{id}/reboot", p.rebootDevice)
	auth("POST /sites/{id}/device-types/{type_id}/reboot", p.rebootDeviceType)
	auth("GET /reboots/{id}", p.rebootStatus)
	auth("POST /reboots/{id}/clear", p.rebootClear)
}

// rebootPanel is what the Devices page shows about reboots: per device
// type at the site a reboot button, or the Reboot Status link of the
// reboot that holds it; per device the same for single reboots.
type rebootPanel struct {
	Types []rebootTypeRow
	// DeviceJob is the reboot holding a device's own reboot button.
	DeviceJob map[int64]int64
}

type rebootTypeRow struct {
	TypeID  int64
	Name    string
	Devices int
	JobID   int64
}

// sitePanel builds the panel from the site's devices and the reboots that
// hold their buttons.
func (p *Pages) rebootPanel(r *http.Request, siteID int64, ds []devices.Device) (rebootPanel, error) {
	held, err := p.app.Reboots.SiteReboots(r.Context(), actorOf(r), siteID)
	if err != nil {
		return rebootPanel{}, err
	}
	panel := rebootPanel{DeviceJob: map[int64]int64{}}
	typeJob := map[int64]int64{}
	for _, rb := range held {
		if rb.DeviceID != 0 {
			panel.DeviceJob[rb.DeviceID] = max(panel.DeviceJob[rb.DeviceID], rb.JobID)
		} else {
			typeJob[rb.TypeID] = max(typeJob[rb.TypeID], rb.JobID)
		}
	}
	rows := map[int64]*rebootTypeRow{}
	for _, d := range ds {
		row := rows[d.TypeID]
		if row == nil {
			row = &rebootTypeRow{TypeID: d.TypeID, Name: d.TypeName, JobID: typeJob[d.TypeID]}
			rows[d.TypeID] = row
		}
		row.Devices++
	}
	for _, row := range rows {
		panel.Types = append(panel.Types, *row)
	}
	sort.Slice(panel.Types, func(i, j int) bool { return panel.Types[i].Name < panel.Types[j].Name })
	return panel, nil
}

func (p *Pages) rebootDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rb, err := p.app.Reboots.RebootDevice(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/reboots/"+itoa64(rb.JobID), "reboot-launched")
	return nil
}

func (p *Pages) rebootDeviceType(w http.ResponseWriter, r *http.Request) error {
	siteID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	typeID, err := pathID(r, "type_id")
	if err != nil {
		return err
	}
	rb, err := p.app.Reboots.RebootDeviceType(r.Context(), actorOf(r), siteID, typeID)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/reboots/"+itoa64(rb.JobID), "reboot-launched")
	return nil
}

type rebootStatusPage struct {
	Reboot sip.Reboot
	// What was rebooted: "Yealink T46U" or the device.
	Subject string
	SiteID  int64
}

func (p *Pages) rebootStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rb, err := p.app.Reboots.View(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, rb.SiteID)
	if err != nil {
		return err
	}
	subject := "Device"
	if rb.DeviceID == 0 {
		subject = "Device type"
		if ts, err := p.app.Devices.DeviceTypes(r.Context(), actorOf(r)); err == nil {
			for _, t := range ts {
				if t.ID == rb.TypeID {
					subject = t.Name()
				}
			}
		}
	} else if len(rb.Items) == 1 {
		subject = rb.Items[0].Device
	}
	v, err := p.siteView(r, g, "devices", "Reboot Status")
	if err != nil {
		return err
	}
	v.Data = rebootStatusPage{Reboot: rb, Subject: subject, SiteID: g.ID}
	p.render(w, r, http.StatusOK, "reboot_status", v)
	return nil
}

func (p *Pages) rebootClear(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.app.Reboots.Clear(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	rb, err := p.app.Reboots.View(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(rb.SiteID)+"/devices", "reboot-cleared")
	return nil
}

package provisioning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// DeviceInfo is what a fetch needs to know about a device before anything
// is rendered: who it is, its secret, and the revision of everything its
// files are made of (a cached file is good while the revision holds).
type DeviceInfo struct {
	ID, CompanyID, SiteID int64
	MAC                   string
	Label                 string
	Vendor, Model         string
	SoftClient            bool
	AccountID             int64 // 0: a spare device nobody uses
	FirstName, LastName   string

	sealedSecret  string
	secretVersion int64
	revision      string
}

// Vendor families the server renders files for.
const (
	vendorPolycom = "polycom"
	vendorYealink = "yealink"
)

func (d DeviceInfo) family() string {
	if d.SoftClient {
		return ""
	}
	switch strings.ToLower(strings.TrimSpace(d.Vendor)) {
	case "polycom", "poly":
		return vendorPolycom
	case "yealink":
		return vendorYealink
	}
	return ""
}

// deviceByMAC reads a device by its normalised MAC with its provisioning
// secret (sealed) and revision, in one query: the cost of every fetch.
func (s *Service) deviceByMAC(ctx context.Context, mac string) (DeviceInfo, error) {
	var d DeviceInfo
	var account sql.NullInt64
	var sealed sql.NullString
	var secretAt, devAt, acctAt, lineAt, lines, contactsRev int64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT d.id, d.company_id, d.site_id, d.mac, d.label, t.vendor, t.model, t.soft_client, d.account_id, d.updated_at,
		p.secret_enc, COALESCE(p.updated_at, 0), COALESCE(a.first_name, ''), COALESCE(a.last_name, ''), COALESCE(a.updated_at, 0),
		(SELECT COALESCE(MAX(l.updated_at), 0) FROM lines l WHERE l.device_id = d.id),
		(SELECT COUNT(*) FROM lines l WHERE l.device_id = d.id),
		COALESCE((SELECT c.revision FROM contact_directories c WHERE c.account_id = d.account_id), 0)
		FROM devices d JOIN device_types t ON t.id = d.type_id
		LEFT JOIN device_provisioning p ON p.device_id = d.id
		LEFT JOIN accounts a ON a.id = d.account_id
		WHERE d.mac = ?`, mac).Scan(&d.ID, &d.CompanyID, &d.SiteID, &d.MAC, &d.Label, &d.Vendor, &d.Model, &d.SoftClient, &account, &devAt,
		&sealed, &secretAt, &d.FirstName, &d.LastName, &acctAt, &lineAt, &lines, &contactsRev)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("provisioning: device %s: %w", mac, derrors.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("provisioning: device %s: %w", mac, err)
	}
	if account.Valid {
		d.AccountID = account.Int64
	}
	d.sealedSecret, d.secretVersion = sealed.String, secretAt
	d.revision = fmt.Sprintf("%d.%d.%d.%d.%d.%d.%d", devAt, secretAt, acctAt, lineAt, lines, contactsRev, d.AccountID)
	return d, nil
}

// macKnown reports whether a device has the normalised MAC.
func (s *Service) macKnown(ctx context.Context, mac string) (bool, error) {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM devices WHERE mac = ?", mac).Scan(&n); err != nil {
		return false, fmt.Errorf("provisioning: device %s: %w", mac, err)
	}
	return n > 0, nil
}

// Config is a device's configuration, vendor-neutral: what the renderers
// turn into each vendor's keys.
type Config struct {
	Registrar Registrar
	// Lines in the order of the phone's registrations (reg.1 / account.1
	// first): the primary line, then shared appearances.
	Lines []Line
	// Codecs in order of preference, from devices' product defaults.
	Codecs []string
	// Directory is the employee's personal contacts.
	Directory []Contact
	// PhonebookURL is where a Yealink phone fetches its remote phone book:
	// the device's own secret path on this server, as the phone reached it.
	PhonebookURL string
	// Options are the device's effective customisation (docs/devices.md);
	// nil: none is written (options.go).
	Options *devices.Effective
}

// Line is one SIP registration of the phone.
type Line struct {
	Username, Password, Realm string
	Label, DisplayName        string
}

// Contact is an entry of the phone's directory.
type Contact struct {
	FirstName, LastName string
	Numbers             []string
}

// Name is "First Last", or whichever part is present.
func (c Contact) Name() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// The codecs the renderers know, by their product-default names.
const (
	CodecG722  = "G722"
	CodecG711A = "G711A"
	CodecG711U = "G711U"
	CodecG729  = "G729"
)

// DefaultCodecs is the product default order (G722 → G711A → G729).
var DefaultCodecs = []string{CodecG722, CodecG711A, CodecG729}

// config builds the configuration of d: its lines with their passwords
// (decrypted through the devices package), the registrar, the product
// defaults, the contacts, then the customisation hook.
func (s *Service) config(ctx context.Context, d DeviceInfo, phonebookURL string) (Config, error) {
	c := Config{Registrar: s.CurrentRegistrar(), Codecs: append([]string(nil), DefaultCodecs...), PhonebookURL: phonebookURL}
	ls, err := s.devices.DeviceLines(ctx, d.CompanyID, d.ID)
	if err != nil {
		return c, err
	}
	display := strings.TrimSpace(d.FirstName + " " + d.LastName)
	for _, l := range ls {
		if l.AccountID != d.AccountID {
			// A line of someone who no longer uses the device is not its.
			continue
		}
		cred, err := s.devices.LineCredentialsOf(ctx, d.CompanyID, l.ID)
		if err != nil {
			return c, fmt.Errorf("provisioning: line of device %s: %w", d.MAC, err)
		}
		label := display
		if label == "" {
			label = cred.Username
		}
		c.Lines = append(c.Lines, Line{Username: cred.Username, Password: cred.Password, Realm: cred.Realm, Label: label, DisplayName: display})
	}
	if d.AccountID != 0 {
		if c.Directory, err = s.contacts(ctx, d.CompanyID, d.AccountID); err != nil {
			return c, err
		}
	}
	if err := s.applyOptions(ctx, d, &c); err != nil {
		return c, err
	}
	if s.Customize != nil {
		if err := s.Customize(ctx, d, &c); err != nil {
			return c, fmt.Errorf("provisioning: customise device %s: %w", d.MAC, err)
		}
	}
	return c, nil
}

// maxDirectory bounds the directory a phone is sent: desk phones hold a
// few hundred to a thousand local entries.
const maxDirectory = 1000

// contacts reads the employee's personal contacts (the self-care Contacts
// page) as directory entries: numbers in E.164 where they parsed, else as
// typed; contacts without any number are left out (a phone cannot dial
// them).
func (s *Service) contacts(ctx context.Context, companyID, accountID int64) ([]Contact, error) {
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT first_name, last_name, work_e164, work_tel, cell_e164, cell_tel, home_e164, home_tel, other_e164, other_tel
		FROM contacts WHERE company_id = ? AND account_id = ? ORDER BY lower(last_name), lower(first_name), id`, companyID, accountID)
	if err != nil {
		return nil, fmt.Errorf("provisioning: contacts of %d: %w", accountID, err)
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		var c Contact
		var n [8]string
		if err := rows.Scan(&c.FirstName, &c.LastName, &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7]); err != nil {
			return nil, err
		}
		for i := 0; i < len(n); i += 2 {
			number := n[i]
			if number == "" {
				number = strings.TrimSpace(n[i+1])
			}
			if number != "" {
				c.Numbers = append(c.Numbers, number)
			}
		}
		if len(c.Numbers) > 0 && len(out) < maxDirectory {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// deviceMAC is the normalised hardware MAC of a file name's first 12
// characters, or "".
func deviceMAC(s string) string {
	if len(s) < 12 {
		return ""
	}
	mac, err := devices.NormalizeMAC(s[:12], false)
	if err != nil {
		return ""
	}
	return mac
}

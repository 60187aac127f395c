package provisioning

import (
	"context"
	"fmt"
	"strings"

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
	// companyRevision is the company's provisioning revision when the
	// device was read (docs/provisioning.md, "Caching and staleness").
	companyRevision int64
}

// Vendor families the server renders files for.
const (
	vendorPolycom = devices.FamilyPolycom
	vendorYealink = devices.FamilyYealink
)

func (d DeviceInfo) family() string {
	if d.SoftClient {
		return ""
	}
	return devices.Family(d.Vendor)
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
	// Keys are the device's keys, sidecars, soft keys and ringer from the
	// Visual Device Manager; nil: no key is written (keys.go).
	Keys *devices.KeyLayout
}

// Line is one SIP registration of the phone.
type Line struct {
	// ID is the device line's id: a Line key names its line by it.
	ID                        int64
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

// config builds the configuration of d that file kind is rendered from:
// its lines with their passwords (decrypted through the devices package),
// the registrar, the product defaults, the contacts (for the directory
// files), the effective settings, the keys (for the device file and the
// Polycom directory, which holds the speed dials), then the customisation
// hook.
func (s *Service) config(ctx context.Context, d DeviceInfo, phonebookURL, kind string) (Config, error) {
	c := Config{Registrar: s.CurrentRegistrar(), Codecs: append([]string(nil), DefaultCodecs...), PhonebookURL: phonebookURL}
	ls, err := s.devices.DeviceLines(ctx, d.CompanyID, d.ID)
	if err != nil {
		return c, err
	}
	// Every line the device carries, each the phone's next registration:
	// its user's primary line first, then the shared call appearances of
	// other employees (docs/devices.md, "Shared call appearances"), in the
	// order DeviceLines gives (appearance, then age).
	for _, l := range ls {
		if l.Appearance == 0 && l.AccountID != d.AccountID {
			// A primary line of someone who no longer uses the device is not its.
			continue
		}
		cred, err := s.devices.LineCredentialsOf(ctx, d.CompanyID, l.ID)
		if err != nil {
			return c, fmt.Errorf("provisioning: line of device %s: %w", d.MAC, err)
		}
		display := strings.TrimSpace(d.FirstName + " " + d.LastName)
		if l.AccountID != d.AccountID {
			if display, err = s.lineOwnerName(ctx, d.CompanyID, l.AccountID); err != nil {
				return c, fmt.Errorf("provisioning: line of device %s: %w", d.MAC, err)
			}
		}
		label := display
		if label == "" {
			label = cred.Username
		}
		c.Lines = append(c.Lines, Line{ID: l.ID, Username: cred.Username, Password: cred.Password, Realm: cred.Realm, Label: label, DisplayName: display})
	}
	if d.AccountID != 0 && (kind == fileDirectory || kind == filePhonebook) {
		if c.Directory, err = s.directory(ctx, d.CompanyID, d.AccountID); err != nil {
			return c, err
		}
	}
	if err := s.applyOptions(ctx, d, &c); err != nil {
		return c, err
	}
	if kind == fileDevice || kind == fileDirectory {
		if err := s.applyKeys(ctx, d, &c); err != nil {
			return c, err
		}
	}
	if s.Customize != nil {
		if err := s.Customize(ctx, d, &c); err != nil {
			return c, fmt.Errorf("provisioning: customise device %s: %w", d.MAC, err)
		}
	}
	return c, nil
}

// lineOwnerName is "First Last" of the employee a shared appearance
// belongs to: the phone shows it on that line's key and sends it as the
// caller's name.
func (s *Service) lineOwnerName(ctx context.Context, companyID, accountID int64) (string, error) {
	var first, last string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT first_name, last_name FROM accounts WHERE id = ? AND company_id = ?", accountID, companyID).Scan(&first, &last); err != nil {
		return "", err
	}
	return strings.TrimSpace(first + " " + last), nil
}

// maxDirectory bounds the directory a phone is sent: desk phones hold a
// few hundred to a thousand local entries.
const maxDirectory = 1000

// directory is the phone's contact directory: the employee's personal
// contacts unless their Personal Contacts feature keeps them off phones,
// then their site's shared contacts (the Directory hook), up to
// maxDirectory entries in all.
func (s *Service) directory(ctx context.Context, companyID, accountID int64) ([]Contact, error) {
	personal, shared := true, []Contact(nil)
	if s.Directory != nil {
		var err error
		if personal, shared, err = s.Directory(ctx, accountID); err != nil {
			return nil, fmt.Errorf("provisioning: directory of %d: %w", accountID, err)
		}
	}
	var out []Contact
	if personal {
		var err error
		if out, err = s.contacts(ctx, companyID, accountID); err != nil {
			return nil, err
		}
	}
	for _, ct := range shared {
		if len(out) >= maxDirectory {
			break
		}
		if len(ct.Numbers) > 0 {
			out = append(out, ct)
		}
	}
	return out, nil
}

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
// characters, or "": twelve hexadecimal digits, upper case, not all zeros
// or all ones (the rule of devices.NormalizeMAC for a name that has no
// separators, checked here without allocating: it runs on every fetch).
func deviceMAC(s string) string {
	if len(s) < 12 {
		return ""
	}
	var b [12]byte
	for i := range b {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'F':
		case c >= 'a' && c <= 'f':
			c -= 'a' - 'A'
		default:
			return ""
		}
		b[i] = c
	}
	mac := string(b[:])
	if mac == "000000000000" || mac == "FFFFFFFFFFFF" {
		return ""
	}
	return mac
}

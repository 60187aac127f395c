package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// DeviceResult is the Search Tool's answer to a MAC address (docs/search.md,
// "Search by MAC address"). Only Outcome, Message and MAC are set unless a
// device was found.
type DeviceResult struct {
	Outcome Outcome `json:"outcome"`
	Message string  `json:"message"`
	// MAC is the address searched, normalised: upper case without
	// separators (a soft client's: its CLI followed by A).
	MAC     string     `json:"mac"`
	Device  *DeviceRef `json:"device,omitempty"`
	Company *Ref       `json:"company,omitempty"`
	Site    *Ref       `json:"site,omitempty"`
	// User is the employee whose primary device it is (Name "First Last");
	// null for a spare device (the portal's "none").
	User *Ref `json:"user"`
}

// DeviceRef is the device found: its id and type.
type DeviceRef struct {
	ID     int64  `json:"id"`
	Vendor string `json:"vendor"`
	Model  string `json:"model"`
}

// FindMAC is the Search Tool's "Search by MAC address": the device with
// the MAC across the actor's provider, with its company, site and user.
// The MAC may be typed in any case, with or without ':' '-' '.' or spaces.
// A device of a company the actor may not view answers exactly like a MAC
// no device has: whether a MAC is in use elsewhere is another company's
// business (docs/search.md). Only the actors who may use the Search Tool
// may ask.
func (s *Service) FindMAC(ctx context.Context, actor access.Actor, mac string) (res DeviceResult, err error) {
	defer derrors.Wrap(&err, "search: MAC %q", mac)
	if err := s.toolAllowed(ctx, actor); err != nil {
		return DeviceResult{}, err
	}
	norm, err := normalizeSearchMAC(mac)
	if err != nil {
		return DeviceResult{}, err
	}
	notFound := DeviceResult{Outcome: OutcomeNotFound, MAC: norm, Message: fmt.Sprintf("No device found with MAC %s", norm)}
	var (
		d                   DeviceRef
		company, site       Ref
		account             sql.NullInt64
		first, last, status sql.NullString
	)
	err = s.db.Q(ctx).QueryRow(ctx, `SELECT d.id, t.vendor, t.model, d.company_id, c.name, d.site_id, g.name, d.account_id, a.first_name, a.last_name, a.status
		FROM devices d JOIN companies c ON c.id = d.company_id JOIN org_groups g ON g.id = d.site_id JOIN device_types t ON t.id = d.type_id
		LEFT JOIN accounts a ON a.id = d.account_id
		WHERE d.mac = ? AND c.provider_id = ?`, norm, actor.ProviderID).
		Scan(&d.ID, &d.Vendor, &d.Model, &company.ID, &company.Name, &site.ID, &site.Name, &account, &first, &last, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound, nil
	}
	if err != nil {
		return DeviceResult{}, err
	}
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(company.ID)); err != nil {
		if derrors.IsNotFound(err) || errors.Is(err, derrors.ErrForbidden) {
			return notFound, nil
		}
		return DeviceResult{}, err
	}
	res = DeviceResult{Outcome: OutcomeFound, MAC: norm, Device: &d, Company: &company, Site: &site}
	if account.Valid {
		name := strings.TrimSpace(first.String + " " + last.String)
		res.User = &Ref{ID: account.Int64, Name: name}
		res.Message = fmt.Sprintf("%s is the device of %s at site %s of %s", norm, name, site.Name, company.Name)
	} else {
		res.Message = fmt.Sprintf("%s is a spare device (user: none) at site %s of %s", norm, site.Name, company.Name)
	}
	return res, nil
}

// normalizeSearchMAC accepts a desk phone's MAC in any case and with any of
// the usual separators, or a soft client's identifier (its CLI and "A").
func normalizeSearchMAC(mac string) (string, error) {
	mac = strings.TrimSpace(mac)
	if mac == "" {
		return "", derrors.Invalid("mac", "enter the MAC address to find, e.g. 00:15:65:AB:CD:EF (any case, with or without separators)")
	}
	if len(mac) > 40 {
		return "", derrors.Invalid("mac", "a MAC address has 12 hexadecimal digits, e.g. 00:15:65:AB:CD:EF")
	}
	if norm, err := devices.NormalizeMAC(mac, false); err == nil {
		return norm, nil
	}
	upper := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "", ":", "").Replace(mac))
	if strings.HasSuffix(upper, "A") && strings.Trim(strings.TrimSuffix(upper, "A"), "0123456789") == "" {
		if norm, err := devices.NormalizeMAC(upper, true); err == nil {
			return norm, nil
		}
	}
	return "", derrors.Invalid("mac", "%q is not a MAC address: it needs 12 hexadecimal digits, e.g. 00:15:65:AB:CD:EF (a soft client's is its CLI followed by A, e.g. 441134960037A)", mac)
}

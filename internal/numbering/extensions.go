package numbering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Extension lengths a site policy may choose. Fewer than 3 digits clash with
// the network's short codes; more than 6 stop being quicker to dial than
// the number.
const (
	MinExtensionLength = 3
	MaxExtensionLength = 6
)

// ExtensionMode says how a site derives an employee's default extension.
type ExtensionMode string

const (
	// ModeLastDigits takes the last Length digits of the employee's number.
	ModeLastDigits ExtensionMode = "last_digits"
	// ModeRange takes the lowest free extension from RangeFrom to RangeTo.
	ModeRange ExtensionMode = "range"
)

// ExtensionPolicy is a site's extension rule ("it will automatically
// allocate the extension based on the site policy").
type ExtensionPolicy struct {
	SiteID    int64         `json:"site_id"`
	Length    int           `json:"length"`
	Mode      ExtensionMode `json:"mode"`
	RangeFrom string        `json:"range_from,omitempty"`
	RangeTo   string        `json:"range_to,omitempty"`
	// Default is true when the site has no policy of its own and this is
	// the built-in one.
	Default   bool      `json:"default"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// DefaultPolicy is what a site without a policy uses: four digits, the last
// four of the number, the most common convention on hosted PBXs.
var DefaultPolicy = ExtensionPolicy{Length: 4, Mode: ModeLastDigits, Default: true}

// Validate checks the policy and normalises it.
func (p *ExtensionPolicy) Validate() error {
	v := &derrors.ValidationError{}
	if p.Length < MinExtensionLength || p.Length > MaxExtensionLength {
		v.Add("length", "an extension must have between %d and %d digits", MinExtensionLength, MaxExtensionLength)
	}
	p.RangeFrom, p.RangeTo = strings.TrimSpace(p.RangeFrom), strings.TrimSpace(p.RangeTo)
	switch p.Mode {
	case ModeLastDigits:
		p.RangeFrom, p.RangeTo = "", ""
	case ModeRange:
		for _, b := range []struct{ field, val string }{{"range_from", p.RangeFrom}, {"range_to", p.RangeTo}} {
			if b.val == "" || onlyDigits(b.val) != b.val {
				v.Add(b.field, "enter the extension as digits only")
			} else if len(b.val) != p.Length {
				v.Add(b.field, "must have %d digits, the site's extension length", p.Length)
			}
		}
		if len(v.Fields) == 0 && p.RangeFrom > p.RangeTo {
			v.Add("range_to", "the range is reversed: %s comes before %s", p.RangeTo, p.RangeFrom)
		}
	default:
		v.Add("mode", "the mode must be last_digits (the last digits of the number) or range (the next free extension in a range)")
	}
	return v.Err()
}

// SetExtensionPolicy sets a site's extension policy. Extensions already
// given out keep their value.
func (s *Service) SetExtensionPolicy(ctx context.Context, companyID, siteID int64, p ExtensionPolicy) (out ExtensionPolicy, err error) {
	defer derrors.Wrap(&err, "numbering: set extension policy of site %d", siteID)
	if err := p.Validate(); err != nil {
		return ExtensionPolicy{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		name, err := s.site(ctx, companyID, siteID)
		if err != nil {
			return err
		}
		before, err := s.ExtensionPolicy(ctx, companyID, siteID)
		if err != nil {
			return err
		}
		now := store.Now()
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM extension_policies WHERE site_id = ? AND company_id = ?", siteID, companyID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO extension_policies (site_id, company_id, ext_length, mode, range_from, range_to, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, siteID, companyID, p.Length, string(p.Mode), p.RangeFrom, p.RangeTo, now); err != nil {
			return err
		}
		if out, err = s.ExtensionPolicy(ctx, companyID, siteID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Set Extension Policy", ObjectKind: "site", ObjectID: siteID, ObjectName: name,
			CompanyID: companyID, SiteID: siteID, Before: before, After: out})
	})
	return out, err
}

// ExtensionPolicy returns a site's policy, or DefaultPolicy when it has none.
func (s *Service) ExtensionPolicy(ctx context.Context, companyID, siteID int64) (p ExtensionPolicy, err error) {
	defer derrors.Wrap(&err, "numbering: extension policy of site %d", siteID)
	if _, err := s.site(ctx, companyID, siteID); err != nil {
		return ExtensionPolicy{}, err
	}
	var updated int64
	err = s.db.Q(ctx).QueryRow(ctx, `SELECT ext_length, mode, range_from, range_to, updated_at FROM extension_policies
		WHERE site_id = ? AND company_id = ?`, siteID, companyID).Scan(&p.Length, &p.Mode, &p.RangeFrom, &p.RangeTo, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		p = DefaultPolicy
		p.SiteID = siteID
		return p, nil
	}
	p.SiteID = siteID
	p.UpdatedAt = store.Time(updated)
	return p, err
}

// RefusedExtension is a code the public network reserves, which no
// extension may be: Code exactly, or — with Prefix — any extension of
// Length digits that starts with Code (116 and any three digits).
type RefusedExtension struct {
	Code   string `json:"code"`
	Prefix bool   `json:"prefix"`
	Length int    `json:"length,omitempty"`
	// Reason completes "extension 1571 is reserved: …".
	Reason string `json:"reason"`
}

// Matches reports whether ext falls under r.
func (r RefusedExtension) Matches(ext string) bool {
	if !r.Prefix {
		return ext == r.Code
	}
	return strings.HasPrefix(ext, r.Code) && (r.Length == 0 || len(ext) == r.Length)
}

// Label is the code as the portal lists it: "116xxx" for a prefix.
func (r RefusedExtension) Label() string {
	if !r.Prefix {
		return r.Code
	}
	if r.Length > len(r.Code) {
		return r.Code + strings.Repeat("x", r.Length-len(r.Code))
	}
	return r.Code + "…"
}

// RefusedExtensions lists providerID's refused codes. They are the
// provider's data (each provider starts from the deployment's template, the
// UK list the Business Portal shows), because they come from the public
// network the provider connects to (docs/numbering.md).
func (s *Service) RefusedExtensions(ctx context.Context, providerID int64) (out []RefusedExtension, err error) {
	defer derrors.Wrap(&err, "numbering: refused extensions")
	return s.queryRefused(ctx, "SELECT code, match_kind, total_length, reason FROM refused_extensions WHERE provider_id = ? ORDER BY code", providerID)
}

// companyRefused lists the refused codes that apply in companyID: its
// provider's.
func (s *Service) companyRefused(ctx context.Context, companyID int64) (out []RefusedExtension, err error) {
	defer derrors.Wrap(&err, "numbering: refused extensions of company %d", companyID)
	return s.queryRefused(ctx, `SELECT r.code, r.match_kind, r.total_length, r.reason FROM refused_extensions r
		JOIN companies c ON c.provider_id = r.provider_id WHERE c.id = ? ORDER BY r.code`, companyID)
}

func (s *Service) queryRefused(ctx context.Context, query string, arg int64) (out []RefusedExtension, err error) {
	rows, err := s.db.Q(ctx).Query(ctx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r RefusedExtension
		var match string
		if err := rows.Scan(&r.Code, &match, &r.Length, &r.Reason); err != nil {
			return nil, err
		}
		r.Prefix = match == "prefix"
		out = append(out, r)
	}
	return out, rows.Err()
}

// MaxRefusedReason bounds a refused code's reason: it is shown next to the
// extension field, so it is a phrase, not a paragraph.
const MaxRefusedReason = 200

// Validate checks a refused code and normalises it. An exact code is a
// whole extension (3 to 6 digits, as any extension); a prefix is shorter than
// an extension and, with Length, names the one extension length it covers.
// A code that could never be an extension is refused rather than stored, so
// the list shown to administrators holds only codes that matter.
func (r *RefusedExtension) Validate() error {
	v := &derrors.ValidationError{}
	r.Code, r.Reason = strings.TrimSpace(r.Code), strings.TrimSpace(r.Reason)
	switch {
	case r.Code == "" || onlyDigits(r.Code) != r.Code:
		v.Add("code", "the code must be digits only, like 101")
	case !r.Prefix && (len(r.Code) < MinExtensionLength || len(r.Code) > MaxExtensionLength):
		v.Add("code", "an extension has %d to %d digits, so a code of %d could never be one; for all extensions starting with %s, make it a prefix",
			MinExtensionLength, MaxExtensionLength, len(r.Code), r.Code)
	case r.Prefix && len(r.Code) >= MaxExtensionLength:
		v.Add("code", "a prefix must be shorter than the longest extension (%d digits); refuse the code %s exactly instead", MaxExtensionLength, r.Code)
	}
	if !r.Prefix {
		r.Length = 0
	} else if r.Length != 0 && (r.Length <= len(r.Code) || r.Length < MinExtensionLength || r.Length > MaxExtensionLength) {
		v.Add("length", "the length must be 0 (any length) or the number of digits of the extensions it covers: more than the prefix's %d, from %d to %d",
			len(r.Code), MinExtensionLength, MaxExtensionLength)
	}
	switch {
	case r.Reason == "":
		v.Add("reason", "say why the code is refused; administrators see it next to the extension field")
	case len([]rune(r.Reason)) > MaxRefusedReason:
		v.Add("reason", "the reason must be at most %d characters", MaxRefusedReason)
	}
	return v.Err()
}

// refusedExtension returns providerID's refused entry of code.
func (s *Service) refusedExtension(ctx context.Context, providerID int64, code string) (RefusedExtension, error) {
	var r RefusedExtension
	var match string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT code, match_kind, total_length, reason FROM refused_extensions WHERE provider_id = ? AND code = ?",
		providerID, code).
		Scan(&r.Code, &match, &r.Length, &r.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("refused extension %q: %w", code, derrors.ErrNotFound)
	}
	r.Prefix = match == "prefix"
	return r, err
}

// AddRefusedExtension adds a refused code, for a provider whose network
// reserves more short codes. A code already listed is a conflict (remove it
// first to change its reason), so an addition never silently rewrites what
// administrators were told. Extensions already given out are not touched:
// the list governs new extensions only.
func (s *Service) AddRefusedExtension(ctx context.Context, providerID int64, r RefusedExtension) (out RefusedExtension, err error) {
	defer derrors.Wrap(&err, "numbering: add refused extension %q", r.Code)
	if err := r.Validate(); err != nil {
		return RefusedExtension{}, err
	}
	match := "exact"
	if r.Prefix {
		match = "prefix"
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if held, err := s.refusedExtension(ctx, providerID, r.Code); err == nil {
			return derrors.Conflict("code", "%s is already refused (%s): remove it first to change it", held.Label(), held.Reason)
		} else if !errors.Is(err, derrors.ErrNotFound) {
			return err
		}
		_, err := s.db.Q(ctx).Exec(ctx, "INSERT INTO refused_extensions (provider_id, code, match_kind, total_length, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
			providerID, r.Code, match, r.Length, r.Reason, store.Now())
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("code", "%s was just added by somebody else", r.Label())
		}
		if err != nil {
			return err
		}
		if out, err = s.refusedExtension(ctx, providerID, r.Code); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Add Refused Extension", ProviderID: providerID, ObjectKind: "refused_extension",
			ObjectName: out.Label(), After: out})
	})
	return out, err
}

// RemoveRefusedExtension deletes a refused code; the audit entry keeps what
// it was.
func (s *Service) RemoveRefusedExtension(ctx context.Context, providerID int64, code string) (err error) {
	defer derrors.Wrap(&err, "numbering: remove refused extension %q", code)
	code = strings.TrimSpace(code)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.refusedExtension(ctx, providerID, code)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM refused_extensions WHERE provider_id = ? AND code = ?", providerID, code); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Remove Refused Extension", ProviderID: providerID, ObjectKind: "refused_extension",
			ObjectName: before.Label(),
			Before:     before})
	})
}

// refusedReason returns why ext is refused, or "".
func refusedReason(refused []RefusedExtension, ext string) string {
	for _, r := range refused {
		if r.Matches(ext) {
			return r.Reason
		}
	}
	return ""
}

// Extension is an extension held in a company.
type Extension struct {
	ID        int64     `json:"id"`
	CompanyID int64     `json:"company_id"`
	SiteID    int64     `json:"site_id,omitempty"`
	Extension string    `json:"extension"`
	Owner     Owner     `json:"owner"`
	CreatedAt time.Time `json:"created_at"`
}

// extension returns the holder of ext in companyID.
func (s *Service) extension(ctx context.Context, companyID int64, ext string) (Extension, error) {
	var e Extension
	var site sql.NullInt64
	var created int64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT id, company_id, site_id, extension, owner_kind, owner_id, owner_name, created_at
		FROM extensions WHERE company_id = ? AND extension = ?`, companyID, ext).
		Scan(&e.ID, &e.CompanyID, &site, &e.Extension, &e.Owner.Kind, &e.Owner.ID, &e.Owner.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("extension %s: %w", ext, derrors.ErrNotFound)
	}
	e.SiteID = site.Int64
	e.CreatedAt = store.Time(created)
	return e, err
}

// ExtensionHolder returns who holds ext in companyID.
func (s *Service) ExtensionHolder(ctx context.Context, companyID int64, ext string) (Extension, error) {
	e, err := s.extension(ctx, companyID, strings.TrimSpace(ext))
	if err != nil {
		return e, fmt.Errorf("numbering: %w", err)
	}
	return e, nil
}

// OwnerExtensions lists the extensions owner holds in companyID.
func (s *Service) OwnerExtensions(ctx context.Context, companyID int64, owner Owner) (out []Extension, err error) {
	defer derrors.Wrap(&err, "numbering: extensions of %s %d", owner.Kind, owner.ID)
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT extension FROM extensions WHERE company_id = ? AND owner_kind = ? AND owner_id = ?
		ORDER BY extension`, companyID, string(owner.Kind), owner.ID)
	if err != nil {
		return nil, err
	}
	var exts []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			rows.Close()
			return nil, err
		}
		exts = append(exts, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, x := range exts {
		e, err := s.extension(ctx, companyID, x)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ValidateExtension checks ext can be given to exclude's holder in
// companyID: digits only, the site's length when siteID is not 0 (otherwise
// 3 to 6 digits), not a refused code, and not held by anybody else in the
// company (the owner exclude may keep their own). Each failure says why, in
// words the administrator can act on.
func (s *Service) ValidateExtension(ctx context.Context, companyID, siteID int64, ext string, exclude Owner) (err error) {
	defer derrors.Wrap(&err, "numbering: validate extension %q", ext)
	refused, err := s.companyRefused(ctx, companyID)
	if err != nil {
		return err
	}
	return s.validateExtension(ctx, companyID, siteID, strings.TrimSpace(ext), exclude, refused)
}

func (s *Service) validateExtension(ctx context.Context, companyID, siteID int64, ext string, exclude Owner, refused []RefusedExtension) error {
	if ext == "" {
		return derrors.Invalid("extension", "enter an extension")
	}
	if onlyDigits(ext) != ext {
		return derrors.Invalid("extension", "an extension is digits only; %q is not", ext)
	}
	if siteID != 0 {
		p, err := s.ExtensionPolicy(ctx, companyID, siteID)
		if err != nil {
			return err
		}
		if len(ext) != p.Length {
			return derrors.Invalid("extension", "extensions at this site have %d digits; %s has %d", p.Length, ext, len(ext))
		}
	} else if len(ext) < MinExtensionLength || len(ext) > MaxExtensionLength {
		return derrors.Invalid("extension", "an extension has %d to %d digits", MinExtensionLength, MaxExtensionLength)
	}
	if reason := refusedReason(refused, ext); reason != "" {
		return derrors.Invalid("extension", "extension %s is reserved: %s", ext, reason)
	}
	held, err := s.extension(ctx, companyID, ext)
	if errors.Is(err, derrors.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if held.Owner.Kind == exclude.Kind && held.Owner.ID == exclude.ID {
		return nil
	}
	return derrors.Conflict("extension", "extension %s is already used by %s", ext, held.Owner.Name)
}

// DefaultExtension proposes the extension an owner of number gets at a site
// under its policy: the number's last digits, or the lowest free extension
// of the policy's range (skipping held and refused ones). With last digits,
// a proposal that is held or refused is an error saying why, so the
// administrator types another; number may be in any format and is ignored
// by a range policy.
func (s *Service) DefaultExtension(ctx context.Context, companyID, siteID int64, number string) (ext string, err error) {
	defer derrors.Wrap(&err, "numbering: default extension at site %d", siteID)
	p, err := s.ExtensionPolicy(ctx, companyID, siteID)
	if err != nil {
		return "", err
	}
	refused, err := s.companyRefused(ctx, companyID)
	if err != nil {
		return "", err
	}
	if p.Mode == ModeLastDigits {
		d := onlyDigits(number)
		if len(d) < p.Length {
			return "", derrors.Invalid("number", "choose a telephone number first: the site's extensions are its last %d digits", p.Length)
		}
		ext = d[len(d)-p.Length:]
		return ext, s.validateExtension(ctx, companyID, siteID, ext, Owner{}, refused)
	}
	held := map[string]bool{}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT extension FROM extensions WHERE company_id = ? AND extension >= ? AND extension <= ?",
		companyID, p.RangeFrom, p.RangeTo)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return "", err
		}
		held[x] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	from, _ := strconv.Atoi(p.RangeFrom)
	to, _ := strconv.Atoi(p.RangeTo)
	for i := from; i <= to; i++ {
		x := fmt.Sprintf("%0*d", p.Length, i)
		if !held[x] && refusedReason(refused, x) == "" {
			return x, nil
		}
	}
	return "", derrors.Conflict("extension", "every extension from %s to %s is taken: enter one yourself or widen the site's range", p.RangeFrom, p.RangeTo)
}

// ReserveExtension gives ext to owner in companyID after ValidateExtension's
// checks; siteID (0 for none) records where it was given and selects the
// length rule. The unique index on (company, extension) settles races: the
// loser gets the same conflict as a plain duplicate. Reserving an extension
// the owner already holds is a no-op.
func (s *Service) ReserveExtension(ctx context.Context, companyID, siteID int64, ext string, owner Owner) (e Extension, err error) {
	defer derrors.Wrap(&err, "numbering: reserve extension %q", ext)
	ext = strings.TrimSpace(ext)
	refused, err := s.companyRefused(ctx, companyID)
	if err != nil {
		return Extension{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if owner, err = s.resolveOwner(ctx, companyID, owner); err != nil {
			return err
		}
		if err := s.validateExtension(ctx, companyID, siteID, ext, owner, refused); err != nil {
			return err
		}
		if held, err := s.extension(ctx, companyID, ext); err == nil {
			e = held // the owner's own, as validateExtension allowed
			return nil
		}
		var site any
		if siteID != 0 {
			site = siteID
		}
		var id int64
		err = s.db.Q(ctx).QueryRow(ctx, `INSERT INTO extensions (company_id, site_id, extension, owner_kind, owner_id, owner_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, companyID, site, ext, string(owner.Kind), owner.ID, owner.Name, store.Now()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("extension", "extension %s was just taken by somebody else: choose another", ext)
		}
		if err != nil {
			return err
		}
		if e, err = s.extension(ctx, companyID, ext); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Reserve Extension", ObjectKind: "extension", ObjectID: id, ObjectName: ext,
			CompanyID: companyID, SiteID: siteID, After: e})
	})
	return e, err
}

// ReleaseExtension frees ext in companyID.
func (s *Service) ReleaseExtension(ctx context.Context, companyID int64, ext string) (err error) {
	defer derrors.Wrap(&err, "numbering: release extension %q", ext)
	ext = strings.TrimSpace(ext)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		e, err := s.extension(ctx, companyID, ext)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM extensions WHERE id = ? AND company_id = ?", e.ID, companyID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Release Extension", ObjectKind: "extension", ObjectID: e.ID, ObjectName: ext,
			CompanyID: companyID, SiteID: e.SiteID, Before: e})
	})
}

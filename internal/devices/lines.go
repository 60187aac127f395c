package devices

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// A line is an employee's SIP identity on a device: the primary line of
// their primary device now, shared call appearances (appearance 1..5)
// later. Its credentials are what the phone registers with (docs/sip.md).

// LineSettings is what issuing line credentials needs from the node.
type LineSettings struct {
	// Sealer encrypts the passwords at rest; nil refuses to issue.
	Sealer *Sealer
	// Domain is the provider's SIP domain, the digest realm of every line
	// issued (a line keeps the realm it was issued with).
	Domain string
	// NumberOf returns the E.164 number of an employee ("" when none); the
	// primary line's SIP username is its digits. Nil: usernames are
	// generated.
	NumberOf func(ctx context.Context, companyID, accountID int64) (string, error)
}

// Line is a line without its secrets.
type Line struct {
	ID         int64     `json:"id"`
	CompanyID  int64     `json:"company_id"`
	DeviceID   int64     `json:"device_id"`
	AccountID  int64     `json:"account_id"`
	Appearance int       `json:"appearance"`
	Username   string    `json:"username"`
	Realm      string    `json:"realm"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// LineCredentials is a line with its password, shown once when issued.
type LineCredentials struct {
	Line
	Password string `json:"password"`
}

// LineAuth is what the registrar checks a REGISTER against: the digest
// HA1s, never the password.
type LineAuth struct {
	LineID, DeviceID, CompanyID, AccountID int64
	Username, Realm                        string
	HA1MD5, HA1SHA256                      string
}

// Registration is a device's SIP registration status, as the Business
// Portal shows it (Registered / Not Registered); internal/sip keeps the
// bindings it is read from.
type Registration struct {
	Status string `json:"status"`
	// Since is when the device registered (its oldest live binding) or,
	// not registered, when its last binding ended; nil when it never
	// registered (or not within the kept history).
	Since *time.Time `json:"since"`
	// UserAgent is the newest live binding's.
	UserAgent string `json:"user_agent"`
	Contacts  int    `json:"contacts"`
}

// The registration statuses.
const (
	RegistrationRegistered    = "registered"
	RegistrationNotRegistered = "not_registered"
)

// HA1 returns the stored HA1 for the algorithm's hash.
func (l LineAuth) HA1(a digest.Algorithm) string {
	if a.UsesSHA256() {
		return l.HA1SHA256
	}
	return l.HA1MD5
}

// IssuePrimaryLine (re)issues the SIP credentials of the line of employee
// employeeID on their primary device: a new password (and the username
// derived from the employee's current number), returned once. Whoever
// manages the device's site may do it; it is audited without the secret.
func (s *Service) IssuePrimaryLine(ctx context.Context, actor access.Actor, employeeID int64) (LineCredentials, error) {
	if err := s.access.Check(ctx, actor, access.ViewEmployee, access.Employee(employeeID)); err != nil {
		return LineCredentials{}, err
	}
	var companyID int64
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT company_id FROM accounts WHERE id = ?", employeeID).Scan(&companyID); err != nil {
		return LineCredentials{}, fmt.Errorf("devices: issue line of %d: %w", employeeID, err)
	}
	d, err := s.PrimaryDevice(ctx, companyID, employeeID)
	if derrors.IsNotFound(err) {
		return LineCredentials{}, derrors.Conflict("", "the employee has no primary device; give them one (Activate or Service Settings) before issuing line credentials")
	}
	if err != nil {
		return LineCredentials{}, err
	}
	if err := s.access.Check(ctx, actor, access.ManageDevices, access.Device(d.ID)); err != nil {
		return LineCredentials{}, err
	}
	return s.ProvisionPrimaryLine(ctx, companyID, employeeID)
}

// ProvisionPrimaryLine is IssuePrimaryLine for the system (the demo, and
// activation once it provisions phones): no actor, the caller decided.
func (s *Service) ProvisionPrimaryLine(ctx context.Context, companyID, accountID int64) (LineCredentials, error) {
	var out LineCredentials
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		d, err := s.PrimaryDevice(ctx, companyID, accountID)
		if derrors.IsNotFound(err) {
			return derrors.Conflict("", "the employee has no primary device; give them one before issuing line credentials")
		}
		if err != nil {
			return err
		}
		out, err = s.issueLine(ctx, d, accountID, 0)
		return err
	})
	if err != nil {
		return LineCredentials{}, fmt.Errorf("devices: issue primary line of %d: %w", accountID, err)
	}
	return out, nil
}

// issueLine writes new credentials for (device, account, appearance) in
// the caller's transaction, creating the line or replacing its secrets.
func (s *Service) issueLine(ctx context.Context, d Device, accountID int64, appearance int) (LineCredentials, error) {
	cfg := s.Lines
	if cfg.Sealer == nil {
		return LineCredentials{}, errors.New("no secret key is configured to encrypt line passwords (see --secret-key-file)")
	}
	realm := strings.TrimSpace(cfg.Domain)
	if realm == "" {
		return LineCredentials{}, errors.New("no SIP domain is configured (see --sip-domain)")
	}
	q := s.db.Q(ctx)
	before, err := s.lineOf(ctx, d.ID, accountID)
	exists := err == nil
	if err != nil && !derrors.IsNotFound(err) {
		return LineCredentials{}, err
	}
	username, err := s.lineUsername(ctx, d, accountID, appearance, before.ID)
	if err != nil {
		return LineCredentials{}, err
	}
	password, err := generateLinePassword()
	if err != nil {
		return LineCredentials{}, err
	}
	sealed, err := cfg.Sealer.Seal(password, username)
	if err != nil {
		return LineCredentials{}, err
	}
	md5, sha := digest.HA1(digest.MD5, username, realm, password), digest.HA1(digest.SHA256, username, realm, password)
	now := store.Now()
	if exists {
		_, err = q.Exec(ctx, `UPDATE lines SET username = ?, realm = ?, password_enc = ?, ha1_md5 = ?, ha1_sha256 = ?, appearance = ?, updated_at = ? WHERE id = ?`,
			username, realm, sealed, md5, sha, appearance, now, before.ID)
	} else {
		_, err = q.Exec(ctx, `INSERT INTO lines (company_id, device_id, account_id, appearance, username, realm, password_enc, ha1_md5, ha1_sha256, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.CompanyID, d.ID, accountID, appearance, username, realm, sealed, md5, sha, now, now)
	}
	if store.IsUniqueViolation(err) {
		return LineCredentials{}, derrors.Conflict("", "the SIP username %s was taken at the same moment; issue the credentials again", username)
	}
	if err != nil {
		return LineCredentials{}, err
	}
	after, err := s.lineOf(ctx, d.ID, accountID)
	if err != nil {
		return LineCredentials{}, err
	}
	ev := audit.Event{Event: "Issue Line Credentials", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
		CompanyID: d.CompanyID, SiteID: d.SiteID, After: after}
	if exists {
		ev.Before = before
	}
	if err := s.audit.Record(ctx, ev); err != nil {
		return LineCredentials{}, err
	}
	return LineCredentials{Line: after, Password: password}, nil
}

// lineUsername is the digits of the employee's number (a shared appearance
// adds "_" and its index), or a generated name when the employee has no
// number or another line holds that name.
func (s *Service) lineUsername(ctx context.Context, d Device, accountID int64, appearance int, lineID int64) (string, error) {
	number := ""
	if s.Lines.NumberOf != nil {
		n, err := s.Lines.NumberOf(ctx, d.CompanyID, accountID)
		if err != nil {
			return "", err
		}
		number = strings.TrimPrefix(n, "+")
	}
	if number != "" {
		name := number
		if appearance > 0 {
			name = fmt.Sprintf("%s_%d", number, appearance)
		}
		var n int
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE username = ? AND id <> ?", name, lineID).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return name, nil
		}
	}
	for range 5 {
		name, err := randomString("abcdefghijkmnpqrstuvwxyz23456789", 12)
		if err != nil {
			return "", err
		}
		name = "sb" + name
		var n int
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE username = ?", name).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return name, nil
		}
	}
	return "", errors.New("could not generate a free SIP username")
}

// generateLinePassword is 20 letters and digits (about 119 bits): phones'
// keypads and provisioning formats take them without escaping.
func generateLinePassword() (string, error) {
	return randomString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20)
}

func randomString(alphabet string, n int) (string, error) {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b), nil
}

const lineColumns = "id, company_id, device_id, account_id, appearance, username, realm, created_at, updated_at"

func scanLine(row interface{ Scan(...any) error }) (Line, error) {
	var l Line
	var created, updated int64
	err := row.Scan(&l.ID, &l.CompanyID, &l.DeviceID, &l.AccountID, &l.Appearance, &l.Username, &l.Realm, &created, &updated)
	l.CreatedAt, l.UpdatedAt = store.Time(created), store.Time(updated)
	return l, err
}

func (s *Service) lineOf(ctx context.Context, deviceID, accountID int64) (Line, error) {
	l, err := scanLine(s.db.Q(ctx).QueryRow(ctx, "SELECT "+lineColumns+" FROM lines WHERE device_id = ? AND account_id = ?", deviceID, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("devices: line of device %d: %w", deviceID, derrors.ErrNotFound)
	}
	return l, err
}

// DeviceLines lists the lines of device id of companyID.
func (s *Service) DeviceLines(ctx context.Context, companyID, id int64) ([]Line, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+lineColumns+" FROM lines WHERE company_id = ? AND device_id = ? ORDER BY appearance, id", companyID, id)
	if err != nil {
		return nil, fmt.Errorf("devices: lines of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LineCredentialsOf returns line id of companyID with its password
// decrypted (for provisioning a phone's configuration).
func (s *Service) LineCredentialsOf(ctx context.Context, companyID, id int64) (LineCredentials, error) {
	var sealed string
	var c LineCredentials
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT "+lineColumns+", password_enc FROM lines WHERE company_id = ? AND id = ?", companyID, id).
		Scan(&c.ID, &c.CompanyID, &c.DeviceID, &c.AccountID, &c.Appearance, &c.Username, &c.Realm, new(int64), new(int64), &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("devices: line %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("devices: line %d: %w", id, err)
	}
	if s.Lines.Sealer == nil {
		return c, errors.New("devices: no secret key is configured to decrypt line passwords")
	}
	if c.Password, err = s.Lines.Sealer.Open(sealed, c.Username); err != nil {
		return c, fmt.Errorf("devices: line %d: %w", id, err)
	}
	return c, nil
}

// LineAuthByUsername returns what the registrar checks a REGISTER of the
// SIP username against, or ErrNotFound.
func (s *Service) LineAuthByUsername(ctx context.Context, username string) (LineAuth, error) {
	var l LineAuth
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT id, device_id, company_id, account_id, username, realm, ha1_md5, ha1_sha256 FROM lines WHERE username = ?", username).
		Scan(&l.LineID, &l.DeviceID, &l.CompanyID, &l.AccountID, &l.Username, &l.Realm, &l.HA1MD5, &l.HA1SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("devices: line %q: %w", username, derrors.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("devices: line %q: %w", username, err)
	}
	return l, nil
}

// dropLines removes the lines of accountID on device id: the device no
// longer serves the employee, so their credentials must stop working there.
func (s *Service) dropLines(ctx context.Context, id, accountID int64) error {
	_, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM lines WHERE device_id = ? AND account_id = ?", id, accountID)
	return err
}

// linesConfigured reports whether this node can issue lines: a node secret
// to seal passwords and a SIP domain for their realm.
func (s *Service) linesConfigured() bool {
	return s.Lines.Sealer != nil && strings.TrimSpace(s.Lines.Domain) != ""
}

// SyncPrimaryLine keeps the SIP line of employee accountID's primary device
// in step with their service, for the system callers that change it
// (Activate, Service Settings; docs/sip.md, "Line credentials"): it issues
// the line when the employee has a primary device without one, and
// reissues it when their number no longer gives the line's username (a
// changed number: the phone takes the new credentials with its next
// configuration). A line whose username is still right keeps its
// password. Nothing is done when the node cannot issue lines (no node
// secret or SIP domain) or the employee has no primary device. It runs in
// the caller's transaction, and reports whether it issued.
func (s *Service) SyncPrimaryLine(ctx context.Context, companyID, accountID int64) (issued bool, err error) {
	if !s.linesConfigured() {
		return false, nil
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		d, err := s.PrimaryDevice(ctx, companyID, accountID)
		if derrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		line, err := s.lineOf(ctx, d.ID, accountID)
		switch {
		case derrors.IsNotFound(err):
		case err != nil:
			return err
		default:
			want, err := s.numberUsername(ctx, d.CompanyID, accountID, line.Appearance, line.ID)
			if err != nil {
				return err
			}
			// No number, or another line holds it: the username stays.
			if want == "" || want == line.Username {
				return nil
			}
		}
		if _, err := s.issueLine(ctx, d, accountID, 0); err != nil {
			return err
		}
		issued = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("devices: sync primary line of %d: %w", accountID, err)
	}
	return issued, nil
}

// numberUsername is the username the employee's number gives a line
// (its digits, "_n" for a shared appearance), or "" when they have no
// number or a line other than lineID holds that name.
func (s *Service) numberUsername(ctx context.Context, companyID, accountID int64, appearance int, lineID int64) (string, error) {
	if s.Lines.NumberOf == nil {
		return "", nil
	}
	n, err := s.Lines.NumberOf(ctx, companyID, accountID)
	if err != nil {
		return "", err
	}
	name := strings.TrimPrefix(n, "+")
	if name == "" {
		return "", nil
	}
	if appearance > 0 {
		name = fmt.Sprintf("%s_%d", name, appearance)
	}
	var taken int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE username = ? AND id <> ?", name, lineID).Scan(&taken); err != nil {
		return "", err
	}
	if taken > 0 {
		return "", nil
	}
	return name, nil
}

// ProvisionPrimaryLines issues the primary lines of a batch of newly
// activated employees in a constant number of statements (the batch
// activation's way): owners maps each device to the employee it was just
// given to, numbers each employee to their E.164 number. An employee who
// already has a line on that device keeps it. Usernames are the numbers'
// digits, or generated names where the digits are taken; each line is
// audited as Issue Line Credentials. Nothing is done when the node cannot
// issue lines. It runs in the caller's transaction.
func (s *Service) ProvisionPrimaryLines(ctx context.Context, companyID int64, owners map[int64]int64, numbers map[int64]string) error {
	if !s.linesConfigured() || len(owners) == 0 {
		return nil
	}
	realm := strings.TrimSpace(s.Lines.Domain)
	deviceIDs := make([]int64, 0, len(owners))
	for d := range owners {
		deviceIDs = append(deviceIDs, d)
	}
	slices.Sort(deviceIDs)
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		type pending struct {
			d                   Device
			account             int64
			username, password  string
			sealed, md5, sha256 string
		}
		var todo []pending
		wanted := map[string]bool{}
		for start := 0; start < len(deviceIDs); start += 200 {
			chunk := deviceIDs[start:min(start+200, len(deviceIDs))]
			args := []any{companyID}
			for _, id := range chunk {
				args = append(args, id)
			}
			drows, err := q.Query(ctx, "SELECT "+deviceColumns+" FROM devices d JOIN device_types t ON t.id = d.type_id WHERE d.company_id = ? AND d.id IN ("+
				store.Placeholders(len(chunk))+") ORDER BY d.id", args...)
			if err != nil {
				return err
			}
			var ds []Device
			for drows.Next() {
				d, err := scanDevice(drows)
				if err != nil {
					drows.Close()
					return err
				}
				ds = append(ds, d)
			}
			drows.Close()
			if err := drows.Err(); err != nil {
				return err
			}
			have := map[int64]bool{}
			rows, err := q.Query(ctx, "SELECT device_id, account_id FROM lines WHERE company_id = ? AND device_id IN ("+store.Placeholders(len(chunk))+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var dev, acct int64
				if err := rows.Scan(&dev, &acct); err != nil {
					rows.Close()
					return err
				}
				if owners[dev] == acct {
					have[dev] = true
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, d := range ds {
				if have[d.ID] {
					continue
				}
				p := pending{d: d, account: owners[d.ID], username: strings.TrimPrefix(numbers[owners[d.ID]], "+")}
				if p.username != "" && !wanted[p.username] {
					wanted[p.username] = true
				} else {
					p.username = ""
				}
				todo = append(todo, p)
			}
		}
		// Digits another line holds already: a generated name instead.
		names := make([]string, 0, len(wanted))
		for n := range wanted {
			names = append(names, n)
		}
		taken := map[string]bool{}
		for start := 0; start < len(names); start += 500 {
			chunk := names[start:min(start+500, len(names))]
			args := make([]any, len(chunk))
			for i, n := range chunk {
				args[i] = n
			}
			rows, err := q.Query(ctx, "SELECT username FROM lines WHERE username IN ("+store.Placeholders(len(chunk))+")", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					rows.Close()
					return err
				}
				taken[n] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		now := store.Now()
		for i := range todo {
			p := &todo[i]
			if p.username == "" || taken[p.username] {
				// 60 bits of randomness: a clash with an existing name fails
				// the batch on the unique index rather than being checked.
				name, err := randomString("abcdefghijkmnpqrstuvwxyz23456789", 12)
				if err != nil {
					return err
				}
				p.username = "sb" + name
			}
			pw, err := generateLinePassword()
			if err != nil {
				return err
			}
			p.password = pw
			if p.sealed, err = s.Lines.Sealer.Seal(pw, p.username); err != nil {
				return err
			}
			p.md5, p.sha256 = digest.HA1(digest.MD5, p.username, realm, pw), digest.HA1(digest.SHA256, p.username, realm, pw)
		}
		for start := 0; start < len(todo); start += 100 {
			chunk := todo[start:min(start+100, len(todo))]
			vals := make([]string, len(chunk))
			args := make([]any, 0, 11*len(chunk))
			for i, p := range chunk {
				vals[i] = "(?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)"
				args = append(args, companyID, p.d.ID, p.account, p.username, realm, p.sealed, p.md5, p.sha256, now, now)
			}
			if _, err := q.Exec(ctx, `INSERT INTO lines (company_id, device_id, account_id, appearance, username, realm, password_enc, ha1_md5, ha1_sha256, created_at, updated_at)
				VALUES `+strings.Join(vals, ", "), args...); err != nil {
				return err
			}
		}
		events := make([]audit.Event, 0, len(todo))
		for _, p := range todo {
			events = append(events, audit.Event{Event: "Issue Line Credentials", ObjectKind: "device", ObjectID: p.d.ID, ObjectName: p.d.MAC,
				CompanyID: p.d.CompanyID, SiteID: p.d.SiteID,
				After: map[string]any{"device_id": p.d.ID, "account_id": p.account, "appearance": 0, "username": p.username, "realm": realm}})
		}
		return s.audit.RecordAll(ctx, events)
	})
	if err != nil {
		return fmt.Errorf("devices: issue %d primary lines: %w", len(owners), err)
	}
	return nil
}

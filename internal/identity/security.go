package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// maxLockoutWindow bounds the lockout window, and so how long login
// failures are kept.
const maxLockoutWindow = 7 * 24 * time.Hour

// Settings are a provider's account-security settings.
type Settings struct {
	AdminPolicy    Policy // operators, company and group admins
	EmployeePolicy Policy // employees (the self-care portal)
	// LockoutThreshold wrong passwords within LockoutWindow lock the
	// username for LockoutDuration.
	LockoutThreshold int
	LockoutWindow    time.Duration
	LockoutDuration  time.Duration
	ResetTokenTTL    time.Duration
	// CompanyAdminSelfReset lets company admins use the self-service reset
	// (the Business Portal says they cannot; the default is no).
	CompanyAdminSelfReset bool
	// PortalURL is the base URL put in e-mails ("https://portal.example.com").
	PortalURL string
	Region    string
}

// DefaultSettings are a new provider's settings (the migration's defaults).
func DefaultSettings() Settings {
	return Settings{AdminPolicy: PolicyBusinessPortal, EmployeePolicy: PolicySelfCare, LockoutThreshold: 3,
		LockoutWindow: 4 * time.Hour, LockoutDuration: 4 * time.Hour, ResetTokenTTL: time.Hour, Region: "GB"}
}

// PolicyFor returns the password policy of an account with role r.
func (st Settings) PolicyFor(r access.Role) Policy {
	if r == access.RoleEmployee {
		return st.EmployeePolicy
	}
	return st.AdminPolicy
}

// Settings loads providerID's settings.
func (s *Service) Settings(ctx context.Context, providerID int64) (Settings, error) {
	var st Settings
	var admin, employee string
	var window, duration, ttl int64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT admin_password_policy, employee_password_policy, lockout_threshold, lockout_window_ms,
		lockout_duration_ms, reset_token_ttl_ms, company_admin_self_reset, portal_url, default_region FROM providers WHERE id = ?`, providerID).
		Scan(&admin, &employee, &st.LockoutThreshold, &window, &duration, &ttl, &st.CompanyAdminSelfReset, &st.PortalURL, &st.Region)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("identity: settings of provider %d: %w", providerID, derrors.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("identity: settings: %w", err)
	}
	st.AdminPolicy, _ = PolicyByName(admin)
	st.EmployeePolicy, _ = PolicyByName(employee)
	st.LockoutWindow, st.LockoutDuration, st.ResetTokenTTL = time.Duration(window)*time.Millisecond,
		time.Duration(duration)*time.Millisecond, time.Duration(ttl)*time.Millisecond
	if st.PortalURL == "" {
		st.PortalURL = s.PortalURL
	}
	return st, nil
}

// SettingsUpdate changes provider settings; nil fields stay.
type SettingsUpdate struct {
	AdminPasswordPolicy    *string `json:"admin_password_policy"`
	EmployeePasswordPolicy *string `json:"employee_password_policy"`
	LockoutThreshold       *int    `json:"lockout_threshold"`
	LockoutWindowMinutes   *int    `json:"lockout_window_minutes"`
	LockoutDurationMinutes *int    `json:"lockout_duration_minutes"`
	ResetTokenTTLMinutes   *int    `json:"reset_token_ttl_minutes"`
	CompanyAdminSelfReset  *bool   `json:"company_admin_self_reset"`
	PortalURL              *string `json:"portal_url"`
}

// updateSettings validates and stores u for providerID.
func (s *Service) updateSettings(ctx context.Context, providerID int64, u SettingsUpdate) (Settings, error) {
	v := &derrors.ValidationError{}
	for field, name := range map[string]*string{"admin_password_policy": u.AdminPasswordPolicy, "employee_password_policy": u.EmployeePasswordPolicy} {
		if name != nil {
			if _, ok := PolicyByName(*name); !ok || *name == "" {
				v.Add(field, "the policy must be %s or %s", PolicyNameBusinessPortal, PolicyNameSelfCare)
			}
		}
	}
	for field, n := range map[string]*int{"lockout_threshold": u.LockoutThreshold, "lockout_window_minutes": u.LockoutWindowMinutes,
		"lockout_duration_minutes": u.LockoutDurationMinutes, "reset_token_ttl_minutes": u.ResetTokenTTLMinutes} {
		if n != nil && (*n < 1 || *n > 100_000) {
			v.Add(field, "must be a whole number from 1 to 100000")
		}
	}
	if u.LockoutWindowMinutes != nil && time.Duration(*u.LockoutWindowMinutes)*time.Minute > maxLockoutWindow {
		v.Add("lockout_window_minutes", "the lockout window can be at most %d minutes (7 days)", int(maxLockoutWindow/time.Minute))
	}
	if u.PortalURL != nil && *u.PortalURL != "" && !strings.HasPrefix(*u.PortalURL, "https://") && !strings.HasPrefix(*u.PortalURL, "http://") {
		v.Add("portal_url", "the portal URL must start with https:// (or http://)")
	}
	if err := v.Err(); err != nil {
		return Settings{}, err
	}
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Settings(ctx, providerID)
		if err != nil {
			return err
		}
		q := s.db.Q(ctx)
		sets := []struct {
			col string
			val any
			ok  bool
		}{
			{"admin_password_policy", deref(u.AdminPasswordPolicy), u.AdminPasswordPolicy != nil},
			{"employee_password_policy", deref(u.EmployeePasswordPolicy), u.EmployeePasswordPolicy != nil},
			{"lockout_threshold", derefInt(u.LockoutThreshold), u.LockoutThreshold != nil},
			{"lockout_window_ms", int64(derefInt(u.LockoutWindowMinutes)) * 60_000, u.LockoutWindowMinutes != nil},
			{"lockout_duration_ms", int64(derefInt(u.LockoutDurationMinutes)) * 60_000, u.LockoutDurationMinutes != nil},
			{"reset_token_ttl_ms", int64(derefInt(u.ResetTokenTTLMinutes)) * 60_000, u.ResetTokenTTLMinutes != nil},
			{"company_admin_self_reset", u.CompanyAdminSelfReset != nil && *u.CompanyAdminSelfReset, u.CompanyAdminSelfReset != nil},
			{"portal_url", strings.TrimRight(deref(u.PortalURL), "/"), u.PortalURL != nil},
		}
		for _, c := range sets {
			if c.ok {
				if _, err := q.Exec(ctx, "UPDATE providers SET "+c.col+" = ? WHERE id = ?", c.val, providerID); err != nil {
					return err
				}
			}
		}
		after, err := s.Settings(ctx, providerID)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Security Settings", ObjectKind: "provider", ObjectID: providerID,
			Before: settingsView(before), After: settingsView(after)})
	})
	if err != nil {
		return Settings{}, fmt.Errorf("identity: update settings: %w", err)
	}
	return s.Settings(ctx, providerID)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// SettingsView is the JSON shape of Settings.
type SettingsView struct {
	AdminPasswordPolicy    string   `json:"admin_password_policy"`
	EmployeePasswordPolicy string   `json:"employee_password_policy"`
	AdminPasswordRules     []string `json:"admin_password_rules"`
	EmployeePasswordRules  []string `json:"employee_password_rules"`
	LockoutThreshold       int      `json:"lockout_threshold"`
	LockoutWindowMinutes   int      `json:"lockout_window_minutes"`
	LockoutDurationMinutes int      `json:"lockout_duration_minutes"`
	ResetTokenTTLMinutes   int      `json:"reset_token_ttl_minutes"`
	CompanyAdminSelfReset  bool     `json:"company_admin_self_reset"`
	PortalURL              string   `json:"portal_url"`
}

func settingsView(st Settings) SettingsView {
	return SettingsView{AdminPasswordPolicy: st.AdminPolicy.Name, EmployeePasswordPolicy: st.EmployeePolicy.Name,
		AdminPasswordRules: st.AdminPolicy.Rules(), EmployeePasswordRules: st.EmployeePolicy.Rules(),
		LockoutThreshold: st.LockoutThreshold, LockoutWindowMinutes: int(st.LockoutWindow / time.Minute),
		LockoutDurationMinutes: int(st.LockoutDuration / time.Minute), ResetTokenTTLMinutes: int(st.ResetTokenTTL / time.Minute),
		CompanyAdminSelfReset: st.CompanyAdminSelfReset, PortalURL: st.PortalURL}
}

// View is the settings as the API shows them.
func (st Settings) View() SettingsView { return settingsView(st) }

// LockedError says a username is locked and until when.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "this account is locked after too many wrong passwords; try again after " + e.Until.UTC().Format("15:04 UTC on 2 Jan 2006") +
		", or ask your administrator to unlock it"
}

// Unwrap makes errors.Is(err, derrors.ErrLocked) true.
func (e *LockedError) Unwrap() error { return derrors.ErrLocked }

// lockedUntil returns when the lock of username for device (empty for clients
// without a device cookie) ends, or the zero time.
func (s *Service) lockedUntil(ctx context.Context, username, device string) (time.Time, error) {
	var until int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT locked_until FROM login_locks WHERE username = ? AND device = ?", username, device).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && until <= s.now().UnixMilli()) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return store.Time(until), nil
}

// recordFailure notes a wrong password for username from device and locks
// that pair when its failures inside the window reach the threshold. It
// returns the lock's end when this failure locked it.
func (s *Service) recordFailure(ctx context.Context, st Settings, username, device string) (time.Time, error) {
	var until time.Time
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		now := s.now()
		if _, err := q.Exec(ctx, "INSERT INTO login_failures (username, device, at) VALUES (?, ?, ?)", username, device, now.UnixMilli()); err != nil {
			return err
		}
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND device = ? AND at > ?", username, device,
			now.Add(-st.LockoutWindow).UnixMilli()).Scan(&n); err != nil {
			return err
		}
		if n < st.LockoutThreshold {
			return nil
		}
		until = now.Add(st.LockoutDuration)
		if _, err := q.Exec(ctx, "DELETE FROM login_locks WHERE username = ? AND device = ?", username, device); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "INSERT INTO login_locks (username, device, locked_at, locked_until) VALUES (?, ?, ?, ?)",
			username, device, now.UnixMilli(), until.UnixMilli()); err != nil {
			return err
		}
		_, err := q.Exec(ctx, "DELETE FROM login_failures WHERE username = ? AND device = ?", username, device)
		return err
	})
	return until, err
}

// clearFailures forgets the failures and lock of username from device.
func (s *Service) clearFailures(ctx context.Context, username, device string) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM login_failures WHERE username = ? AND device = ?", username, device); err != nil {
			return err
		}
		_, err := q.Exec(ctx, "DELETE FROM login_locks WHERE username = ? AND device = ?", username, device)
		return err
	})
}

// clearAllFailures forgets every failure and lock of key, from any device.
func (s *Service) clearAllFailures(ctx context.Context, key string) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM login_failures WHERE username = ?", key); err != nil {
			return err
		}
		_, err := q.Exec(ctx, "DELETE FROM login_locks WHERE username = ?", key)
		return err
	})
}

// lockKeys are the usernames a's failures and locks are counted under: its
// username, and the E.164 forms of its numbers, under which logins by
// number count.
func (s *Service) lockKeys(ctx context.Context, a Account) ([]string, error) {
	keys := []string{a.Username}
	if a.CompanyID == 0 {
		return keys, nil // operators have no numbers
	}
	// Logins by the profile's contact phone count under its E.164 form
	// (loginName), or its digits when it does not parse.
	var phone string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT phone FROM accounts WHERE id = ?", a.ID).Scan(&phone); err != nil {
		return nil, err
	}
	if looksLikeNumber(phone) {
		region, err := s.firstProviderRegion(ctx)
		if err != nil || region == "" {
			region = "GB"
		}
		key := onlyDigits(phone)
		if e := e164Of(phone, region); e != "" {
			key = e
		}
		keys = append(keys, key)
	}
	// The company leads the owner index of dn_numbers.
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT e164 FROM dn_numbers WHERE company_id = ? AND owner_kind = 'user' AND owner_id = ?", a.CompanyID, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// lockState reports whether any lock of a holds now (for strangers, a known
// browser, or a login by number), and until when the last one ends.
func (s *Service) lockState(ctx context.Context, a Account) (bool, time.Time, error) {
	keys, err := s.lockKeys(ctx, a)
	if err != nil {
		return false, time.Time{}, err
	}
	var until int64
	err = s.db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(locked_until), 0) FROM login_locks WHERE username IN ("+
		store.Placeholders(len(keys))+") AND locked_until > ?", append(stringArgs(keys), s.now().UnixMilli())...).Scan(&until)
	if err != nil || until == 0 {
		return false, time.Time{}, err
	}
	return true, store.Time(until), nil
}

// unlock lifts every lock of a (lockState) and forgets the failures,
// without e-mailing anyone, as the portal's Force Unlock does. It answers a
// conflict when a is not locked at all.
func (s *Service) unlock(ctx context.Context, a Account) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		locked, until, err := s.lockState(ctx, a)
		if err != nil {
			return err
		}
		if !locked {
			return derrors.Conflict("", "%s is not locked", a.Username)
		}
		keys, err := s.lockKeys(ctx, a)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := s.clearAllFailures(ctx, k); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Event{Event: "Force Unlock", ObjectKind: kindOfRole(a.Role), ObjectID: a.ID, ObjectName: a.Username,
			ProviderID: a.ProviderID, CompanyID: a.CompanyID, Before: map[string]any{"locked_until": until}, After: map[string]any{"locked_until": nil}})
	})
}

func stringArgs(ss []string) []any {
	out := make([]any, len(ss))
	for i, v := range ss {
		out[i] = v
	}
	return out
}

// accountNumbers are the telephone numbers a password or PIN is compared
// with: the profile's contact phone, the numbers assigned to the account and
// its extensions (docs/security.md, "Password and PIN rules").
// The company leads the owner indexes of numbers and extensions.
func (s *Service) accountNumbers(ctx context.Context, a Account) ([]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT phone FROM accounts WHERE id = ? AND phone <> ''
		UNION ALL SELECT e164 FROM dn_numbers WHERE company_id = ? AND owner_kind = 'user' AND owner_id = ? AND status = 'assigned'
		UNION ALL SELECT extension FROM extensions WHERE company_id = ? AND owner_kind = 'user' AND owner_id = ?`,
		a.ID, a.CompanyID, a.ID, a.CompanyID, a.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// setPasswordOptions tune SetPassword.
type setPasswordOptions struct {
	mustChange bool
	event      string
}

// setPassword checks pw against the account's policy and stores it,
// remembering the hash it replaces.
func (s *Service) setPassword(ctx context.Context, a Account, pw string, opt setPasswordOptions) error {
	st, err := s.Settings(ctx, a.ProviderID)
	if err != nil {
		return err
	}
	policy := st.PolicyFor(a.Role)
	numbers, err := s.accountNumbers(ctx, a)
	if err != nil {
		return err
	}
	if err := policy.Check("new_password", pw, numbers, st.Region); err != nil {
		return err
	}
	var current string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT password_hash FROM accounts WHERE id = ?", a.ID).Scan(&current); err != nil {
		return err
	}
	if policy.NotPrevious && current != "" {
		if same, _ := VerifyPassword(current, pw); same {
			return derrors.Invalid("new_password", "the new password must be different from the previous one")
		}
	}
	hash, err := s.HashPassword(pw)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, `UPDATE accounts SET password_hash = ?, previous_password_hash = ?, password_changed_at = ?,
			must_change_password = ?, updated_at = ? WHERE id = ?`, hash, current, s.now().UnixMilli(), opt.mustChange, s.now().UnixMilli(), a.ID)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: opt.event, ObjectKind: kindOfRole(a.Role), ObjectID: a.ID, ObjectName: a.Username,
			CompanyID: a.CompanyID, After: map[string]any{"must_change_password": opt.mustChange}})
	})
}

func kindOfRole(r access.Role) string {
	if r == access.RoleProvider || r == access.RoleReseller {
		return "operator"
	}
	return "employee"
}

// changePassword is ChangePassword of accountID.
func (s *Service) changePassword(ctx context.Context, accountID, keepSessionID int64, current, next string) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	var hash string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT password_hash FROM accounts WHERE id = ?", accountID).Scan(&hash); err != nil {
		return err
	}
	if ok, _ := VerifyPassword(hash, current); !ok {
		// A stolen session must not be a way to guess the password: wrong
		// current passwords count towards the lockout like wrong logins.
		st, err := s.Settings(ctx, a.ProviderID)
		if err != nil {
			return err
		}
		if until, err := s.recordFailure(ctx, st, a.Username, ""); err != nil {
			return err
		} else if !until.IsZero() {
			return &LockedError{Until: until}
		}
		return derrors.Invalid("current_password", "the current password is not correct")
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.setPassword(ctx, a, next, setPasswordOptions{event: "Change Password"}); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE account_id = ? AND id <> ?", accountID, keepSessionID); err != nil {
			return err
		}
		return s.notify(ctx, a, "password_changed", nil)
	})
}

// resetPassword is ResetPassword once access allowed it.
func (s *Service) resetPassword(ctx context.Context, a Account) error {
	accountID := a.ID
	if a.Email == "" {
		return derrors.Invalid("email", "%s has no e-mail address to send the new password to; add one to their profile first", a.Username)
	}
	st, err := s.Settings(ctx, a.ProviderID)
	if err != nil {
		return err
	}
	pw, err := GeneratePassword(st.PolicyFor(a.Role))
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.setPassword(ctx, a, pw, setPasswordOptions{mustChange: true, event: "Reset Password"}); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID); err != nil {
			return err
		}
		return s.notify(ctx, a, "password_reset_by_admin", map[string]any{"Password": pw})
	})
}

// SendWelcome e-mails a new account its portal URL and username, and the
// generated password when there is one (which must be changed at first login).
func (s *Service) SendWelcome(ctx context.Context, accountID int64, generatedPassword string) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if a.Email == "" {
		return nil
	}
	return s.notify(ctx, a, "welcome", map[string]any{"Password": generatedPassword})
}

// notify renders template kind for a and queues it to a's e-mail address.
func (s *Service) notify(ctx context.Context, a Account, kind string, extra map[string]any) error {
	to := a.Email
	if v, ok := extra["To"].(string); ok {
		to = v
	}
	if to == "" || s.Mail == nil {
		return nil
	}
	st, err := s.Settings(ctx, a.ProviderID)
	if err != nil {
		return err
	}
	data := map[string]any{"Name": displayName(a), "Username": a.Username, "PortalURL": st.PortalURL, "Password": "", "Link": "",
		"NewEmail": "", "ExpiresIn": ""}
	for k, v := range extra {
		data[k] = v
	}
	msg, err := mail.Render(kind, to, data)
	if err != nil {
		return err
	}
	msg.ProviderID, msg.CompanyID, msg.AccountID = a.ProviderID, a.CompanyID, a.ID
	msg.Sensitive = data["Password"] != "" || data["Link"] != ""
	_, err = s.Mail.Enqueue(ctx, msg)
	return err
}

func displayName(a Account) string {
	if n := strings.TrimSpace(a.FirstName + " " + a.LastName); n != "" {
		return n
	}
	return a.Username
}

// Token purposes.
const (
	purposeReset       = "password_reset"
	purposeEmailChange = "email_change"
)

// accountByLogin finds an account by exact username, or by telephone number
// in any common format.
func (s *Service) accountByLogin(ctx context.Context, login string) (Account, error) {
	a, err := s.accountWhere(ctx, "username = ?", login)
	if !derrors.IsNotFound(err) {
		return a, err
	}
	if !looksLikeNumber(login) {
		return Account{}, derrors.ErrNotFound
	}
	region := "GB"
	if p, err := s.firstProviderRegion(ctx); err == nil {
		region = p
	}
	// A number assigned through numbering (an activated employee's DN).
	if e := e164Of(login, region); e != "" {
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `SELECT owner_id FROM dn_numbers WHERE e164 = ? AND owner_kind = 'user' AND status = 'assigned'`, e).Scan(&id)
		if err == nil {
			return s.Account(ctx, id)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Account{}, err
		}
	}
	// Otherwise the contact phone of the account, compared as digits in
	// every form of the number (one scan in SQL, not one parse per account).
	var forms []any
	for _, f := range NumberForms(login, region) {
		if len(f) >= 6 {
			forms = append(forms, f)
		}
	}
	if len(forms) > 0 {
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `SELECT id FROM accounts WHERE phone <> '' AND
			replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', ''), '+', '') IN (`+
			store.Placeholders(len(forms))+`) ORDER BY id LIMIT 1`, forms...).Scan(&id)
		if err == nil {
			return s.Account(ctx, id)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Account{}, err
		}
	}
	return Account{}, derrors.ErrNotFound
}

// looksLikeNumber reports whether a login is written as a telephone number:
// at least six digits and nothing but digits, spaces, + - ( ).
func looksLikeNumber(login string) bool {
	return len(onlyDigits(login)) >= 6 && strings.Trim(login, "0123456789 +-()") == ""
}

// e164Of is number's E.164 form in region by the one number rule, or ""
// when it has none (docs/contacts.md, "The number rule").
func e164Of(number, region string) string {
	return numbering.E164Of(number, region)
}

func (s *Service) firstProviderRegion(ctx context.Context) (string, error) {
	var r string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT default_region FROM providers ORDER BY id LIMIT 1").Scan(&r)
	return r, err
}

func (s *Service) newToken(ctx context.Context, accountID int64, purpose, newEmail string, ttl time.Duration) (string, error) {
	token, err := randomToken(32)
	if err != nil {
		return "", err
	}
	now := s.now()
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		// A new link replaces any earlier one of the same purpose.
		if _, err := q.Exec(ctx, "DELETE FROM account_tokens WHERE account_id = ? AND purpose = ?", accountID, purpose); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `INSERT INTO account_tokens (token_hash, account_id, purpose, new_email, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, hashToken(token), accountID, purpose, newEmail, now.UnixMilli(), now.Add(ttl).UnixMilli())
		return err
	})
	return token, err
}

var errBadLink = derrors.Invalid("token", "this link is not valid: it may have expired or been used already; ask for a new one")

// useToken consumes a token of purpose, returning its account and new e-mail.
func (s *Service) useToken(ctx context.Context, token, purpose string) (int64, string, error) {
	var id, accountID, expires, used int64
	var newEmail string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT id, account_id, new_email, expires_at, used_at FROM account_tokens WHERE token_hash = ? AND purpose = ?",
		hashToken(token), purpose).Scan(&id, &accountID, &newEmail, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used != 0 || expires <= s.now().UnixMilli())) {
		return 0, "", errBadLink
	}
	if err != nil {
		return 0, "", err
	}
	if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE account_tokens SET used_at = ? WHERE id = ? AND used_at = 0", s.now().UnixMilli(), id); err != nil {
		return 0, "", err
	}
	return accountID, newEmail, nil
}

// CheckResetToken reports whether a reset link is still usable (for the
// page that asks for the new password), without consuming it.
func (s *Service) CheckResetToken(ctx context.Context, token string) error {
	var expires, used int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT expires_at, used_at FROM account_tokens WHERE token_hash = ? AND purpose = ?",
		hashToken(token), purposeReset).Scan(&expires, &used)
	if err != nil || used != 0 || expires <= s.now().UnixMilli() {
		return errBadLink
	}
	return nil
}

// ConfirmPasswordReset sets a new password from a reset link. The link works
// once; all sessions end, any lock is lifted, and a notification is sent.
func (s *Service) ConfirmPasswordReset(ctx context.Context, token, next string) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		accountID, _, err := s.useToken(ctx, token, purposeReset)
		if err != nil {
			return err
		}
		a, err := s.Account(ctx, accountID)
		if err != nil {
			return err
		}
		if err := s.setPassword(ctx, a, next, setPasswordOptions{event: "Reset Password (self-service)"}); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID); err != nil {
			return err
		}
		if err := s.clearAllFailures(ctx, a.Username); err != nil {
			return err
		}
		return s.notify(ctx, a, "password_changed", nil)
	})
}

// requestSecurityEmailChange is RequestSecurityEmailChange of accountID.
func (s *Service) requestSecurityEmailChange(ctx context.Context, accountID int64, newEmail string) error {
	newEmail = strings.TrimSpace(newEmail)
	if !mail.ValidAddress(newEmail) {
		return derrors.Invalid("email", "%q is not an e-mail address", newEmail)
	}
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if strings.EqualFold(newEmail, a.Email) {
		return derrors.Invalid("email", "that is already your security e-mail address")
	}
	st, err := s.Settings(ctx, a.ProviderID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		token, err := s.newToken(ctx, a.ID, purposeEmailChange, newEmail, 24*time.Hour)
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Event{Event: "Request Security Email Change", ObjectKind: kindOfRole(a.Role), ObjectID: a.ID,
			ObjectName: a.Username, CompanyID: a.CompanyID, After: map[string]any{"pending_email": newEmail}}); err != nil {
			return err
		}
		return s.notify(ctx, a, "email_change_confirm", map[string]any{"To": newEmail, "NewEmail": newEmail,
			"Link": st.PortalURL + "/confirm-email?token=" + token, "ExpiresIn": "24 hours"})
	})
}

// ConfirmSecurityEmailChange applies a pending change from its link and
// tells the old address.
func (s *Service) ConfirmSecurityEmailChange(ctx context.Context, token string) (string, error) {
	var newEmail string
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		accountID, email, err := s.useToken(ctx, token, purposeEmailChange)
		if err != nil {
			return err
		}
		a, err := s.Account(ctx, accountID)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE accounts SET email = ?, updated_at = ? WHERE id = ?", email, s.now().UnixMilli(), accountID); err != nil {
			return err
		}
		newEmail = email
		if err := s.audit.Record(ctx, audit.Event{Event: "Change Security Email", ObjectKind: kindOfRole(a.Role), ObjectID: a.ID,
			ObjectName: a.Username, CompanyID: a.CompanyID, Before: map[string]any{"email": a.Email}, After: map[string]any{"email": email}}); err != nil {
			return err
		}
		if a.Email == "" {
			return nil
		}
		return s.notify(ctx, a, "email_changed", map[string]any{"NewEmail": email})
	})
	return newEmail, err
}

// setServicePasswords is SetServicePasswords once access allowed it.
func (s *Service) setServicePasswords(ctx context.Context, a Account, appPassword, pin *string) error {
	if appPassword == nil && pin == nil {
		return derrors.Invalid("application_password", "give application_password, voicemail_pin or both")
	}
	st, err := s.Settings(ctx, a.ProviderID)
	if err != nil {
		return err
	}
	numbers, err := s.accountNumbers(ctx, a)
	if err != nil {
		return err
	}
	v := &derrors.ValidationError{}
	if appPassword != nil {
		if err := st.EmployeePolicy.Check("application_password", *appPassword, numbers, st.Region); err != nil {
			v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
		}
	}
	if pin != nil {
		if err := CheckPIN("voicemail_pin", *pin, numbers, st.Region); err != nil {
			v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		changed := map[string]any{}
		if appPassword != nil {
			h, err := s.HashPassword(*appPassword)
			if err != nil {
				return err
			}
			if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE accounts SET application_password_hash = ? WHERE id = ?", h, a.ID); err != nil {
				return err
			}
			changed["application_password"] = "changed"
		}
		if pin != nil {
			h, err := s.HashPassword(*pin)
			if err != nil {
				return err
			}
			if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE accounts SET voicemail_pin_hash = ? WHERE id = ?", h, a.ID); err != nil {
				return err
			}
			changed["voicemail_pin"] = "changed"
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Service Passwords", ObjectKind: "employee", ObjectID: a.ID,
			ObjectName: a.Username, CompanyID: a.CompanyID, After: changed})
	})
}

func humanDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d >= time.Hour:
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	default:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
}

// PurgeExpired deletes expired sessions, used or expired single-use tokens,
// finished locks and login failures older than the longest lockout window.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	var total int64
	now := s.now().UnixMilli()
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		for _, stmt := range []struct {
			sql string
			arg int64
		}{
			{"DELETE FROM sessions WHERE expires_at <= ?", now},
			{"DELETE FROM account_tokens WHERE expires_at <= ? OR used_at > 0", now},
			{"DELETE FROM login_locks WHERE locked_until <= ?", now},
			{"DELETE FROM login_failures WHERE at <= ?", now - maxLockoutWindow.Milliseconds()},
		} {
			res, err := s.db.Q(ctx).Exec(ctx, stmt.sql, stmt.arg)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			total += n
		}
		return nil
	})
	return total, err
}

// SetClock replaces the clock (tests move time forward with it).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// CheckPassword applies providerID's policy for role to a new password.
func (s *Service) CheckPassword(ctx context.Context, providerID int64, role access.Role, field, pw string, numbers []string) error {
	st, err := s.Settings(ctx, providerID)
	if err != nil {
		return err
	}
	return st.PolicyFor(role).Check(field, pw, numbers, st.Region)
}

// RequirePasswordChange makes the account change its password at next login.
func (s *Service) RequirePasswordChange(ctx context.Context, accountID int64) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, "UPDATE accounts SET must_change_password = ? WHERE id = ?", true, accountID)
		return err
	})
}

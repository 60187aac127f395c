// Package identity owns how accounts prove who they are: password hashes
// (argon2id), login, browser sessions and API bearer tokens, and the
// bootstrap of the first provider operator.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Account is a login as identity sees it.
type Account struct {
	ID         int64
	Username   string
	Role       access.Role
	ProviderID int64
	ResellerID int64
	CompanyID  int64
	FirstName  string
	LastName   string
	Email      string
	// MustChangePassword is set after an administrator's reset, a welcome
	// with a generated password, or when the password is older than the
	// policy allows; such a session may do nothing but change it.
	MustChangePassword bool
}

// Actor is the account as the access package decides for it.
func (a Account) Actor() access.Actor {
	return access.Actor{AccountID: a.ID, Username: a.Username, Role: a.Role, ProviderID: a.ProviderID,
		ResellerID: a.ResellerID, CompanyID: a.CompanyID}
}

// Session kinds.
const (
	KindBrowser = "browser"
	KindAPI     = "api"
)

// Lifetimes of sessions and tokens.
type Lifetimes struct {
	BrowserIdle     time.Duration // idle time-out of a browser session
	BrowserAbsolute time.Duration // absolute time-out of a browser session
	RememberMe      time.Duration // absolute time-out with "Remember me"
	Token           time.Duration // API bearer token lifetime
}

// DefaultLifetimes are documented in docs/security.md.
var DefaultLifetimes = Lifetimes{
	BrowserIdle:     30 * time.Minute,
	BrowserAbsolute: 12 * time.Hour,
	RememberMe:      30 * 24 * time.Hour,
	Token:           30 * 24 * time.Hour,
}

// Service authenticates accounts and keeps sessions.
type Service struct {
	db    *store.DB
	audit *audit.Log
	// Mail queues the service's e-mails; nil sends none (some tests).
	Mail *mail.Service
	// PortalURL is used in e-mails when the provider has not set its own.
	PortalURL string
	Hash      HashParams
	Lifetimes Lifetimes
	now       func() time.Time
	// dummyHash is verified against when the username is unknown, so an
	// unknown user costs as much time as a wrong password.
	dummyHash string
	// access decides the administrators' actions (docs/architecture.md).
	access *access.Service
	// keyMu guards devKey, the device-cookie key once read (device.go).
	keyMu  sync.Mutex
	devKey []byte
	// resetKick wakes RunResetRequests when a reset request is recorded.
	resetKick chan struct{}
}

// New returns a Service with default parameters.
func New(db *store.DB, log *audit.Log) *Service {
	s := &Service{db: db, audit: log, Hash: DefaultHashParams, Lifetimes: DefaultLifetimes, now: time.Now,
		access: access.New(db), resetKick: make(chan struct{}, 1)}
	s.dummyHash, _ = HashPassword("switchboard-dummy", s.Hash)
	return s
}

// HashPassword hashes with the service's parameters.
func (s *Service) HashPassword(pw string) (string, error) { return HashPassword(pw, s.Hash) }

const accountColumns = `a.id, a.username, a.role, a.provider_id, COALESCE(a.reseller_id, 0), COALESCE(a.company_id, 0),
	a.first_name, a.last_name, a.email, a.must_change_password, a.password_changed_at,
	(SELECT p.admin_password_policy FROM providers p WHERE p.id = a.provider_id),
	(SELECT p.employee_password_policy FROM providers p WHERE p.id = a.provider_id)`

func (s *Service) scanAccount(row interface{ Scan(...any) error }, extra ...any) (Account, error) {
	var a Account
	var changedAt int64
	var adminPolicy, employeePolicy string
	err := row.Scan(append([]any{&a.ID, &a.Username, &a.Role, &a.ProviderID, &a.ResellerID, &a.CompanyID, &a.FirstName, &a.LastName,
		&a.Email, &a.MustChangePassword, &changedAt, &adminPolicy, &employeePolicy}, extra...)...)
	if err != nil {
		return a, err
	}
	policy, _ := PolicyByName(adminPolicy)
	if a.Role == access.RoleEmployee {
		policy, _ = PolicyByName(employeePolicy)
	}
	if policy.MaxAge > 0 && changedAt > 0 && s.now().Sub(store.Time(changedAt)) > policy.MaxAge {
		a.MustChangePassword = true
	}
	return a, nil
}

// Account returns one account by id.
func (s *Service) Account(ctx context.Context, id int64) (Account, error) {
	return s.accountWhere(ctx, "a.id = ?", id)
}

func (s *Service) accountWhere(ctx context.Context, cond string, args ...any) (Account, error) {
	a, err := s.scanAccount(s.db.Q(ctx).QueryRow(ctx, "SELECT "+accountColumns+" FROM accounts a WHERE "+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("identity: account: %w", derrors.ErrNotFound)
	}
	return a, err
}

// ErrBadCredentials is the one answer to every failed login, so a response
// never tells whether the username exists.
var ErrBadCredentials = derrors.Unauthenticated("the username or password is not correct")

// Authenticate checks username and password from a client with no device
// cookie (AuthenticateDevice).
func (s *Service) Authenticate(ctx context.Context, login, password string) (Account, error) {
	return s.AuthenticateDevice(ctx, login, password, nil)
}

// AuthenticateDevice checks username and password, applying the lockout: a
// locked username is refused even with the right password (LockedError),
// and the failure that reaches the threshold answers LockedError too.
// Unknown usernames go through the same steps, so no answer reveals whether
// an account exists. The login may also be the employee's telephone number
// in any common format (see loginName); the lockout then counts failures
// under the number's E.164 form, so retyping it differently gains nothing,
// and a locked username refuses its number too.
//
// deviceCookies are the values of the client's device cookies (device.go).
// When one of them is valid for the account, the attempt is judged by that
// browser's own failures and lock only: a lock caused by failures elsewhere
// does not stop it, and its failures lock only itself.
func (s *Service) AuthenticateDevice(ctx context.Context, login, password string, deviceCookies []string) (Account, error) {
	username, key := s.loginName(ctx, login)
	st, err := s.Settings(ctx, s.providerFor(ctx, username))
	if derrors.IsNotFound(err) {
		// A deployment with no provider yet has no accounts either: apply
		// the default lockout so the answer is the same as anywhere else.
		st, err = DefaultSettings(), nil
	}
	if err != nil {
		return Account{}, fmt.Errorf("identity: authenticate: %w", err)
	}
	device := s.deviceFor(ctx, username, deviceCookies)
	if device != "" {
		// A known browser counts under the account's username whatever
		// form of the login was typed.
		key = username
	}
	until, err := s.lockedUntil(ctx, key, device)
	if err == nil && until.IsZero() && key != username {
		until, err = s.lockedUntil(ctx, username, device)
	}
	if err != nil {
		return Account{}, fmt.Errorf("identity: authenticate: %w", err)
	} else if !until.IsZero() {
		_, _ = VerifyPassword(s.dummyHash, password)
		return Account{}, &LockedError{Until: until}
	}
	var hash string
	a, err := s.scanAccount(s.db.Q(ctx).QueryRow(ctx, "SELECT "+accountColumns+", a.password_hash FROM accounts a WHERE a.username = ?", username), &hash)
	ok := false
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && hash == "":
		_, _ = VerifyPassword(s.dummyHash, password)
	case err != nil:
		return Account{}, fmt.Errorf("identity: authenticate: %w", err)
	default:
		if ok, err = VerifyPassword(hash, password); err != nil {
			return Account{}, fmt.Errorf("identity: authenticate %s: %w", username, err)
		}
	}
	if !ok {
		until, err := s.recordFailure(ctx, st, key, device)
		if err != nil {
			return Account{}, fmt.Errorf("identity: authenticate: %w", err)
		}
		if !until.IsZero() {
			if a.ID != 0 {
				_ = s.db.Tx(ctx, func(ctx context.Context) error {
					return s.audit.Record(ctx, audit.Event{Event: "Lock Account", ObjectKind: kindOfRole(a.Role), ObjectID: a.ID,
						ObjectName: a.Username, CompanyID: a.CompanyID, After: map[string]any{"locked_until": until, "known_browser_only": device != ""}})
				})
			}
			return Account{}, &LockedError{Until: until}
		}
		return Account{}, ErrBadCredentials
	}
	if err := s.clearFailures(ctx, key, device); err != nil {
		return Account{}, fmt.Errorf("identity: authenticate: %w", err)
	}
	// Cease revokes portal access (internal/lifecycle) until the service
	// is activated again; the right password does not give it back.
	var portal bool
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT portal_access FROM accounts WHERE id = ?", a.ID).Scan(&portal); err == nil && !portal {
		return Account{}, derrors.Unauthenticated("access to the portal was revoked when this account's service was ceased; ask your administrator to activate it again")
	}
	return a, nil
}

// loginName resolves what was typed at login to the username whose password
// is checked and the key the lockout counts failures under. A username is
// both. Anything else that looks like a telephone number is keyed on its
// E.164 form (its digits if it does not parse) and names the account whose
// number it is (accountByLogin), or no account ("" matches no username).
func (s *Service) loginName(ctx context.Context, login string) (username, key string) {
	if _, err := s.accountWhere(ctx, "username = ?", login); !derrors.IsNotFound(err) || !looksLikeNumber(login) {
		return login, login
	}
	key = onlyDigits(login)
	region, err := s.firstProviderRegion(ctx)
	if err != nil || region == "" {
		region = "GB"
	}
	if e := e164Of(login, region); e != "" {
		key = e
	}
	if a, err := s.accountByLogin(ctx, login); err == nil {
		return a.Username, key
	}
	return "", key
}

// providerFor is the provider whose settings govern a login: the account's,
// or for an unknown username the deployment's first.
func (s *Service) providerFor(ctx context.Context, username string) int64 {
	var id int64
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT provider_id FROM accounts WHERE username = ?", username).Scan(&id); err == nil {
		return id
	}
	_ = s.db.Q(ctx).QueryRow(ctx, "SELECT id FROM providers ORDER BY id LIMIT 1").Scan(&id)
	return id
}

// Session is a browser session or an API token.
type Session struct {
	ID        int64
	AccountID int64
	Kind      string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// NewSessionRequest describes a session to open.
type NewSessionRequest struct {
	AccountID  int64
	Kind       string
	RememberMe bool
	ClientAddr string
	UserAgent  string
}

// CreateSession opens a session and returns its secret token, shown once.
func (s *Service) CreateSession(ctx context.Context, req NewSessionRequest) (string, Session, error) {
	token, err := randomToken(32)
	if err != nil {
		return "", Session{}, err
	}
	csrf, err := randomToken(24)
	if err != nil {
		return "", Session{}, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	idle, abs := s.Lifetimes.BrowserIdle, s.Lifetimes.BrowserAbsolute
	switch {
	case req.Kind == KindAPI:
		idle, abs = s.Lifetimes.Token, s.Lifetimes.Token
	case req.RememberMe:
		idle, abs = s.Lifetimes.RememberMe, s.Lifetimes.RememberMe
	}
	sess := Session{AccountID: req.AccountID, Kind: req.Kind, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(abs)}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		return s.db.Q(ctx).QueryRow(ctx, `INSERT INTO sessions (token_hash, account_id, kind, csrf_token, client_addr, user_agent,
			created_at, last_seen_at, expires_at, idle_timeout_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			hashToken(token), req.AccountID, req.Kind, csrf, req.ClientAddr, truncate(req.UserAgent, 256),
			now.UnixMilli(), now.UnixMilli(), sess.ExpiresAt.UnixMilli(), idle.Milliseconds()).Scan(&sess.ID)
	})
	if err != nil {
		return "", Session{}, fmt.Errorf("identity: create session: %w", err)
	}
	return token, sess, nil
}

// touchEvery bounds how often a session's last-seen time is written.
const touchEvery = time.Minute

// SessionByToken returns the live session for token and its account, sliding
// the idle time-out. Expired sessions are deleted and answer ErrUnauthenticated.
func (s *Service) SessionByToken(ctx context.Context, token string) (Session, Account, error) {
	var sess Session
	var created, lastSeen, expires, idle int64
	acct, err := s.scanAccount(s.db.Q(ctx).QueryRow(ctx, `SELECT `+accountColumns+`, s.id, s.kind, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.idle_timeout_ms
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?`, hashToken(token)),
		&sess.ID, &sess.Kind, &sess.CSRFToken, &created, &lastSeen, &expires, &idle)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, Account{}, derrors.ErrUnauthenticated
	}
	if err != nil {
		return Session{}, Account{}, fmt.Errorf("identity: session: %w", err)
	}
	now := s.now().UnixMilli()
	if now >= expires || now-lastSeen >= idle {
		_ = s.db.Tx(ctx, func(ctx context.Context) error {
			_, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE id = ?", sess.ID)
			return err
		})
		return Session{}, Account{}, derrors.ErrUnauthenticated
	}
	if now-lastSeen >= touchEvery.Milliseconds() {
		_ = s.db.Tx(ctx, func(ctx context.Context) error {
			_, err := s.db.Q(ctx).Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", now, sess.ID)
			return err
		})
	}
	sess.AccountID = acct.ID
	sess.CreatedAt, sess.ExpiresAt = store.Time(created), store.Time(expires)
	return sess, acct, nil
}

// EndSession deletes the session holding token. Ending an unknown session is not an error.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hashToken(token))
		return err
	})
}

// CreateOperator creates a provider operator account. It is how an empty
// deployment gets its first login (switchboard create-operator).
func (s *Service) CreateOperator(ctx context.Context, providerID int64, username, password string) (Account, error) {
	if err := PolicyBusinessPortal.Check("password", password, nil, ""); err != nil {
		return Account{}, err
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return Account{}, err
	}
	var a Account
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		now := store.Now()
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO accounts (provider_id, username, password_hash, role, status, created_at, updated_at, password_changed_at)
			VALUES (?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id`, providerID, username, hash, string(access.RoleProvider), now, now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("username", "the username %q is already taken", username)
		}
		if err != nil {
			return err
		}
		if a, err = s.Account(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Operator", ObjectKind: "operator", ObjectID: id, ObjectName: username,
			After: map[string]any{"username": username, "role": access.RoleProvider}})
	})
	if err != nil {
		return Account{}, fmt.Errorf("identity: create operator %q: %w", username, err)
	}
	return a, nil
}

// CreateResellerAdmin creates the login of a reseller's administrator: an
// operator limited to the companies of resellerID (see docs/security.md).
func (s *Service) CreateResellerAdmin(ctx context.Context, providerID, resellerID int64, username, password string) (Account, error) {
	if err := PolicyBusinessPortal.Check("password", password, nil, ""); err != nil {
		return Account{}, err
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return Account{}, err
	}
	var a Account
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM resellers WHERE id = ? AND provider_id = ?", resellerID, providerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return derrors.Invalid("reseller_id", "reseller %d does not exist", resellerID)
		}
		now := store.Now()
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO accounts (provider_id, reseller_id, username, password_hash, role, status, created_at, updated_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id`, providerID, resellerID, username, hash, string(access.RoleReseller), now, now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("username", "the username %q is already taken", username)
		}
		if err != nil {
			return err
		}
		if a, err = s.Account(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Reseller Admin", ObjectKind: "operator", ObjectID: id, ObjectName: username,
			After: map[string]any{"username": username, "role": access.RoleReseller, "reseller_id": resellerID}})
	})
	if err != nil {
		return Account{}, fmt.Errorf("identity: create reseller admin %q: %w", username, err)
	}
	return a, nil
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("identity: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

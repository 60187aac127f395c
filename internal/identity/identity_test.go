package identity

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

var fast = HashParams{Memory: 64, Time: 1, Threads: 1}

// clock is a settable time source for the Service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newService returns a Service on db with a controllable clock, a provider
// and one operator "op" with password pw.
func newService(t *testing.T, db *store.DB) (*Service, *clock, Account) {
	t.Helper()
	ctx := context.Background()
	s := New(db, audit.New(db))
	s.Hash = fast
	c := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	s.now = c.now
	var pid int64
	if err := db.Tx(ctx, func(ctx context.Context) error {
		return db.Q(ctx).QueryRow(ctx, "INSERT INTO providers (name, default_region, created_at) VALUES ('P', 'GB', 0) RETURNING id").Scan(&pid)
	}); err != nil {
		t.Fatal(err)
	}
	op, err := s.CreateOperator(ctx, pid, "op", pw)
	if err != nil {
		t.Fatal(err)
	}
	return s, c, op
}

const pw = "Correct-Horse-1"

func TestHashPHCFormat(t *testing.T) {
	h, err := HashPassword("s3cret!", HashParams{Memory: 128, Time: 2, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=128,t=2,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)
	m := re.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("hash %q is not in the PHC argon2id format", h)
	}
	salt, err := base64.RawStdEncoding.DecodeString(m[1])
	if err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v; want 16", m[1], len(salt), err)
	}
	key, err := base64.RawStdEncoding.DecodeString(m[2])
	if err != nil || len(key) != 32 {
		t.Errorf("key %q: %d bytes, %v; want 32", m[2], len(key), err)
	}
	if d, _ := HashPassword("s3cret!", HashParams{Memory: 128, Time: 2, Threads: 1}); d == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !strings.HasPrefix(mustHash(t, "x", DefaultHashParams), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Error("default parameters are not the documented m=19456,t=2,p=1")
	}
}

func mustHash(t *testing.T, pw string, p HashParams) string {
	t.Helper()
	h, err := HashPassword(pw, p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestVerifyPassword(t *testing.T) {
	h := mustHash(t, "Pässwörd-1", fast)
	for _, c := range []struct {
		pw   string
		want bool
	}{
		{"Pässwörd-1", true},
		{"pässwörd-1", false},
		{"Pässwörd-1 ", false},
		{"", false},
	} {
		ok, err := VerifyPassword(h, c.pw)
		if err != nil || ok != c.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", c.pw, ok, err, c.want)
		}
	}
	// Parameters travel with the hash: one made with other costs still verifies.
	other := mustHash(t, "abc", HashParams{Memory: 256, Time: 3, Threads: 2})
	if ok, err := VerifyPassword(other, "abc"); !ok || err != nil {
		t.Errorf("verify with other parameters: %v, %v", ok, err)
	}
	for _, bad := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=x,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!!$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$***",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA",
	} {
		if ok, err := VerifyPassword(bad, "abc"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want a malformed-hash error", bad, ok, err)
		}
	}
}

func TestBusinessPortalPolicyRules(t *testing.T) {
	cases := []struct {
		pw   string
		want []string // fragments of the broken rules, in order; none means valid
	}{
		{"Abcdef1!", nil},
		{"Zz9#Zz9#Zz9#", nil},
		{"Ünïcödé9€", nil},
		{"Ab1!", []string{"at least 8"}},
		{"abcdefg1!", []string{"uppercase"}},
		{"ABCDEFG1!", []string{"lowercase"}},
		{"Abcdefgh!", []string{"digit"}},
		{"Abcdefgh1", []string{"special character"}},
		{"Abcdefg 1", []string{"special character"}}, // a space is not a special character
		{"", []string{"at least 8", "uppercase", "lowercase", "digit", "special character"}},
		{"abc", []string{"at least 8", "uppercase", "digit", "special character"}},
		{"Aa1!" + strings.Repeat("x", 125), []string{"at most 128"}},
	}
	for _, c := range cases {
		err := PolicyBusinessPortal.Check("new_password", c.pw, nil, "")
		if c.want == nil {
			if err != nil {
				t.Errorf("%q: %v, want valid", c.pw, err)
			}
			continue
		}
		var v *derrors.ValidationError
		if !errors.As(err, &v) {
			t.Errorf("%q: %v, want a validation error", c.pw, err)
			continue
		}
		if len(v.Fields) != len(c.want) {
			t.Errorf("%q: %d broken rules (%v), want %d", c.pw, len(v.Fields), err, len(c.want))
			continue
		}
		for i, w := range c.want {
			if v.Fields[i].Field != "new_password" || !strings.Contains(v.Fields[i].Message, w) {
				t.Errorf("%q rule %d = %+v, want field new_password mentioning %q", c.pw, i, v.Fields[i], w)
			}
		}
	}
}

func TestAuthenticate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		s, _, op := newService(t, db)
		ctx := context.Background()
		a, err := s.Authenticate(ctx, "op", pw)
		if err != nil || a.ID != op.ID || a.Role != access.RoleProvider || a.CompanyID != 0 {
			t.Fatalf("Authenticate = %+v, %v", a, err)
		}
		if a.Actor().AccountID != op.ID || a.Actor().Role != access.RoleProvider {
			t.Errorf("Actor = %+v", a.Actor())
		}
		// Wrong password, unknown user, wrong case and an account without a
		// password all give exactly the same error.
		if _, err := storetest.Exec(ctx, db, "INSERT INTO accounts (provider_id, username, role, created_at, updated_at) VALUES (?, 'nopass', 'provider', 0, 0)", op.ProviderID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ user, pw string }{
			{"op", "wrong-Password-1"},
			{"op", ""},
			{"nobody", pw},
			{"OP", pw},
			{"nopass", ""},
			{"nopass", pw},
		} {
			_, err := s.Authenticate(ctx, c.user, c.pw)
			if err != ErrBadCredentials {
				t.Errorf("Authenticate(%q, %q) = %v, want ErrBadCredentials itself", c.user, c.pw, err)
			}
			if !errors.Is(err, derrors.ErrUnauthenticated) {
				t.Errorf("Authenticate(%q): %v does not unwrap to ErrUnauthenticated", c.user, err)
			}
		}
		// The hash is stored, never the password.
		var stored string
		if err := db.Q(ctx).QueryRow(ctx, "SELECT password_hash FROM accounts WHERE id = ?", op.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, "$argon2id$") || strings.Contains(stored, pw) {
			t.Errorf("stored hash %q", stored)
		}
	})
}

func TestCreateOperator(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		s, _, op := newService(t, db)
		ctx := context.Background()
		if _, err := s.CreateOperator(ctx, op.ProviderID, "op", pw); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("duplicate operator: %v", err)
		}
		if _, err := s.CreateOperator(ctx, op.ProviderID, "op2", "weak"); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("weak password: %v", err)
		}
		es, _, err := audit.New(db).List(ctx, audit.Filter{Event: "Create Operator"}, store.Page{})
		if err != nil || len(es) != 1 || strings.Contains(string(es[0].After), pw) {
			t.Errorf("audit = %+v, %v", es, err)
		}
		if _, err := s.Account(ctx, 987654); !derrors.IsNotFound(err) {
			t.Errorf("missing account: %v", err)
		}
	})
}

func TestSessionLifetimes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		s, clk, op := newService(t, db)
		ctx := context.Background()
		s.Lifetimes = Lifetimes{BrowserIdle: 30 * time.Minute, BrowserAbsolute: 2 * time.Hour, RememberMe: 24 * time.Hour, Token: 48 * time.Hour}
		open := func(kind string, remember bool) string {
			t.Helper()
			tok, sess, err := s.CreateSession(ctx, NewSessionRequest{AccountID: op.ID, Kind: kind, RememberMe: remember, UserAgent: strings.Repeat("u", 300)})
			if err != nil {
				t.Fatal(err)
			}
			if tok == "" || sess.CSRFToken == "" || sess.ID == 0 {
				t.Fatalf("session = %+v", sess)
			}
			return tok
		}
		alive := func(tok string) bool {
			t.Helper()
			_, a, err := s.SessionByToken(ctx, tok)
			if err == nil {
				if a.ID != op.ID {
					t.Errorf("session account %d, want %d", a.ID, op.ID)
				}
				return true
			}
			if !errors.Is(err, derrors.ErrUnauthenticated) {
				t.Fatalf("SessionByToken: %v", err)
			}
			return false
		}

		// Idle time-out: 29 minutes apart keeps it alive (and slides), 30 ends it.
		browser := open(KindBrowser, false)
		tok, sess, _ := s.CreateSession(ctx, NewSessionRequest{AccountID: op.ID, Kind: KindBrowser})
		if !sess.ExpiresAt.Equal(clk.t.Add(2 * time.Hour)) {
			t.Errorf("browser session expires %v, want %v", sess.ExpiresAt, clk.t.Add(2*time.Hour))
		}
		clk.advance(29 * time.Minute)
		if !alive(browser) {
			t.Fatal("browser session died before its idle time-out")
		}
		clk.advance(29 * time.Minute) // 58 min since start, 29 since last use
		if !alive(browser) {
			t.Fatal("idle time-out did not slide with use")
		}
		if alive(tok) {
			t.Error("an unused session outlived its idle time-out")
		}
		clk.advance(30 * time.Minute)
		if alive(browser) {
			t.Error("browser session outlived its idle time-out")
		}
		// An expired session is deleted, not just refused.
		var n int
		_ = db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", hashToken(browser)).Scan(&n)
		if n != 0 {
			t.Error("expired session row was not deleted")
		}

		// Absolute time-out: used every 20 minutes, it still ends after 2 hours.
		browser = open(KindBrowser, false)
		for i := 0; i < 5; i++ {
			clk.advance(20 * time.Minute)
			if !alive(browser) {
				t.Fatalf("session died after %d minutes of steady use", (i+1)*20)
			}
		}
		clk.advance(20 * time.Minute) // 120 minutes
		if alive(browser) {
			t.Error("browser session outlived its absolute time-out")
		}

		// Remember me and API tokens use their own, longer lifetimes.
		remember := open(KindBrowser, true)
		api := open(KindAPI, false)
		clk.advance(23 * time.Hour)
		if !alive(remember) || !alive(api) {
			t.Fatal("remember-me session or API token died within their lifetimes")
		}
		clk.advance(time.Hour)
		if alive(remember) {
			t.Error("remember-me session outlived 24 hours")
		}
		clk.advance(24 * time.Hour)
		if alive(api) {
			t.Error("API token outlived its lifetime")
		}

		if alive("not-a-token") || alive("") {
			t.Error("an unknown token was accepted")
		}
	})
}

func TestEndSessionAndPurge(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		s, clk, op := newService(t, db)
		ctx := context.Background()
		a, _, _ := s.CreateSession(ctx, NewSessionRequest{AccountID: op.ID, Kind: KindAPI})
		b, _, _ := s.CreateSession(ctx, NewSessionRequest{AccountID: op.ID, Kind: KindAPI})
		if err := s.EndSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionByToken(ctx, a); !errors.Is(err, derrors.ErrUnauthenticated) {
			t.Errorf("ended session: %v", err)
		}
		if _, _, err := s.SessionByToken(ctx, b); err != nil {
			t.Errorf("ending one session ended another: %v", err)
		}
		if err := s.EndSession(ctx, a); err != nil {
			t.Errorf("ending twice: %v", err)
		}
		if err := s.EndSession(ctx, "never-issued"); err != nil {
			t.Errorf("ending an unknown session: %v", err)
		}
		// The token itself is not stored.
		var n int
		_ = db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", b).Scan(&n)
		if n != 0 {
			t.Error("the raw token is stored")
		}

		// Purge removes only sessions past their absolute expiry.
		_, _, _ = s.CreateSession(ctx, NewSessionRequest{AccountID: op.ID, Kind: KindBrowser})
		clk.advance(s.Lifetimes.BrowserAbsolute)
		purged, err := s.PurgeExpired(ctx)
		if err != nil || purged != 1 {
			t.Errorf("purged %d, %v; want 1", purged, err)
		}
		if _, _, err := s.SessionByToken(ctx, b); err != nil {
			t.Errorf("purge removed a live API token: %v", err)
		}
	})
}

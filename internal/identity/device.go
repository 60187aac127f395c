package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// Device cookies, after OWASP's "Slow Down Online Guessing Attacks with
// Device Cookies" (docs/security.md, "Lockout"). A successful browser login
// sets one naming the account; it is signed with a key only the server
// holds, so it cannot be forged for another account or another browser. A
// login attempt that presents a valid one counts its failures under the
// cookie's nonce instead of the username: wrong passwords typed elsewhere
// lock the username for everyone else but never this browser, and wrong
// passwords typed in this browser lock only this browser.

// DeviceCookiePrefix starts the name of every device cookie; the rest of the
// name is derived from the username, so one browser keeps one per account.
const DeviceCookiePrefix = "sb_device_"

// DeviceCookieLifetime is how long a device cookie is honoured after the
// login that set it.
const DeviceCookieLifetime = 180 * 24 * time.Hour

// deviceKeyName names the signing key in server_secrets.
const deviceKeyName = "device_cookie_key"

// DeviceCookie is a device cookie to set after a successful login.
type DeviceCookie struct {
	Name    string
	Value   string
	Expires time.Time
}

// NewDeviceCookie returns the device cookie for a successful login of a.
func (s *Service) NewDeviceCookie(ctx context.Context, a Account) (DeviceCookie, error) {
	key, err := s.deviceKey(ctx)
	if err != nil {
		return DeviceCookie{}, fmt.Errorf("identity: device cookie: %w", err)
	}
	nonce, err := randomToken(16)
	if err != nil {
		return DeviceCookie{}, err
	}
	now := s.now()
	issued := strconv.FormatInt(now.Unix(), 10)
	user := base64.RawURLEncoding.EncodeToString([]byte(a.Username))
	value := strings.Join([]string{user, nonce, issued, deviceMAC(key, a.Username, nonce, issued)}, ".")
	return DeviceCookie{Name: DeviceCookieName(a.Username), Value: value, Expires: now.Add(DeviceCookieLifetime)}, nil
}

// DeviceCookieName is the name of username's device cookie.
func DeviceCookieName(username string) string {
	sum := sha256.Sum256([]byte(username))
	return DeviceCookiePrefix + hex.EncodeToString(sum[:8])
}

func deviceMAC(key []byte, username, nonce, issued string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("switchboard device cookie v1\x00" + username + "\x00" + nonce + "\x00" + issued))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// deviceFor returns the nonce of the first valid, unexpired device cookie
// among cookies that names username, or "" when there is none.
func (s *Service) deviceFor(ctx context.Context, username string, cookies []string) string {
	if username == "" || len(cookies) == 0 {
		return ""
	}
	key, err := s.deviceKey(ctx)
	if err != nil {
		// Without the key no cookie can be trusted: the login is treated
		// like one from an unknown browser, which is the safe side.
		return ""
	}
	for _, c := range cookies {
		parts := strings.Split(c, ".")
		if len(parts) != 4 {
			continue
		}
		user, err := base64.RawURLEncoding.DecodeString(parts[0])
		if err != nil || string(user) != username {
			continue
		}
		issued, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || s.now().Sub(time.Unix(issued, 0)) > DeviceCookieLifetime {
			continue
		}
		want := deviceMAC(key, username, parts[1], parts[2])
		if hmac.Equal([]byte(want), []byte(parts[3])) {
			return parts[1]
		}
	}
	return ""
}

// deviceKey returns the deployment's device-cookie key, creating it on
// first use. Every node reads the same row, so a cookie set by one node is
// honoured by the others.
func (s *Service) deviceKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.devKey != nil {
		return s.devKey, nil
	}
	read := func(ctx context.Context) (string, error) {
		var k string
		err := s.db.Q(ctx).QueryRow(ctx, "SELECT secret FROM server_secrets WHERE name = ?", deviceKeyName).Scan(&k)
		return k, err
	}
	k, err := read(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		err = s.db.Tx(ctx, func(ctx context.Context) error {
			// Two nodes may race to create it: the first one wins and both
			// read the winner's key.
			_, err := s.db.Q(ctx).Exec(ctx, "INSERT INTO server_secrets (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
				deviceKeyName, base64.RawStdEncoding.EncodeToString(b), store.Now())
			return err
		})
		if err != nil {
			return nil, err
		}
		k, err = read(ctx)
	}
	if err != nil {
		return nil, err
	}
	key, err := base64.RawStdEncoding.DecodeString(k)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("the stored device cookie key is malformed")
	}
	s.devKey = key
	return key, nil
}

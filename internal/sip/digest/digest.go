// Package digest is HTTP/SIP digest authentication as a SIP registrar needs
// it: the HA1 a line's credentials are stored as, the expected response of a
// challenge (RFC 2617, with the SHA-256 algorithm of RFC 7616 that RFC 8760
// brings to SIP), and the parsing and writing of the Authorization and
// WWW-Authenticate header values. It has no state; nonces are the
// registrar's (internal/sip).
package digest

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Algorithm names a digest algorithm as it appears on the wire.
type Algorithm string

// The algorithms a line can authenticate with. The -sess variants derive a
// session HA1 from the stored one, so they need no extra stored value.
const (
	MD5        Algorithm = "MD5"
	MD5Sess    Algorithm = "MD5-sess"
	SHA256     Algorithm = "SHA-256"
	SHA256Sess Algorithm = "SHA-256-sess"
)

// ParseAlgorithm reads the algorithm parameter; absent means MD5 (RFC 2617).
func ParseAlgorithm(s string) (Algorithm, error) {
	switch strings.ToUpper(s) {
	case "", "MD5":
		return MD5, nil
	case "MD5-SESS":
		return MD5Sess, nil
	case "SHA-256":
		return SHA256, nil
	case "SHA-256-SESS":
		return SHA256Sess, nil
	}
	return "", fmt.Errorf("digest: unsupported algorithm %q", s)
}

// UsesSHA256 reports whether the algorithm's hash is SHA-256.
func (a Algorithm) UsesSHA256() bool { return a == SHA256 || a == SHA256Sess }

func (a Algorithm) sess() bool { return a == MD5Sess || a == SHA256Sess }

func (a Algorithm) hasher() hash.Hash {
	if a.UsesSHA256() {
		return sha256.New()
	}
	return md5.New()
}

// H is the algorithm's hash of the parts joined by ':', in lower-case hex.
func (a Algorithm) H(parts ...string) string {
	h := a.hasher()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{':'})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// HA1 is H(username:realm:password), the value stored for a line so that
// the password itself is not needed to check a response.
func HA1(a Algorithm, username, realm, password string) string {
	return a.H(username, realm, password)
}

// Credentials are the parameters of an Authorization header.
type Credentials struct {
	Username  string
	Realm     string
	Nonce     string
	URI       string
	Response  string
	Algorithm Algorithm
	CNonce    string
	NC        string // nonce count, 8 hex digits
	QOP       string
	Opaque    string
}

// Response is the response a client knowing the password behind ha1 sends
// for method and c's parameters. With qop=auth it is
// H(HA1:nonce:nc:cnonce:qop:H(method:uri)); without qop (RFC 2069 clients)
// H(HA1:nonce:H(method:uri)).
func Response(ha1, method string, c Credentials) string {
	a := c.Algorithm
	if a.sess() {
		ha1 = a.H(ha1, c.Nonce, c.CNonce)
	}
	ha2 := a.H(method, c.URI)
	if c.QOP == "" {
		return a.H(ha1, c.Nonce, ha2)
	}
	return a.H(ha1, c.Nonce, c.NC, c.CNonce, c.QOP, ha2)
}

// Verify reports whether c.Response is the right response for ha1, in
// constant time.
func Verify(ha1, method string, c Credentials) bool {
	want := Response(ha1, method, c)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(c.Response))) == 1
}

// ErrNotDigest is returned for an Authorization header of another scheme.
var ErrNotDigest = errors.New("digest: not a Digest authorization")

// ParseAuthorization reads the value of an Authorization (or
// Proxy-Authorization) header: `Digest name=value, name="quoted value", …`.
func ParseAuthorization(value string) (Credentials, error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(value), " ")
	if !strings.EqualFold(scheme, "Digest") {
		return Credentials{}, ErrNotDigest
	}
	params, err := parseParams(rest)
	if err != nil {
		return Credentials{}, err
	}
	c := Credentials{
		Username: params["username"], Realm: params["realm"], Nonce: params["nonce"], URI: params["uri"],
		Response: params["response"], CNonce: params["cnonce"], NC: params["nc"], QOP: params["qop"], Opaque: params["opaque"],
	}
	if c.Algorithm, err = ParseAlgorithm(params["algorithm"]); err != nil {
		return c, err
	}
	for _, name := range []string{"username", "realm", "nonce", "uri", "response"} {
		if params[name] == "" {
			return c, fmt.Errorf("digest: the %s parameter is missing", name)
		}
	}
	if c.QOP != "" {
		if !strings.EqualFold(c.QOP, "auth") {
			return c, fmt.Errorf("digest: unsupported qop %q", c.QOP)
		}
		c.QOP = "auth"
		if c.CNonce == "" || len(c.NC) != 8 || strings.Trim(strings.ToLower(c.NC), "0123456789abcdef") != "" {
			return c, errors.New("digest: qop=auth needs cnonce and an 8-digit hexadecimal nc")
		}
	}
	return c, nil
}

// parseParams splits a comma-separated list of name=value pairs, values
// plain tokens or quoted strings with backslash escapes.
func parseParams(s string) (map[string]string, error) {
	out := map[string]string{}
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == '\r' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("digest: parameter without value near %q", s[i:])
		}
		name := strings.ToLower(strings.TrimSpace(s[i : i+eq]))
		i += eq + 1
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					val.WriteByte(s[i+1])
					i += 2
					continue
				}
				i++
				if c == '"' {
					closed = true
					break
				}
				val.WriteByte(c)
			}
			if !closed {
				return nil, fmt.Errorf("digest: unterminated quoted value of %s", name)
			}
		} else {
			end := strings.IndexByte(s[i:], ',')
			if end < 0 {
				end = len(s) - i
			}
			val.WriteString(strings.TrimSpace(s[i : i+end]))
			i += end
		}
		out[name] = val.String()
	}
	return out, nil
}

// Challenge is the value of a WWW-Authenticate header offering algorithm a
// with qop=auth. stale=true tells the client its credentials were right but
// the nonce is no longer valid, so it retries without asking the user.
func Challenge(a Algorithm, realm, nonce, opaque string, stale bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Digest realm="%s", nonce="%s"`, quote(realm), quote(nonce))
	if opaque != "" {
		fmt.Fprintf(&b, `, opaque="%s"`, quote(opaque))
	}
	fmt.Fprintf(&b, `, algorithm=%s, qop="auth"`, a)
	if stale {
		b.WriteString(", stale=true")
	}
	return b.String()
}

func quote(s string) string {
	return quoter.Replace(s)
}

// quoter is built once: building a Replacer costs more than using it.
var quoter = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

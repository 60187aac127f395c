package sip_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// uac is a minimal SIP client over UDP that writes REGISTERs by hand, so a
// test controls every header (a replayed nonce count, a foreign nonce, a
// Path) that a real client would never send wrong.
type uac struct {
	t      *testing.T
	conn   *net.UDPConn
	server *net.UDPAddr
	user   string
	callID string
	cseq   int
}

type response struct {
	code    int
	reason  string
	headers map[string][]string
}

func (r response) get(name string) string {
	if v := r.headers[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func newUAC(t *testing.T, server, user string) *uac {
	t.Helper()
	raddr, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &uac{t: t, conn: conn, server: raddr, user: user, callID: randHex(8) + "@test"}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (c *uac) local() string { return c.conn.LocalAddr().String() }

// register sends a REGISTER for c.user with the extra header lines and
// returns the final response.
func (c *uac) register(to string, extra ...string) response {
	c.t.Helper()
	c.cseq++
	if to == "" {
		to = c.user
	}
	var b strings.Builder
	fmt.Fprintf(&b, "REGISTER sip:%s SIP/2.0\r\n", realm)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n", c.local(), randHex(6))
	fmt.Fprintf(&b, "Max-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\n", c.user, realm, randHex(4), to, realm)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d REGISTER\r\nUser-Agent: switchboard-test\r\n", c.callID, c.cseq)
	hasContact := false
	for _, h := range extra {
		hasContact = hasContact || strings.HasPrefix(h, "Contact:")
		b.WriteString(h + "\r\n")
	}
	if !hasContact {
		fmt.Fprintf(&b, "Contact: <sip:%s@%s>\r\nExpires: 600\r\n", c.user, c.local())
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	if _, err := c.conn.WriteToUDP([]byte(b.String()), c.server); err != nil {
		c.t.Fatal(err)
	}
	buf := make([]byte, 65535)
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := c.conn.ReadFromUDP(buf)
		if err != nil {
			c.t.Fatalf("no response to REGISTER: %v", err)
		}
		res := parseResponse(c.t, string(buf[:n]))
		if res.code >= 200 {
			return res
		}
	}
}

func parseResponse(t testing.TB, msg string) response {
	t.Helper()
	res, err := parseMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func parseMessage(msg string) (response, error) {
	lines := strings.Split(msg, "\r\n")
	var res response
	var code int
	if _, err := fmt.Sscanf(lines[0], "SIP/2.0 %d", &code); err != nil {
		return res, fmt.Errorf("not a response: %q", lines[0])
	}
	res.code = code
	if parts := strings.SplitN(lines[0], " ", 3); len(parts) == 3 {
		res.reason = parts[2]
	}
	res.headers = map[string][]string{}
	for _, l := range lines[1:] {
		if l == "" {
			break
		}
		name, value, _ := strings.Cut(l, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		res.headers[name] = append(res.headers[name], strings.TrimSpace(value))
	}
	return res, nil
}

// registerMessage is a REGISTER of user's own address from local.
func registerMessage(user, local, callID string, cseq int, auth string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "REGISTER sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n", realm, local, randHex(6))
	fmt.Fprintf(&b, "Max-Forwards: 70\r\nFrom: <sip:%s@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\n", user, realm, randHex(4), user, realm)
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d REGISTER\r\nContact: <sip:%s@%s>\r\nExpires: 3600\r\n", callID, cseq, user, local)
	if auth != "" {
		b.WriteString(auth + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	return b.String()
}

// udpClient sends a request and waits for its final response.
type udpClient struct {
	conn   *net.UDPConn
	server *net.UDPAddr
	buf    []byte
}

func dialUDP(server string) (*udpClient, error) {
	raddr, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	return &udpClient{conn: conn, server: raddr, buf: make([]byte, 65535)}, nil
}

func (c *udpClient) local() string { return c.conn.LocalAddr().String() }

func (c *udpClient) roundTrip(msg string) (response, error) {
	if _, err := c.conn.WriteToUDP([]byte(msg), c.server); err != nil {
		return response{}, err
	}
	for {
		_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := c.conn.ReadFromUDP(c.buf)
		if err != nil {
			return response{}, err
		}
		res, err := parseMessage(string(c.buf[:n]))
		if err != nil || res.code >= 200 {
			return res, err
		}
	}
}

var paramRe = regexp.MustCompile(`(\w+)="?([^",]*)"?`)

func challengeParams(h string) map[string]string {
	out := map[string]string{}
	for _, m := range paramRe.FindAllStringSubmatch(strings.TrimPrefix(h, "Digest "), -1) {
		out[m[1]] = m[2]
	}
	return out
}

// authorization answers challenge h for password with nonce count nc.
func (c *uac) authorization(h, password string, nc int) (string, digest.Credentials) {
	p := challengeParams(h)
	alg, _ := digest.ParseAlgorithm(p["algorithm"])
	cr := digest.Credentials{Username: c.user, Realm: p["realm"], Nonce: p["nonce"], URI: "sip:" + realm, Algorithm: alg,
		CNonce: randHex(4), NC: fmt.Sprintf("%08x", nc), QOP: "auth"}
	return authHeader(cr, password), cr
}

func authHeader(cr digest.Credentials, password string) string {
	cr.Response = digest.Response(digest.HA1(cr.Algorithm, cr.Username, cr.Realm, password), "REGISTER", cr)
	return fmt.Sprintf(`Authorization: Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s, cnonce="%s", nc=%s, qop=auth`,
		cr.Username, cr.Realm, cr.Nonce, cr.URI, cr.Response, cr.Algorithm, cr.CNonce, cr.NC)
}

// TestRegistrarDigest covers what a well-behaved client never shows: the
// SHA-256 challenge preferred over MD5, a replayed nonce count, a nonce
// this node never issued, the same answer for an unknown user and a wrong
// password, a line registering another's address, several contacts in one
// request with Path, and a source blocked after repeated failures.
func TestRegistrarDigest(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRig(t, db, sip.Config{Algorithms: []digest.Algorithm{digest.SHA256, digest.MD5}, MaxFailures: 4})
		c := newUAC(t, r.udp, r.line.Username)

		res := c.register("")
		ch := res.headers["www-authenticate"]
		if res.code != 401 || len(ch) != 2 || !strings.Contains(ch[0], "algorithm=SHA-256") || !strings.Contains(ch[1], "algorithm=MD5") {
			t.Fatalf("challenge = %d %v", res.code, ch)
		}
		auth, cr := c.authorization(ch[0], r.line.Password, 1)
		if res := c.register("", auth); res.code != 200 {
			t.Fatalf("SHA-256 answer: %d %s", res.code, res.reason)
		}
		// The same nonce count again is a replay, even with a fresh CSeq.
		if res := c.register("", auth); res.code != 401 {
			t.Fatalf("replayed nc: %d %s, want 401", res.code, res.reason)
		}
		// The next count with the same nonce is fine (clients reuse nonces).
		cr.NC, cr.CNonce = "00000002", randHex(4)
		if res := c.register("", authHeader(cr, r.line.Password)); res.code != 200 {
			t.Fatalf("nc=2: %d %s", res.code, res.reason)
		}
		// MD5 works too.
		md5Auth, _ := c.authorization(c.register("").headers["www-authenticate"][1], r.line.Password, 1)
		if res := c.register("", md5Auth); res.code != 200 {
			t.Fatalf("MD5 answer: %d %s", res.code, res.reason)
		}
		// A nonce this node did not issue (or long expired), right password:
		// stale=true so the client retries without asking its user.
		foreign := cr
		foreign.Nonce, foreign.NC = randHex(16), "00000001"
		res = c.register("", authHeader(foreign, r.line.Password))
		if res.code != 401 || !strings.Contains(strings.Join(res.headers["www-authenticate"], " "), "stale=true") {
			t.Fatalf("foreign nonce: %d %v", res.code, res.headers["www-authenticate"])
		}

		// Unknown user and wrong password: the same answer, but for the nonces.
		strip := func(res response) string {
			return fmt.Sprint(res.code, res.reason, regexp.MustCompile(`nonce="[^"]*"`).ReplaceAllString(strings.Join(res.headers["www-authenticate"], "|"), ""))
		}
		wrong, _ := c.authorization(c.register("").headers["www-authenticate"][0], r.line.Password+"x", 1)
		wrongRes := c.register("", wrong)
		stranger := newUAC(t, r.udp, "nobody")
		unknown, _ := stranger.authorization(stranger.register("").headers["www-authenticate"][0], r.line.Password, 1)
		unknownRes := stranger.register("", unknown)
		if wrongRes.code != 401 || strip(wrongRes) != strip(unknownRes) {
			t.Fatalf("wrong password answered %q, unknown user %q", strip(wrongRes), strip(unknownRes))
		}

		// A line may register only its own address of record.
		other, _ := c.authorization(c.register("").headers["www-authenticate"][0], r.line.Password, 1)
		if res := c.register("someone-else", other); res.code != 403 {
			t.Fatalf("REGISTER of another AOR: %d %s, want 403", res.code, res.reason)
		}

		// Two contacts in one request, through an edge proxy (Path).
		two, _ := c.authorization(c.register("").headers["www-authenticate"][0], r.line.Password, 1)
		res = c.register("", two, "Contact: <sip:desk@192.0.2.10:5060>;expires=300, <sip:mobile@192.0.2.11:5062>;expires=600",
			"Path: <sip:lb.example.net;lr>", "Supported: path")
		if res.code != 200 || res.get("Path") != "<sip:lb.example.net;lr>" || len(res.headers["contact"]) != 3 {
			t.Fatalf("two contacts with Path: %d %s %v", res.code, res.reason, res.headers)
		}
		bs, _ := r.registry.LineBindings(ctx, r.line.ID)
		paths := 0
		for _, b := range bs {
			if b.Path == "<sip:lb.example.net;lr>" {
				paths++
			}
		}
		if len(bs) != 3 || paths != 2 {
			t.Fatalf("bindings = %+v", bs)
		}
		// One of them un-registered by its own expires=0.
		drop, _ := c.authorization(c.register("").headers["www-authenticate"][0], r.line.Password, 1)
		if res := c.register("", drop, "Contact: <sip:mobile@192.0.2.11:5062>;expires=0"); res.code != 200 || len(res.headers["contact"]) != 2 {
			t.Fatalf("un-REGISTER of one contact: %d %v", res.code, res.headers["contact"])
		}

		// Failures so far: the wrong password and the unknown user (2), the
		// replay (1); one more blocks the source (MaxFailures 4), audited.
		bad, _ := c.authorization(c.register("").headers["www-authenticate"][0], "nope", 1)
		if res := c.register("", bad); res.code != 401 {
			t.Fatalf("4th failure: %d", res.code)
		}
		res = c.register("")
		if res.code != 403 || res.get("Retry-After") == "" {
			t.Fatalf("blocked source: %d %s %v", res.code, res.reason, res.headers)
		}
		if n := auditCount(t, r, "Block SIP Source"); n != 1 {
			t.Fatalf("Block SIP Source entries = %d", n)
		}
	})
}

// TestProxyThrottleByPhone: behind a trusted edge proxy the failures count
// against the phone's address the proxy put in its Path (received), so a
// phone guessing passwords is blocked and another phone behind the same
// proxy is not (an untrusted sender's Path is ignored: nonce_internal_test).
func TestProxyThrottleByPhone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db, sip.Config{MaxFailures: 3, Proxies: []string{"127.0.0.1"}})
		viaProxy := func(phone string) string {
			return "Path: <sip:127.0.0.1:5060;lr;received=sip:" + phone + ">"
		}
		attacker, phone := newUAC(t, r.udp, r.line.Username), newUAC(t, r.udp, r.line.Username)
		for i := range 3 {
			bad, _ := attacker.authorization(attacker.register("", viaProxy("192.0.2.66:5060")).headers["www-authenticate"][0], "guess", 1)
			if res := attacker.register("", bad, viaProxy("192.0.2.66:5060")); res.code != 401 {
				t.Fatalf("failure %d: %d %s", i+1, res.code, res.reason)
			}
		}
		if res := attacker.register("", viaProxy("192.0.2.66:5060")); res.code != 403 {
			t.Fatalf("the guessing phone behind the proxy: %d %s, want 403", res.code, res.reason)
		}
		good, _ := phone.authorization(phone.register("", viaProxy("192.0.2.7:5060")).headers["www-authenticate"][0], r.line.Password, 1)
		if res := phone.register("", good, viaProxy("192.0.2.7:5060")); res.code != 200 {
			t.Fatalf("another phone behind the same proxy: %d %s, want 200", res.code, res.reason)
		}
		if n := auditCount(t, r, "Block SIP Source"); n != 1 {
			t.Fatalf("Block SIP Source entries = %d", n)
		}

	})
}

package digest_test

import (
	"testing"

	"github.com/switchboard-voice/switchboard/internal/sip/digest"
)

// The worked examples of RFC 2617 section 3.5 (MD5) and RFC 7616 section
// 3.9.1 (MD5 and SHA-256, the algorithm RFC 8760 brings to SIP).
func TestRFCExamples(t *testing.T) {
	tests := []struct {
		name     string
		password string
		c        digest.Credentials
		want     string
	}{
		{"RFC 2617 MD5", "Circle Of Life", digest.Credentials{Username: "Mufasa", Realm: "testrealm@host.com",
			Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", URI: "/dir/index.html", Algorithm: digest.MD5,
			CNonce: "0a4f113b", NC: "00000001", QOP: "auth"}, "6629fae49393a05397450978507c4ef1"},
		{"RFC 7616 MD5", "Circle of Life", digest.Credentials{Username: "Mufasa", Realm: "http-auth@example.org",
			Nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", URI: "/dir/index.html", Algorithm: digest.MD5,
			CNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", NC: "00000001", QOP: "auth"}, "8ca523f5e9506fed4657c9700eebdbec"},
		{"RFC 7616 SHA-256", "Circle of Life", digest.Credentials{Username: "Mufasa", Realm: "http-auth@example.org",
			Nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", URI: "/dir/index.html", Algorithm: digest.SHA256,
			CNonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", NC: "00000001", QOP: "auth"}, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ha1 := digest.HA1(tt.c.Algorithm, tt.c.Username, tt.c.Realm, tt.password)
			if got := digest.Response(ha1, "GET", tt.c); got != tt.want {
				t.Fatalf("response = %s, want %s", got, tt.want)
			}
			c := tt.c
			c.Response = tt.want
			if !digest.Verify(ha1, "GET", c) {
				t.Fatal("Verify refused the RFC's response")
			}
			if digest.Verify(ha1, "POST", c) {
				t.Fatal("Verify accepted the response for another method")
			}
			wrong := digest.HA1(tt.c.Algorithm, tt.c.Username, tt.c.Realm, tt.password+"x")
			if digest.Verify(wrong, "GET", c) {
				t.Fatal("Verify accepted a wrong password")
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	c, err := digest.ParseAuthorization(`Digest username="Mufasa",realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",` +
		` uri="sip:example.org", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc", algorithm=SHA-256`)
	if err != nil {
		t.Fatal(err)
	}
	want := digest.Credentials{Username: "Mufasa", Realm: "testrealm@host.com", Nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		URI: "sip:example.org", Response: "6629fae49393a05397450978507c4ef1", Algorithm: digest.SHA256, CNonce: "0a4f113b",
		NC: "00000001", QOP: "auth", Opaque: "5ccc"}
	if c != want {
		t.Fatalf("parsed %+v\nwant %+v", c, want)
	}
	for _, bad := range []string{
		`Basic dXNlcjpwYXNz`,
		`Digest username="a", realm="r", nonce="n", uri="u"`,
		`Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth`,
		`Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth-int, nc=00000001, cnonce="c"`,
		`Digest username="a", realm="r", nonce="n", uri="u", response="x", algorithm=SHA-512`,
		`Digest username="a`,
	} {
		if _, err := digest.ParseAuthorization(bad); err == nil {
			t.Errorf("ParseAuthorization(%q) accepted it", bad)
		}
	}
}

func TestChallengeQuotes(t *testing.T) {
	got := digest.Challenge(digest.SHA256, `a"b`, "n1", "", true)
	want := `Digest realm="a\"b", nonce="n1", algorithm=SHA-256, qop="auth", stale=true`
	if got != want {
		t.Fatalf("Challenge = %s, want %s", got, want)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(`Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, nc=00000001, cnonce="c"`)
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = digest.ParseAuthorization(s)
	})
}

package sip_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool trusting the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sip.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "sip.crt"), filepath.Join(dir, "sip.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestRegisterOverTLS: a phone registers over a TLS listener; the binding
// records the transport and the node holding the connection.
func TestRegisterOverTLS(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		certFile, keyFile, pool := selfSigned(t)
		r := newRig(t, db, sip.Config{Listen: []sip.Listen{{Network: "tls", Addr: "127.0.0.1:0"}}, TLSCert: certFile, TLSKey: keyFile})
		conn, err := tls.Dial("tcp", r.tls, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		rd := bufio.NewReader(conn)
		local := conn.LocalAddr().String()
		user := r.line.Username
		send := func(cseq int, auth string) response {
			t.Helper()
			msg := fmt.Sprintf("REGISTER sips:%s SIP/2.0\r\nVia: SIP/2.0/TLS %s;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\n"+
				"From: <sips:%s@%s>;tag=t1\r\nTo: <sips:%s@%s>\r\nCall-ID: tls-%s\r\nCSeq: %d REGISTER\r\n"+
				"Contact: <sips:%s@%s>\r\nExpires: 600\r\n%sContent-Length: 0\r\n\r\n",
				realm, local, randHex(6), user, realm, user, realm, user, cseq, user, local, auth)
			if _, err := conn.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			var b strings.Builder
			for {
				line, err := rd.ReadString('\n')
				if err != nil {
					t.Fatalf("read response: %v (got %q)", err, b.String())
				}
				b.WriteString(line)
				if line == "\r\n" {
					break
				}
			}
			return parseResponse(t, b.String())
		}
		res := send(1, "")
		if res.code != 401 {
			t.Fatalf("first REGISTER: %d", res.code)
		}
		c := &uac{user: user}
		auth, _ := c.authorization(res.get("WWW-Authenticate"), r.line.Password, 1)
		if res := send(2, auth+"\r\n"); res.code != 200 {
			t.Fatalf("answered REGISTER: %d %s", res.code, res.reason)
		}
		bs, err := r.registry.LineBindings(context.Background(), r.line.ID)
		if err != nil || len(bs) != 1 || bs[0].Transport != "TLS" || bs[0].NodeID != "node-a" || bs[0].Contact != "sips:"+user+"@"+local {
			t.Fatalf("bindings = %+v, %v", bs, err)
		}
	})
}

// Package mailtest runs a real SMTP server in the test process (emersion's
// go-smtp), so tests deliver Switchboard's e-mail over SMTP and assert on
// what arrived — no mock of the client.
package mailtest

import (
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	sbmail "github.com/switchboard-voice/switchboard/internal/mail"
)

// Message is one message the server accepted, parsed.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string
	HTML    string
	Raw     []byte
}

// Server is an in-process SMTP server.
type Server struct {
	Addr string
	mu   sync.Mutex
	msgs []Message
	srv  *smtp.Server
}

// Start serves SMTP on addr ("" for any free port on 127.0.0.1) until the test ends.
func Start(t testing.TB, addr string) *Server {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	s := &Server{}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	go s.srv.Serve(ln)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Relay is a relay configuration that delivers to this server.
func (s *Server) Relay() *sbmail.Relay { return RelayAt(s.Addr) }

// RelayAt is a plain-text relay configuration for addr.
func RelayAt(addr string) *sbmail.Relay {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return &sbmail.Relay{Host: host, Port: p, TLS: sbmail.TLSNone, From: "Switchboard <noreply@switchboard.test>", Timeout: 5 * time.Second}
}

// FreeAddr returns a loopback address nothing listens on (a relay that is down).
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Messages returns what has arrived so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// To returns the messages addressed to rcpt.
func (s *Server) To(rcpt string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, rcpt) {
				out = append(out, m)
			}
		}
	}
	return out
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s   *Server
	cur Message
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.cur.From = from; return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.cur.To = append(x.cur.To, to)
	return nil
}
func (x *session) Reset()        { x.cur = Message{} }
func (x *session) Logout() error { return nil }
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := x.cur
	m.Raw = raw
	if parsed, err := mail.ReadMessage(strings.NewReader(string(raw))); err == nil {
		dec := new(mime.WordDecoder)
		m.Subject, _ = dec.DecodeHeader(parsed.Header.Get("Subject"))
		m.Text, m.HTML = bodies(parsed)
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	return nil
}

// bodies returns the text and HTML parts (quoted-printable decoded by multipart).
func bodies(m *mail.Message) (text, html string) {
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", ""
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(m.Body)
		return string(b), ""
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err != nil {
			return
		}
		b, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			text = string(b)
		case "text/html":
			html = string(b)
		}
	}
}

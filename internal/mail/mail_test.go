package mail

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// received is one message an in-process SMTP server accepted.
type received struct {
	from string
	to   []string
	data []byte
}

type smtpBackend struct {
	mu   sync.Mutex
	msgs []received
}

func (b *smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{b: b}, nil }

func (b *smtpBackend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type smtpSession struct {
	b   *smtpBackend
	cur received
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}
func (s *smtpSession) Reset()        { s.cur = received{} }
func (s *smtpSession) Logout() error { return nil }

// startSMTP serves SMTP on addr ("127.0.0.1:0" for any port).
func startSMTP(t *testing.T, addr string) (*smtpBackend, string, func()) {
	t.Helper()
	be := &smtpBackend{}
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	var once sync.Once
	stop := func() { once.Do(func() { srv.Close() }) }
	t.Cleanup(stop)
	return be, ln.Addr().String(), stop
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func relayAt(t *testing.T, addr string) *Relay {
	host, port, _ := net.SplitHostPort(addr)
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	return &Relay{Host: host, Port: p, TLS: TLSNone, From: "Switchboard <noreply@switchboard.test>", Timeout: 5 * time.Second}
}

func TestRender(t *testing.T) {
	m, err := Render("test", "ann@example.com", map[string]string{"Name": "Ann <admin>", "Portal": "https://portal.example"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Switchboard test message for Ann <admin>" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.HasPrefix(m.Text, "Hello Ann <admin>,") {
		t.Errorf("text %q", m.Text)
	}
	if !strings.Contains(m.HTML, "Ann &lt;admin&gt;") {
		t.Errorf("html is not escaped: %q", m.HTML)
	}
	if _, err := Render("test", "x@example.com", map[string]string{"Name": "only"}); err == nil {
		t.Error("a missing template field rendered without error")
	}
}

// TestRelayDownThenBack queues a message while the relay is down, sees the
// attempt fail and be rescheduled, then delivers it once the relay is up.
func TestRelayDownThenBack(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		addr := freeAddr(t)
		s := New(db, nil, relayAt(t, addr))
		clock := time.Now()
		s.now = func() time.Time { return clock }
		msg, err := Render("test", "ann@example.com", map[string]string{"Name": "Ann", "Portal": "https://portal.example"})
		if err != nil {
			t.Fatal(err)
		}
		id, err := s.Enqueue(ctx, msg)
		if err != nil {
			t.Fatal(err)
		}
		// Relay down: nothing sent, retry scheduled with the error kept.
		if n, err := s.SendDue(ctx, 10); err != nil || n != 0 {
			t.Fatalf("SendDue with relay down = %d, %v", n, err)
		}
		out, _, _ := s.Outbox(ctx, OutboxFilter{}, store.Page{})
		if len(out) != 1 || out[0].Status != StatusQueued || out[0].Attempts != 1 || out[0].LastError == "" ||
			!out[0].NextAttemptAt.After(clock) {
			t.Fatalf("after failed attempt: %+v", out)
		}
		// Not due yet: a second pass does nothing.
		if n, _ := s.SendDue(ctx, 10); n != 0 {
			t.Fatalf("sent %d before the retry was due", n)
		}
		// The relay comes back; time passes beyond the back-off.
		be, _, _ := startSMTP(t, addr)
		clock = clock.Add(backoff(1) + time.Second)
		if n, err := s.SendDue(ctx, 10); err != nil || n != 1 {
			t.Fatalf("SendDue with relay up = %d, %v", n, err)
		}
		got := be.messages()
		if len(got) != 1 || got[0].from != "noreply@switchboard.test" || len(got[0].to) != 1 || got[0].to[0] != "ann@example.com" {
			t.Fatalf("relay received %+v", got)
		}
		parsed, err := mail.ReadMessage(strings.NewReader(string(got[0].data)))
		if err != nil {
			t.Fatal(err)
		}
		if subj := parsed.Header.Get("Subject"); subj != "Switchboard test message for Ann" {
			t.Errorf("subject %q", subj)
		}
		text, html := parts(t, parsed)
		if !strings.Contains(text, "tests the e-mail relay") || !strings.Contains(html, `<a href="https://portal.example">`) {
			t.Errorf("text %q html %q", text, html)
		}
		out, _, _ = s.Outbox(ctx, OutboxFilter{}, store.Page{})
		if out[0].ID != id || out[0].Status != StatusSent || out[0].SentAt.IsZero() || out[0].Attempts != 2 {
			t.Errorf("after delivery: %+v", out[0])
		}
		// Sent messages are never sent again.
		clock = clock.Add(time.Hour)
		if n, _ := s.SendDue(ctx, 10); n != 0 || len(be.messages()) != 1 {
			t.Errorf("a sent message went out again")
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	s := New(db, nil, relayAt(t, freeAddr(t)))
	s.MaxAttempts = 2
	clock := time.Now()
	s.now = func() time.Time { return clock }
	if _, err := s.Enqueue(ctx, Message{Kind: "test", To: "bob@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _ = s.SendDue(ctx, 10)
		clock = clock.Add(2 * time.Hour)
	}
	out, _, _ := s.Outbox(ctx, OutboxFilter{}, store.Page{})
	if out[0].Status != StatusFailed || out[0].Attempts != 2 {
		t.Errorf("after max attempts: %+v", out[0])
	}
}

func TestNoRelayHoldsMessages(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	s := New(db, nil, nil)
	if _, err := s.Enqueue(ctx, Message{Kind: "test", To: "not-an-address", Subject: "s", Text: "t"}); err == nil {
		t.Error("queued mail to an invalid address")
	}
	if _, err := s.Enqueue(ctx, Message{Kind: "test", To: "carol@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SendDue(ctx, 10); n != 0 || err != nil {
		t.Errorf("SendDue without relay = %d, %v", n, err)
	}
	out, total, _ := s.Outbox(ctx, OutboxFilter{To: "Carol@Example.com"}, store.Page{})
	if total != 1 || out[0].Status != StatusQueued || out[0].Attempts != 0 {
		t.Errorf("held message: %d %+v", total, out)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := backoff(50); got != time.Hour {
		t.Errorf("backoff(50) = %v, want 1h", got)
	}
}

// parts returns the text/plain and text/html bodies of a multipart/alternative message.
func parts(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		body := string(b)
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body = strings.ReplaceAll(body, "=\r\n", "")
			body = strings.ReplaceAll(body, "=3D", "=")
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			text = body
		case "text/html":
			html = body
		}
	}
}

package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/mail/mailtest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestRender(t *testing.T) {
	m, err := mail.Render("test", "ann@example.com", map[string]string{"Name": "Ann <admin>", "Portal": "https://portal.example"})
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
	if _, err := mail.Render("test", "x@example.com", map[string]string{"Name": "only"}); err == nil {
		t.Error("a missing template field rendered without error")
	}
}

// TestRelayDownThenBack queues a message while the relay is down, sees the
// attempt fail and be rescheduled, then delivers it once the relay is up.
func TestRelayDownThenBack(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		addr := mailtest.FreeAddr(t)
		s := mail.New(db, nil, mailtest.RelayAt(addr))
		clock := time.Now()
		s.SetClock(func() time.Time { return clock })
		msg, err := mail.Render("test", "ann@example.com", map[string]string{"Name": "Ann", "Portal": "https://portal.example"})
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
		out, _, _ := s.Outbox(ctx, mail.OutboxFilter{}, store.Page{})
		if len(out) != 1 || out[0].Status != mail.StatusQueued || out[0].Attempts != 1 || out[0].LastError == "" ||
			!out[0].NextAttemptAt.After(clock) {
			t.Fatalf("after failed attempt: %+v", out)
		}
		// Not due yet: a second pass does nothing.
		if n, _ := s.SendDue(ctx, 10); n != 0 {
			t.Fatalf("sent %d before the retry was due", n)
		}
		// The relay comes back; time passes beyond the back-off.
		srv := mailtest.Start(t, addr)
		clock = clock.Add(mail.Backoff(1) + time.Second)
		if n, err := s.SendDue(ctx, 10); err != nil || n != 1 {
			t.Fatalf("SendDue with relay up = %d, %v", n, err)
		}
		got := srv.Messages()
		if len(got) != 1 || got[0].From != "noreply@switchboard.test" || len(got[0].To) != 1 || got[0].To[0] != "ann@example.com" {
			t.Fatalf("relay received %+v", got)
		}
		if got[0].Subject != "Switchboard test message for Ann" {
			t.Errorf("subject %q", got[0].Subject)
		}
		if !strings.Contains(got[0].Text, "tests the e-mail relay") || !strings.Contains(got[0].HTML, `<a href="https://portal.example">`) {
			t.Errorf("text %q html %q", got[0].Text, got[0].HTML)
		}
		out, _, _ = s.Outbox(ctx, mail.OutboxFilter{}, store.Page{})
		if out[0].ID != id || out[0].Status != mail.StatusSent || out[0].SentAt.IsZero() || out[0].Attempts != 2 {
			t.Errorf("after delivery: %+v", out[0])
		}
		// Sent messages are never sent again.
		clock = clock.Add(time.Hour)
		if n, _ := s.SendDue(ctx, 10); n != 0 || len(srv.Messages()) != 1 {
			t.Errorf("a sent message went out again")
		}
	})
}

// TestQueuedMailSurvivesRestart: a message queued by one process is sent by
// a new Service (a restarted node) on the same database.
func TestQueuedMailSurvivesRestart(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := mail.New(db, nil, nil).Enqueue(ctx, mail.Message{Kind: "test", To: "dan@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	srv := mailtest.Start(t, "")
	if n, err := mail.New(db, nil, srv.Relay()).SendDue(ctx, 10); n != 1 || err != nil {
		t.Fatalf("SendDue after restart = %d, %v", n, err)
	}
	if len(srv.To("dan@example.com")) != 1 {
		t.Errorf("relay received %+v", srv.Messages())
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	s := mail.New(db, nil, mailtest.RelayAt(mailtest.FreeAddr(t)))
	s.MaxAttempts = 2
	clock := time.Now()
	s.SetClock(func() time.Time { return clock })
	if _, err := s.Enqueue(ctx, mail.Message{Kind: "test", To: "bob@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _ = s.SendDue(ctx, 10)
		clock = clock.Add(2 * time.Hour)
	}
	out, _, _ := s.Outbox(ctx, mail.OutboxFilter{}, store.Page{})
	if out[0].Status != mail.StatusFailed || out[0].Attempts != 2 {
		t.Errorf("after max attempts: %+v", out[0])
	}
}

func TestNoRelayHoldsMessages(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	s := mail.New(db, nil, nil)
	if _, err := s.Enqueue(ctx, mail.Message{Kind: "test", To: "not-an-address", Subject: "s", Text: "t"}); err == nil {
		t.Error("queued mail to an invalid address")
	}
	if _, err := s.Enqueue(ctx, mail.Message{Kind: "test", To: "carol@example.com", Subject: "s", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SendDue(ctx, 10); n != 0 || err != nil {
		t.Errorf("SendDue without relay = %d, %v", n, err)
	}
	out, total, _ := s.Outbox(ctx, mail.OutboxFilter{To: "Carol@Example.com"}, store.Page{})
	if total != 1 || out[0].Status != mail.StatusQueued || out[0].Attempts != 0 {
		t.Errorf("held message: %d %+v", total, out)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := mail.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := mail.Backoff(50); got != time.Hour {
		t.Errorf("Backoff(50) = %v, want 1h", got)
	}
}

func TestRelayValidate(t *testing.T) {
	bad := mail.Relay{Host: "", Port: 0, TLS: "ssl", From: "nobody"}
	err := bad.Validate()
	for _, want := range []string{"smtp_host", "smtp_port", "smtp_tls", "smtp_from"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
	good := mail.Relay{Host: "smtp.example.com", Port: 587, TLS: mail.TLSStartTLS, From: "noreply@example.com"}
	if err := good.Validate(); err != nil {
		t.Errorf("valid relay refused: %v", err)
	}
}

func TestEveryTemplateRenders(t *testing.T) {
	data := map[string]any{"Name": "Ann", "Username": "ann", "PortalURL": "https://p.example", "Password": "Xy7#abcdEFGH",
		"Link": "https://p.example/reset-password?token=abc", "NewEmail": "new@example.com", "ExpiresIn": "1 hour"}
	for _, kind := range []string{"welcome", "password_changed", "password_reset_by_admin", "password_reset", "email_change_confirm", "email_changed"} {
		m, err := mail.Render(kind, "ann@example.com", data)
		if err != nil {
			t.Errorf("%s: %v", kind, err)
			continue
		}
		if m.Subject == "" || m.Text == "" || !strings.Contains(m.HTML, "Ann") {
			t.Errorf("%s rendered %+v", kind, m)
		}
	}
}

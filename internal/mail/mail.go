// Package mail sends Switchboard's e-mail: every message is rendered from
// templates (text and HTML), written to the mail_outbox table in the
// transaction of the change that causes it, and delivered over SMTP by a
// sender that claims due messages with a lease and retries with back-off.
// With no relay configured (the embedded default) messages stay in the
// outbox, are logged, and can be read by provider operators.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// TLS modes of a relay.
const (
	TLSStartTLS = "starttls" // STARTTLS required (port 587)
	TLSImplicit = "implicit" // TLS from the first byte (port 465)
	TLSNone     = "none"     // plain text: only for a relay on the same host or in tests
)

// Relay is the SMTP relay to send through.
type Relay struct {
	Host     string
	Port     int
	TLS      string
	Username string
	Password string
	From     string
	// Timeout bounds one delivery attempt.
	Timeout time.Duration
}

// Validate checks a relay configuration before use.
func (r Relay) Validate() error {
	v := &derrors.ValidationError{}
	if r.Host == "" {
		v.Add("smtp_host", "the relay host is required")
	}
	if r.Port < 1 || r.Port > 65535 {
		v.Add("smtp_port", "the relay port must be between 1 and 65535")
	}
	switch r.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		v.Add("smtp_tls", "TLS must be starttls, implicit or none")
	}
	if _, err := mail.ParseAddress(r.From); err != nil {
		v.Add("smtp_from", "the from address %q is not an e-mail address", r.From)
	}
	return v.Err()
}

// ValidAddress reports whether s is a plain e-mail address (name@domain.tld),
// as accepted for accounts and contacts.
func ValidAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndex(s, "@")+1:], ".")
}

// Message is one e-mail to queue.
type Message struct {
	Kind       string // welcome, password_reset, password_changed, …
	To         string
	Subject    string
	Text       string
	HTML       string
	ProviderID int64
	CompanyID  int64
	AccountID  int64
	// Sensitive marks a message holding a password or a single-use link:
	// its bodies are removed once delivered, or a day after being held.
	Sensitive bool
}

// Statuses of an outbox row.
const (
	StatusQueued = "queued"
	StatusSent   = "sent"
	StatusFailed = "failed"
)

// OutboxMessage is a stored message.
type OutboxMessage struct {
	ID            int64     `json:"id"`
	CreatedAt     time.Time `json:"created_at"`
	Kind          string    `json:"kind"`
	To            string    `json:"to"`
	Subject       string    `json:"subject"`
	Text          string    `json:"text"`
	HTML          string    `json:"html,omitempty"`
	CompanyID     int64     `json:"company_id,omitempty"`
	AccountID     int64     `json:"account_id,omitempty"`
	Status        string    `json:"status"`
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
	LastError     string    `json:"last_error,omitempty"`
	SentAt        time.Time `json:"sent_at,omitzero"`
}

// Service queues and sends mail.
type Service struct {
	db     *store.DB
	logger *slog.Logger
	relay  *Relay
	// MaxAttempts before a message is marked failed.
	MaxAttempts int
	// Lease is how long a claimed message is reserved for one sender.
	Lease time.Duration
	now   func() time.Time
}

// New returns a Service; relay nil keeps every message in the outbox.
func New(db *store.DB, logger *slog.Logger, relay *Relay) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{db: db, logger: logger, relay: relay, MaxAttempts: 10, Lease: 2 * time.Minute, now: time.Now}
}

// HasRelay reports whether messages are delivered or held.
func (s *Service) HasRelay() bool { return s.relay != nil }

// Enqueue writes msg to the outbox in the transaction carried by ctx (or
// its own), so the message exists exactly when the change that caused it does.
func (s *Service) Enqueue(ctx context.Context, msg Message) (int64, error) {
	if !ValidAddress(msg.To) {
		return 0, derrors.Invalid("email", "cannot send e-mail to %q: it is not an e-mail address", msg.To)
	}
	var id int64
	now := s.now().UnixMilli()
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		return s.db.Q(ctx).QueryRow(ctx, `INSERT INTO mail_outbox (created_at, kind, to_addr, subject, text_body, html_body,
			provider_id, company_id, account_id, sensitive, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			now, msg.Kind, msg.To, msg.Subject, msg.Text, msg.HTML, nullID(msg.ProviderID), nullID(msg.CompanyID), nullID(msg.AccountID),
			msg.Sensitive, StatusQueued, now).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("mail: enqueue %s: %w", msg.Kind, err)
	}
	if s.relay == nil {
		// The embedded default has no relay: the log and the outbox are where
		// a trial user finds the message (a reset link, say).
		s.logger.InfoContext(ctx, "mail held in outbox (no SMTP relay configured)", "id", id, "kind", msg.Kind,
			"to", msg.To, "subject", msg.Subject, "text", msg.Text)
	}
	return id, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// SetClock replaces the clock (tests move time forward with it).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Backoff is the wait before attempt n+1: 30 s doubling, capped at 1 hour.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// SendDue claims up to limit due messages and delivers them. It returns how
// many were sent. A delivery failure schedules a retry; after MaxAttempts the
// message is marked failed. Safe to run on many nodes at once.
func (s *Service) SendDue(ctx context.Context, limit int) (int, error) {
	if s.relay == nil {
		return 0, nil
	}
	claimed, err := s.claim(ctx, limit)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range claimed {
		err := s.deliver(ctx, m)
		if err2 := s.finish(ctx, m, err); err2 != nil {
			return sent, err2
		}
		if err == nil {
			sent++
		} else {
			s.logger.WarnContext(ctx, "mail delivery failed", "id", m.ID, "to", m.To, "attempt", m.Attempts, "err", err)
		}
	}
	return sent, nil
}

func (s *Service) claim(ctx context.Context, limit int) ([]OutboxMessage, error) {
	now := s.now()
	var out []OutboxMessage
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		rows, err := s.db.Q(ctx).Query(ctx, `UPDATE mail_outbox SET lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_outbox WHERE status = ? AND next_attempt_at <= ? AND lease_until < ?
				ORDER BY id LIMIT ?`+s.db.SkipLocked()+`)
			RETURNING id, kind, to_addr, subject, text_body, html_body, attempts`,
			now.Add(s.Lease).UnixMilli(), StatusQueued, now.UnixMilli(), now.UnixMilli(), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m OutboxMessage
			if err := rows.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Attempts); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("mail: claim: %w", err)
	}
	return out, nil
}

func (s *Service) deliver(ctx context.Context, m OutboxMessage) error {
	r := s.relay
	msg := gomail.NewMsg()
	if err := msg.From(r.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(r.Port), gomail.WithTimeout(timeout)}
	switch r.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if r.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(r.Username), gomail.WithPassword(r.Password))
	}
	c, err := gomail.NewClient(r.Host, opts...)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return c.DialAndSendWithContext(dctx, msg)
}

func (s *Service) finish(ctx context.Context, m OutboxMessage, sendErr error) error {
	now := s.now()
	return s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var err error
		switch {
		case sendErr == nil:
			_, err = q.Exec(ctx, "UPDATE mail_outbox SET status = ?, sent_at = ?, lease_until = 0, last_error = '' WHERE id = ?",
				StatusSent, now.UnixMilli(), m.ID)
			if err == nil {
				_, err = q.Exec(ctx, "UPDATE mail_outbox SET text_body = ?, html_body = '' WHERE id = ? AND sensitive = ?", Redacted, m.ID, true)
			}
		case m.Attempts >= s.MaxAttempts:
			_, err = q.Exec(ctx, "UPDATE mail_outbox SET status = ?, lease_until = 0, last_error = ? WHERE id = ?",
				StatusFailed, truncate(sendErr.Error(), 500), m.ID)
		default:
			_, err = q.Exec(ctx, "UPDATE mail_outbox SET next_attempt_at = ?, lease_until = 0, last_error = ? WHERE id = ?",
				now.Add(Backoff(m.Attempts)).UnixMilli(), truncate(sendErr.Error(), 500), m.ID)
		}
		return err
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Run sends due messages every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if s.relay == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.SendDue(ctx, 50); err != nil && !errors.Is(err, context.Canceled) {
			s.logger.ErrorContext(ctx, "mail sender", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Redacted replaces the body of a sensitive message once it is no longer needed.
const Redacted = "[This message held a password or a single-use link. Its text was removed once it was delivered, or a day after it was held.]"

// Retention is how long delivered and failed messages are kept.
const Retention = 30 * 24 * time.Hour

// Purge removes the bodies of sensitive messages held for more than a day
// and deletes sent or failed messages older than Retention.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	var n int64
	now := s.now()
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		res, err := q.Exec(ctx, "UPDATE mail_outbox SET text_body = ?, html_body = '' WHERE sensitive = ? AND text_body <> ? AND created_at < ?",
			Redacted, true, Redacted, now.Add(-24*time.Hour).UnixMilli())
		if err != nil {
			return err
		}
		a, _ := res.RowsAffected()
		res, err = q.Exec(ctx, "DELETE FROM mail_outbox WHERE status <> ? AND created_at < ?", StatusQueued, now.Add(-Retention).UnixMilli())
		if err != nil {
			return err
		}
		b, _ := res.RowsAffected()
		n = a + b
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mail: purge: %w", err)
	}
	return n, nil
}

// OutboxFilter narrows Outbox. API callers always set ProviderID: an
// operator reads their own provider's mail only.
type OutboxFilter struct {
	ProviderID int64
	Status     string
	To         string
	CompanyID  int64
}

// Outbox lists stored messages, newest first, with the total.
func (s *Service) Outbox(ctx context.Context, f OutboxFilter, p store.Page) ([]OutboxMessage, int, error) {
	p.Count = true
	pg, err := s.OutboxPage(ctx, f, p)
	return pg.Items, pg.Total, err
}

// newestFirst is the order of the outbox: by id, descending (ids grow
// with time), walked on mail_outbox_provider (migration 0046).
var newestFirst = store.Keyset{Name: "newest", ID: "id", Desc: true}

// OutboxPage is one page of the outbox.
type OutboxPage struct {
	Items []OutboxMessage
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// OutboxPage is Outbox with keyset paging: p.After continues after a
// message and the total is counted only when p.Count asks
// (docs/performance.md).
func (s *Service) OutboxPage(ctx context.Context, f OutboxFilter, p store.Page) (OutboxPage, error) {
	out := OutboxPage{Total: -1}
	where := []string{"1 = 1"}
	var args []any
	if f.ProviderID != 0 {
		where, args = append(where, "provider_id = ?"), append(args, f.ProviderID)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.To != "" {
		where, args = append(where, "lower(to_addr) = ?"), append(args, strings.ToLower(f.To))
	}
	if f.CompanyID != 0 {
		where, args = append(where, "company_id = ?"), append(args, f.CompanyID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	q := s.db.Q(ctx)
	if p.Count {
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM mail_outbox"+cond, args...).Scan(&out.Total); err != nil {
			return out, fmt.Errorf("mail: count outbox: %w", err)
		}
	}
	after, afterArgs, tail, err := newestFirst.Window(p)
	if err != nil {
		return out, err
	}
	rows, err := q.Query(ctx, `SELECT id, created_at, kind, to_addr, subject, text_body, html_body, COALESCE(company_id, 0),
		COALESCE(account_id, 0), status, attempts, next_attempt_at, last_error, sent_at FROM mail_outbox`+cond+after+tail,
		append(args, afterArgs...)...)
	if err != nil {
		return out, fmt.Errorf("mail: outbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if len(out.Items) == p.Limit() {
			out.Next = newestFirst.Cursor(nil, out.Items[len(out.Items)-1].ID)
			break
		}
		var m OutboxMessage
		var created, next, sent int64
		if err := rows.Scan(&m.ID, &created, &m.Kind, &m.To, &m.Subject, &m.Text, &m.HTML, &m.CompanyID, &m.AccountID,
			&m.Status, &m.Attempts, &next, &m.LastError, &sent); err != nil {
			return out, fmt.Errorf("mail: outbox: %w", err)
		}
		m.CreatedAt, m.NextAttemptAt = store.Time(created), store.Time(next)
		if sent != 0 {
			m.SentAt = store.Time(sent)
		}
		out.Items = append(out.Items, m)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("mail: outbox: %w", err)
	}
	return out, nil
}

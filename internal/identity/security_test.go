package identity_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/mail/mailtest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

const startPassword = "Start-Pass-1!"

// world is a provider with one company admin and one employee, a relay that
// delivers to an in-process SMTP server, and a clock the test moves.
type world struct {
	a        *app.App
	smtp     *mailtest.Server
	clock    *time.Time
	admin    directory.Employee
	employee directory.Employee
	provider tenancy.Provider
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	a := app.New(db, nil, "test")
	a.Identity.Hash = identity.HashParams{Memory: 64, Time: 1, Threads: 1}
	srv := mailtest.Start(t, "")
	a.UseRelay(srv.Relay())
	a.Identity.PortalURL = "https://portal.example"
	clock := time.Now()
	a.Identity.SetClock(func() time.Time { return clock })
	a.Mail.SetClock(func() time.Time { return clock })
	p, err := a.Tenancy.CreateProvider(ctx, "P", "GB")
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := a.Identity.HashPassword(startPassword)
	mk := func(user string, role access.Role, phone string) directory.Employee {
		e, err := a.Directory.CreateEmployee(ctx, c.ID, p.ID, directory.EmployeeCreateRequest{Username: user, Role: role,
			FirstName: "F", LastName: user, Email: user + "@example.com", Phone: phone}, hash)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	return &world{a: a, smtp: srv, clock: &clock, provider: p,
		admin: mk("boss", access.RoleCompanyAdmin, ""), employee: mk("worker", access.RoleEmployee, "+44 113 496 0037")}
}

// deliver handles the recorded reset requests, sends the outbox and returns
// the messages delivered to rcpt.
func (w *world) deliver(t *testing.T, rcpt string) []mailtest.Message {
	t.Helper()
	if _, err := w.a.Identity.ProcessResetRequests(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.a.Mail.SendDue(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	return w.smtp.To(rcpt)
}

var linkRE = regexp.MustCompile(`https://portal\.example/[a-z-]+\?token=[A-Za-z0-9_-]+`)

func link(t *testing.T, m mailtest.Message) string {
	t.Helper()
	l := linkRE.FindString(m.Text)
	if l == "" {
		t.Fatalf("no link in %q", m.Text)
	}
	return l
}

// actor is the access actor of account id.
func (w *world) actor(t *testing.T, id int64) access.Actor {
	t.Helper()
	a, err := w.a.Identity.Account(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Actor()
}

// operator creates a provider operator of the world's provider and returns its actor.
func (w *world) operator(t *testing.T) access.Actor {
	t.Helper()
	op, err := w.a.Identity.CreateOperator(context.Background(), w.provider.ID, "world.operator", "Oper-Pass-1!x")
	if err != nil {
		t.Fatal(err)
	}
	return op.Actor()
}

func token(l string) string { return l[strings.Index(l, "token=")+6:] }

func TestLockout(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		login := func(user, pw string) error { _, err := w.a.Identity.Authenticate(ctx, user, pw); return err }
		var locked *identity.LockedError

		// Two failures, then the right password: accepted, and the count resets.
		_ = login("worker", "wrong-1")
		_ = login("worker", "wrong-2")
		if err := login("worker", startPassword); err != nil {
			t.Fatalf("right password after two failures: %v", err)
		}
		// The third failure inside 4 hours locks, and says so.
		_ = login("worker", "wrong-1")
		*w.clock = w.clock.Add(1 * time.Hour)
		_ = login("worker", "wrong-2")
		*w.clock = w.clock.Add(2*time.Hour + 59*time.Minute)
		if err := login("worker", "wrong-3"); !errors.As(err, &locked) || !errors.Is(err, derrors.ErrLocked) {
			t.Fatalf("third failure within 4h = %v, want locked", err)
		}
		// Locked: refused even with the right password.
		if err := login("worker", startPassword); !errors.As(err, &locked) || !strings.Contains(err.Error(), "locked") {
			t.Fatalf("right password while locked = %v", err)
		}
		// The lock expires after 4 hours.
		*w.clock = w.clock.Add(4*time.Hour + time.Second)
		if err := login("worker", startPassword); err != nil {
			t.Fatalf("after the lock expired: %v", err)
		}
		// The window slides: failures more than 4 hours apart never lock.
		_ = login("worker", "wrong-1")
		*w.clock = w.clock.Add(2 * time.Hour)
		_ = login("worker", "wrong-2")
		*w.clock = w.clock.Add(2*time.Hour + time.Minute) // the first failure is now outside the window
		if err := login("worker", "wrong-3"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("failures spread over more than 4h = %v, want a plain refusal", err)
		}
		// Force Unlock lifts a lock at once, without e-mail, and is audited.
		_ = login("worker", "wrong-4")
		if err := login("worker", startPassword); !errors.As(err, &locked) {
			t.Fatalf("expected a lock, got %v", err)
		}
		before := len(w.deliver(t, "worker@example.com"))
		if err := w.a.Identity.ForceUnlock(ctx, w.actor(t, w.admin.ID), w.employee.ID); err != nil {
			t.Fatal(err)
		}
		if err := login("worker", startPassword); err != nil {
			t.Fatalf("after force unlock: %v", err)
		}
		if after := len(w.deliver(t, "worker@example.com")); after != before {
			t.Errorf("force unlock sent %d e-mails", after-before)
		}
		if es, _, _ := w.a.Audit.List(ctx, audit.Filter{Event: "Force Unlock"}, store.Page{}); len(es) != 1 {
			t.Errorf("Force Unlock audit entries = %d", len(es))
		}
		if err := w.a.Identity.ForceUnlock(ctx, w.actor(t, w.admin.ID), w.employee.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("unlocking an unlocked account = %v, want a conflict", err)
		}
	})
}

// TestUnknownUsernameLocksAlike: three failures on a username nobody has
// answer exactly as for a real account, so answers do not enumerate accounts.
func TestUnknownUsernameLocksAlike(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	ctx := context.Background()
	var answers [2][]string
	for i, user := range []string{"worker", "ghost"} {
		for n := 0; n < 4; n++ {
			_, err := w.a.Identity.Authenticate(ctx, user, "wrong")
			msg := err.Error()
			if i := strings.Index(msg, "after"); i > 0 {
				msg = msg[:i] // the time differs by the test's clock only
			}
			answers[i] = append(answers[i], msg)
		}
	}
	if strings.Join(answers[0], "|") != strings.Join(answers[1], "|") {
		t.Errorf("real %q\nghost %q", answers[0], answers[1])
	}
}

func TestSelfServiceResetEndToEnd(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		// By number, in national format: the account is found by its phone.
		if err := w.a.Identity.RequestPasswordReset(ctx, "0113 496 0037"); err != nil {
			t.Fatal(err)
		}
		msgs := w.deliver(t, "worker@example.com")
		if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "Reset") {
			t.Fatalf("reset mail: %+v", msgs)
		}
		tok := token(link(t, msgs[0]))
		if err := w.a.Identity.CheckResetToken(ctx, tok); err != nil {
			t.Fatalf("fresh link refused: %v", err)
		}
		// The new password must follow the employee (self-care) policy.
		if err := w.a.Identity.ConfirmPasswordReset(ctx, tok, "Abc1234!xy"); err == nil || !strings.Contains(err.Error(), "numeric sequence") {
			t.Fatalf("weak password accepted: %v", err)
		}
		if err := w.a.Identity.ConfirmPasswordReset(ctx, tok, "Wal#nut7xq"); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		if _, err := w.a.Identity.Authenticate(ctx, "worker", "Wal#nut7xq"); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
		// Single use.
		if err := w.a.Identity.ConfirmPasswordReset(ctx, tok, "Oth#er7xqz"); err == nil {
			t.Fatal("a used link worked twice")
		}
		if got := w.deliver(t, "worker@example.com"); len(got) != 2 || !strings.Contains(got[1].Subject, "changed") {
			t.Errorf("no password-changed notice: %+v", got)
		}
		// Expiry: a link older than the TTL (1 hour by default) is refused.
		if err := w.a.Identity.RequestPasswordReset(ctx, "worker"); err != nil {
			t.Fatal(err)
		}
		msgs = w.deliver(t, "worker@example.com")
		tok = token(link(t, msgs[len(msgs)-1]))
		*w.clock = w.clock.Add(61 * time.Minute)
		if err := w.a.Identity.ConfirmPasswordReset(ctx, tok, "Lat#er7xqz"); err == nil || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("expired link = %v", err)
		}
	})
}

func TestResetRequestsRevealNothing(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	ctx := context.Background()
	// Unknown login, and a company admin (who may not self-reset by default):
	// no error, no mail.
	for _, login := range []string{"nobody", "07700 900000", "boss"} {
		if err := w.a.Identity.RequestPasswordReset(ctx, login); err != nil {
			t.Errorf("RequestPasswordReset(%q) = %v", login, err)
		}
	}
	if got := w.deliver(t, "boss@example.com"); len(got) != 0 {
		t.Errorf("company admin self-reset sent %d mails while the setting is off", len(got))
	}
	// The provider may allow it.
	allow := true
	if _, err := w.a.Identity.UpdateSettings(ctx, w.operator(t), identity.SettingsUpdate{CompanyAdminSelfReset: &allow}); err != nil {
		t.Fatal(err)
	}
	if err := w.a.Identity.RequestPasswordReset(ctx, "boss"); err != nil {
		t.Fatal(err)
	}
	if got := w.deliver(t, "boss@example.com"); len(got) != 1 {
		t.Errorf("company admin self-reset with the setting on: %d mails", len(got))
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	ctx := context.Background()
	_, keep, _ := w.a.Identity.CreateSession(ctx, identity.NewSessionRequest{AccountID: w.admin.ID, Kind: identity.KindBrowser})
	other, _, _ := w.a.Identity.CreateSession(ctx, identity.NewSessionRequest{AccountID: w.admin.ID, Kind: identity.KindAPI})
	if err := w.a.Identity.ChangePassword(ctx, w.actor(t, w.admin.ID), keep.ID, "not-it", "New-Pass-22!"); err == nil || !strings.Contains(err.Error(), "current password") {
		t.Fatalf("wrong current password = %v", err)
	}
	if err := w.a.Identity.ChangePassword(ctx, w.actor(t, w.admin.ID), keep.ID, startPassword, startPassword); err == nil || !strings.Contains(err.Error(), "different from the previous") {
		t.Fatalf("same password = %v", err)
	}
	if err := w.a.Identity.ChangePassword(ctx, w.actor(t, w.admin.ID), keep.ID, startPassword, "New-Pass-22!"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.a.Identity.SessionByToken(ctx, other); err == nil {
		t.Error("the other session survived a password change")
	}
	got := w.deliver(t, "boss@example.com")
	if len(got) != 1 || !strings.Contains(got[0].Text, "has just been changed") {
		t.Fatalf("notification: %+v", got)
	}
	// "If you did not do this" leads to the page that starts a reset: a
	// /reset-password link needs a token, and without one it answers 410.
	for _, body := range []string{got[0].Text, got[0].HTML} {
		if !strings.Contains(body, "https://portal.example/forgot-password") || strings.Contains(body, "/reset-password") {
			t.Errorf("the password-changed notice links elsewhere than /forgot-password:\n%s", body)
		}
	}
}

func TestAdminResetAndExpiryForceAChange(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	ctx := context.Background()
	if _, err := w.a.Identity.ResetPassword(ctx, w.actor(t, w.admin.ID), w.employee.ID); err != nil {
		t.Fatal(err)
	}
	msgs := w.deliver(t, "worker@example.com")
	if len(msgs) != 1 {
		t.Fatalf("reset mail: %+v", msgs)
	}
	pw := regexp.MustCompile(`New password: (\S+)`).FindStringSubmatch(msgs[0].Text)
	if pw == nil {
		t.Fatalf("no password in %q", msgs[0].Text)
	}
	a, err := w.a.Identity.Authenticate(ctx, "worker", pw[1])
	if err != nil || !a.MustChangePassword {
		t.Fatalf("login with the generated password: %+v %v", a, err)
	}
	// Business-portal accounts expire after 90 days.
	a, _ = w.a.Identity.Authenticate(ctx, "boss", startPassword)
	if a.MustChangePassword {
		t.Fatal("a fresh password must not need changing")
	}
	*w.clock = w.clock.Add(91 * 24 * time.Hour)
	a, _ = w.a.Identity.Authenticate(ctx, "boss", startPassword)
	if !a.MustChangePassword {
		t.Error("a 91-day-old business portal password does not need changing")
	}
}

func TestSecurityEmailChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		if err := w.a.Identity.RequestSecurityEmailChange(ctx, w.actor(t, w.employee.ID), "not an address"); err == nil {
			t.Error("accepted a bad address")
		}
		if err := w.a.Identity.RequestSecurityEmailChange(ctx, w.actor(t, w.employee.ID), "worker.new@example.com"); err != nil {
			t.Fatal(err)
		}
		// Nothing changes until the link is followed.
		if e, _ := w.a.Directory.Employee(ctx, w.employee.ID); e.Email != "worker@example.com" {
			t.Fatalf("e-mail changed before confirmation: %s", e.Email)
		}
		msgs := w.deliver(t, "worker.new@example.com")
		if len(msgs) != 1 {
			t.Fatalf("confirmation mail: %+v", w.smtp.Messages())
		}
		got, err := w.a.Identity.ConfirmSecurityEmailChange(ctx, token(link(t, msgs[0])))
		if err != nil || got != "worker.new@example.com" {
			t.Fatalf("confirm = %q, %v", got, err)
		}
		if e, _ := w.a.Directory.Employee(ctx, w.employee.ID); e.Email != "worker.new@example.com" {
			t.Errorf("e-mail after confirmation: %s", e.Email)
		}
		if old := w.deliver(t, "worker@example.com"); len(old) != 1 || !strings.Contains(old[0].Text, "worker.new@example.com") {
			t.Errorf("old address not told: %+v", old)
		}
	})
}

func TestServicePasswords(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	ctx := context.Background()
	pin := "4960"
	if err := w.a.Identity.SetServicePasswords(ctx, w.actor(t, w.admin.ID), w.employee.ID, nil, &pin); err == nil || !strings.Contains(err.Error(), "telephone number") {
		t.Fatalf("PIN from own number = %v", err)
	}
	pin = "5821"
	app := "Wal#nut7xq"
	if err := w.a.Identity.SetServicePasswords(ctx, w.actor(t, w.admin.ID), w.employee.ID, &app, &pin); err != nil {
		t.Fatal(err)
	}
	es, _, _ := w.a.Audit.List(ctx, audit.Filter{Event: "Modify Service Passwords"}, store.Page{})
	if len(es) != 1 || strings.Contains(string(es[0].After), pin) || strings.Contains(string(es[0].After), app) {
		t.Errorf("audit entry %+v leaks or is missing", es)
	}
}

// TestLoginOnEmptyDeployment: with no provider at all a login is refused
// like any wrong password, not with an error of ours.
func TestLoginOnEmptyDeployment(t *testing.T) {
	a := app.New(storetest.SQLite(t), nil, "test")
	if _, err := a.Identity.Authenticate(context.Background(), "nobody", "x"); !errors.Is(err, identity.ErrBadCredentials) {
		t.Errorf("Authenticate on an empty deployment = %v", err)
	}
}

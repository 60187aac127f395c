package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/mail/mailtest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web"
	"github.com/switchboard-voice/switchboard/internal/web/api"
)

// sessionToken opens an API session for username directly through the
// identity service, as a successful login would. Tests use it instead of
// POST /auth/login where login itself is not under test, because the login
// endpoint is rate-limited per client address (20 a minute) and every test
// request comes from 127.0.0.1.
func sessionToken(t testing.TB, env *apptest.Env, username string) string {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM accounts WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatalf("session for %s: %v", username, err)
	}
	tok, _, err := env.App.Identity.CreateSession(ctx, identity.NewSessionRequest{AccountID: id, Kind: identity.KindAPI, ClientAddr: "127.0.0.1"})
	if err != nil {
		t.Fatalf("session for %s: %v", username, err)
	}
	return tok
}

// secondNode is another server over env's services and database: a second
// node of the deployment, with its own (per-node) login limiter.
func secondNode(t testing.TB, env *apptest.Env) *apptest.Env {
	t.Helper()
	h, err := web.New(env.App)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &apptest.Env{App: env.App, Server: srv, Fixture: env.Fixture}
}

// lastMail returns the newest outbox message of kind to the address.
func lastMail(t testing.TB, env *apptest.Env, to, kind string) mail.OutboxMessage {
	t.Helper()
	// Reset requests are recorded and handled apart from the request.
	if _, err := env.App.Identity.ProcessResetRequests(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms, _, err := env.App.Mail.Outbox(context.Background(), mail.OutboxFilter{To: to}, store.Page{Page: 1, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Kind == kind {
			return m
		}
	}
	t.Fatalf("no %s message to %s in the outbox (%d messages to it)", kind, to, len(ms))
	return mail.OutboxMessage{}
}

var (
	linkToken   = regexp.MustCompile(`/(?:reset-password|confirm-email)\?token=([A-Za-z0-9_-]+)`)
	mailedPass  = regexp.MustCompile(`(?m)^(?:New password|Password):\s+(\S+)\s*$`)
	resetLinkRE = regexp.MustCompile(`https://portal\.example\.com/reset-password\?token=([A-Za-z0-9_-]+)`)
)

// tokenIn returns the token of the link in an e-mail's text.
func tokenIn(t testing.TB, text string) string {
	t.Helper()
	m := linkToken.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link with a token in:\n%s", text)
	}
	return m[1]
}

// passwordIn returns the generated password in an e-mail's text.
func passwordIn(t testing.TB, text string) string {
	t.Helper()
	m := mailedPass.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no password in:\n%s", text)
	}
	return m[1]
}

// mailToken is the token of the newest message of kind to the address.
func mailToken(t testing.TB, env *apptest.Env, to, kind string) string {
	t.Helper()
	return tokenIn(t, lastMail(t, env, to, kind).Text)
}

// mailPassword is the password in the newest message of kind to the address.
func mailPassword(t testing.TB, env *apptest.Env, to, kind string) string {
	t.Helper()
	return passwordIn(t, lastMail(t, env, to, kind).Text)
}

func login(t testing.TB, env *apptest.Env, username, password string) apptest.Response {
	t.Helper()
	return env.Do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password})
}

func problemOf(t testing.TB, res apptest.Response) scProblem {
	t.Helper()
	var p scProblem
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatalf("not a problem: %s", res.Body)
	}
	return p
}

// (a) The self-service reset, delivered over real SMTP.
func TestAPISelfServiceResetOverSMTP(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		srv := mailtest.Start(t, "")
		env.App.UseRelay(srv.Relay())
		op := sessionToken(t, env, "operator")
		expectStatus(t, env.Do(t, op, "PATCH", "/api/v1/settings/security", map[string]any{"portal_url": "https://portal.example.com/"}), 200, "portal url")

		known := env.Do(t, "", "POST", "/api/v1/auth/password-reset", map[string]string{"login": "west.one"})
		expectStatus(t, known, 202, "reset request")
		if msg := decodeJSON[api.MessageResponse](t, known).Message; msg != identity.ResetRequested {
			t.Errorf("message = %q, want the documented sentence", msg)
		}
		unknown := env.Do(t, "", "POST", "/api/v1/auth/password-reset", map[string]string{"login": "no.such.user"})
		expectStatus(t, unknown, 202, "reset request for an unknown login")
		if !bytes.Equal(known.Body, unknown.Body) {
			t.Errorf("answers differ:\n%s\n%s", known.Body, unknown.Body)
		}
		// A company admin may not self-reset (the provider's default): same answer, no mail.
		admin := env.Do(t, "", "POST", "/api/v1/auth/password-reset", map[string]string{"login": "acme.admin"})
		if admin.Status != 202 || !bytes.Equal(admin.Body, known.Body) {
			t.Errorf("company admin reset: %d %s", admin.Status, admin.Body)
		}

		if _, err := env.App.Identity.ProcessResetRequests(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Mail.SendDue(ctx, 100); err != nil {
			t.Fatal(err)
		}
		got := srv.To("west.one@example.com")
		if len(got) != 1 {
			t.Fatalf("west.one got %d messages, want 1", len(got))
		}
		if len(srv.Messages()) != 1 {
			t.Errorf("the server got %d messages, want only west.one's", len(srv.Messages()))
		}
		m := resetLinkRE.FindStringSubmatch(got[0].Text)
		if m == nil || !strings.Contains(got[0].Subject, "Reset") {
			t.Fatalf("reset mail %q has no https://portal.example.com/reset-password?token= link:\n%s", got[0].Subject, got[0].Text)
		}
		token := m[1]

		// The old sessions end with the reset.
		old := sessionToken(t, env, "west.one")
		res := env.Do(t, "", "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "new_password": "Wendy-Reset-Pass-8"})
		expectStatus(t, res, 200, "confirm reset")
		expectStatus(t, env.Do(t, old, "GET", "/api/v1/auth/me", nil), 401, "session from before the reset")
		res = login(t, env, "west.one", "Wendy-Reset-Pass-8")
		expectStatus(t, res, 200, "login with the new password")
		if decodeJSON[api.LoginResponse](t, res).Account.PasswordChangeRequired {
			t.Error("a self-chosen password must not need changing")
		}
		expectStatus(t, login(t, env, "west.one", apptest.Password), 401, "login with the old password")
		res = env.Do(t, "", "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "new_password": "Wendy-Other-Pass-8"})
		checkProblem(t, res, scenario{status: 422, typ: api.ProblemValidation, detail: "not valid", field: "token"})
		expectStatus(t, login(t, env, "west.one", "Wendy-Reset-Pass-8"), 200, "the used token changed nothing")

		// The change is notified over SMTP too.
		if _, err := env.App.Mail.SendDue(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.To("west.one@example.com")); n != 2 {
			t.Errorf("west.one got %d messages, want the reset link and the change notice", n)
		}
	})
}

// A reset asked for by telephone number reaches the account with that number.
func TestAPIResetByPhoneNumber(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		admin := sessionToken(t, env, "acme.admin")
		expectStatus(t, env.Do(t, admin, "PATCH", "/api/v1/employees/"+id(env.ID("west.one")), map[string]string{"phone": "+44 113 496 0777"}), 200, "set phone")
		expectStatus(t, env.Do(t, "", "POST", "/api/v1/auth/password-reset", map[string]string{"login": "0113 496 0777"}), 202, "reset by number")
		token := mailToken(t, env, "west.one@example.com", "password_reset")
		// The self-care policy refuses a password holding part of the number.
		res := env.Do(t, "", "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "new_password": "Wendy-4960777!"})
		checkProblem(t, res, scenario{status: 422, typ: api.ProblemValidation, detail: "telephone number", field: "new_password"})
		// The refused attempt did not spend the token.
		res = env.Do(t, "", "POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "new_password": "Wendy-Phone-Pass-1"})
		expectStatus(t, res, 200, "confirm after a refused password")
	})
}

// (b) Three wrong passwords lock; a company admin unlocks through the API.
func TestAPILockoutAndForceUnlock(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		admin := sessionToken(t, env, "acme.admin")
		west := id(env.ID("west.one"))
		for i := 1; i <= 2; i++ {
			checkProblem(t, login(t, env, "west.one", "Wrong-Pass-1!"), scenario{status: 401, typ: api.ProblemUnauthenticated, detail: "not correct"})
		}
		checkProblem(t, login(t, env, "west.one", "Wrong-Pass-1!"), scenario{status: 423, typ: api.ProblemLocked, detail: "locked"})
		checkProblem(t, login(t, env, "west.one", apptest.Password), scenario{status: 423, typ: api.ProblemLocked, detail: "locked"})

		lock := decodeJSON[api.LockStatus](t, env.Do(t, admin, "GET", "/api/v1/employees/"+west+"/lock", nil))
		if !lock.Locked || lock.LockedUntil == nil {
			t.Errorf("lock = %+v, want locked with an end", lock)
		}
		// A group admin may not unlock; the company admin may, once.
		checkProblem(t, env.Do(t, sessionToken(t, env, "sales.admin"), "POST", "/api/v1/employees/"+west+"/force-unlock", nil),
			scenario{status: 403, typ: api.ProblemForbidden, detail: "company administrator"})
		expectStatus(t, env.Do(t, admin, "POST", "/api/v1/employees/"+west+"/force-unlock", nil), 204, "force unlock")
		checkProblem(t, env.Do(t, admin, "POST", "/api/v1/employees/"+west+"/force-unlock", nil),
			scenario{status: 409, typ: api.ProblemConflict, detail: "not locked"})
		if l := decodeJSON[api.LockStatus](t, env.Do(t, admin, "GET", "/api/v1/employees/"+west+"/lock", nil)); l.Locked || l.LockedUntil != nil {
			t.Errorf("lock after unlock = %+v", l)
		}
		expectStatus(t, login(t, env, "west.one", apptest.Password), 200, "login after unlock")

		entries := decodeJSON[scList[audit.Entry]](t, env.Do(t, admin, "GET", "/api/v1/audit?event=Force%20Unlock&object_id="+west+"&count=true", nil))
		if entries.Total != 1 || entries.Items[0].ActorUsername != "acme.admin" || entries.Items[0].ObjectName != "west.one" {
			t.Errorf("Force Unlock audit = %+v", entries)
		}
		locks := decodeJSON[scList[audit.Entry]](t, env.Do(t, admin, "GET", "/api/v1/audit?event=Lock%20Account&count=true", nil))
		if locks.Total != 1 {
			t.Errorf("Lock Account audit = %+v", locks)
		}
		// Security events are not provisioning activity on the dashboard.
		recent := decodeJSON[scList[audit.Entry]](t, env.Do(t, admin, "GET", "/api/v1/companies/"+id(env.Fixture.Acme.ID)+"/recent-activity", nil))
		for _, e := range recent.Items {
			if e.Event == "Force Unlock" || e.Event == "Lock Account" {
				t.Errorf("recent activity shows %s", e.Event)
			}
		}

		// An unknown username locks the same way.
		for i := 1; i <= 2; i++ {
			expectStatus(t, login(t, env, "ghost.user", "Wrong-Pass-1!"), 401, "unknown user")
		}
		checkProblem(t, login(t, env, "ghost.user", "Wrong-Pass-1!"), scenario{status: 423, typ: api.ProblemLocked, detail: "locked"})
	})
}

// (c) An administrator's reset: the user logs in with the mailed password
// and can do nothing but change it.
func TestAPIAdminResetForcesChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		admin := sessionToken(t, env, "acme.admin")
		west := id(env.ID("west.one"))
		old := sessionToken(t, env, "west.one")
		res := env.Do(t, admin, "POST", "/api/v1/employees/"+west+"/reset-password", nil)
		expectStatus(t, res, 202, "reset")
		if msg := decodeJSON[api.MessageResponse](t, res).Message; !strings.Contains(msg, "west.one@example.com") {
			t.Errorf("message %q does not name the address", msg)
		}
		expectStatus(t, env.Do(t, old, "GET", "/api/v1/auth/me", nil), 401, "session from before the reset")
		expectStatus(t, login(t, env, "west.one", apptest.Password), 401, "old password")

		generated := mailPassword(t, env, "west.one@example.com", "password_reset_by_admin")
		if err := identity.PolicySelfCare.Check("password", generated, nil, "GB"); err != nil {
			t.Errorf("generated password %q breaks the employee policy: %v", generated, err)
		}
		res = login(t, env, "west.one", generated)
		expectStatus(t, res, 200, "login with the generated password")
		lr := decodeJSON[api.LoginResponse](t, res)
		if !lr.Account.PasswordChangeRequired {
			t.Error("login: password_change_required is false")
		}
		tok := lr.Token
		if me := decodeJSON[api.AccountInfo](t, env.Do(t, tok, "GET", "/api/v1/auth/me", nil)); !me.PasswordChangeRequired || me.Email != "west.one@example.com" {
			t.Errorf("me = %+v", me)
		}
		before := scSnapshot(t, env)
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/employees", ""},
			{"GET", "/api/v1/employees/" + west, ""},
			{"PATCH", "/api/v1/employees/" + west, `{"first_name":"W"}`},
			{"POST", "/api/v1/auth/security-email", `{"email":"w@example.com"}`},
		} {
			var body any
			if c.body != "" {
				body = c.body
			}
			checkProblem(t, env.Do(t, tok, c.method, c.path, body), scenario{status: 403, typ: api.ProblemPasswordChange, detail: "/api/v1/auth/password"})
		}
		if scSnapshot(t, env) != before {
			t.Error("a refused request changed the database")
		}
		// The same new password rules apply; the generated one may not stay.
		res = env.Do(t, tok, "POST", "/api/v1/auth/password", map[string]string{"current_password": generated, "new_password": generated})
		checkProblem(t, res, scenario{status: 422, typ: api.ProblemValidation, detail: "different", field: "new_password"})
		res = env.Do(t, tok, "POST", "/api/v1/auth/password", map[string]string{"current_password": generated, "new_password": "Wendy-Own-Pass-9"})
		expectStatus(t, res, 200, "change password")
		if me := decodeJSON[api.AccountInfo](t, env.Do(t, tok, "GET", "/api/v1/auth/me", nil)); me.PasswordChangeRequired {
			t.Error("password_change_required is still true after the change")
		}
		expectStatus(t, env.Do(t, tok, "GET", "/api/v1/employees", nil), 200, "employees after the change")
		expectStatus(t, login(t, env, "west.one", generated), 401, "the generated password after the change")
		expectStatus(t, login(t, env, "west.one", "Wendy-Own-Pass-9"), 200, "the new password")
		// The logout stays allowed for a must-change session.
		expectStatus(t, env.Do(t, admin, "POST", "/api/v1/employees/"+west+"/reset-password", nil), 202, "reset again")
		tok = decodeJSON[api.LoginResponse](t, login(t, env, "west.one", mailPassword(t, env, "west.one@example.com", "password_reset_by_admin"))).Token
		expectStatus(t, env.Do(t, tok, "POST", "/api/v1/auth/logout", nil), 204, "logout of a must-change session")
	})
}

// (d) Changing the security e-mail address takes effect when confirmed.
func TestAPISecurityEmailChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		tok := sessionToken(t, env, "west.one")
		res := env.Do(t, tok, "POST", "/api/v1/auth/security-email", map[string]string{"email": " wendy@new.example.com "})
		expectStatus(t, res, 202, "request change")
		if msg := decodeJSON[api.MessageResponse](t, res).Message; !strings.Contains(msg, "wendy@new.example.com") {
			t.Errorf("message %q", msg)
		}
		if me := decodeJSON[api.AccountInfo](t, env.Do(t, tok, "GET", "/api/v1/auth/me", nil)); me.Email != "west.one@example.com" {
			t.Errorf("the address changed before confirmation: %q", me.Email)
		}
		token := mailToken(t, env, "wendy@new.example.com", "email_change_confirm")
		res = env.Do(t, "", "POST", "/api/v1/auth/security-email/confirm", map[string]string{"token": token})
		expectStatus(t, res, 200, "confirm")
		if got := decodeJSON[api.SecurityEmailConfirmed](t, res).Email; got != "wendy@new.example.com" {
			t.Errorf("confirmed %q", got)
		}
		if me := decodeJSON[api.AccountInfo](t, env.Do(t, tok, "GET", "/api/v1/auth/me", nil)); me.Email != "wendy@new.example.com" {
			t.Errorf("me.email = %q after confirmation", me.Email)
		}
		notice := lastMail(t, env, "west.one@example.com", "email_changed")
		if !strings.Contains(notice.Text, "wendy@new.example.com") {
			t.Errorf("the old address's notice does not name the new one:\n%s", notice.Text)
		}
		checkProblem(t, env.Do(t, "", "POST", "/api/v1/auth/security-email/confirm", map[string]string{"token": token}),
			scenario{status: 422, typ: api.ProblemValidation, detail: "not valid", field: "token"})
		// Resets now go to the new address.
		expectStatus(t, env.Do(t, "", "POST", "/api/v1/auth/password-reset", map[string]string{"login": "west.one"}), 202, "reset")
		lastMail(t, env, "wendy@new.example.com", "password_reset")
		entries := decodeJSON[scList[audit.Entry]](t, env.Do(t, sessionToken(t, env, "acme.admin"), "GET", "/api/v1/audit?event=Change%20Security%20Email&count=true", nil))
		if entries.Total != 1 {
			t.Errorf("Change Security Email audit = %+v", entries)
		}
	})
}

// (e) An employee added without a password gets a generated one by mail,
// over SMTP, and must change it at first login.
func TestAPIWelcomeMailWithGeneratedPassword(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		srv := mailtest.Start(t, "")
		env.App.UseRelay(srv.Relay())
		admin := sessionToken(t, env, "acme.admin")
		res := env.Do(t, admin, "POST", "/api/v1/employees", map[string]any{"username": "fresh.one", "first_name": "Fre", "last_name": "Sh",
			"email": "fresh.one@example.com", "phone": "+44 113 496 0555", "group_ids": []int64{env.Fixture.Support.ID}})
		expectStatus(t, res, 201, "create without password")
		// A company admin created with a password (by the provider, who alone
		// makes company admins) gets a welcome without one.
		res = env.Do(t, sessionToken(t, env, "operator"), "POST", "/api/v1/employees", map[string]any{"company_id": env.Fixture.Acme.ID,
			"username": "boss.two", "password": "Boss-Pass-2024!", "first_name": "Bo",
			"last_name": "Ss", "role": "company_admin", "email": "boss.two@example.com"})
		expectStatus(t, res, 201, "create with password")
		if _, err := env.App.Mail.SendDue(context.Background(), 100); err != nil {
			t.Fatal(err)
		}
		got := srv.To("fresh.one@example.com")
		if len(got) != 1 || !strings.Contains(got[0].Subject, "Welcome") || !strings.Contains(got[0].Text, "fresh.one") {
			t.Fatalf("welcome mails = %+v", got)
		}
		generated := passwordIn(t, got[0].Text)
		if err := identity.PolicySelfCare.Check("password", generated, []string{"+44 113 496 0555"}, "GB"); err != nil {
			t.Errorf("generated %q breaks the self-care policy: %v", generated, err)
		}
		boss := srv.To("boss.two@example.com")
		if len(boss) != 1 || mailedPass.MatchString(boss[0].Text) || strings.Contains(boss[0].Text, "Boss-Pass-2024!") {
			t.Errorf("welcome with a chosen password = %+v", boss)
		}
		res = login(t, env, "fresh.one", generated)
		expectStatus(t, res, 200, "login with the generated password")
		lr := decodeJSON[api.LoginResponse](t, res)
		if !lr.Account.PasswordChangeRequired {
			t.Error("a generated welcome password must be changed")
		}
		checkProblem(t, env.Do(t, lr.Token, "GET", "/api/v1/groups", nil), scenario{status: 403, typ: api.ProblemPasswordChange})
		expectStatus(t, env.Do(t, lr.Token, "POST", "/api/v1/auth/password", map[string]string{"current_password": generated, "new_password": "Fresh-Own-Pass-3"}), 200, "change")
		expectStatus(t, env.Do(t, lr.Token, "GET", "/api/v1/groups", nil), 200, "groups after the change")

		// Without a password an e-mail address is needed.
		before := scSnapshot(t, env)
		res = env.Do(t, admin, "POST", "/api/v1/employees", map[string]any{"username": "silent.one", "first_name": "Si", "last_name": "Lent"})
		checkProblem(t, res, scenario{status: 422, typ: api.ProblemValidation, detail: "e-mail address", field: "password"})
		if scSnapshot(t, env) != before {
			t.Error("the refused create changed the database")
		}
	})
}

// (f) The "view difference" of a profile edit names only what changed.
func TestAPIAuditEntryDifference(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		admin := sessionToken(t, env, "acme.admin")
		west := id(env.ID("west.one"))
		expectStatus(t, env.Do(t, admin, "PATCH", "/api/v1/employees/"+west, map[string]string{"last_name": "Westwood"}), 200, "edit")
		l := decodeJSON[scList[audit.Entry]](t, env.Do(t, admin, "GET", "/api/v1/audit?object_kind=employee&object_id="+west+"&event=Modify%20Employee&count=true", nil))
		if l.Total != 1 {
			t.Fatalf("Modify Employee entries = %+v", l)
		}
		res := env.Do(t, admin, "GET", "/api/v1/audit/"+id(l.Items[0].ID), nil)
		expectStatus(t, res, 200, "audit entry")
		e := decodeJSON[audit.EntryWithDiff](t, res)
		var fields []string
		for _, c := range e.Changes {
			fields = append(fields, c.Field)
		}
		if strings.Join(fields, ",") != "last_name,updated_at" {
			t.Fatalf("changes = %s, want last_name and updated_at only", res.Body)
		}
		if string(e.Changes[0].Before) != `"West"` || string(e.Changes[0].After) != `"Westwood"` {
			t.Errorf("last_name change = %+v", e.Changes[0])
		}
		if e.Event != "Modify Employee" || e.ObjectName != "west.one" || len(e.Before) == 0 || len(e.After) == 0 {
			t.Errorf("entry = %+v", e.Entry)
		}
		// An address edit shows the nested field dotted.
		expectStatus(t, env.Do(t, admin, "PATCH", "/api/v1/employees/"+west, map[string]any{"address": map[string]string{"city": "Leeds"}}), 200, "edit address")
		l = decodeJSON[scList[audit.Entry]](t, env.Do(t, admin, "GET", "/api/v1/audit?object_id="+west+"&event=Modify%20Employee&per_page=1", nil))
		e = decodeJSON[audit.EntryWithDiff](t, env.Do(t, admin, "GET", "/api/v1/audit/"+id(l.Items[0].ID), nil))
		fields = nil
		for _, c := range e.Changes {
			fields = append(fields, c.Field)
		}
		if strings.Join(fields, ",") != "address.city,updated_at" {
			t.Errorf("address changes = %v", fields)
		}
		// Another company's admin, and a group admin, get 404.
		for _, user := range []string{"globex.admin", "leeds.admin", "west.one"} {
			checkProblem(t, env.Do(t, sessionToken(t, env, user), "GET", "/api/v1/audit/"+id(l.Items[0].ID), nil), scenario{status: 404, typ: api.ProblemNotFound})
		}
	})
}

// The login limiter answers 429 with Retry-After once an address has made
// 20 attempts in a minute, on login and the reset endpoints alike; other
// endpoints are not limited.
func TestAPILoginRateLimit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		for i := 1; i <= 20; i++ {
			expectStatus(t, env.Do(t, "", "POST", "/api/v1/auth/password-reset", map[string]string{"login": "nobody.here"}), 202, "reset request")
		}
		for _, path := range []string{"/api/v1/auth/login", "/api/v1/auth/password-reset", "/api/v1/auth/password-reset/confirm"} {
			res := env.Do(t, "", "POST", path, map[string]string{})
			checkProblem(t, res, scenario{status: 429, typ: api.ProblemTooManyRequests, detail: "wait a minute"})
			if res.Header.Get("Retry-After") != "60" {
				t.Errorf("%s: Retry-After %q", path, res.Header.Get("Retry-After"))
			}
		}
		// Authenticated work goes on.
		expectStatus(t, env.Do(t, sessionToken(t, env, "acme.admin"), "GET", "/api/v1/auth/me", nil), http.StatusOK, "me")
		// Another node has its own count.
		expectStatus(t, login(t, secondNode(t, env), "acme.admin", apptest.Password), 200, "login on another node")
	})
}

package ui_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestOperatorUnlocksOperator: Security Settings lists the provider's
// operator accounts with their locks, and Unlock lifts one; nobody else
// reaches either.
func TestOperatorUnlocksOperator(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	op2, err := env.App.Identity.CreateOperator(ctx, env.Fixture.Provider.ID, "operator2", apptest.Password)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		_, _ = env.App.Identity.Authenticate(ctx, "operator2", "wrong-password")
	}
	b := newBrowser(t, env)
	b.login("operator", false)
	p := b.get("/settings/security")
	unlock := `action="/operators/` + id(op2.ID) + `/force-unlock"`
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="operator-accounts"`) || !strings.Contains(p.Body, "operator2") ||
		!strings.Contains(p.Body, "Locked until") || !strings.Contains(p.Body, unlock) || strings.Count(p.Body, "/force-unlock\"") != 1 {
		t.Fatalf("security settings: %d\n%s", p.Status, p.Body)
	}

	admin := newBrowser(t, env)
	admin.login("acme.admin", false)
	if p := admin.post("/operators/"+id(op2.ID)+"/force-unlock", nil, false); p.Status != http.StatusNotFound {
		t.Errorf("a company admin unlocking an operator: %d", p.Status)
	}
	if _, err := env.App.Identity.Authenticate(ctx, "operator2", apptest.Password); !errors.Is(err, derrors.ErrLocked) {
		t.Fatalf("operator2 after the refused unlock: %v", err)
	}

	if p := b.post("/operators/"+id(op2.ID)+"/force-unlock", nil, false); p.Status != http.StatusSeeOther ||
		!strings.HasPrefix(p.Location, "/settings/security") {
		t.Fatalf("unlock: %d %q", p.Status, p.Location)
	}
	if _, err := env.App.Identity.Authenticate(ctx, "operator2", apptest.Password); err != nil {
		t.Errorf("operator2 after Unlock: %v", err)
	}
	if p := b.get("/settings/security"); strings.Contains(p.Body, unlock) {
		t.Error("Unlock is still offered for operator2")
	}
}

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSetupLines: the SIP domain comes from --sip-domain, else the portal
// URL, else --http unless it names every address, else the host name; the
// node secret is created in --data and read again on the next start.
func TestSetupLines(t *testing.T) {
	host, _ := os.Hostname()
	tests := []struct {
		flag, portal, http, want string
	}{
		{"voice.example.net", "https://portal.example.net", "127.0.0.1:8080", "voice.example.net"},
		{"", "https://portal.example.net:8443/", "127.0.0.1:8080", "portal.example.net"},
		{"", "", "127.0.0.1:8080", "127.0.0.1"},
		{"", "", "0.0.0.0:8080", host},
		{"", "", ":8080", host},
	}
	db := storetest.SQLite(t)
	dir := t.TempDir()
	for _, tt := range tests {
		a := app.New(db, nil, "test")
		f := sipFlags{domain: tt.flag}
		if err := f.setupLines(a, dir, tt.portal, tt.http); err != nil {
			t.Fatal(err)
		}
		if a.Devices.Lines.Domain != tt.want || a.Devices.Lines.Sealer == nil {
			t.Errorf("%+v: domain %q, want %q", tt, a.Devices.Lines.Domain, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil {
		t.Fatalf("no secret key in --data: %v", err)
	}
	if err := (&sipFlags{}).setupLines(app.New(db, nil, "test"), "", "", "127.0.0.1:8080"); err == nil {
		t.Fatal("no --data and no --secret-key-file was accepted")
	}
}

package devices_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

func TestSecretKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", devices.SecretKeyFile)
	key, err := devices.LoadOrCreateKey(path)
	if err != nil || len(key) != 32 {
		t.Fatalf("create: %d bytes, %v", len(key), err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	again, err := devices.LoadOrCreateKey(path)
	if err != nil || string(again) != string(key) {
		t.Fatal("a second start read another key")
	}
	s, err := devices.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal("AQwvHJiDUguJz7Y8cAYL", "441134960000")
	if err != nil || strings.Contains(sealed, "AQwvHJiDUguJz7Y8cAYL") {
		t.Fatalf("sealed = %q, %v", sealed, err)
	}
	if plain, err := s.Open(sealed, "441134960000"); err != nil || plain != "AQwvHJiDUguJz7Y8cAYL" {
		t.Fatalf("open = %q, %v", plain, err)
	}
	// Bound to its row: another username does not open it.
	if _, err := s.Open(sealed, "441134960001"); err == nil {
		t.Fatal("opened under another username")
	}
	// Another node's key does not open it, and says what to check.
	other, _ := devices.NewSealer(make([]byte, 32))
	if _, err := other.Open(sealed, "441134960000"); err == nil || !strings.Contains(err.Error(), "same key") {
		t.Fatalf("another key: %v", err)
	}
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not base64 of 32 bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := devices.LoadOrCreateKey(bad); err == nil || !strings.Contains(err.Error(), "32 random bytes") {
		t.Fatalf("bad key file: %v", err)
	}
	if _, err := devices.NewSealer(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
}

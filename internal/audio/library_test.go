package audio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestLibrary: an employee uploads a greeting for themselves and plays it
// back in both telephony forms; a broken file is refused with its reason
// and nothing stored; a colleague and another company neither list, play
// nor delete it; features accept the reference only in the owner's
// company.
func TestLibrary(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		lib, f := env.App.Audio, env.Fixture
		west := audio.Owner{Kind: "employee", ID: env.ID("west.one")}
		greeting := wav(tone(440, 0.5, 44100, 2), 44100, 2, "pcm16")
		it, err := lib.Upload(ctx, env.Actor("west.one"), west, "Out of office", greeting)
		if err != nil {
			t.Fatal(err)
		}
		if it.Duration < 1.9 || it.Duration > 2.1 || it.Format != audio.FormatWAVPCM {
			t.Errorf("item %+v", it)
		}
		for _, wide := range []bool{false, true} {
			_, data, err := lib.WAV(ctx, env.Actor("west.one"), it.ID, wide)
			if err != nil || !bytes.HasPrefix(data, []byte("RIFF")) {
				t.Errorf("WAV wideband=%v: %d bytes, %v", wide, len(data), err)
			}
		}
		if _, _, err := lib.WAV(ctx, env.Actor("acme.admin"), it.ID, false); err != nil {
			t.Errorf("the company admin plays the employee's greeting: %v", err)
		}
		before := storetest.Counts(t, db)
		if _, err := lib.Upload(ctx, env.Actor("west.one"), west, "silence", wav(make([]float64, 44100), 44100, 1, "pcm16")); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("a silent file: %v", err)
		}
		if _, err := lib.Upload(ctx, env.Actor("west.one"), west, "notes", []byte("%PDF-1.7 not audio")); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("a PDF: %v", err)
		}
		for _, user := range append([]string{"support.one"}, apptest.Outsiders...) {
			if _, err := lib.Upload(ctx, env.Actor(user), west, "x", greeting); err == nil {
				t.Errorf("%s uploaded for west.one", user)
			}
			if _, _, err := lib.WAV(ctx, env.Actor(user), it.ID, false); !derrors.IsNotFound(err) {
				t.Errorf("%s played west.one's greeting: %v", user, err)
			}
			if err := lib.Delete(ctx, env.Actor(user), it.ID); !derrors.IsNotFound(err) {
				t.Errorf("%s deleted west.one's greeting: %v", user, err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if ok, err := lib.AudioExists(ctx, f.Acme.ID, it.ID); err != nil || !ok {
			t.Errorf("AudioExists in Acme: %v, %v", ok, err)
		}
		if ok, _ := lib.AudioExists(ctx, f.Globex.ID, it.ID); ok {
			t.Error("Globex may refer to Acme's recording")
		}
		items, err := lib.Items(ctx, env.Actor("west.one"), west)
		if err != nil || len(items) != 1 {
			t.Fatalf("items %+v, %v", items, err)
		}
		if err := lib.Delete(ctx, env.Actor("west.one"), it.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := lib.WAV(ctx, env.Actor("west.one"), it.ID, false); !derrors.IsNotFound(err) {
			t.Errorf("a deleted recording plays: %v", err)
		}
	})
}

// TestItemFor: an administrator chooses a site's recording for an
// employee's Pre-Alerting. Whoever may configure the employee's features
// (the employee, their administrators) reads and plays it as the
// employee's; nobody else does — a colleague, an employee of another
// site, another company — and the employee cannot choose a recording they
// may not read to get at it; and neither a recording the
// employee's settings do not use, nor one they stop using, nor one
// through an owner that does not exist. None of it changes anything.
func TestItemFor(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx, a, f := context.Background(), env.App, env.Fixture
		sv := env.SeedService(t)
		west := env.ID("west.one")
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, west, sv.Packages["Standard"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
			t.Fatal(err)
		}
		leeds := audio.Owner{Kind: "site", ID: f.Leeds.ID}
		lobby, err := a.Audio.Upload(ctx, env.Actor("acme.admin"), leeds, "Leeds lobby", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		unused, err := a.Audio.Upload(ctx, env.Actor("acme.admin"), leeds, "Unused", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		announce := func(audioID string) {
			t.Helper()
			if _, err := a.Features.Configure(ctx, env.Actor("acme.admin"), features.Employee(west), features.CodePreAlerting,
				[]byte(`{"enabled":true,"when":"all","audio":`+audioID+`}`)); err != nil {
				t.Fatal(err)
			}
		}
		announce(fmt.Sprintf(`{"audio_id":%d}`, lobby.ID))
		westOwner := audio.Owner{Kind: "employee", ID: west}

		before := storetest.Counts(t, db)
		if _, err := a.Audio.Item(ctx, env.Actor("west.one"), lobby.ID); !derrors.IsNotFound(err) {
			t.Errorf("the employee reads the site's recording outside their feature: %v", err)
		}
		for _, user := range []string{"west.one", "acme.admin", "leeds.admin"} {
			it, err := a.Audio.ItemFor(ctx, env.Actor(user), westOwner, lobby.ID)
			if err != nil || it.Name != "Leeds lobby" {
				t.Errorf("%s reads West's announcement: %+v, %v", user, it, err)
			}
			if _, data, err := a.Audio.WAVFor(ctx, env.Actor(user), westOwner, lobby.ID, true); err != nil || !bytes.HasPrefix(data, []byte("RIFF")) {
				t.Errorf("%s plays West's announcement: %d bytes, %v", user, len(data), err)
			}
			if _, err := a.Audio.ItemFor(ctx, env.Actor(user), westOwner, unused.ID); !derrors.IsNotFound(err) {
				t.Errorf("%s reads a recording West's settings do not use: %v", user, err)
			}
		}
		for _, user := range append([]string{"support.one", "london.one"}, apptest.Outsiders...) {
			if _, err := a.Audio.ItemFor(ctx, env.Actor(user), westOwner, lobby.ID); !derrors.IsNotFound(err) {
				t.Errorf("%s reads West's announcement: %v", user, err)
			}
			if _, _, err := a.Audio.WAVFor(ctx, env.Actor(user), westOwner, lobby.ID, false); !derrors.IsNotFound(err) {
				t.Errorf("%s plays West's announcement: %v", user, err)
			}
		}
		// Through another company's employee, or one that does not exist.
		for _, via := range []audio.Owner{{Kind: "employee", ID: env.ID("globex.one")}, {Kind: "employee", ID: 1 << 40}, {Kind: "site", ID: 1 << 40}} {
			for _, user := range []string{"globex.admin", "acme.admin", "operator"} {
				if _, err := a.Audio.ItemFor(ctx, env.Actor(user), via, lobby.ID); !derrors.IsNotFound(err) {
					t.Errorf("%s reads the recording through %v: %v", user, via, err)
				}
			}
		}
		// The employee cannot choose a recording they may not read to get
		// at it through their own feature; saving the administrator's
		// choice again is fine.
		if _, err := a.Features.Configure(ctx, env.Actor("west.one"), features.Employee(west), features.CodePreAlerting,
			[]byte(fmt.Sprintf(`{"enabled":true,"when":"all","audio":{"audio_id":%d}}`, unused.ID))); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("the employee chose a site recording they may not read: %v", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if _, err := a.Features.Configure(ctx, env.Actor("west.one"), features.Employee(west), features.CodePreAlerting,
			[]byte(fmt.Sprintf(`{"enabled":true,"when":"external","audio":{"audio_id":%d}}`, lobby.ID))); err != nil {
			t.Errorf("the employee saving the administrator's choice again: %v", err)
		}

		// Once the announcement is the system's again, the employee reads
		// the site's recording no more.
		announce("null")
		if _, err := a.Audio.ItemFor(ctx, env.Actor("west.one"), westOwner, lobby.ID); !derrors.IsNotFound(err) {
			t.Errorf("the employee reads a recording their settings no longer use: %v", err)
		}
	})
}

func TestParseOwner(t *testing.T) {
	for in, want := range map[string]audio.Owner{"site:7": {Kind: "site", ID: 7}, "employee:42": {Kind: "employee", ID: 42}} {
		if got, err := audio.ParseOwner("for", in); err != nil || got != want || got.String() != in {
			t.Errorf("%q: %+v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "site", "site:", "site:x", "site:-1", "site:0", "company:7", "employee:7:8", ":7"} {
		if _, err := audio.ParseOwner("for", in); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("%q: %v, want invalid", in, err)
		}
	}
}

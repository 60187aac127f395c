package audio_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/derrors"
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

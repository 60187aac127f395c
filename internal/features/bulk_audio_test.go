package features_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// upload stores a second of tone for owner as actor and returns its id.
func (fx *fixture) upload(t *testing.T, actor string, kind string, id int64, name string) int64 {
	t.Helper()
	it, err := fx.env.App.Audio.Upload(fx.ctx, fx.env.Actor(actor), audio.Owner{Kind: kind, ID: id}, name, apptest.ToneWAV())
	if err != nil {
		t.Fatalf("upload %s: %v", name, err)
	}
	return it.ID
}

// runJob runs the queued jobs and returns job id's items by key.
func (fx *fixture) runJob(t *testing.T, id int64) (jobs.Job, map[string]jobs.Item) {
	t.Helper()
	if _, err := fx.env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	j, items, _, err := fx.svc.BulkJob(fx.ctx, fx.env.Actor("acme.admin"), id, store.Page{Page: 1, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]jobs.Item{}
	for _, it := range items {
		out[it.Key] = it
	}
	return j, out
}

func greeting(t *testing.T, fx *fixture, site features.Owner) *features.AutoAttendants {
	t.Helper()
	c, err := fx.svc.FeatureConfig(fx.ctx, fx.env.Actor("acme.admin"), site, features.CodeAutoAttendant)
	if err != nil {
		t.Fatal(err)
	}
	return c.Settings.(*features.AutoAttendants)
}

// TestBulkAudioMapping: a site job maps a recording to the auto
// attendants' greetings and the music on hold of its targets. The guide's
// rules: the feature must be enabled and configured on reference and
// target (else the item is in Error with the guide's sentence and nothing
// is written); a greeting already set is not overwritten (the item says the
// mapping existed); each target gets its own copy of the recording. Bad
// mappings, another company's recording among them, queue nothing.
func TestBulkAudioMapping(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		ctx, a := fx.ctx, fx.env.App
		admin := fx.env.Actor("acme.admin")
		leeds, london := features.Site(fx.env.Fixture.Leeds.ID), features.Site(fx.env.Fixture.London.ID)
		londonOwn := fx.upload(t, "acme.admin", "site", london.ID, "London welcome")
		fx.configure(t, london, features.CodeAutoAttendant, map[string]any{"attendants": []any{
			map[string]any{"name": "Front", "extension": "3100", "business_hours_menu": map[string]any{"greeting": map[string]any{"audio_id": londonOwn}}},
			map[string]any{"name": "Back", "extension": "3101"}}})

		// Leeds has no auto attendant yet: London's greeting cannot be
		// mapped there, and the job writes nothing at Leeds.
		j, err := a.Features.SubmitBulkCopy(ctx, admin, features.BulkRequest{Kind: features.OwnerSite, ReferenceID: london.ID,
			TargetIDs: []int64{leeds.ID}, Audio: []features.AudioMapping{{Slot: "auto_attendant.business_hours_greeting", AudioID: londonOwn}}})
		if err != nil {
			t.Fatal(err)
		}
		before := storetest.Counts(t, db)
		got, items := fx.runJob(t, j.ID)
		it := items["Leeds · Auto Attendant business hours greeting"]
		if got.Status != jobs.StatusError || it.Status != jobs.ItemError ||
			!strings.Contains(it.Message, "must be enabled and configured on both the reference site and the target site") || !strings.Contains(it.Message, "Leeds") {
			t.Errorf("job %s, item %+v; want Error: not configured on Leeds", got.Status, it)
		}
		after := storetest.Counts(t, db)
		for _, table := range []string{"audio_items", "feature_configs"} {
			if before[table] != after[table] {
				t.Errorf("%s: %d rows before the refused mapping, %d after", table, before[table], after[table])
			}
		}

		leedsRec := fx.upload(t, "acme.admin", "site", leeds.ID, "Leeds welcome")
		globexRec := fx.upload(t, "globex.admin", "site", fx.env.Fixture.Reading.ID, "Globex welcome")
		fx.configure(t, leeds, features.CodeAutoAttendant, map[string]any{"attendants": []any{map[string]any{"name": "Main", "extension": "3000"}}})
		req := features.BulkRequest{Kind: features.OwnerSite, ReferenceID: leeds.ID, TargetIDs: []int64{london.ID}, Audio: []features.AudioMapping{
			{Slot: "auto_attendant.business_hours_greeting", AudioID: leedsRec},
			{Slot: "auto_attendant.after_hours_greeting", AudioID: leedsRec},
			{Slot: "music_on_hold.audio", AudioID: leedsRec}}}

		before = storetest.Counts(t, db)
		with := func(maps ...features.AudioMapping) features.BulkRequest { r := req; r.Audio = maps; return r }
		for _, c := range []struct {
			name, actor string
			req         features.BulkRequest
			want        string
		}{
			{"another company's recording", "acme.admin", with(features.AudioMapping{Slot: "music_on_hold.audio", AudioID: globexRec}), "recording " + id(globexRec) + " does not exist"},
			{"a missing recording", "acme.admin", with(features.AudioMapping{Slot: "music_on_hold.audio", AudioID: 99999}), "recording 99999 does not exist"},
			{"an employee greeting in a site job", "acme.admin", with(features.AudioMapping{Slot: "voicemail.busy_greeting", AudioID: leedsRec}), "is not a greeting a site job maps"},
			{"a slot twice", "acme.admin", with(req.Audio[0], req.Audio[0]), "mapped twice"},
			{"call centre not configured on the reference", "acme.admin", with(features.AudioMapping{Slot: "call_centre.entrance", AudioID: leedsRec}),
				"must be enabled and configured on both the reference site and the target site"},
			{"group administrator", "leeds.admin", req, "needs a company administrator"},
		} {
			_, err := a.Features.SubmitBulkCopy(ctx, fx.env.Actor(c.actor), c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want a refusal saying %q", c.name, err, c.want)
			}
		}
		for _, outsider := range apptest.Outsiders {
			if _, err := a.Features.SubmitBulkCopy(ctx, fx.env.Actor(outsider), req); !derrors.IsNotFound(err) {
				t.Errorf("%s submitted Acme's job: %v, want not found", outsider, err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		j, err = a.Features.SubmitBulkCopy(ctx, admin, req)
		if err != nil {
			t.Fatal(err)
		}
		got, items = fx.runJob(t, j.ID)
		if got.Status != jobs.StatusError || !strings.Contains(got.LastError, "1 of 3 settings were not copied") {
			t.Errorf("job %s %q; want Error, one of three", got.Status, got.LastError)
		}
		for key, want := range map[string]struct{ status, message string }{
			"London · Auto Attendant business hours greeting": {jobs.ItemError, "the mapping existed on Front: its business hours greeting was kept, not overwritten; set on Back"},
			"London · Auto Attendant after hours greeting":    {jobs.ItemOK, "copied and set on Front, Back"},
			"London · Music on Hold file":                     {jobs.ItemOK, "copied and set"},
		} {
			if it := items[key]; it.Status != want.status || it.Message != want.message {
				t.Errorf("%s: %s %q, want %s %q", key, it.Status, it.Message, want.status, want.message)
			}
		}
		aa := greeting(t, fx, london)
		front, back := aa.Attendants[0], aa.Attendants[1]
		if front.BusinessHoursMenu.Greeting == nil || front.BusinessHoursMenu.Greeting.AudioID != londonOwn {
			t.Errorf("Front's business hours greeting was overwritten: %+v", front.BusinessHoursMenu.Greeting)
		}
		copyID := back.BusinessHoursMenu.Greeting
		// The recording is copied once per target, whatever it is mapped to.
		if copyID == nil || copyID.AudioID == leedsRec || front.AfterHoursMenu.Greeting == nil || back.AfterHoursMenu.Greeting == nil ||
			*front.AfterHoursMenu.Greeting != *copyID || *back.AfterHoursMenu.Greeting != *copyID {
			t.Fatalf("Back %+v, after hours %+v and %+v: want one copy at London", copyID, front.AfterHoursMenu.Greeting, back.AfterHoursMenu.Greeting)
		}
		copied, err := a.Audio.Item(ctx, admin, copyID.AudioID)
		if err != nil || copied.Owner != (audio.Owner{Kind: "site", ID: london.ID}) || copied.Name != "Leeds welcome" || copied.Duration != 1 {
			t.Errorf("the copy %+v, %v: want London's own 1 s \"Leeds welcome\"", copied, err)
		}
		moh, err := a.Features.FeatureConfig(ctx, admin, london, features.CodeMusicOnHold)
		if m := moh.Settings.(*features.MusicOnHold); err != nil || !m.Enabled || m.Audio == nil || *m.Audio != *copyID {
			t.Errorf("London's music on hold %+v, %v: want on, with the copy", moh.Settings, err)
		}
		// Deleting the reference's recording leaves London's copy playing.
		if err := a.Audio.Delete(ctx, admin, leedsRec); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Audio.Item(ctx, admin, copyID.AudioID); err != nil {
			t.Errorf("London's copy went with Leeds's recording: %v", err)
		}
	})
}

// TestBulkVoicemailGreetings: an employee job maps the voicemail greetings
// and copies the Voicemail configuration. Copying settings keeps the
// target's own greetings (audio is copied only by a mapping); a greeting the
// target already has is kept, the item says so.
func TestBulkVoicemailGreetings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		ctx, a := fx.ctx, fx.env.App
		admin := fx.env.Actor("acme.admin")
		west, support := features.Employee(fx.env.ID("west.one")), features.Employee(fx.env.ID("support.one"))
		westRec := fx.upload(t, "west.one", "employee", west.ID, "Wendy's greeting")
		supportRec := fx.upload(t, "support.one", "employee", support.ID, "Support's own")
		fx.configure(t, west, features.CodeVoicemail, map[string]any{"rings": 6, "greetings": map[string]any{"busy": map[string]any{"audio_id": westRec}}})
		fx.configure(t, support, features.CodeVoicemail, map[string]any{"greetings": map[string]any{"busy": map[string]any{"audio_id": supportRec}}})

		// The employee cannot submit: Bulk Feature Management is the
		// company's page.
		before := storetest.Counts(t, db)
		req := features.BulkRequest{Kind: features.OwnerEmployee, ReferenceID: west.ID, TargetIDs: []int64{support.ID},
			Features: []string{features.CodeVoicemail}, Audio: []features.AudioMapping{
				{Slot: "voicemail.busy_greeting", AudioID: westRec}, {Slot: "voicemail.no_answer_greeting", AudioID: westRec}}}
		if _, err := a.Features.SubmitBulkCopy(ctx, fx.env.Actor("west.one"), req); err == nil {
			t.Error("an employee submitted a bulk job")
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		j, err := a.Features.SubmitBulkCopy(ctx, admin, req)
		if err != nil {
			t.Fatal(err)
		}
		got, items := fx.runJob(t, j.ID)
		if got.Status != jobs.StatusError || len(items) != 3 {
			t.Errorf("job %s with %d items; want Error with three", got.Status, len(items))
		}
		if it := items["support.one · Voicemail busy greeting"]; it.Status != jobs.ItemError || !strings.Contains(it.Message, "the mapping existed") {
			t.Errorf("busy greeting: %+v; want Error: the mapping existed", it)
		}
		if it := items["support.one · Voicemail no answer greeting"]; it.Status != jobs.ItemOK {
			t.Errorf("no answer greeting: %+v", it)
		}
		c, err := a.Features.FeatureConfig(ctx, admin, support, features.CodeVoicemail)
		if err != nil {
			t.Fatal(err)
		}
		vm := c.Settings.(*features.Voicemail)
		if vm.Rings != 6 || vm.Greetings.Busy == nil || vm.Greetings.Busy.AudioID != supportRec || vm.Greetings.NoAnswer == nil ||
			vm.Greetings.NoAnswer.AudioID == westRec {
			t.Errorf("support.one's voicemail %+v: want 6 rings (copied), their own busy greeting, a copy of west's as no answer", vm)
		}
		if it, err := a.Audio.Item(ctx, fx.env.Actor("support.one"), vm.Greetings.NoAnswer.AudioID); err != nil || it.Owner.ID != support.ID {
			t.Errorf("support.one cannot play their new greeting: %+v, %v", it, err)
		}
	})
}

package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// placeBlock is the part of a feature form showing one audio place: from
// its data-place attribute to the next audio place or the end of the
// fieldset.
func placeBlock(t *testing.T, body, place string) string {
	t.Helper()
	body = htmlUnescape(body)
	i := strings.Index(body, `data-place="`+place+`"`)
	if i < 0 {
		t.Fatalf("the form has no audio place %s", place)
	}
	rest := body[i+1:]
	end := len(rest)
	for _, stop := range []string{`data-place="`, `</fieldset>`, `</form>`} {
		if j := strings.Index(rest, stop); j >= 0 && j < end {
			end = j
		}
	}
	return rest[:end]
}

// notAudio is a FLAC file's start: a format the audio package names and
// refuses.
var notAudio = append([]byte("fLaC"), make([]byte, 200)...)

// TestCallCentreAudio: each queue of the Call Centre form shows its four
// messages as audio places. Choosing one, clearing one and uploading to
// one each change that place only and keep the others; a refused file or
// another company's recording shows the reason on its place and changes
// nothing; another company's administrator gets 404.
func TestCallCentreAudio(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx, a, f := context.Background(), env.App, env.Fixture
		sv := env.SeedService(t)
		if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID,
			[]int64{sv.Packages["Call Centre"].ID}); err != nil {
			t.Fatal(err)
		}
		admin := env.Actor("acme.admin")
		leeds := audio.Owner{Kind: "site", ID: f.Leeds.ID}
		welcome, err := a.Audio.Upload(ctx, admin, leeds, "Welcome", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		waiting, err := a.Audio.Upload(ctx, admin, leeds, "Still waiting", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		env.AddCast(t)
		foreign, err := a.Audio.Upload(ctx, env.Actor("globex.admin"), audio.Owner{Kind: "site", ID: f.Reading.ID}, "Globex", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		ref := func(it audio.Item) string { return `{"audio_id":` + id(it.ID) + `}` }
		if _, err := a.Features.Configure(ctx, admin, features.Site(f.Leeds.ID), features.CodeCallCentre, []byte(`{"queues":[{"name":"Support","extension":"3100",
			"policy":"circular","queue_length":10,"agents":[],"entrance":{"enabled":true,"audio":`+ref(welcome)+`},
			"comfort":{"enabled":true,"seconds":45,"audio":`+ref(waiting)+`},"on_hold":null,
			"overflow":{"action":"busy","seconds":120,"message":{"enabled":true,"audio":`+ref(welcome)+`}}}]}`)); err != nil {
			t.Fatal(err)
		}
		queue := func() features.CallCentreQueue {
			t.Helper()
			c, err := a.Features.FeatureConfig(ctx, admin, features.Site(f.Leeds.ID), features.CodeCallCentre)
			if err != nil {
				t.Fatal(err)
			}
			qs := c.Settings.(*features.CallCentre).Queues
			if len(qs) != 1 {
				t.Fatalf("queues: %+v", qs)
			}
			return qs[0]
		}
		refID := func(r *features.AudioRef) int64 {
			if r == nil {
				return 0
			}
			return r.AudioID
		}
		want := func(what string, entrance, comfort, onHold, overflow int64) {
			t.Helper()
			q := queue()
			if got := [4]int64{refID(q.Entrance.Audio), refID(q.Comfort.Audio), refID(q.OnHold), refID(q.Overflow.Message.Audio)}; got != [4]int64{entrance, comfort, onHold, overflow} {
				t.Errorf("%s: entrance, comfort, on hold, overflow recordings %v, want %v", what, got, [4]int64{entrance, comfort, onHold, overflow})
			}
		}
		qid := id(queue().ID)
		form := "/sites/" + id(f.Leeds.ID) + "/features/call_centre"
		fields := func(entrance, comfort, onHold, overflow string) url.Values {
			return url.Values{"queues[0].id": {qid}, "queues[0].name": {"Support"}, "queues[0].extension": {"3100"}, "queues[0].policy": {"circular"},
				"queues[0].queue_length": {"10"}, "queues[0].entrance.enabled": {"on"}, "queues[0].comfort.enabled": {"on"},
				"queues[0].comfort.seconds": {"45"}, "queues[0].overflow.action": {"busy"}, "queues[0].overflow.seconds": {"120"},
				"queues[0].overflow.message.enabled": {"on"},
				"queues[0].entrance.audio.audio_id":  {entrance}, "queues[0].comfort.audio.audio_id": {comfort},
				"queues[0].on_hold.audio_id": {onHold}, "queues[0].overflow.message.audio.audio_id": {overflow}}
		}

		b := newBrowser(t, env)
		b.login("acme.admin", false)
		pg := b.get(form)
		mustContain(t, "the call centre form", pg, http.StatusOK, `enctype="multipart/form-data"`, `name="queues[0].on_hold.file"`,
			`name="queues[1].entrance.audio.file"`, `src="/recordings/`+id(welcome.ID)+`"`)
		for place, current := range map[string]string{"queues[0].entrance.audio": "Welcome", "queues[0].comfort.audio": "Still waiting",
			"queues[0].on_hold": "none: the system's audio plays", "queues[0].overflow.message.audio": "Welcome"} {
			if blk := placeBlock(t, pg.Body, place); !strings.Contains(blk, "Current Selection: ") || !strings.Contains(blk, current) {
				t.Errorf("%s shows %q, want its Current Selection %q", place, blk, current)
			}
		}
		if strings.Contains(pg.Body, `type="hidden" name="queues[0].entrance.audio.audio_id"`) {
			t.Error("the entrance message's recording is still a hidden field")
		}

		// Refusals change nothing and show their reason on the place.
		outsider := newBrowser(t, env)
		outsider.login("globex.admin", false)
		outsider.get("/profile")
		before := storetest.Counts(t, db)
		up := fields(id(welcome.ID), id(waiting.ID), "", id(welcome.ID))
		up.Set("upload", "queues[0].overflow.message.audio")
		pg = b.uploadTo(form, up, "queues[0].overflow.message.audio.file", "hold.flac", notAudio)
		if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(placeBlock(t, pg.Body, "queues[0].overflow.message.audio"), "FLAC audio is not accepted") {
			t.Errorf("a FLAC upload: %d, want 422 with the reason on the overflow message", pg.Status)
		}
		if strings.Contains(placeBlock(t, pg.Body, "queues[0].entrance.audio"), "FLAC") {
			t.Error("the refused file's reason shows on the entrance message too")
		}
		pg = b.post(form, fields(id(welcome.ID), id(waiting.ID), id(foreign.ID), id(welcome.ID)), false)
		if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(placeBlock(t, pg.Body, "queues[0].on_hold"), "does not exist in this company") {
			t.Errorf("another company's recording on hold: %d, want 422 on the on hold message", pg.Status)
		}
		if pg := outsider.uploadTo(form, up, "queues[0].overflow.message.audio.file", "tone.wav", apptest.ToneWAV()); pg.Status != http.StatusNotFound {
			t.Errorf("another company's administrator uploading to Leeds's call centre: %d, want 404", pg.Status)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		want("after the refusals", welcome.ID, waiting.ID, 0, welcome.ID)

		// Choose: the on hold message; the others are kept.
		if pg := b.post(form, fields(id(welcome.ID), id(waiting.ID), id(waiting.ID), id(welcome.ID)), false); pg.Status != http.StatusSeeOther {
			t.Fatalf("choosing the on hold message: %d\n%s", pg.Status, pg.Body)
		}
		want("after choosing", welcome.ID, waiting.ID, waiting.ID, welcome.ID)

		// [clear]: the comfort message only.
		cl := fields(id(welcome.ID), id(waiting.ID), id(waiting.ID), id(welcome.ID))
		cl.Set("clear", "queues[0].comfort.audio")
		if pg := b.post(form, cl, false); pg.Status != http.StatusSeeOther {
			t.Fatalf("[clear] of the comfort message: %d\n%s", pg.Status, pg.Body)
		}
		want("after [clear]", welcome.ID, 0, waiting.ID, welcome.ID)

		// Upload to the entrance message: stored in Leeds's library and
		// chosen, saved by Save only.
		up = fields(id(welcome.ID), "", id(waiting.ID), id(welcome.ID))
		up.Set("upload", "queues[0].entrance.audio")
		pg = b.uploadTo(form, up, "queues[0].entrance.audio.file", "Good morning.wav", apptest.ToneWAV())
		if pg.Status != http.StatusOK || !strings.Contains(placeBlock(t, pg.Body, "queues[0].entrance.audio"), "Uploaded “Good morning”") {
			t.Fatalf("an upload to the entrance message: %d\n%s", pg.Status, pg.Body)
		}
		items, err := a.Audio.Items(ctx, admin, leeds)
		if err != nil || len(items) != 3 {
			t.Fatalf("Leeds's recordings: %+v, %v", items, err)
		}
		var fresh int64
		for _, it := range items {
			if it.Name == "Good morning" {
				fresh = it.ID
			}
		}
		if !strings.Contains(placeBlock(t, pg.Body, "queues[0].entrance.audio"), `value="`+id(fresh)+`" selected`) {
			t.Errorf("the uploaded recording is not chosen on the entrance message")
		}
		want("after the upload, before Save", welcome.ID, 0, waiting.ID, welcome.ID)
		if pg := b.post(form, fields(id(fresh), "", id(waiting.ID), id(welcome.ID)), false); pg.Status != http.StatusSeeOther {
			t.Fatalf("saving the uploaded entrance message: %d\n%s", pg.Status, pg.Body)
		}
		want("after Save", fresh, 0, waiting.ID, welcome.ID)
	})
}

// TestPreAlertingAudio: the Pre-Alerting form shows its announcement as an
// audio place of the employee's own library; the employee chooses, uploads
// and clears it themselves, a refused file changes nothing, and a
// colleague gets 404.
func TestPreAlertingAudio(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx, a, f := context.Background(), env.App, env.Fixture
		sv := env.SeedService(t)
		west := env.ID("west.one")
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, west, sv.Packages["Standard"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
			t.Fatal(err)
		}
		mine := audio.Owner{Kind: "employee", ID: west}
		hello, err := a.Audio.Upload(ctx, env.Actor("west.one"), mine, "Hello", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		leedsRec, err := a.Audio.Upload(ctx, env.Actor("acme.admin"), audio.Owner{Kind: "site", ID: f.Leeds.ID}, "Leeds lobby", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		announcement := func() int64 {
			t.Helper()
			c, err := a.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Employee(west), features.CodePreAlerting)
			if err != nil {
				t.Fatal(err)
			}
			if pa := c.Settings.(*features.PreAlerting); pa.Audio != nil {
				return pa.Audio.AudioID
			}
			return 0
		}
		form := "/employees/" + id(west) + "/features/pre_alerting"
		fields := func(rec string) url.Values {
			return url.Values{"enabled": {"on"}, "when": {features.PreAlertAll}, "schedule": {""}, "audio.audio_id": {rec}}
		}

		user := newBrowser(t, env)
		user.login("west.one", false)
		pg := user.get(form)
		mustContain(t, "the pre-alerting form", pg, http.StatusOK, `enctype="multipart/form-data"`, `name="audio.file"`, `id="f-audio"`,
			`value="`+id(hello.ID)+`"`)
		if blk := placeBlock(t, pg.Body, "audio"); !strings.Contains(blk, "none: the system's audio plays") || strings.Contains(blk, "Leeds lobby") {
			t.Errorf("the announcement place offers the employee's own recordings with nothing chosen: %s", blk)
		}

		// Refusals: a file that is no WAV or MP3, and a colleague's upload.
		env.AddCast(t)
		colleague := newBrowser(t, env)
		colleague.login("support.one", false)
		colleague.get("/profile")
		before := storetest.Counts(t, db)
		up := fields("")
		up.Set("upload", "audio")
		pg = user.uploadTo(form, up, "audio.file", "hello.flac", notAudio)
		if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(placeBlock(t, pg.Body, "audio"), "FLAC audio is not accepted") {
			t.Errorf("a FLAC announcement: %d, want 422 with the reason on the announcement", pg.Status)
		}
		if pg := colleague.uploadTo(form, up, "audio.file", "tone.wav", apptest.ToneWAV()); pg.Status != http.StatusNotFound {
			t.Errorf("a colleague uploading West's announcement: %d, want 404", pg.Status)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if got := announcement(); got != 0 {
			t.Errorf("after the refusals the announcement is %d, want none", got)
		}

		// Choose: their own; then one of the site's, chosen by an
		// administrator, is the Current Selection of the administrator's
		// form.
		if pg := user.post(form, fields(id(hello.ID)), false); pg.Status != http.StatusSeeOther {
			t.Fatalf("choosing the announcement: %d\n%s", pg.Status, pg.Body)
		}
		if got := announcement(); got != hello.ID {
			t.Errorf("announcement %d, want %d", got, hello.ID)
		}
		if _, err := a.Features.Configure(ctx, env.Actor("acme.admin"), features.Employee(west), features.CodePreAlerting,
			[]byte(`{"enabled":true,"when":"all","audio":{"audio_id":`+id(leedsRec.ID)+`}}`)); err != nil {
			t.Fatal(err)
		}
		admin := newBrowser(t, env)
		admin.login("acme.admin", false)
		// The administrator and the employee both see which recording it
		// is and play it as West's announcement; as a recording of the
		// site's library it stays closed to the employee, and a colleague
		// plays it neither way.
		play := "/recordings/" + id(leedsRec.ID) + "?for=employee%3A" + id(west)
		for _, who := range []struct {
			name string
			b    *browser
		}{{"acme.admin", admin}, {"west.one", user}} {
			blk := placeBlock(t, who.b.get(form).Body, "audio")
			if !strings.Contains(blk, "Leeds lobby") || !strings.Contains(blk, `src="`+play+`"`) || strings.Contains(blk, "deleted") {
				t.Errorf("%s: a recording chosen elsewhere is not the Current Selection: %s", who.name, blk)
			}
			if pg := who.b.get(play); pg.Status != http.StatusOK || !strings.HasPrefix(pg.Body, "RIFF") {
				t.Errorf("%s playing West's announcement: %d", who.name, pg.Status)
			}
		}
		if pg := user.get("/recordings/" + id(leedsRec.ID)); pg.Status != http.StatusNotFound {
			t.Errorf("the employee plays the site's recording outside their feature: %d, want 404", pg.Status)
		}
		if pg := colleague.get(play); pg.Status != http.StatusNotFound {
			t.Errorf("a colleague plays West's announcement: %d, want 404", pg.Status)
		}

		// Upload: into the employee's library, chosen; Save sets it.
		up = fields(id(leedsRec.ID))
		up.Set("upload", "audio")
		pg = user.uploadTo(form, up, "audio.file", "Sales team.wav", apptest.ToneWAV())
		if pg.Status != http.StatusOK || !strings.Contains(placeBlock(t, pg.Body, "audio"), "Uploaded “Sales team”") {
			t.Fatalf("an announcement upload: %d\n%s", pg.Status, pg.Body)
		}
		items, err := a.Audio.Items(ctx, env.Actor("west.one"), mine)
		if err != nil || len(items) != 2 {
			t.Fatalf("West's recordings: %+v, %v", items, err)
		}
		fresh := items[0].ID
		if items[0].Name != "Sales team" {
			fresh = items[1].ID
		}
		if got := announcement(); got != leedsRec.ID {
			t.Errorf("the upload saved the announcement (%d) before Save", got)
		}
		if pg := user.post(form, fields(id(fresh)), false); pg.Status != http.StatusSeeOther {
			t.Fatalf("saving the uploaded announcement: %d\n%s", pg.Status, pg.Body)
		}
		if got := announcement(); got != fresh {
			t.Errorf("announcement %d, want the upload %d", got, fresh)
		}

		// [clear]: back to the system's announcement, the rest kept.
		cl := fields(id(fresh))
		cl.Set("clear", "audio")
		if pg := user.post(form, cl, false); pg.Status != http.StatusSeeOther {
			t.Fatalf("[clear]: %d\n%s", pg.Status, pg.Body)
		}
		c, err := a.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Employee(west), features.CodePreAlerting)
		if err != nil {
			t.Fatal(err)
		}
		if pa := c.Settings.(*features.PreAlerting); pa.Audio != nil || !pa.Enabled || pa.When != features.PreAlertAll {
			t.Errorf("after [clear]: %+v", pa)
		}
	})
}

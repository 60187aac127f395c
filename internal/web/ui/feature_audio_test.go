package ui_test

import (
	"bytes"
	"context"
	"mime/multipart"
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

// uploadTo posts a multipart form with fields and one file in field.
func (b *browser) uploadTo(path string, fields url.Values, field, filename string, data []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", b.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.env.Server.URL+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// leedsWithFeature seeds the service, gives Leeds the Site Essentials
// package and configures code there with settings.
func leedsWithFeature(t *testing.T, env *apptest.Env, code, settings string) apptest.Service {
	t.Helper()
	ctx, f := context.Background(), env.Fixture
	sv := env.SeedService(t)
	if _, err := env.App.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Features.Configure(ctx, env.Actor("acme.admin"), features.Site(f.Leeds.ID), code, []byte(settings)); err != nil {
		t.Fatal(err)
	}
	return sv
}

// silentWAV is a recording the library refuses: a WAV of silence.
func silentWAV() []byte {
	wav := apptest.ToneWAV()
	for i := 44; i < len(wav); i++ {
		wav[i] = 0
	}
	return wav
}

// TestFeatureFormAudio: the audio places of the feature forms refuse what
// the audio package refuses (a silent recording, on its field) and another
// company's recording, change nothing when they refuse, and answer another
// company's administrator as for a missing page.
func TestFeatureFormAudio(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx, a, f := context.Background(), env.App, env.Fixture
		sv := leedsWithFeature(t, env, features.CodeAutoAttendant, `{"attendants":[{"name":"Main","extension":"3000"}]}`)
		west := env.ID("west.one")
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, west, sv.Packages["Standard"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
			t.Fatal(err)
		}
		env.AddCast(t)
		foreign, err := a.Audio.Upload(ctx, env.Actor("globex.admin"), audio.Owner{Kind: "site", ID: f.Reading.ID}, "Globex", apptest.ToneWAV())
		if err != nil {
			t.Fatal(err)
		}
		silent := silentWAV()
		place := "attendants[0].business_hours_menu.greeting"
		aaForm := "/sites/" + id(f.Leeds.ID) + "/features/auto_attendant"
		fields := url.Values{"attendants[0].name": {"Main"}, "attendants[0].extension": {"3000"}, "attendants[0].id": {"1"}, "upload": {place}}

		admin := newBrowser(t, env)
		admin.login("acme.admin", false)
		if pg := admin.get(aaForm); pg.Status != 200 || !strings.Contains(pg.Body, `enctype="multipart/form-data"`) || !strings.Contains(pg.Body, "Current Selection") {
			t.Fatalf("the auto attendant form: %d", pg.Status)
		}
		var outsiders []*browser
		for _, outsider := range apptest.Outsiders {
			if outsider == "other.operator" || outsider == "other.reseller" || outsider == "reseller.admin" {
				continue // provider-side accounts: their pages are the provider's, covered by the API's tests
			}
			b := newBrowser(t, env)
			b.login(outsider, false)
			b.get("/profile")
			outsiders = append(outsiders, b)
		}
		before := storetest.Counts(t, db)
		pg := admin.uploadTo(aaForm, fields, place+".file", "quiet.wav", silent)
		if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(strings.ToLower(pg.Body), "the recording is silent") {
			t.Errorf("a silent upload: %d, want 422 saying it is silent", pg.Status)
		}
		vm := "/employees/" + id(west) + "/features/voicemail"
		admin.get(vm)
		pg = admin.post(vm, url.Values{"enabled": {"on"}, "rings": {"4"}, "greetings.busy.audio_id": {id(foreign.ID)}}, false)
		if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(strings.ToLower(pg.Body), "does not exist in this company") {
			t.Errorf("another company's recording as a greeting: %d, want 422 saying it does not exist", pg.Status)
		}
		for _, b := range outsiders {
			if pg := b.uploadTo(aaForm, fields, place+".file", "tone.wav", apptest.ToneWAV()); pg.Status != http.StatusNotFound {
				t.Errorf("an outsider uploading to Acme's auto attendant: %d, want 404", pg.Status)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		// The upload itself, then Save: the greeting is set.
		pg = admin.uploadTo(aaForm, fields, place+".file", "hello.wav", apptest.ToneWAV())
		if pg.Status != 200 || !strings.Contains(pg.Body, "Save to use it") {
			t.Fatalf("an upload: %d", pg.Status)
		}
		items, err := a.Audio.Items(ctx, env.Actor("acme.admin"), audio.Owner{Kind: "site", ID: f.Leeds.ID})
		if err != nil || len(items) != 1 || items[0].Name != "hello" {
			t.Fatalf("Leeds's recordings: %+v, %v", items, err)
		}
	})
}

// TestRecordingUploadRefusals: both Upload buttons of an audio place (a
// feature form's and the bulk wizard's) share one upload: no file chosen,
// or a file the library refuses, comes back on the place with the reason
// and changes nothing.
func TestRecordingUploadRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		leedsWithFeature(t, env, features.CodeAutoAttendant, `{"attendants":[{"name":"Main","extension":"3000"}]}`)
		silent := silentWAV()
		place := "attendants[0].business_hours_menu.greeting"
		aaForm := "/sites/" + id(f.Leeds.ID) + "/features/auto_attendant"
		formFields := url.Values{"attendants[0].name": {"Main"}, "attendants[0].extension": {"3000"}, "attendants[0].id": {"1"}, "upload": {place}}
		wizardFields := url.Values{"kind": {"site"}, "ref": {id(f.Leeds.ID)}, "target": {id(f.London.ID)}, "slot": {"auto_attendant.business_hours_greeting"}}

		admin := newBrowser(t, env)
		admin.login("acme.admin", false)
		admin.get(aaForm)
		before := storetest.Counts(t, db)
		cases := []struct {
			name, path string
			fields     url.Values
			file       string
			data       []byte
			want       string
		}{
			{"feature form, no file", aaForm, formFields, place + ".file", nil, "choose the file to upload first (choose file), then upload."},
			{"feature form, silent file", aaForm, formFields, place + ".file", silent, "the recording is silent"},
			{"bulk wizard, no file", "/bulk-features/audio", wizardFields, "file", nil, "choose the file to upload first (choose file), then upload."},
			{"bulk wizard, silent file", "/bulk-features/audio", wizardFields, "file", silent, "the recording is silent"},
		}
		for _, c := range cases {
			pg := admin.uploadTo(c.path, c.fields, c.file, "quiet.wav", c.data)
			// On the place's own error line, not an error page.
			if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(strings.ToLower(pg.Body), `-err"><p class="err">`+c.want) {
				t.Errorf("%s: %d, want 422 saying %q on the place", c.name, pg.Status, c.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}

package ui

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/features"
)

// Recordings of a site or an employee (docs/audio.md): the greetings,
// announcements and music on hold their features play.
//
//	GET  /sites/{id}/recordings, /employees/{id}/recordings   list with a player, upload form
//	POST the same                                             upload (multipart, field "file")
//	POST /recordings/{id}/delete                              delete
//	GET  /recordings/{id}.wav                                 the player's source
func init() {
	pageNames = append(pageNames, "recordings")
	flashes["recording-added"] = "The recording has been uploaded. Features can now play it."
	flashes["recording-deleted"] = "The recording has been deleted. Features that used it play the system's audio."
}

func (p *Pages) registerRecordings(auth func(string, handlerFunc)) {
	auth("GET /sites/{id}/recordings", p.recordingsOf(features.OwnerSite))
	auth("POST /sites/{id}/recordings", p.recordingUpload(features.OwnerSite))
	auth("GET /employees/{id}/recordings", p.recordingsOf(features.OwnerEmployee))
	auth("POST /employees/{id}/recordings", p.recordingUpload(features.OwnerEmployee))
	auth("POST /recordings/{id}/delete", p.recordingDelete)
	auth("GET /recordings/{id}", p.recordingWAV)
}

type recordingsPage struct {
	Name  string
	Base  string
	Back  string
	Items []audio.Item
	Form  *form
}

func (p *Pages) recordingsOf(kind features.OwnerKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return p.renderRecordings(w, r, http.StatusOK, kind, newForm(nil))
	}
}

func (p *Pages) renderRecordings(w http.ResponseWriter, r *http.Request, status int, kind features.OwnerKind, f *form) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	items, err := p.app.Audio.Items(r.Context(), actorOf(r), audio.Owner{Kind: string(kind), ID: id})
	if err != nil {
		return err
	}
	o := features.Owner{Kind: kind, ID: id}
	v, name, err := p.featuresView(r, o, "Recordings")
	if err != nil {
		return err
	}
	base := featuresBase(o)
	v.Data = recordingsPage{Name: name, Base: strings.TrimSuffix(base, "/features") + "/recordings", Back: base, Items: items, Form: f}
	p.render(w, r, status, "recordings", v)
	return nil
}

// recordingUpload mirrors POST /api/v1/{sites|employees}/{id}/audio.
func (p *Pages) recordingUpload(kind features.OwnerKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, audio.DefaultMaxBytes+1<<20)
		f := newForm(nil)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			f.add("file", "The file could not be read: choose a WAV or MP3 file of at most 64 MB.")
			return p.renderRecordings(w, r, http.StatusUnprocessableEntity, kind, f)
		}
		f = newForm(r.MultipartForm.Value)
		file, hdr, err := r.FormFile("file")
		if errors.Is(err, http.ErrMissingFile) {
			f.add("file", "Choose the file to upload.")
			return p.renderRecordings(w, r, http.StatusUnprocessableEntity, kind, f)
		}
		if err != nil {
			return err
		}
		defer file.Close()
		data, err := io.ReadAll(file)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(f.V("name"))
		if name == "" {
			name = strings.TrimSuffix(hdr.Filename, ".wav")
			name = strings.TrimSuffix(name, ".mp3")
		}
		_, err = p.app.Audio.Upload(r.Context(), actorOf(r), audio.Owner{Kind: string(kind), ID: id}, name, data)
		if err == nil {
			redirectFlash(w, r, strings.TrimSuffix(featuresBase(features.Owner{Kind: kind, ID: id}), "/features")+"/recordings", "recording-added")
			return nil
		}
		if !f.addErr(err, "file", "name") {
			return err
		}
		return p.renderRecordings(w, r, http.StatusUnprocessableEntity, kind, f)
	}
}

func (p *Pages) recordingDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	it, err := p.app.Audio.Item(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if err := p.app.Audio.Delete(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	back := "/employees/" + itoa64(it.Owner.ID) + "/recordings"
	if it.Owner.Kind == "site" {
		back = "/sites/" + itoa64(it.Owner.ID) + "/recordings"
	}
	redirectFlash(w, r, back, "recording-deleted")
	return nil
}

// recordingWAV is the player's source: /recordings/{id}?rate=16000 for
// wideband (the default), 8000 for what a narrowband phone hears;
// ?for=employee:42 (or site:7) plays it as that owner's feature plays it
// (audio.Library.WAVFor).
func (p *Pages) recordingWAV(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wide := r.URL.Query().Get("rate") != "8000"
	var data []byte
	if via := r.URL.Query().Get("for"); via != "" {
		o, err := audio.ParseOwner("for", via)
		if err != nil {
			return err
		}
		_, data, err = p.app.Audio.WAVFor(r.Context(), actorOf(r), o, id, wide)
		if err != nil {
			return err
		}
	} else if _, data, err = p.app.Audio.WAV(r.Context(), actorOf(r), id, wide); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, err = w.Write(data)
	return err
}

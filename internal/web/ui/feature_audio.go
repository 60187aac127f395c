package ui

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
)

// Recordings inside the feature forms (docs/audio.md, "In the feature
// forms"): each place a feature plays audio shows its Current Selection
// (name, duration, a player) with [clear], a choice among the owner's
// recordings, and Choose File to upload a new one there. Each button is one
// domain call: Upload stores the file in the owner's library
// (audio.Library.Upload) and shows the form again with it chosen; Save and
// [clear] save the settings (features.Configure).

// audioPick is one such place in a form.
type audioPick struct {
	Path    string // the settings path: greetings.busy, audio, attendants[0].business_hours_menu.greeting
	Label   string
	ID      string // the select's id, where the error summary links
	FileID  string
	Current *audio.Item
	// Play is the player's source for Current.
	Play string
	// Selected is the chosen recording's id ("" for the system's audio);
	// Missing when it cannot be read any more (deleted).
	Selected string
	Missing  bool
	Options  []audioOption
	Note     string
	Errs     []string
}

type audioOption struct {
	ID, Label string
	Selected  bool
}

// audioPlaces lists the audio places of code's form: the settings path and
// its label. Auto Attendant's and Call Centre's are listed for the
// attendants and queues of the form (the filled ones and the blank one).
func audioPlaces(code string, f *form) [][2]string {
	switch code {
	case features.CodeVoicemail:
		return [][2]string{{"greetings.busy", "Busy greeting"}, {"greetings.no_answer", "No answer greeting"}}
	case features.CodeMusicOnHold:
		return [][2]string{{"audio", "Music or message"}}
	case features.CodePreAlerting:
		return [][2]string{{"audio", "Announcement"}}
	case features.CodeAutoAttendant:
		var out [][2]string
		for _, row := range rows(f, "attendants", "name", 50) {
			for _, m := range [][2]string{{"business_hours_menu", "Business hours greeting"}, {"after_hours_menu", "After hours greeting"}, {"holiday_menu", "Holiday greeting"}} {
				out = append(out, [2]string{fmt.Sprintf("attendants[%d].%s.greeting", row.I, m[0]), m[1]})
			}
		}
		return out
	case features.CodeCallCentre:
		var out [][2]string
		for _, row := range rows(f, "queues", "name", 50) {
			for _, m := range [][2]string{{"entrance.audio", "Entrance message"}, {"comfort.audio", "Comfort message"}, {"on_hold", "On hold message"}, {"overflow.message.audio", "Overflow message"}} {
				out = append(out, [2]string{fmt.Sprintf("queues[%d].%s", row.I, m[0]), m[1]})
			}
		}
		return out
	}
	return nil
}

// audioRef is the settings value of an audio place: null (the system's
// audio) or {"audio_id": n}; a value that is no number goes to the service,
// which names the field.
func audioRef(f *form, place string) any {
	s := strings.TrimSpace(f.V(place + ".audio_id"))
	if s == "" {
		return nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return map[string]any{"audio_id": n}
	}
	return map[string]any{"audio_id": s}
}

// audioPicks builds the audio places of the form. What it shows is read
// with the actor's own rights: the owner's library (Items), and a chosen
// recording of another library as the owner's saved settings use it
// (ItemFor); one the actor may not read that way shows as deleted.
func (p *Pages) audioPicks(r *http.Request, o features.Owner, code string, f *form) (map[string]audioPick, error) {
	places := audioPlaces(code, f)
	if len(places) == 0 {
		return nil, nil
	}
	ctx, actor := r.Context(), actorOf(r)
	items, err := p.app.Audio.Items(ctx, actor, audio.Owner{Kind: string(o.Kind), ID: o.ID})
	if err := onlyFault(err); err != nil {
		return nil, err
	}
	out := map[string]audioPick{}
	for _, pl := range places {
		pk := audioPick{Path: pl[0], Label: pl[1], ID: f.ID(pl[0]), FileID: f.ID(pl[0] + ".file"), Selected: strings.TrimSpace(f.V(pl[0] + ".audio_id")),
			Note: f.V(pl[0] + ".note"), Errs: append(append([]string{}, f.E(pl[0])...), f.E(pl[0]+".audio_id")...)}
		listed := false
		for i := range items {
			it := &items[i]
			id := strconv.FormatInt(it.ID, 10)
			sel := id == pk.Selected
			if sel {
				pk.Current, listed = it, true
				pk.Play = "/recordings/" + id
			}
			pk.Options = append(pk.Options, audioOption{ID: id, Label: fmt.Sprintf("%s (%.1f s)", it.Name, it.Duration), Selected: sel})
		}
		if pk.Selected != "" && !listed {
			label := "Recording no. " + pk.Selected + " (deleted: the system's audio plays)"
			if id, err := strconv.ParseInt(pk.Selected, 10, 64); err == nil {
				// A recording of another library that the owner's saved
				// settings use (an administrator chose a site's
				// announcement for an employee) reads as itself.
				via := audio.Owner{Kind: string(o.Kind), ID: o.ID}
				it, err := p.app.Audio.ItemFor(ctx, actor, via, id)
				if err == nil {
					pk.Current, pk.Play = &it, fmt.Sprintf("/recordings/%d?for=%s", it.ID, url.QueryEscape(via.String()))
					label = fmt.Sprintf("%s (%.1f s)", it.Name, it.Duration)
				} else if err := onlyFault(err); err != nil {
					return nil, err
				}
			}
			pk.Missing = pk.Current == nil
			pk.Options = append([]audioOption{{ID: pk.Selected, Label: label, Selected: true}}, pk.Options...)
		}
		out[pl[0]] = pk
	}
	return out, nil
}

// readFeatureForm reads a Configure form, which is multipart when it has
// audio places. [clear] empties its place before the save. Upload (or Save
// with a file chosen) stores the file in the owner's library and shows the
// form again with it chosen — that request's one domain call; done is true
// then and the page is written.
func (p *Pages) readFeatureForm(w http.ResponseWriter, r *http.Request, o features.Owner, code string) (f *form, done bool, err error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseForm(); err != nil {
			return nil, false, derrors.Invalid("", "the form could not be read")
		}
		f = newForm(r.PostForm)
	} else {
		if err := parseRecordingForm(w, r); err != nil {
			return nil, false, err
		}
		f = newForm(r.MultipartForm.Value)
	}
	if place := f.V("clear"); place != "" {
		f.Values.Del(place + ".audio_id")
	}
	place, file := f.V("upload"), (*multipart.FileHeader)(nil)
	if r.MultipartForm != nil {
		for _, pl := range audioPlaces(code, f) {
			if fh := r.MultipartForm.File[pl[0]+".file"]; len(fh) > 0 && fh[0].Size > 0 && (place == "" || place == pl[0]) {
				place, file = pl[0], fh[0]
				break
			}
		}
	}
	if place == "" {
		return f, false, nil
	}
	it, ok, err := p.uploadRecording(r, audio.Owner{Kind: string(o.Kind), ID: o.ID}, file, f, place)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return f, true, p.renderFeatureConfig(w, r, http.StatusUnprocessableEntity, o, code, f)
	}
	f.Values.Set(place+".audio_id", strconv.FormatInt(it.ID, 10))
	f.Values.Set(place+".note", fmt.Sprintf("Uploaded “%s” (%.1f s) and chose it: Save to use it.", it.Name, it.Duration))
	return f, true, p.renderFeatureConfig(w, r, http.StatusOK, o, code, f)
}

// parseRecordingForm reads a multipart form that carries a recording (a
// feature form's Upload, the bulk wizard's), refusing a body larger than a
// recording may be.
func parseRecordingForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, audio.DefaultMaxBytes+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return derrors.Invalid("", "the form could not be read: a recording is a WAV or MP3 file of at most 64 MB")
	}
	return nil
}

// uploadRecording is the Upload button of an audio place (a feature form's,
// the bulk wizard's): it stores the file chosen for field (fh; nil or empty
// when none was) in the owner's library (audio.Library.Upload), named after
// the file. When there is no file, or the library refuses it, the reason is
// on the form at field and ok is false; err is an error that is not the
// file's.
func (p *Pages) uploadRecording(r *http.Request, owner audio.Owner, fh *multipart.FileHeader, f *form, field string) (it audio.Item, ok bool, err error) {
	if fh == nil || fh.Size == 0 {
		f.add(field, "Choose the file to upload first (Choose File), then Upload.")
		return audio.Item{}, false, nil
	}
	data, err := readUpload(fh)
	if err != nil {
		return audio.Item{}, false, err
	}
	name := strings.TrimSuffix(path.Base(fh.Filename), path.Ext(fh.Filename))
	it, err = p.app.Audio.Upload(r.Context(), actorOf(r), owner, name, data)
	if err != nil {
		if f.addAllOn(field, err, false, derrors.KindInvalid) {
			return audio.Item{}, false, nil
		}
		return audio.Item{}, false, err
	}
	return it, true, nil
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	file, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("ui: read the upload: %w", err)
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, derrors.Invalid("file", "the file arrived incomplete: upload it again")
	}
	return data, err
}

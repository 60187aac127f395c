package ui

import (
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
)

// The wizard's audio mapping step (docs/features.md, "Audio mappings"):
// for each greeting the reference's features take, Current Selection with a
// player and [clear], a choice among the reference's recordings, and Choose
// File, which uploads into the reference's library (one domain call,
// POST /bulk-features/audio) and comes back to the wizard with it chosen.
// The mapping travels in the wizard's query as audio.<slot>=<recording>.

// bulkAudio is one slot of the step.
type bulkAudio struct {
	Slot features.AudioSlot
	audioPick
}

// wizardAudio builds the step for the reference: the slots whose feature
// the reference has active (a call group's, configured), with the mapping
// chosen so far. The reference's recordings are read with the actor's own
// rights (display only).
func (p *Pages) wizardAudio(r *http.Request, ref features.Owner, fs []features.Feature, q url.Values, f *form) ([]bulkAudio, error) {
	ctx, a := r.Context(), actorOf(r)
	on := map[string]features.Feature{}
	for _, x := range fs {
		on[x.Code] = x
	}
	var items []audio.Item
	var out []bulkAudio
	read := false
	for _, sl := range features.AudioSlots(ref.Kind) {
		x, ok := on[sl.Code]
		if !ok || !x.Active || (sl.CallGroup && !x.Configured) {
			continue
		}
		if !read {
			var err error
			items, err = p.app.Audio.Items(ctx, a, audio.Owner{Kind: string(ref.Kind), ID: ref.ID})
			if err := onlyFault(err); err != nil {
				return nil, err
			}
			read = true
		}
		key := "audio." + sl.Key
		b := bulkAudio{Slot: sl, audioPick: audioPick{Path: key, Label: sl.Name, ID: fieldID(key), FileID: fieldID(key + ".file"),
			Errs: f.E(key)}}
		if q.Get("clear") != sl.Key {
			b.Selected = strings.TrimSpace(q.Get(key))
		}
		for i := range items {
			id := strconv.FormatInt(items[i].ID, 10)
			if id == b.Selected {
				b.Current = &items[i]
			}
			b.Options = append(b.Options, audioOption{ID: id, Label: fmt.Sprintf("%s (%.1f s)", items[i].Name, items[i].Duration), Selected: id == b.Selected})
		}
		if b.Selected != "" && b.Current == nil {
			b.Missing = true
			b.Options = append([]audioOption{{ID: b.Selected, Label: "Recording no. " + b.Selected, Selected: true}}, b.Options...)
		}
		out = append(out, b)
	}
	return out, nil
}

// wizardMappings reads the mappings of a submitted wizard, in the slots'
// order.
func wizardMappings(kind features.OwnerKind, vals url.Values) []features.AudioMapping {
	var out []features.AudioMapping
	for _, sl := range features.AudioSlots(kind) {
		s := strings.TrimSpace(vals.Get("audio." + sl.Key))
		if s == "" {
			continue
		}
		id, _ := strconv.ParseInt(s, 10, 64) // not a number: 0, which the service refuses as missing
		out = append(out, features.AudioMapping{Slot: sl.Key, AudioID: id})
	}
	return out
}

// bulkAudioUpload stores a file chosen in the wizard in the reference's
// library (audio.Library.Upload) and returns to the wizard with it mapped;
// a refused file comes back on its slot with the reason.
func (p *Pages) bulkAudioUpload(w http.ResponseWriter, r *http.Request) error {
	if err := parseRecordingForm(w, r); err != nil {
		return err
	}
	vals := r.MultipartForm.Value
	kind := features.OwnerKind(r.FormValue("kind"))
	ref, _ := strconv.ParseInt(r.FormValue("ref"), 10, 64)
	slot := r.FormValue("slot")
	if _, ok := audioSlotOf(kind, slot); !ok || ref <= 0 {
		return derrors.Invalid("slot", "choose the greeting the file is for")
	}
	key := "audio." + slot
	f := newForm(nil)
	var file *multipart.FileHeader
	if fh := r.MultipartForm.File["file"]; len(fh) > 0 {
		file = fh[0]
	}
	it, ok, err := p.uploadRecording(r, audio.Owner{Kind: string(kind), ID: ref}, file, f, key)
	if err != nil {
		return err
	}
	if !ok {
		return p.renderWizard(w, r, http.StatusUnprocessableEntity, f)
	}
	next := url.Values{}
	for k, v := range vals {
		if k != "csrf_token" && k != "slot" {
			next[k] = v
		}
	}
	next.Set(key, strconv.FormatInt(it.ID, 10))
	next.Set("step", "summary")
	http.Redirect(w, r, "/bulk-features/new?"+next.Encode()+"#audio-h", http.StatusSeeOther)
	return nil
}

func audioSlotOf(kind features.OwnerKind, key string) (features.AudioSlot, bool) {
	for _, sl := range features.AudioSlots(kind) {
		if sl.Key == key {
			return sl, true
		}
	}
	return features.AudioSlot{}, false
}

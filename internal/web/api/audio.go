package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// audioRoutes are the recordings features play (docs/audio.md).
func audioRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/sites/{id}/audio", fn: func(h *Handler) handlerFunc { return h.uploadAudio("site") }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/audio", fn: func(h *Handler) handlerFunc { return h.uploadAudio("employee") }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/audio", fn: func(h *Handler) handlerFunc { return h.listAudio("site") }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/audio", fn: func(h *Handler) handlerFunc { return h.listAudio("employee") }},
		{Method: "GET", Pattern: "/api/v1/audio/{id}", fn: func(h *Handler) handlerFunc { return h.getAudio }},
		{Method: "DELETE", Pattern: "/api/v1/audio/{id}", fn: func(h *Handler) handlerFunc { return h.deleteAudio }},
	}
}

// maxAudioBody bounds an upload: ten minutes of CD-quality stereo WAV.
const maxAudioBody = audio.DefaultMaxBytes

var audioTypes = map[string]bool{"audio/wav": true, "audio/x-wav": true, "audio/wave": true, "audio/vnd.wave": true,
	"audio/mpeg": true, "audio/mp3": true, "application/octet-stream": true}

func (h *Handler) uploadAudio(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || !audioTypes[mt] {
			return &malformedError{status: http.StatusUnsupportedMediaType, typ: ProblemUnsupportedType,
				detail: "send the recording as audio/wav or audio/mpeg (WAV or MP3)"}
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAudioBody))
		if errors.As(err, new(*http.MaxBytesError)) {
			return &malformedError{status: http.StatusRequestEntityTooLarge, typ: ProblemMalformed,
				detail: fmt.Sprintf("a recording is at most %d MiB", maxAudioBody>>20)}
		}
		if err != nil {
			return err
		}
		it, err := h.app.Audio.Upload(r.Context(), actor(r), audio.Owner{Kind: kind, ID: id}, r.URL.Query().Get("name"), data)
		if err != nil {
			return err
		}
		w.Header().Set("Location", fmt.Sprintf("/api/v1/audio/%d", it.ID))
		WriteJSON(w, http.StatusCreated, it)
		return nil
	}
}

func (h *Handler) listAudio(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		items, err := h.app.Audio.Items(r.Context(), actor(r), audio.Owner{Kind: kind, ID: id})
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, list(items, len(items), pageOf(len(items))))
		return nil
	}
}

// getAudio answers the recording as WAV: ?rate=8000 (the default) or
// 16000; ?for=employee:42 (or site:7) as that owner's features play it.
func (h *Handler) getAudio(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wide := false
	switch r.URL.Query().Get("rate") {
	case "", "8000":
	case "16000":
		wide = true
	default:
		return derrors.Invalid("rate", "rate is 8000 or 16000")
	}
	var data []byte
	if via := r.URL.Query().Get("for"); via != "" {
		o, err := audio.ParseOwner("for", via)
		if err != nil {
			return err
		}
		if _, data, err = h.app.Audio.WAVFor(r.Context(), actor(r), o, id, wide); err != nil {
			return err
		}
	} else if _, data, err = h.app.Audio.WAV(r.Context(), actor(r), id, wide); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "audio/wav")
	_, err = w.Write(data)
	return err
}

func (h *Handler) deleteAudio(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Audio.Delete(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

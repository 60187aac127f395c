package features

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// UsesAudio answers whether the saved feature settings of a site or an
// employee refer to recording audioID ({"audio_id": n} anywhere in them).
// It is a fact for the audio library, which decides who may read a
// recording a feature plays (audio.Library.ItemFor); it checks no actor.
// An owner that does not exist uses nothing.
func (s *Service) UsesAudio(ctx context.Context, ownerKind string, ownerID, audioID int64) (bool, error) {
	w, err := s.load(ctx, Owner{Kind: OwnerKind(ownerKind), ID: ownerID})
	if errors.Is(err, derrors.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("features: audio of %s %d: %w", ownerKind, ownerID, err)
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return false, fmt.Errorf("features: audio of %s %d: %w", ownerKind, ownerID, err)
	}
	for code, raw := range doc.Settings {
		refs, err := audioRefs(raw)
		if err != nil {
			return false, fmt.Errorf("features: audio of %s %d, %s: %w", ownerKind, ownerID, code, err)
		}
		if refs[audioID] {
			return true, nil
		}
	}
	return false, nil
}

// audioRefs are the recordings a feature's saved settings refer to
// ({"audio_id": n} anywhere in them); none when raw is empty.
func audioRefs(raw json.RawMessage) (map[int64]bool, error) {
	refs := map[int64]bool{}
	if len(raw) == 0 {
		return refs, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	collectAudio(v, refs)
	return refs, nil
}

// collectAudio adds every {"audio_id": n} of a settings value to refs.
func collectAudio(v any, refs map[int64]bool) {
	switch x := v.(type) {
	case map[string]any:
		if n, ok := x["audio_id"].(json.Number); ok {
			if id, err := n.Int64(); err == nil {
				refs[id] = true
			}
		}
		for _, e := range x {
			collectAudio(e, refs)
		}
	case []any:
		for _, e := range x {
			collectAudio(e, refs)
		}
	}
}

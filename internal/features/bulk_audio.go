package features

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// AudioCopier copies a recording into another owner's library, for Bulk
// Feature Management's audio mappings. It trusts its caller: the features
// service has checked the actor and that the recording is of companyID
// before it asks (the audio package provides it: audio.Library.CopyAudio).
type AudioCopier interface {
	CopyAudio(ctx context.Context, createdBy, companyID, audioID int64, ownerKind string, ownerID int64) (int64, error)
}

// AudioSlot is a greeting, announcement or music a bulk job can map a
// recording to (docs/features.md, "Audio mappings").
type AudioSlot struct {
	Key  string    `json:"slot"`
	Name string    `json:"name"`
	Kind OwnerKind `json:"kind"`
	Code string    `json:"feature"`
	// CallGroup slots belong to every auto attendant or call centre queue
	// of the site; the feature must be configured on the reference and on
	// the target.
	CallGroup bool `json:"call_group"`
	// refs returns the places in s the slot sets, each named by its call
	// group ("" for a feature that has one place), and what playing it
	// needs switched on (nil: nothing).
	refs func(s settings) []audioPlace
}

// audioPlace is one place an audio mapping sets.
type audioPlace struct {
	holder string
	ref    **AudioRef
	enable *bool
}

// The audio slots, in the wizard's order.
var audioSlots = []AudioSlot{
	{Key: "auto_attendant.business_hours_greeting", Name: "Auto Attendant business hours greeting", Kind: OwnerSite, Code: CodeAutoAttendant, CallGroup: true,
		refs: attendantGreeting(func(a *AutoAttendant) *Menu { return &a.BusinessHoursMenu })},
	{Key: "auto_attendant.after_hours_greeting", Name: "Auto Attendant after hours greeting", Kind: OwnerSite, Code: CodeAutoAttendant, CallGroup: true,
		refs: attendantGreeting(func(a *AutoAttendant) *Menu { return &a.AfterHoursMenu })},
	{Key: "auto_attendant.holiday_greeting", Name: "Auto Attendant holiday greeting", Kind: OwnerSite, Code: CodeAutoAttendant, CallGroup: true,
		refs: attendantGreeting(func(a *AutoAttendant) *Menu { return &a.HolidayMenu })},
	{Key: "call_centre.entrance", Name: "Call Centre entrance message", Kind: OwnerSite, Code: CodeCallCentre, CallGroup: true,
		refs: queueAudio(func(q *CallCentreQueue) (**AudioRef, *bool) { return &q.Entrance.Audio, &q.Entrance.Enabled })},
	{Key: "call_centre.comfort", Name: "Call Centre comfort message", Kind: OwnerSite, Code: CodeCallCentre, CallGroup: true,
		refs: queueAudio(func(q *CallCentreQueue) (**AudioRef, *bool) { return &q.Comfort.Audio, &q.Comfort.Enabled })},
	{Key: "call_centre.on_hold", Name: "Call Centre on hold message", Kind: OwnerSite, Code: CodeCallCentre, CallGroup: true,
		refs: queueAudio(func(q *CallCentreQueue) (**AudioRef, *bool) { return &q.OnHold, nil })},
	{Key: "call_centre.overflow", Name: "Call Centre overflow message", Kind: OwnerSite, Code: CodeCallCentre, CallGroup: true,
		refs: queueAudio(func(q *CallCentreQueue) (**AudioRef, *bool) {
			return &q.Overflow.Message.Audio, &q.Overflow.Message.Enabled
		})},
	{Key: "music_on_hold.audio", Name: "Music on Hold file", Kind: OwnerSite, Code: CodeMusicOnHold,
		refs: func(s settings) []audioPlace {
			m := s.(*MusicOnHold)
			return []audioPlace{{ref: &m.Audio, enable: &m.Enabled}}
		}},
	{Key: "voicemail.busy_greeting", Name: "Voicemail busy greeting", Kind: OwnerEmployee, Code: CodeVoicemail,
		refs: func(s settings) []audioPlace { return []audioPlace{{ref: &s.(*Voicemail).Greetings.Busy}} }},
	{Key: "voicemail.no_answer_greeting", Name: "Voicemail no answer greeting", Kind: OwnerEmployee, Code: CodeVoicemail,
		refs: func(s settings) []audioPlace { return []audioPlace{{ref: &s.(*Voicemail).Greetings.NoAnswer}} }},
}

func attendantGreeting(menu func(*AutoAttendant) *Menu) func(settings) []audioPlace {
	return func(s settings) []audioPlace {
		aa := s.(*AutoAttendants)
		out := make([]audioPlace, len(aa.Attendants))
		for i := range aa.Attendants {
			out[i] = audioPlace{holder: aa.Attendants[i].Name, ref: &menu(&aa.Attendants[i]).Greeting}
		}
		return out
	}
}

func queueAudio(place func(*CallCentreQueue) (**AudioRef, *bool)) func(settings) []audioPlace {
	return func(s settings) []audioPlace {
		cc := s.(*CallCentre)
		out := make([]audioPlace, len(cc.Queues))
		for i := range cc.Queues {
			ref, enable := place(&cc.Queues[i])
			out[i] = audioPlace{holder: cc.Queues[i].Name, ref: ref, enable: enable}
		}
		return out
	}
}

// AudioSlots lists the slots a bulk job of kind can map audio to.
func AudioSlots(kind OwnerKind) []AudioSlot {
	var out []AudioSlot
	for _, s := range audioSlots {
		if s.Kind == kind {
			out = append(out, s)
		}
	}
	return out
}

func audioSlot(kind OwnerKind, key string) (AudioSlot, bool) {
	for _, s := range audioSlots {
		if s.Kind == kind && s.Key == key {
			return s, true
		}
	}
	return AudioSlot{}, false
}

// AudioMapping maps a recording to a slot of every target.
type AudioMapping struct {
	Slot    string `json:"slot"`
	AudioID int64  `json:"audio_id"`
}

// notOnBoth is the guide's refusal of a call group's audio where the
// feature is not enabled and configured on both reference and target.
func notOnBoth(slot AudioSlot, kind OwnerKind, where string) string {
	name := featureName(kind, slot.Code)
	if !slot.CallGroup {
		return fmt.Sprintf("%s must be enabled on the reference %s and on the target %s to map its audio: it is not on %s", name, kind, kind, where)
	}
	return fmt.Sprintf("%s must be enabled and configured on both the reference %s and the target %s to map its audio (audio is copied to the %s's own %s): it is not on %s",
		name, kind, kind, kind, strings.ToLower(name), where)
}

// checkMappings checks a submission's audio mappings against the
// reference (w, doc): each slot once, of the job's kind, a recording of the
// company, and the feature enabled (and, for call groups, configured) on
// the reference.
func (s *Service) checkMappings(ctx context.Context, w owner, doc document, maps []AudioMapping) error {
	seen := map[string]bool{}
	for i, m := range maps {
		field := fmt.Sprintf("audio[%d]", i)
		slot, ok := audioSlot(w.Kind, m.Slot)
		if !ok {
			return derrors.Invalid(field+".slot", "%q is not a greeting a %s job maps: choose one of %s", m.Slot, w.Kind, slotKeys(w.Kind))
		}
		if seen[m.Slot] {
			return derrors.Invalid(field+".slot", "%s is mapped twice", slot.Name)
		}
		seen[m.Slot] = true
		if _, ok := s.Audio.(AudioCopier); !ok {
			return derrors.Invalid(field+".audio_id", "this node has no audio library")
		}
		if ok, err := s.Audio.AudioExists(ctx, w.companyID, m.AudioID); err != nil {
			return err
		} else if !ok {
			return derrors.Invalid(field+".audio_id", "recording %d does not exist: upload it first", m.AudioID)
		}
		if msg, err := s.audioApplies(ctx, w, doc, slot); err != nil {
			return err
		} else if msg != "" {
			return derrors.Invalid(field+".slot", "%s", notOnBoth(slot, w.Kind, "the reference"))
		}
	}
	return nil
}

func slotKeys(kind OwnerKind) string {
	var keys []string
	for _, s := range AudioSlots(kind) {
		keys = append(keys, s.Key)
	}
	return strings.Join(keys, ", ")
}

// audioApplies says why slot cannot take audio on w ("" when it can): its
// feature is not active there, or, for a call group, none is configured.
func (s *Service) audioApplies(ctx context.Context, w owner, doc document, slot AudioSlot) (string, error) {
	f, err := s.featureByCode(ctx, w, slot.Code)
	if derrors.IsNotFound(err) {
		return "not granted", nil
	}
	if err != nil {
		return "", err
	}
	if !f.Active {
		return "not enabled", nil
	}
	if !slot.CallGroup {
		return "", nil
	}
	d, _ := definitionFor(slot.Code, w.Kind)
	v, err := settingsOf(d, doc.Settings[slot.Code])
	if err != nil {
		return "", err
	}
	if len(slot.refs(v)) == 0 {
		return "not configured", nil
	}
	return "", nil
}

// applyAudio sets one mapping on one target inside the caller's
// transaction: the recording is copied into the target's library and set
// in every place of the slot that has none (switching on what plays it),
// validated and audited as "Copy <feature>". A place that already has
// audio keeps it: the result names those ("existed"). Nothing is written
// when no place takes it. copies holds the target's copies made so far in
// this transaction, by source: a recording mapped to several greetings is
// copied once per target.
func (s *Service) applyAudio(ctx context.Context, actor access.Actor, w owner, slot AudioSlot, audioID int64, copies map[int64]int64) (set, existed []string, err error) {
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.lockDocument(ctx, w); err != nil {
			return err
		}
		doc, err := s.document(ctx, w)
		if err != nil {
			return err
		}
		if why, err := s.audioApplies(ctx, w, doc, slot); err != nil {
			return err
		} else if why != "" {
			return derrors.Invalid("slot", "%s", notOnBoth(slot, w.Kind, w.name))
		}
		d, _ := definitionFor(slot.Code, w.Kind)
		v, err := settingsOf(d, doc.Settings[slot.Code])
		if err != nil {
			return err
		}
		var newID int64
		copied := false
		for _, p := range slot.refs(v) {
			label := p.holder
			if label == "" {
				label = w.name
			}
			if *p.ref != nil {
				existed = append(existed, label)
				continue
			}
			if newID == 0 {
				newID = copies[audioID]
			}
			if newID == 0 {
				copier, ok := s.Audio.(AudioCopier)
				if !ok {
					return fmt.Errorf("the audio library cannot copy recordings")
				}
				if newID, err = copier.CopyAudio(ctx, actor.AccountID, w.companyID, audioID, string(w.Kind), w.ID); err != nil {
					return err
				}
				copied = true
			}
			*p.ref = &AudioRef{AudioID: newID}
			if p.enable != nil {
				*p.enable = true
			}
			set = append(set, label)
		}
		if newID == 0 {
			return nil
		}
		body, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err = s.configure(ctx, actor, w, slot.Code, body, "Copy "); err != nil {
			return err
		}
		if copied {
			copies[audioID] = newID
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return set, existed, nil
}

// audioResult is an audio item's message, and whether it is in Error: a
// place kept the audio it had (the mapping existed; not overwritten).
func audioResult(to Owner, slot AudioSlot, set, existed []string) (string, bool) {
	what := strings.ToLower(strings.TrimPrefix(slot.Name, featureName(to.Kind, slot.Code)+" "))
	switch {
	case len(existed) > 0 && len(set) > 0:
		return fmt.Sprintf("the mapping existed on %s: its %s was kept, not overwritten; set on %s",
			strings.Join(existed, ", "), what, strings.Join(set, ", ")), true
	case len(existed) > 0:
		return fmt.Sprintf("the mapping existed on %s: its %s was kept, not overwritten", strings.Join(existed, ", "), what), true
	case slot.CallGroup:
		return "copied and set on " + strings.Join(set, ", "), false
	}
	return "copied and set", false
}

// keepTargetAudio returns copied settings of code with the target's own
// audio in every non-call-group slot: copying settings copies no audio
// (an audio mapping does, into the target's library), so a target's
// greetings survive a copy of its Voicemail configuration.
func keepTargetAudio(kind OwnerKind, code string, copied json.RawMessage, target json.RawMessage) (json.RawMessage, error) {
	var slots []AudioSlot
	for _, sl := range AudioSlots(kind) {
		if sl.Code == code && !sl.CallGroup {
			slots = append(slots, sl)
		}
	}
	if len(slots) == 0 {
		return copied, nil
	}
	d, _ := definitionFor(code, kind)
	next, err := settingsOf(d, copied)
	if err != nil {
		return nil, err
	}
	own, err := settingsOf(d, target)
	if err != nil {
		return nil, err
	}
	for _, sl := range slots {
		dst, src := sl.refs(next), sl.refs(own)
		for i := range dst {
			*dst[i].ref = *src[i].ref
		}
	}
	return json.Marshal(next)
}

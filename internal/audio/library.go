package audio

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Library keeps the recordings uploaded for sites' and employees' features
// (greetings, announcements, music on hold) in their telephony forms
// (docs/audio.md). Whoever may configure an owner's features may upload,
// play and delete its recordings; features refer to them by id.
type Library struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
	opts   Options
	// Uses answers whether an owner's saved feature settings play a
	// recording (the features service provides it); nil: no recording is
	// readable through a feature that uses it (ItemFor, WAVFor).
	Uses FeatureAudio
}

// FeatureAudio answers whether the saved feature settings of a site or an
// employee refer to recording audioID.
type FeatureAudio interface {
	UsesAudio(ctx context.Context, ownerKind string, ownerID, audioID int64) (bool, error)
}

// NewLibrary returns a Library.
func NewLibrary(db *store.DB, log *audit.Log) *Library {
	return &Library{db: db, audit: log, access: access.New(db)}
}

// Owner is whose recording it is: a site ("site") or an employee
// ("employee").
type Owner struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
}

// String is the owner as ParseOwner reads it: "site:7", "employee:42".
func (o Owner) String() string { return fmt.Sprintf("%s:%d", o.Kind, o.ID) }

// ParseOwner reads an owner written as "site:7" or "employee:42" (the
// "for" parameter of a recording's address); field names the parameter
// in the error.
func ParseOwner(field, s string) (Owner, error) {
	kind, id, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 || (kind != "site" && kind != "employee") {
		return Owner{}, derrors.Invalid(field, "%q names no feature owner: write site:<id> or employee:<id>", s)
	}
	return Owner{Kind: kind, ID: n}, nil
}

func (o Owner) target() (access.Target, error) {
	switch o.Kind {
	case "site":
		return access.Group(o.ID), nil
	case "employee":
		return access.Employee(o.ID), nil
	}
	return access.Target{}, derrors.Invalid("owner", "a recording belongs to a site or an employee")
}

// Item is a stored recording (without its audio).
type Item struct {
	ID        int64     `json:"id"`
	Owner     Owner     `json:"owner"`
	Name      string    `json:"name"`
	Format    Format    `json:"source_format"`
	Duration  float64   `json:"duration_seconds"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxName bounds a recording's name (the file name by default).
const MaxName = 100

// check lets actor use owner's recordings and returns the owner's company.
func (l *Library) check(ctx context.Context, actor access.Actor, owner Owner) (int64, error) {
	t, err := owner.target()
	if err != nil {
		return 0, err
	}
	if err := l.access.Check(ctx, actor, access.ConfigureFeatures, t); err != nil {
		return 0, err
	}
	var company int64
	q := "SELECT company_id FROM accounts WHERE id = ?"
	if owner.Kind == "site" {
		q = "SELECT company_id FROM org_groups WHERE id = ?"
	}
	if err := l.db.Q(ctx).QueryRow(ctx, q, owner.ID).Scan(&company); err != nil {
		return 0, err
	}
	return company, nil
}

// Upload converts data (WAV or MP3) and stores it for owner. A file that
// is not audio, too long, silent or clipped is refused with the reason and
// nothing is stored.
func (l *Library) Upload(ctx context.Context, actor access.Actor, owner Owner, name string, data []byte) (it Item, err error) {
	defer derrors.Wrap(&err, "audio: upload for %s %d", owner.Kind, owner.ID)
	company, err := l.check(ctx, actor, owner)
	if err != nil {
		return Item{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "recording"
	}
	if len([]rune(name)) > MaxName || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Item{}, derrors.Invalid("name", "a recording's name is at most %d characters of text", MaxName)
	}
	clip, err := Convert(data, l.opts)
	if err != nil {
		var r *RefusedError
		if errors.As(err, &r) {
			return Item{}, derrors.Invalid("file", "%s", r.Detail)
		}
		return Item{}, err
	}
	it = Item{Owner: owner, Name: name, Format: clip.Format, Duration: clip.Duration.Seconds(),
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err = l.db.Tx(ctx, func(ctx context.Context) error {
		if err := l.db.Q(ctx).QueryRow(ctx, `INSERT INTO audio_items (company_id, owner_kind, owner_id, name, source_format, duration_ms,
			narrowband, wideband, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			company, owner.Kind, owner.ID, name, string(clip.Format), clip.Duration.Milliseconds(), clip.Narrowband, clip.Wideband,
			it.CreatedAt.UnixMilli(), actor.AccountID).Scan(&it.ID); err != nil {
			return err
		}
		return l.audit.Record(ctx, audit.Event{Event: "Upload Audio", CompanyID: company, ObjectKind: "audio", ObjectID: it.ID,
			ObjectName: name, After: it})
	})
	return it, err
}

// Items lists owner's recordings, newest first.
func (l *Library) Items(ctx context.Context, actor access.Actor, owner Owner) (out []Item, err error) {
	defer derrors.Wrap(&err, "audio: recordings of %s %d", owner.Kind, owner.ID)
	company, err := l.check(ctx, actor, owner)
	if err != nil {
		return nil, err
	}
	rows, err := l.db.Q(ctx).Query(ctx, `SELECT id, name, source_format, duration_ms, created_at FROM audio_items
		WHERE company_id = ? AND owner_kind = ? AND owner_id = ? ORDER BY id DESC`, company, owner.Kind, owner.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		it := Item{Owner: owner}
		var ms, at int64
		if err := rows.Scan(&it.ID, &it.Name, &it.Format, &ms, &at); err != nil {
			return nil, err
		}
		it.Duration, it.CreatedAt = float64(ms)/1000, time.UnixMilli(at).UTC()
		out = append(out, it)
	}
	return out, rows.Err()
}

// item loads recording id and checks actor may use its owner's
// recordings; anything else answers as missing.
func (l *Library) item(ctx context.Context, actor access.Actor, id int64) (Item, int64, error) {
	return l.read(ctx, actor, id, nil)
}

// read loads recording id for actor: as a recording of its own library
// (via nil: the actor may configure its owner's features), or as the
// recording owner via's saved feature settings play (the actor may
// configure via's features, via is of the recording's company and uses
// it). Anything else answers exactly like a recording that does not exist.
func (l *Library) read(ctx context.Context, actor access.Actor, id int64, via *Owner) (Item, int64, error) {
	var it Item
	var company, ms, at int64
	notFound := fmt.Errorf("audio: recording %d: %w", id, derrors.ErrNotFound)
	err := l.db.Q(ctx).QueryRow(ctx, `SELECT company_id, owner_kind, owner_id, name, source_format, duration_ms, created_at
		FROM audio_items WHERE id = ?`, id).Scan(&company, &it.Owner.Kind, &it.Owner.ID, &it.Name, &it.Format, &ms, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Item{}, 0, notFound
	}
	if err != nil {
		return Item{}, 0, err
	}
	if via == nil {
		if _, err := l.check(ctx, actor, it.Owner); err != nil {
			return Item{}, 0, notFound
		}
	} else {
		viaCompany, err := l.check(ctx, actor, *via)
		if err != nil || viaCompany != company || l.Uses == nil {
			return Item{}, 0, notFound
		}
		uses, err := l.Uses.UsesAudio(ctx, via.Kind, via.ID, id)
		if err != nil {
			return Item{}, 0, fmt.Errorf("audio: recording %d: %w", id, err)
		}
		if !uses {
			return Item{}, 0, notFound
		}
	}
	it.ID, it.Duration, it.CreatedAt = id, float64(ms)/1000, time.UnixMilli(at).UTC()
	return it, company, nil
}

// Item returns recording id without its audio.
func (l *Library) Item(ctx context.Context, actor access.Actor, id int64) (Item, error) {
	it, _, err := l.item(ctx, actor, id)
	return it, err
}

// ItemFor returns recording id as a feature of owner plays it: whoever may
// configure owner's features may read a recording owner's saved settings
// use, whichever library of the company it is in (an administrator may
// choose a site's announcement for an employee's Pre-Alerting; the
// employee then sees which it is). docs/audio.md, "In the feature forms".
func (l *Library) ItemFor(ctx context.Context, actor access.Actor, owner Owner, id int64) (Item, error) {
	it, _, err := l.read(ctx, actor, id, &owner)
	return it, err
}

// WAV returns recording id as a WAV file: wideband (16 kHz) or narrowband
// (8 kHz), for the page's player and for a call engine.
func (l *Library) WAV(ctx context.Context, actor access.Actor, id int64, wideband bool) (Item, []byte, error) {
	return l.wav(ctx, actor, id, nil, wideband)
}

// WAVFor is WAV for a recording owner's saved feature settings use, on the
// terms of ItemFor.
func (l *Library) WAVFor(ctx context.Context, actor access.Actor, owner Owner, id int64, wideband bool) (Item, []byte, error) {
	return l.wav(ctx, actor, id, &owner, wideband)
}

func (l *Library) wav(ctx context.Context, actor access.Actor, id int64, via *Owner, wideband bool) (Item, []byte, error) {
	it, _, err := l.read(ctx, actor, id, via)
	if err != nil {
		return Item{}, nil, err
	}
	col := "narrowband"
	if wideband {
		col = "wideband"
	}
	var data []byte
	if err := l.db.Q(ctx).QueryRow(ctx, "SELECT "+col+" FROM audio_items WHERE id = ?", id).Scan(&data); err != nil {
		return Item{}, nil, fmt.Errorf("audio: recording %d: %w", id, err)
	}
	return it, data, nil
}

// Delete removes a recording. A feature still referring to it keeps the
// reference and plays the system's audio instead (docs/audio.md).
func (l *Library) Delete(ctx context.Context, actor access.Actor, id int64) error {
	it, company, err := l.item(ctx, actor, id)
	if err != nil {
		return err
	}
	return l.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := l.db.Q(ctx).Exec(ctx, "DELETE FROM audio_items WHERE id = ?", id); err != nil {
			return err
		}
		return l.audit.Record(ctx, audit.Event{Event: "Delete Audio", CompanyID: company, ObjectKind: "audio", ObjectID: id,
			ObjectName: it.Name, Before: it})
	})
}

// AudioExists reports whether recording audioID belongs to companyID: the
// check features make of an audio reference (features.AudioLibrary).
func (l *Library) AudioExists(ctx context.Context, companyID, audioID int64) (bool, error) {
	var n int
	err := l.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audio_items WHERE id = ? AND company_id = ?", audioID, companyID).Scan(&n)
	return n > 0, err
}

// Readable reports whether actor may read recording audioID from its own
// library (Item): the check features make of a reference the actor chooses
// (features.AudioLibrary).
func (l *Library) Readable(ctx context.Context, actor access.Actor, audioID int64) (bool, error) {
	_, err := l.Item(ctx, actor, audioID)
	if derrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// CopyAudio copies recording audioID of companyID into the library of
// another owner of the company and returns the copy's id: Bulk Feature
// Management's audio mapping gives each target its own copy, so deleting
// the reference's recording leaves the targets' greetings playing
// (docs/audio.md). It trusts its caller (features.Service, which checked
// the actor and the owner); a recording of another company answers as
// missing. Audited as "Copy Audio" on the copy.
func (l *Library) CopyAudio(ctx context.Context, createdBy, companyID, audioID int64, ownerKind string, ownerID int64) (id int64, err error) {
	defer derrors.Wrap(&err, "audio: copy recording %d to %s %d", audioID, ownerKind, ownerID)
	if _, err := (Owner{Kind: ownerKind, ID: ownerID}).target(); err != nil {
		return 0, err
	}
	var it Item
	var ms int64
	err = l.db.Q(ctx).QueryRow(ctx, "SELECT name, source_format, duration_ms FROM audio_items WHERE id = ? AND company_id = ?", audioID, companyID).
		Scan(&it.Name, &it.Format, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("audio: recording %d: %w", audioID, derrors.ErrNotFound)
	}
	if err != nil {
		return 0, err
	}
	it.Owner, it.Duration = Owner{Kind: ownerKind, ID: ownerID}, float64(ms)/1000
	it.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	err = l.db.Tx(ctx, func(ctx context.Context) error {
		if err := l.db.Q(ctx).QueryRow(ctx, `INSERT INTO audio_items (company_id, owner_kind, owner_id, name, source_format, duration_ms,
			narrowband, wideband, created_at, created_by) SELECT company_id, ?, ?, name, source_format, duration_ms, narrowband, wideband, ?, ?
			FROM audio_items WHERE id = ? RETURNING id`, ownerKind, ownerID, it.CreatedAt.UnixMilli(), createdBy, audioID).Scan(&it.ID); err != nil {
			return err
		}
		return l.audit.Record(ctx, audit.Event{Event: "Copy Audio", CompanyID: companyID, ObjectKind: "audio", ObjectID: it.ID,
			ObjectName: it.Name, Before: map[string]any{"copied_from": audioID}, After: it})
	})
	return it.ID, err
}

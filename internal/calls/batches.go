package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Batch is one upload of a switch and what became of its records: the
// ingest status an operator checks.
type Batch struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source"`
	Name       string    `json:"name"`
	Format     Format    `json:"format"`
	ReceivedAt time.Time `json:"received_at"`
	Accepted   int       `json:"accepted"`
	Duplicates int       `json:"duplicates"`
	Malformed  int       `json:"malformed"`
	Ignored    int       `json:"ignored"`
	Problems   []Problem `json:"problems"`
}

// Batches lists a switch's batches, newest first (provider operators).
// Another provider's switch answers like a missing one.
func (s *Service) Batches(ctx context.Context, actor access.Actor, switchID int64, p store.Page) (out []Batch, total int, err error) {
	defer derrors.Wrap(&err, "calls: batches of switch %d", switchID)
	if err := s.access.Check(ctx, actor, access.ManageSwitches, access.Provider(actor.ProviderID)); err != nil {
		return nil, 0, err
	}
	if _, err := s.switchWhere(ctx, "id = ? AND provider_id = ?", switchID, actor.ProviderID); err != nil {
		return nil, 0, err
	}
	q := s.db.Q(ctx)
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM call_ingest_batches WHERE switch_id = ?", switchID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.Query(ctx, `SELECT id, source, name, format, received_at, accepted, duplicates, malformed, ignored, problems
		FROM call_ingest_batches WHERE switch_id = ? ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?`, switchID, p.Limit(), p.Offset())
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var b Batch
		var at int64
		var problems string
		if err := rows.Scan(&b.ID, &b.Source, &b.Name, &b.Format, &at, &b.Accepted, &b.Duplicates, &b.Malformed, &b.Ignored, &problems); err != nil {
			return nil, 0, err
		}
		b.ReceivedAt = store.Time(at)
		if err := json.Unmarshal([]byte(problems), &b.Problems); err != nil {
			return nil, 0, fmt.Errorf("batch %d problems: %w", b.ID, err)
		}
		if b.Problems == nil {
			b.Problems = []Problem{}
		}
		out = append(out, b)
	}
	return out, total, rows.Err()
}

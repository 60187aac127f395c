package mail

import (
	"context"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// ProviderOutbox is the Outbox view of actor's provider: every message it
// sent or holds, newest first, which with no relay configured is how a trial
// deployment reads a reset link. Only the provider's operators may read it
// (docs/architecture.md: the action checks access itself).
func (s *Service) ProviderOutbox(ctx context.Context, actor access.Actor, f OutboxFilter, p store.Page) ([]OutboxMessage, int, error) {
	p.Count = true
	pg, err := s.ProviderOutboxPage(ctx, actor, f, p)
	return pg.Items, max(pg.Total, 0), err
}

// ProviderOutboxPage is ProviderOutbox for the API: p.After continues a
// keyset walk, newest first, and the total is counted only when p.Count
// asks (docs/performance.md). The check runs for every page; a cursor only
// positions.
func (s *Service) ProviderOutboxPage(ctx context.Context, actor access.Actor, f OutboxFilter, p store.Page) (OutboxPage, error) {
	if err := access.New(s.db).Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return OutboxPage{Total: -1}, fmt.Errorf("mail: outbox: %w", err)
	}
	switch f.Status {
	case "", StatusQueued, StatusSent, StatusFailed:
	default:
		return OutboxPage{Total: -1}, derrors.Invalid("status", "status must be queued, sent or failed")
	}
	f.ProviderID = actor.ProviderID
	return s.OutboxPage(ctx, f, p)
}

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
	if err := access.New(s.db).Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return nil, 0, fmt.Errorf("mail: outbox: %w", err)
	}
	switch f.Status {
	case "", StatusQueued, StatusSent, StatusFailed:
	default:
		return nil, 0, derrors.Invalid("status", "status must be queued, sent or failed")
	}
	f.ProviderID = actor.ProviderID
	return s.Outbox(ctx, f, p)
}

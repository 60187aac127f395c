package imports

import "context"

// SetBeforeApply installs a hook that runs between an employee import's
// plan and its transaction.
func SetBeforeApply(s *Service, fn func(ctx context.Context)) { s.beforeApply = fn }

// SetAfterCommit installs a hook that runs right after an import's
// transaction ends (committed or not).
func SetAfterCommit(s *Service, fn func(ctx context.Context)) { s.afterCommit = fn }

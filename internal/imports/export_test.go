package imports

import "context"

// SetBeforeApply installs a hook that runs between an employee import's
// plan and its transaction.
func SetBeforeApply(s *Service, fn func(ctx context.Context)) { s.beforeApply = fn }

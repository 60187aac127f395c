package lifecycle

import (
	"context"

	"github.com/switchboard-voice/switchboard/internal/jobs"
)

// RunActivate runs the activate_employees handler of s on j directly, so a
// test can count the statements of the job alone (a worker adds its own
// claims, leases and heartbeats).
func (s *Service) RunActivate(ctx context.Context, j *jobs.Job, rep jobs.Reporter) error {
	return s.runActivate(ctx, j, rep)
}

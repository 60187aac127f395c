// Package schedule runs periodic maintenance tasks — retention purges and
// clean-ups — exactly once per period across every node sharing the
// database: a node runs a task only when its conditional UPDATE of
// scheduled_tasks.next_run_at succeeds.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// Task is one periodic job.
type Task struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) (string, error)
}

// Scheduler runs tasks.
type Scheduler struct {
	db     *store.DB
	logger *slog.Logger
	tasks  []Task
	now    func() time.Time
}

// New returns a Scheduler for tasks.
func New(db *store.DB, logger *slog.Logger, tasks ...Task) *Scheduler {
	if logger == nil {
		logger = slog.Default()
	}
	return &Scheduler{db: db, logger: logger, tasks: tasks, now: time.Now}
}

// RunDue runs every task whose time has come and that this node wins.
// It returns the names of the tasks it ran.
func (s *Scheduler) RunDue(ctx context.Context) ([]string, error) {
	var ran []string
	for _, t := range s.tasks {
		won, err := s.claim(ctx, t)
		if err != nil {
			return ran, err
		}
		if !won {
			continue
		}
		result, err := t.Run(ctx)
		if err != nil {
			result = "error: " + err.Error()
			s.logger.ErrorContext(ctx, "scheduled task failed", "task", t.Name, "err", err)
		} else {
			s.logger.InfoContext(ctx, "scheduled task ran", "task", t.Name, "result", result)
		}
		_ = s.db.Tx(ctx, func(ctx context.Context) error {
			_, err := s.db.Q(ctx).Exec(ctx, "UPDATE scheduled_tasks SET last_run_at = ?, last_result = ? WHERE name = ?",
				s.now().UnixMilli(), result, t.Name)
			return err
		})
		ran = append(ran, t.Name)
	}
	return ran, nil
}

// claim moves the task's next run forward if it is due; only one node's
// UPDATE can match the old next_run_at.
func (s *Scheduler) claim(ctx context.Context, t Task) (bool, error) {
	now := s.now().UnixMilli()
	won := false
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var next int64
		err := q.QueryRow(ctx, "SELECT next_run_at FROM scheduled_tasks WHERE name = ?", t.Name).Scan(&next)
		if err != nil {
			// First sight of this task: it is due now.
			if _, err := q.Exec(ctx, "INSERT INTO scheduled_tasks (name, next_run_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", t.Name, now); err != nil {
				return err
			}
			next = now
		}
		if next > now {
			return nil
		}
		res, err := q.Exec(ctx, "UPDATE scheduled_tasks SET next_run_at = ? WHERE name = ? AND next_run_at = ?", now+t.Every.Milliseconds(), t.Name, next)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("schedule: claim %s: %w", t.Name, err)
	}
	return won, nil
}

// Run checks for due tasks every interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.logger.ErrorContext(ctx, "scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

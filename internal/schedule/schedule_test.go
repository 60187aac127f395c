package schedule

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestTaskRunsOncePerPeriodAcrossNodes: two schedulers (two nodes) on one
// database run a task once per period between them.
func TestTaskRunsOncePerPeriodAcrossNodes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var runs atomic.Int32
		task := Task{Name: "count", Every: time.Hour, Run: func(context.Context) (string, error) {
			runs.Add(1)
			return "ok", nil
		}}
		clock := time.Now()
		a, b := New(db, nil, task), New(db, nil, task)
		a.now = func() time.Time { return clock }
		b.now = func() time.Time { return clock }

		for _, s := range []*Scheduler{a, b, a} {
			if _, err := s.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if runs.Load() != 1 {
			t.Fatalf("runs in the first period = %d, want 1", runs.Load())
		}
		clock = clock.Add(59 * time.Minute)
		_, _ = b.RunDue(ctx)
		if runs.Load() != 1 {
			t.Fatalf("ran again before the period ended")
		}
		clock = clock.Add(2 * time.Minute)
		ran, _ := b.RunDue(ctx)
		_, _ = a.RunDue(ctx)
		if runs.Load() != 2 || len(ran) != 1 || ran[0] != "count" {
			t.Fatalf("second period: runs = %d, ran = %v", runs.Load(), ran)
		}
		var last string
		if err := db.Q(ctx).QueryRow(ctx, "SELECT last_result FROM scheduled_tasks WHERE name = 'count'").Scan(&last); err != nil || last != "ok" {
			t.Errorf("last_result = %q, %v", last, err)
		}
	})
}

func TestFailedTaskRecordsItsError(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	s := New(db, nil, Task{Name: "boom", Every: time.Hour, Run: func(context.Context) (string, error) {
		return "", errors.New("disk full")
	}})
	if _, err := s.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	var last string
	_ = db.Q(ctx).QueryRow(ctx, "SELECT last_result FROM scheduled_tasks WHERE name = 'boom'").Scan(&last)
	if last != "error: disk full" {
		t.Errorf("last_result = %q", last)
	}
}

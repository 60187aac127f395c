package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSavepointUndoesOnlyTheFailedStep: a step that fails inside a
// savepoint loses its own writes, and the transaction around it commits
// what it wrote before and after — also when the failure is a statement
// the database refused, which on PostgreSQL would otherwise abort the whole
// transaction.
func TestSavepointUndoesOnlyTheFailedStep(t *testing.T) {
	insert := func(ctx context.Context, db *store.DB, id int64, name string) error {
		_, err := db.Q(ctx).Exec(ctx, "INSERT INTO providers (id, name, created_at) VALUES (?, ?, 1)", id, name)
		return err
	}
	boom := errors.New("boom")
	tests := []struct {
		name    string
		step    func(ctx context.Context, db *store.DB) error
		wantErr func(error) bool
		want    []string
	}{
		{
			name: "step succeeds",
			step: func(ctx context.Context, db *store.DB) error { return insert(ctx, db, 2, "step") },
			want: []string{"before", "step", "after"},
		},
		{
			name: "step returns an error after writing",
			step: func(ctx context.Context, db *store.DB) error {
				if err := insert(ctx, db, 2, "step"); err != nil {
					return err
				}
				return boom
			},
			wantErr: func(err error) bool { return err == boom }, // unchanged, not wrapped
			want:    []string{"before", "after"},
		},
		{
			name: "database refuses a statement of the step",
			step: func(ctx context.Context, db *store.DB) error {
				if err := insert(ctx, db, 2, "step"); err != nil {
					return err
				}
				return insert(ctx, db, 1, "same id as before")
			},
			wantErr: func(err error) bool { return store.IsUniqueViolation(err) && !errors.Is(err, store.ErrSavepoint) },
			want:    []string{"before", "after"},
		},
		{
			name: "nested step fails, its outer step keeps its own write",
			step: func(ctx context.Context, db *store.DB) error {
				if err := insert(ctx, db, 2, "outer step"); err != nil {
					return err
				}
				err := db.Savepoint(ctx, func(ctx context.Context) error {
					if err := insert(ctx, db, 4, "inner step"); err != nil {
						return err
					}
					return boom
				})
				if err != boom {
					return errors.New("inner savepoint did not return its step's error")
				}
				return insert(ctx, db, 5, "outer step again")
			},
			want: []string{"before", "outer step", "after", "outer step again"},
		},
		{
			name: "nested step succeeds, its outer step fails: both are undone",
			step: func(ctx context.Context, db *store.DB) error {
				if err := insert(ctx, db, 2, "outer step"); err != nil {
					return err
				}
				if err := db.Savepoint(ctx, func(ctx context.Context) error { return insert(ctx, db, 4, "inner step") }); err != nil {
					return err
				}
				return boom
			},
			wantErr: func(err error) bool { return err == boom },
			want:    []string{"before", "after"},
		},
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				if _, err := storetest.Exec(ctx, db, "DELETE FROM providers"); err != nil {
					t.Fatal(err)
				}
				var stepErr error
				err := db.Tx(ctx, func(ctx context.Context) error {
					if err := insert(ctx, db, 1, "before"); err != nil {
						return err
					}
					stepErr = db.Savepoint(ctx, func(ctx context.Context) error { return tt.step(ctx, db) })
					return insert(ctx, db, 3, "after")
				})
				if err != nil {
					t.Fatalf("the outer transaction failed: %v", err)
				}
				switch {
				case tt.wantErr == nil && stepErr != nil:
					t.Errorf("Savepoint = %v, want nil", stepErr)
				case tt.wantErr != nil && !tt.wantErr(stepErr):
					t.Errorf("Savepoint = %v, not the step's own error", stepErr)
				}
				if got := providerNames(t, db); !slices.Equal(got, tt.want) {
					t.Errorf("committed providers = %q, want %q", got, tt.want)
				}
			})
		}
	})
}

// TestSavepointOutsideTransaction: without a transaction there is nothing
// to keep, so the step does not run at all.
func TestSavepointOutsideTransaction(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ran := false
		err := db.Savepoint(context.Background(), func(context.Context) error { ran = true; return nil })
		if !errors.Is(err, store.ErrSavepoint) || ran {
			t.Errorf("Savepoint outside a transaction = %v (step ran: %v), want ErrSavepoint and no run", err, ran)
		}
	})
}

// providerNames lists the committed providers in id order.
func providerNames(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Q(ctx).Query(ctx, "SELECT name FROM providers ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

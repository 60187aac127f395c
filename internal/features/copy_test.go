package features_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestCopyStepRefusals: a copy to one target (CopyFeatures) and a bulk
// job's copy to each target are one step, refusing in the same words: a
// feature the reference has no settings of (for a job: no longer, since it
// was submitted) and one the target does not have.
func TestCopyStepRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		ctx, a := fx.ctx, fx.env.App
		admin := fx.env.Actor("acme.admin")
		west := features.Employee(fx.env.ID("west.one"))
		support, london := features.Employee(fx.env.ID("support.one")), features.Employee(fx.env.ID("london.one"))
		fx.configure(t, west, features.CodeSimultaneousRing, `{"enabled":true,"numbers":[{"destination":"07700900123"}]}`)
		notOnReference := "Simultaneous Ring is not configured on the reference: there is nothing to copy"
		notOnTarget := "this employee does not have Simultaneous Ring" // london.one's Basic package has none

		// CopyFeatures: from support.one (nothing configured), and to london.one.
		for _, c := range []struct {
			name     string
			from, to features.Owner
			want     string
		}{
			{"reference without it", support, west, "features[0]: " + notOnReference},
			{"target without it", west, london, "features[0]: " + notOnTarget},
		} {
			_, err := fx.svc.CopyFeatures(ctx, admin, c.from, c.to, []string{features.CodeSimultaneousRing})
			if got := fieldError(err); got != c.want {
				t.Errorf("CopyFeatures, %s: %q, want %q", c.name, got, c.want)
			}
		}

		// A job: london.one lacks the feature; then the reference loses its
		// settings after the submission.
		submit := func(to features.Owner) int64 {
			t.Helper()
			j, err := a.Features.SubmitBulkCopy(ctx, admin, features.BulkRequest{Kind: features.OwnerEmployee, ReferenceID: west.ID,
				TargetIDs: []int64{to.ID}, Features: []string{features.CodeSimultaneousRing}})
			if err != nil {
				t.Fatal(err)
			}
			return j.ID
		}
		if it := bulkItems(t, fx, submit(london))[0]; it.Status != jobs.ItemError || it.Message != notOnTarget {
			t.Errorf("a job to a target without it: %s %q, want Error %q", it.Status, it.Message, notOnTarget)
		}
		id := submit(support)
		dropSettings(t, db, west, features.CodeSimultaneousRing)
		if it := bulkItems(t, fx, id)[0]; it.Status != jobs.ItemError || it.Message != notOnReference {
			t.Errorf("a job whose reference lost the feature: %s %q, want Error %q", it.Status, it.Message, notOnReference)
		}
	})
}

// bulkItems runs the jobs due and returns the items of job id.
func bulkItems(t *testing.T, fx *fixture, id int64) []jobs.Item {
	t.Helper()
	if _, err := fx.env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, items, _, err := fx.svc.BulkJob(fx.ctx, fx.env.Actor("acme.admin"), id, store.Page{Page: 1, PerPage: 50})
	if err != nil || len(items) == 0 {
		t.Fatalf("job %d: %d items, %v", id, len(items), err)
	}
	return items
}

// dropSettings removes code's settings from an employee's stored document,
// as if they had never been saved: no use case does that.
func dropSettings(t *testing.T, db *store.DB, o features.Owner, code string) {
	t.Helper()
	ctx := context.Background()
	var raw string
	if err := db.Q(ctx).QueryRow(ctx, "SELECT settings FROM feature_configs WHERE account_id = ?", o.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	doc := map[string]json.RawMessage{}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, code)
	next, _ := json.Marshal(doc)
	if err := db.Tx(ctx, func(ctx context.Context) error {
		_, err := db.Q(ctx).Exec(ctx, "UPDATE feature_configs SET settings = ? WHERE account_id = ?", string(next), o.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

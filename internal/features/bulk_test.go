package features_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBulkFeatureJob: a company admin copies two employee features from a
// reference to two targets as a job. The target whose package lacks one of
// them gets that item in Error with the reason and the other copied; the
// job ends in Error saying how many failed. Bad submissions and other
// companies' employees queue nothing; deleting the job removes its record,
// not what it copied.
func TestBulkFeatureJob(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		ctx, a := fx.ctx, fx.env.App
		admin := fx.env.Actor("acme.admin")
		west := features.Employee(fx.env.ID("west.one"))
		fx.configure(t, west, features.CodeCallForwarding, `{"busy":{"enabled":true,"destination":"+441134960099"}}`)
		fx.configure(t, west, features.CodeSimultaneousRing, `{"enabled":true,"numbers":[{"destination":"07700900123"}]}`)
		support, london := fx.env.ID("support.one"), fx.env.ID("london.one")
		req := features.BulkRequest{Kind: features.OwnerEmployee, ReferenceID: west.ID, TargetIDs: []int64{support, london},
			Features: []string{features.CodeCallForwarding, features.CodeSimultaneousRing}}

		before := storetest.Counts(t, db)
		for _, c := range []struct {
			name  string
			actor string
			req   features.BulkRequest
			want  string
		}{
			{"no target", "acme.admin", features.BulkRequest{Kind: "employee", ReferenceID: west.ID, Features: req.Features}, "add at least one target"},
			{"unknown kind", "acme.admin", features.BulkRequest{Kind: "phone", ReferenceID: west.ID, TargetIDs: []int64{support}, Features: req.Features}, "kind is site or employee"},
			{"not configured", "acme.admin", features.BulkRequest{Kind: "employee", ReferenceID: west.ID, TargetIDs: []int64{support},
				Features: []string{features.CodeVoicemail}}, "not configured on the reference"},
			{"another company's target", "acme.admin", features.BulkRequest{Kind: "employee", ReferenceID: west.ID,
				TargetIDs: []int64{fx.env.ID("globex.one")}, Features: req.Features}, "not one of the employees you administer"},
			{"reference as target", "acme.admin", features.BulkRequest{Kind: "employee", ReferenceID: west.ID, TargetIDs: []int64{west.ID},
				Features: req.Features}, "cannot be a target"},
			{"outsider", "globex.admin", req, "not found"},
			{"employee", "west.one", req, ""},
		} {
			_, err := a.Features.SubmitBulkCopy(ctx, fx.env.Actor(c.actor), c.req)
			if err == nil || (c.want != "" && !strings.Contains(err.Error(), c.want) && !(c.want == "not found" && derrors.IsNotFound(err))) {
				t.Errorf("%s: %v, want a refusal saying %q", c.name, err, c.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		j, err := a.Features.SubmitBulkCopy(ctx, admin, req)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusNotStarted {
			t.Errorf("a new job is %s", j.Status)
		}
		if err := a.Features.DeleteBulkJob(ctx, admin, j.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("deleting a queued job: %v", err)
		}
		w := a.Jobs.NewWorker(jobs.WorkerConfig{})
		if n, err := w.RunDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("ran %d jobs: %v", n, err)
		}
		got, items, total, err := a.Features.BulkJob(ctx, admin, j.ID, store.Page{Page: 1, PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != jobs.StatusError || !strings.Contains(got.LastError, "1 of 4 settings were not copied") || total != 4 {
			t.Fatalf("job %s %q, %d items; want Error with one of four not copied", got.Status, got.LastError, total)
		}
		var errorsSeen []string
		for _, it := range items {
			if it.Status == jobs.ItemError {
				errorsSeen = append(errorsSeen, it.Key+": "+it.Message)
			}
		}
		if len(errorsSeen) != 1 || !strings.Contains(errorsSeen[0], "Simultaneous Ring") {
			t.Errorf("errors %v; want London's simultaneous ring (Basic has none)", errorsSeen)
		}
		cfg, err := a.Features.FeatureConfig(ctx, admin, features.Employee(support), features.CodeCallForwarding)
		if err != nil || !strings.Contains(settingsText(cfg), "+441134960099") {
			t.Errorf("support.one's call forwarding after the job: %s, %v", cfg.Settings, err)
		}
		if _, _, _, err := a.Features.BulkJob(ctx, fx.env.Actor("globex.admin"), j.ID, store.Page{}); !derrors.IsNotFound(err) {
			t.Errorf("another company read the job: %v", err)
		}
		if err := a.Features.DeleteBulkJob(ctx, admin, j.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := a.Features.BulkJob(ctx, admin, j.ID, store.Page{}); !derrors.IsNotFound(err) {
			t.Errorf("the deleted job is still there: %v", err)
		}
		if cfg, _ := a.Features.FeatureConfig(ctx, admin, features.Employee(support), features.CodeCallForwarding); !strings.Contains(settingsText(cfg), "+441134960099") {
			t.Error("deleting the job undid what it copied")
		}
	})
}

// settingsText is a configuration's settings as JSON text.
func settingsText(c features.Config) string {
	b, _ := json.Marshal(c.Settings)
	return string(b)
}

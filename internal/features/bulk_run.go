package features

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/jobs"
)

// runBulk copies each feature and maps each recording to each target and
// reports one item per target and feature or mapping: copied, or the
// reason it was not (the target does not have the feature active, a
// setting does not hold there, the mapping existed). The job ends in Error
// when any item failed, with how many, and Completed otherwise.
//
// The reference is read once. Each target is one transaction, each of its
// items inside a savepoint: an item that does not hold is rolled back alone
// and the others stay; an error that is not the target's (the database)
// stops the job with the target's transaction rolled back
// (docs/performance.md, "Bulk Feature Management").
func (s *Service) runBulk(ctx context.Context, j *jobs.Job, rep jobs.Reporter) error {
	var args bulkArgs
	if err := j.DecodeArgs(&args); err != nil {
		return err
	}
	if args.CompanyID != j.CompanyID {
		return fmt.Errorf("features: job %d names another company", j.ID)
	}
	actor, username, err := s.bulk.Account(ctx, j.CreatedBy)
	if err != nil {
		return fmt.Errorf("the account that submitted the job: %w", err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{ID: actor.AccountID, Username: username, ProviderID: actor.ProviderID})
	total := len(args.TargetIDs) * (len(args.Features) + len(args.Audio))
	if err := rep.SetTotal(ctx, total); err != nil {
		return err
	}
	ref, refErr := s.reference(ctx, actor, Owner{Kind: args.Kind, ID: args.ReferenceID}, args.Features)
	if refErr != nil {
		if derrors.Classify(refErr).Kind == derrors.KindInternal {
			return refErr
		}
		// Every item says so: the reference went, or the submitter may no
		// longer read it.
		refErr = derrors.Invalid("reference", "the reference no longer exists or is no longer one you may read: nothing was copied")
	}
	failed := 0
	for _, id := range args.TargetIDs {
		if err := ctx.Err(); err != nil {
			return err
		}
		results, err := s.copyTarget(ctx, actor, ref, refErr, Owner{Kind: args.Kind, ID: id}, args)
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.status == jobs.ItemError {
				failed++
			}
			if err := rep.Item(ctx, r.key, r.status, r.message); err != nil {
				return err
			}
		}
	}
	if err := rep.Flush(ctx); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d settings were not copied; each says why", failed, total)
	}
	return nil
}

// reference is what a job copies, read once: the reference's settings of
// each feature to copy.
func (s *Service) reference(ctx context.Context, actor access.Actor, from Owner, codes []string) (map[string]json.RawMessage, error) {
	if err := s.access.Check(ctx, actor, access.ViewFeatures, from.target()); err != nil {
		return nil, fmt.Errorf("the reference: %w", err)
	}
	src, err := s.load(ctx, from)
	if err != nil {
		return nil, err
	}
	doc, err := s.document(ctx, src)
	if err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{}
	for _, code := range codes {
		if _, err := s.featureByCode(ctx, src, code); err != nil {
			if derrors.IsNotFound(err) {
				continue // reported on each item: nothing to copy
			}
			return nil, err
		}
		if raw, ok := doc.Settings[code]; ok {
			out[code] = raw
		}
	}
	return out, nil
}

// itemResult is one line of a job's per-setting view.
type itemResult struct{ key, status, message string }

// copyTarget copies the features and maps the audio of a job to one
// target in one transaction, each item in a savepoint of its own.
func (s *Service) copyTarget(ctx context.Context, actor access.Actor, ref map[string]json.RawMessage, refErr error, to Owner, args bulkArgs) ([]itemResult, error) {
	var out []itemResult
	name := fmt.Sprintf("#%d", to.ID)
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		out = out[:0]
		ctx = withListCache(ctx)
		var dst owner
		var own document
		copies := map[int64]int64{} // the target's copies of the job's recordings
		targetErr := refErr
		if targetErr == nil {
			targetErr = s.access.Check(ctx, actor, access.ConfigureFeatures, to.target())
		}
		if targetErr == nil {
			var err error
			if dst, err = s.load(ctx, to); err != nil {
				targetErr = err
			} else {
				name = dst.name
				if own, err = s.document(ctx, dst); err != nil {
					return err
				}
			}
		}
		step := func(key string, fn func(ctx context.Context) (string, error)) error {
			if targetErr != nil {
				if derrors.Classify(targetErr).Kind == derrors.KindInternal {
					return targetErr
				}
				out = append(out, itemResult{key, jobs.ItemError, userMessage(targetErr)})
				return nil
			}
			var msg string
			err := s.db.Savepoint(ctx, func(ctx context.Context) error {
				var err error
				msg, err = fn(ctx)
				return err
			})
			switch {
			case err == nil:
				out = append(out, itemResult{key, jobs.ItemOK, msg})
			case derrors.Classify(err).Kind == derrors.KindInternal:
				return err
			default:
				out = append(out, itemResult{key, jobs.ItemError, userMessage(err)})
			}
			return nil
		}
		for _, code := range args.Features {
			err := step(featureName(to.Kind, code), func(ctx context.Context) (string, error) {
				_, err := s.copyFeature(ctx, actor, ref, dst, own, code, "features")
				return "copied", err
			})
			if err != nil {
				return err
			}
		}
		for _, m := range args.Audio {
			slot, ok := audioSlot(to.Kind, m.Slot)
			if !ok {
				return fmt.Errorf("features: job maps unknown slot %q", m.Slot)
			}
			var existedOnly string
			err := step(slot.Name, func(ctx context.Context) (string, error) {
				set, existed, err := s.applyAudio(ctx, actor, dst, slot, m.AudioID, copies)
				if err != nil {
					return "", err
				}
				msg, failed := audioResult(to, slot, set, existed)
				if failed {
					existedOnly = msg
				}
				return msg, nil
			})
			if err != nil {
				return err
			}
			if existedOnly != "" {
				// Kept (what was set stays), but the item is in Error: the
				// mapping existed somewhere and was not overwritten.
				out[len(out)-1].status = jobs.ItemError
			}
		}
		return nil
	})
	for i := range out {
		out[i].key = name + " · " + out[i].key
	}
	return out, err
}

// listCache keeps each owner's feature list for one target's transaction
// of a bulk job, where assignments do not change: featureByCode reads it
// once instead of once per feature.
type listCacheKey struct{}

func withListCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, listCacheKey{}, map[Owner][]Feature{})
}

func (s *Service) cachedList(ctx context.Context, w owner) ([]Feature, error) {
	cache, _ := ctx.Value(listCacheKey{}).(map[Owner][]Feature)
	if cache == nil {
		return s.list(ctx, w)
	}
	if fs, ok := cache[w.Owner]; ok {
		return fs, nil
	}
	fs, err := s.list(ctx, w)
	if err == nil {
		cache[w.Owner] = fs
	}
	return fs, err
}

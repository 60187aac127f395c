package calls

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// SyncAssignments brings the number history up to date with numbering's
// current state: a number or extension whose holder changed (or that was
// released) gets its open history row closed, and every current holder
// without an open row gets one. It runs in the transaction in ctx, so a
// caller that changes assignments calls it before committing and the
// history can never disagree with numbering. companyID 0 syncs every
// company.
//
// Numbering records when a number was assigned (assigned_at) and returned
// (returned_at); those moments are used where they exist, so a sync that
// runs late (the periodic one) still dates the change correctly. Only an
// extension's removal, which leaves no trace in numbering, is dated at
// now.
func (s *Service) SyncAssignments(ctx context.Context, companyID int64, now time.Time) error {
	return s.sync(ctx, companyID, "", "", now)
}

// SyncNumber is SyncAssignments for one number (kind "number", key its
// E.164 form) or one extension (kind "extension", key its digits) of a
// company: what a hook calls after each assignment or release, at the cost
// of a few indexed statements.
func (s *Service) SyncNumber(ctx context.Context, companyID int64, kind, key string, now time.Time) error {
	if companyID == 0 || (kind != "number" && kind != "extension") || key == "" {
		return fmt.Errorf("calls: sync number: need a company, a kind (number or extension) and a key")
	}
	return s.sync(ctx, companyID, kind, key, now)
}

func (s *Service) sync(ctx context.Context, companyID int64, onlyKind, key string, now time.Time) error {
	at := now.UnixMilli()
	greatest := "MAX"
	if s.db.Dialect() == store.Postgres {
		greatest = "GREATEST"
	}
	scope, args := "", []any{}
	if companyID != 0 {
		scope, args = " AND company_id = ?", []any{companyID}
	}
	// One number or extension: each statement is narrowed to its key.
	numKey, extKey, dKey, eKey := "", "", "", ""
	var keyArgs []any
	if key != "" {
		numKey, extKey = " AND number = ?", " AND number = ?"
		dKey, eKey = " AND d.e164 = ?", " AND e.extension = ?"
		keyArgs = []any{key}
	}
	stmts := []struct {
		sql  string
		args []any
		kind string
	}{
		{`UPDATE number_history SET valid_to = ` + greatest + `(valid_from, COALESCE((SELECT CASE WHEN d.status = 'assigned' THEN d.assigned_at ELSE d.returned_at END
				FROM dn_numbers d WHERE d.e164 = number_history.number), ?))
			WHERE kind = 'number' AND valid_to = 0` + scope + numKey + ` AND NOT EXISTS (SELECT 1 FROM dn_numbers d
				WHERE d.e164 = number_history.number AND d.status = 'assigned' AND d.company_id = number_history.company_id
				AND d.site_id = number_history.site_id AND d.owner_kind = number_history.owner_kind AND d.owner_id = number_history.owner_id)`,
			concat([]any{at}, args, keyArgs), "number"},
		{`UPDATE number_history SET valid_to = ` + greatest + `(valid_from, ?)
			WHERE kind = 'extension' AND valid_to = 0` + scope + extKey + ` AND NOT EXISTS (SELECT 1 FROM extensions e
				WHERE e.extension = number_history.number AND e.company_id = number_history.company_id
				AND COALESCE(e.site_id, 0) = number_history.site_id AND e.owner_kind = number_history.owner_kind AND e.owner_id = number_history.owner_id)`,
			concat([]any{at}, args, keyArgs), "extension"},
		{`INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
			SELECT 'number', d.e164, d.company_id, d.site_id, d.owner_kind, d.owner_id, COALESCE(d.assigned_at, ?)
			FROM dn_numbers d WHERE d.status = 'assigned'` + prefixed(scope, "d.") + dKey + ` AND NOT EXISTS (SELECT 1 FROM number_history h
				WHERE h.kind = 'number' AND h.number = d.e164 AND h.valid_to = 0 AND h.company_id = d.company_id
				AND h.site_id = d.site_id AND h.owner_kind = d.owner_kind AND h.owner_id = d.owner_id)`,
			concat([]any{at}, args, keyArgs), "number"},
		{`INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
			SELECT 'extension', e.extension, e.company_id, COALESCE(e.site_id, 0), e.owner_kind, e.owner_id, e.created_at
			FROM extensions e WHERE 1 = 1` + prefixed(scope, "e.") + eKey + ` AND NOT EXISTS (SELECT 1 FROM number_history h
				WHERE h.kind = 'extension' AND h.number = e.extension AND h.valid_to = 0 AND h.company_id = e.company_id
				AND h.site_id = COALESCE(e.site_id, 0) AND h.owner_kind = e.owner_kind AND h.owner_id = e.owner_id)`,
			concat(nil, args, keyArgs), "extension"},
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		for _, st := range stmts {
			if onlyKind != "" && st.kind != onlyKind {
				continue
			}
			if _, err := s.db.Q(ctx).Exec(ctx, st.sql, st.args...); err != nil {
				return fmt.Errorf("calls: sync number history: %w", err)
			}
		}
		return nil
	})
}

func concat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func prefixed(scope, alias string) string {
	if scope == "" {
		return ""
	}
	return " AND " + alias + "company_id = ?"
}

// holding is one row of the number history.
type holding struct {
	companyID, siteID int64
	ownerKind         string
	ownerID           int64
	from, to          int64
}

func (h holding) covers(at int64) bool { return h.from <= at && (h.to == 0 || at < h.to) }

// holders is the history of the numbers and extensions one batch mentions.
type holders struct {
	numbers    map[string][]holding // +E.164 → rows
	extensions map[string][]holding // extension → rows (any company)
}

// numberAt returns who held number at the instant (ms), if anyone.
func (h holders) numberAt(number string, at int64) (holding, bool) {
	for _, x := range h.numbers[number] {
		if x.covers(at) {
			return x, true
		}
	}
	return holding{}, false
}

// extensionAt returns who held ext in companyID at the instant. With
// companyID 0 the extension must have been held in exactly one company of
// the provider's; otherwise it cannot be told whose it was.
func (h holders) extensionAt(ext string, companyID int64, companies map[int64]bool, at int64) (holding, bool) {
	var found holding
	n := 0
	for _, x := range h.extensions[ext] {
		if !x.covers(at) || !companies[x.companyID] {
			continue
		}
		if companyID != 0 && x.companyID == companyID {
			return x, true
		}
		found = x
		n++
	}
	if companyID == 0 && n == 1 {
		return found, true
	}
	return holding{}, false
}

// loadHolders reads the history rows of the given numbers and extensions.
func (s *Service) loadHolders(ctx context.Context, numbers, extensions []string) (holders, error) {
	h := holders{numbers: map[string][]holding{}, extensions: map[string][]holding{}}
	for _, part := range []struct {
		kind string
		keys []string
		into map[string][]holding
	}{{"number", numbers, h.numbers}, {"extension", extensions, h.extensions}} {
		for len(part.keys) > 0 {
			n := store.BatchSize(len(part.keys), 500)
			args := []any{part.kind}
			for _, k := range part.keys[:n] {
				args = append(args, k)
			}
			part.keys = part.keys[n:]
			rows, err := s.db.Q(ctx).Query(ctx, `SELECT number, company_id, site_id, owner_kind, owner_id, valid_from, valid_to
				FROM number_history WHERE kind = ? AND number IN (`+store.Placeholders(n)+`)`, args...)
			if err != nil {
				return h, fmt.Errorf("calls: read number history: %w", err)
			}
			for rows.Next() {
				var key string
				var x holding
				if err := rows.Scan(&key, &x.companyID, &x.siteID, &x.ownerKind, &x.ownerID, &x.from, &x.to); err != nil {
					rows.Close()
					return h, err
				}
				part.into[key] = append(part.into[key], x)
			}
			if err := rows.Close(); err != nil {
				return h, err
			}
			if err := rows.Err(); err != nil {
				return h, err
			}
		}
	}
	return h, nil
}

// BackdateHistory lets the current holders of a provider's numbers and
// extensions have held them since since, where their history begins later
// and nobody else ever held them. It exists for demo data, whose people
// need a past to make generated calls in; real history is never rewritten.
func (s *Service) BackdateHistory(ctx context.Context, providerID int64, since time.Time) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, `UPDATE number_history SET valid_from = ?
			WHERE valid_to = 0 AND valid_from > ? AND company_id IN (SELECT id FROM companies WHERE provider_id = ?)
			AND NOT EXISTS (SELECT 1 FROM number_history o WHERE o.kind = number_history.kind AND o.number = number_history.number AND o.id <> number_history.id)`,
			since.UnixMilli(), since.UnixMilli(), providerID)
		if err != nil {
			return fmt.Errorf("calls: backdate number history: %w", err)
		}
		return nil
	})
}

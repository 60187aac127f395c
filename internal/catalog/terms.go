package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Term is a contract term an employee's service is taken for ("please
// ensure you only pick the one agreed with your service provider").
type Term struct {
	ID         int64  `json:"id"`
	ProviderID int64  `json:"provider_id"`
	Name       string `json:"name"`
	Months     int    `json:"months"`
	// Rank orders terms from the least committed (lowest) to the most: a
	// change to a higher rank is an upgrade, to a lower one a downgrade.
	Rank      int       `json:"rank"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TermRequest creates or replaces a term.
type TermRequest struct {
	Name   string `json:"name"`
	Months int    `json:"months"`
	Rank   int    `json:"rank"`
}

// Validate checks the request and trims it.
func (r *TermRequest) Validate() error {
	v := &derrors.ValidationError{}
	r.Name = checkText(v, "name", r.Name, 40, true)
	if r.Months < 1 || r.Months > 120 {
		v.Add("months", "a term lasts 1 to 120 months (1 for a rolling monthly term)")
	}
	if r.Rank < 1 || r.Rank > 1000 {
		v.Add("rank", "the rank is 1 to 1000, higher for longer commitments")
	}
	return v.Err()
}

// CanChangeTerm reports whether an employee on from may move to to: terms
// are upgraded, never downgraded (a customer may commit for longer, not
// shorten a commitment already made). Staying on the same term is allowed.
func CanChangeTerm(from, to Term) error {
	if to.Rank < from.Rank {
		return derrors.Invalid("term_id", "the term can only be upgraded: %q cannot change to %q", from.Name, to.Name)
	}
	return nil
}

func (s *Service) checkTermUnique(ctx context.Context, providerID, id int64, r TermRequest) error {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM catalog_terms WHERE provider_id = ? AND lower(name) = lower(?) AND id <> ?",
		providerID, r.Name, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return derrors.Conflict("name", "a term named %q already exists", r.Name)
	}
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM catalog_terms WHERE provider_id = ? AND term_rank = ? AND id <> ?",
		providerID, r.Rank, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return derrors.Conflict("rank", "another term already has rank %d: each term needs its own place in the order", r.Rank)
	}
	return nil
}

// CreateTerm adds a term.
func (s *Service) CreateTerm(ctx context.Context, providerID int64, r TermRequest) (t Term, err error) {
	defer derrors.Wrap(&err, "catalog: create term %q", r.Name)
	if err := r.Validate(); err != nil {
		return Term{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.checkProvider(ctx, providerID); err != nil {
			return err
		}
		if err := s.checkTermUnique(ctx, providerID, 0, r); err != nil {
			return err
		}
		now := store.Now()
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO catalog_terms (provider_id, name, months, term_rank, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, providerID, r.Name, r.Months, r.Rank, now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "a term named %q or ranked %d already exists", r.Name, r.Rank)
		}
		if err != nil {
			return err
		}
		if t, err = s.Term(ctx, providerID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Term", ObjectKind: "term", ObjectID: id, ObjectName: t.Name, After: t})
	})
	return t, err
}

// UpdateTerm replaces a term's name, months and rank.
func (s *Service) UpdateTerm(ctx context.Context, providerID, id int64, r TermRequest) (t Term, err error) {
	defer derrors.Wrap(&err, "catalog: update term %d", id)
	if err := r.Validate(); err != nil {
		return Term{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Term(ctx, providerID, id)
		if err != nil {
			return err
		}
		if err := s.checkTermUnique(ctx, providerID, id, r); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE catalog_terms SET name = ?, months = ?, term_rank = ?, updated_at = ? WHERE id = ? AND provider_id = ?",
			r.Name, r.Months, r.Rank, store.Now(), id, providerID); err != nil {
			return err
		}
		if t, err = s.Term(ctx, providerID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Term", ObjectKind: "term", ObjectID: id, ObjectName: t.Name, Before: before, After: t})
	})
	return t, err
}

// DeleteTerm removes a term nobody is on.
func (s *Service) DeleteTerm(ctx context.Context, providerID, id int64) (err error) {
	defer derrors.Wrap(&err, "catalog: delete term %d", id)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		t, err := s.Term(ctx, providerID, id)
		if err != nil {
			return err
		}
		reason, err := s.termInUse(ctx, t)
		if err != nil {
			return err
		}
		if reason != "" {
			return derrors.Conflict("id", "%s", reason)
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM catalog_terms WHERE id = ? AND provider_id = ?", id, providerID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Term", ObjectKind: "term", ObjectID: id, ObjectName: t.Name, Before: t})
	})
}

// termInUse is why term t cannot be deleted now ("" when it can): the
// employees on it. DeleteTerm refuses with it and the Catalog page shows it
// next to a disabled Delete.
func (s *Service) termInUse(ctx context.Context, t Term) (string, error) {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM employee_offerings WHERE term_id = ?", t.ID).Scan(&n); err != nil {
		return "", fmt.Errorf("catalog: employees on term %d: %w", t.ID, err)
	}
	if n == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d employee(s) are on the term %q: move them to another term first", n, t.Name), nil
}

const termColumns = "id, provider_id, name, months, term_rank, created_at, updated_at"

func scanTerm(row interface{ Scan(...any) error }) (Term, error) {
	var t Term
	var created, updated int64
	err := row.Scan(&t.ID, &t.ProviderID, &t.Name, &t.Months, &t.Rank, &created, &updated)
	t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
	return t, err
}

// Term returns one term of the provider.
func (s *Service) Term(ctx context.Context, providerID, id int64) (Term, error) {
	t, err := scanTerm(s.db.Q(ctx).QueryRow(ctx, "SELECT "+termColumns+" FROM catalog_terms WHERE id = ? AND provider_id = ?", id, providerID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("catalog: term %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("catalog: term %d: %w", id, err)
	}
	return t, nil
}

// Terms lists the provider's terms by rank.
func (s *Service) Terms(ctx context.Context, providerID int64) ([]Term, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+termColumns+" FROM catalog_terms WHERE provider_id = ? ORDER BY term_rank", providerID)
	if err != nil {
		return nil, fmt.Errorf("catalog: terms: %w", err)
	}
	defer rows.Close()
	var out []Term
	for rows.Next() {
		t, err := scanTerm(rows)
		if err != nil {
			return nil, fmt.Errorf("catalog: terms: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

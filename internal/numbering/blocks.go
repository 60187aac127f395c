package numbering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// NumberRangeParameters define the space the provider carves internal
// number blocks from. Internal numbers never reach the public network; they
// name things inside the platform, such as SIP authentication identities.
//
// A number is Prefix followed by a value from First to Last written with
// Digits digits (zero-padded). Blocks are BlockSize consecutive values,
// the n-th block starting at First + n*BlockSize; a last partial block is
// never handed out. With Prefix "8", Digits 6, First 100000, Last 999999
// and BlockSize 1000 there are 900 blocks, the first 8100000 to 8100999.
type NumberRangeParameters struct {
	ProviderID int64     `json:"provider_id"`
	Prefix     string    `json:"prefix"`
	Digits     int       `json:"digits"`
	First      int64     `json:"first"`
	Last       int64     `json:"last"`
	BlockSize  int64     `json:"block_size"`
	Blocks     int64     `json:"blocks"` // how many blocks fit
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Bounds on the parameters: numbers up to 12 digits behind a prefix of up to
// 6 fit every SIP user part and every BIGINT.
const (
	maxPrefixDigits = 6
	minDigits       = 2
	maxDigits       = 12
	maxBlockSize    = 100000
)

// Validate checks p and computes Blocks.
func (p *NumberRangeParameters) Validate() error {
	v := &derrors.ValidationError{}
	p.Prefix = strings.TrimSpace(p.Prefix)
	if onlyDigits(p.Prefix) != p.Prefix || len(p.Prefix) > maxPrefixDigits {
		v.Add("prefix", "the prefix is up to %d digits (or empty)", maxPrefixDigits)
	}
	if p.Digits < minDigits || p.Digits > maxDigits {
		v.Add("digits", "numbers have between %d and %d digits after the prefix", minDigits, maxDigits)
		return v.Err()
	}
	top := int64(math.Pow10(p.Digits)) - 1
	if p.First < 0 || p.First > top {
		v.Add("first", "the first number must be between 0 and %d", top)
	}
	if p.Last < 0 || p.Last > top {
		v.Add("last", "the last number must be between 0 and %d", top)
	}
	if p.BlockSize < 1 || p.BlockSize > maxBlockSize {
		v.Add("block_size", "a block holds between 1 and %d numbers", maxBlockSize)
	}
	if len(v.Fields) == 0 {
		if p.Last < p.First {
			v.Add("last", "the last number comes before the first")
		} else if p.Blocks = (p.Last - p.First + 1) / p.BlockSize; p.Blocks == 0 {
			v.Add("block_size", "not one block of %d numbers fits between %d and %d", p.BlockSize, p.First, p.Last)
		}
	}
	return v.Err()
}

// label writes value as an internal number.
func (p NumberRangeParameters) label(value int64) string {
	return fmt.Sprintf("%s%0*d", p.Prefix, p.Digits, value)
}

// noParametersMessage is the control panel's explanation for a block asked for
// too early.
const noParametersMessage = "The Number Range Parameters must be defined before an Internal Number Block can be assigned."

// SetNumberRangeParameters defines or changes the provider's parameters.
// Once a block is assigned, the prefix, width, first number and block size
// are fixed (changing them would move the blocks already in use); the last
// number may still grow, or shrink down to the end of the highest block
// assigned.
func (s *Service) SetNumberRangeParameters(ctx context.Context, providerID int64, p NumberRangeParameters) (out NumberRangeParameters, err error) {
	defer derrors.Wrap(&err, "numbering: set number range parameters")
	if err := p.Validate(); err != nil {
		return NumberRangeParameters{}, err
	}
	p.ProviderID = providerID
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.providerRegion(ctx, providerID); err != nil {
			return err
		}
		before, err := s.NumberRangeParameters(ctx, providerID)
		exists := err == nil
		if err != nil && !errors.Is(err, derrors.ErrNotFound) {
			return err
		}
		q := s.db.Q(ctx)
		var blocks int
		var highest int64
		if err := q.QueryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(last_number), 0) FROM internal_number_blocks WHERE provider_id = ?",
			providerID).Scan(&blocks, &highest); err != nil {
			return err
		}
		if blocks > 0 && exists {
			if p.Prefix != before.Prefix || p.Digits != before.Digits || p.First != before.First || p.BlockSize != before.BlockSize {
				return derrors.Conflict("prefix", "%d internal number block(s) are assigned: only the last number can change now", blocks)
			}
			if p.Last < highest {
				return derrors.Conflict("last", "the last number cannot go below %d, the end of a block already assigned", highest)
			}
		}
		now := store.Now()
		if _, err := q.Exec(ctx, "DELETE FROM number_range_parameters WHERE provider_id = ?", providerID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO number_range_parameters (provider_id, prefix, digits, first_number, last_number, block_size, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, providerID, p.Prefix, p.Digits, p.First, p.Last, p.BlockSize, now); err != nil {
			return err
		}
		if out, err = s.NumberRangeParameters(ctx, providerID); err != nil {
			return err
		}
		var b any
		if exists {
			b = before
		}
		return s.audit.Record(ctx, audit.Event{Event: "Set Number Range Parameters", ObjectKind: "number_range_parameters",
			ObjectID: providerID, ObjectName: "Number Range Parameters", Before: b, After: out})
	})
	return out, err
}

// NumberRangeParameters returns the provider's parameters, ErrNotFound when
// none are defined.
func (s *Service) NumberRangeParameters(ctx context.Context, providerID int64) (p NumberRangeParameters, err error) {
	defer derrors.Wrap(&err, "numbering: number range parameters")
	return s.params(ctx, providerID, "")
}

func (s *Service) params(ctx context.Context, providerID int64, lock string) (NumberRangeParameters, error) {
	var p NumberRangeParameters
	var updated int64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT provider_id, prefix, digits, first_number, last_number, block_size, updated_at
		FROM number_range_parameters WHERE provider_id = ?`+lock, providerID).
		Scan(&p.ProviderID, &p.Prefix, &p.Digits, &p.First, &p.Last, &p.BlockSize, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, derrors.ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.UpdatedAt = store.Time(updated)
	p.Blocks = (p.Last - p.First + 1) / p.BlockSize
	return p, nil
}

// InternalBlock is a block of internal numbers assigned to a company.
type InternalBlock struct {
	ID        int64     `json:"id"`
	CompanyID int64     `json:"company_id"`
	Index     int64     `json:"index"`
	First     string    `json:"first"`
	Last      string    `json:"last"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
}

// AssignInternalBlock gives companyID the lowest free block of its
// provider's number range (the control panel's "+" button). It is refused
// with the control panel's explanation until the parameters exist, and with
// a conflict when every block is taken. The parameters row is locked on
// PostgreSQL (the single writer serialises SQLite), and a unique index on
// the block index backs that up.
func (s *Service) AssignInternalBlock(ctx context.Context, companyID int64) (b InternalBlock, err error) {
	defer derrors.Wrap(&err, "numbering: assign internal number block to company %d", companyID)
	providerID, _, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return InternalBlock{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		lock := ""
		if s.db.Dialect() == store.Postgres {
			lock = " FOR UPDATE"
		}
		p, err := s.params(ctx, providerID, lock)
		if errors.Is(err, derrors.ErrNotFound) {
			return derrors.Conflict("number_range_parameters", noParametersMessage)
		}
		if err != nil {
			return err
		}
		q := s.db.Q(ctx)
		rows, err := q.Query(ctx, "SELECT block_index FROM internal_number_blocks WHERE provider_id = ? ORDER BY block_index", providerID)
		if err != nil {
			return err
		}
		next := int64(0)
		for rows.Next() {
			var i int64
			if err := rows.Scan(&i); err != nil {
				rows.Close()
				return err
			}
			if i == next {
				next++
			} else if i > next {
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if next >= p.Blocks {
			return derrors.Conflict("number_range_parameters", "every internal number block is assigned: raise the last number of the Number Range Parameters")
		}
		first := p.First + next*p.BlockSize
		last := first + p.BlockSize - 1
		var id int64
		err = q.QueryRow(ctx, `INSERT INTO internal_number_blocks (provider_id, company_id, block_index, first_number, last_number,
			first_label, last_label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, companyID, next, first, last, p.label(first), p.label(last), store.Now()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("number_range_parameters", "another block was assigned at the same moment: try again")
		}
		if err != nil {
			return err
		}
		if b, err = s.internalBlock(ctx, companyID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Assign Internal Number Block", ObjectKind: "internal_number_block", ObjectID: id,
			ObjectName: b.First + "-" + b.Last, CompanyID: companyID, After: b})
	})
	return b, err
}

const blockSelect = `SELECT id, company_id, block_index, first_label, last_label, last_number - first_number + 1, created_at
	FROM internal_number_blocks`

func scanBlock(row interface{ Scan(...any) error }) (InternalBlock, error) {
	var b InternalBlock
	var created int64
	err := row.Scan(&b.ID, &b.CompanyID, &b.Index, &b.First, &b.Last, &b.Size, &created)
	b.CreatedAt = store.Time(created)
	return b, err
}

func (s *Service) internalBlock(ctx context.Context, companyID, id int64) (InternalBlock, error) {
	b, err := scanBlock(s.db.Q(ctx).QueryRow(ctx, blockSelect+" WHERE id = ? AND company_id = ?", id, companyID))
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("internal number block %d: %w", id, derrors.ErrNotFound)
	}
	return b, err
}

// InternalBlocks lists the blocks assigned to companyID, lowest first.
func (s *Service) InternalBlocks(ctx context.Context, companyID int64) (out []InternalBlock, err error) {
	defer derrors.Wrap(&err, "numbering: internal number blocks of company %d", companyID)
	rows, err := s.db.Q(ctx).Query(ctx, blockSelect+" WHERE company_id = ? ORDER BY block_index", companyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		b, err := scanBlock(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// RemoveInternalBlock takes a block back from companyID; it becomes the
// next one handed out. The caller makes sure no SIP identity still uses it.
func (s *Service) RemoveInternalBlock(ctx context.Context, companyID, id int64) (err error) {
	defer derrors.Wrap(&err, "numbering: remove internal number block %d", id)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		b, err := s.internalBlock(ctx, companyID, id)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM internal_number_blocks WHERE id = ? AND company_id = ?", id, companyID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Remove Internal Number Block", ObjectKind: "internal_number_block", ObjectID: id,
			ObjectName: b.First + "-" + b.Last, CompanyID: companyID, Before: b})
	})
}

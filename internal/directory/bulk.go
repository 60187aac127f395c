package directory

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// BatchError is CreateEmployees' answer when it refuses requests: each
// refused request with its reason. Nothing was written and no statement
// failed, so the transaction in ctx can go on: an import drops the refused
// rows, reports them, and creates the others.
type BatchError struct {
	// Total is how many requests there were.
	Total int
	// Rows are the refused requests, in request order.
	Rows []RowError
}

// RowError is one refused request of a batch.
type RowError struct {
	// Index is the request's position in the batch, from 0.
	Index    int
	Username string
	// Err is the reason, as CreateEmployee would give it for that request
	// alone: a *derrors.ValidationError or a *derrors.ConflictError.
	Err error
}

// batchErrorShown bounds how many refused requests Error spells out.
const batchErrorShown = 10

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d employees refused: ", len(e.Rows), e.Total)
	for i, r := range e.Rows {
		if i == batchErrorShown {
			fmt.Fprintf(&b, "; and %d more", len(e.Rows)-batchErrorShown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "entry %d (%q): %v", r.Index+1, r.Username, r.Err)
	}
	return b.String()
}

// Unwrap lets errors.Is and errors.As see the rows' reasons.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Rows))
	for i, r := range e.Rows {
		errs[i] = r.Err
	}
	return errs
}

// Bounds of SQLite's multi-row statements (PostgreSQL takes a batch as
// arrays: one statement a table): an account row has 19 parameters, a
// membership 3, so a statement stays far below SQLite's 32,766 parameters.
// An IN list of the checks holds lookupBatch values on either engine.
const (
	maxAccountRows = 512
	maxMemberRows  = 1024
	lookupBatch    = 1000
)

// CreateEmployees adds many accounts to companyID at once. Each request is
// checked as CreateEmployee checks it and written as CreateEmployee writes
// it (the same columns, search_text, group memberships and "Create
// Employee" audit entry), but with a few statements for the whole batch
// instead of five statements per account. The accounts get no
// password (imports create password-less accounts: see internal/imports).
// The caller has checked access for every request.
//
// The batch is all or nothing: when requests are refused (an invalid field,
// a group not in the company, a username already taken or given twice in
// the batch) the error is a *BatchError naming each one, and nothing is
// written. Any other error (a username taken by a concurrent transaction
// after the check, a database fault) can leave the transaction in ctx
// half-written or, on PostgreSQL, aborted: the caller rolls it back, or
// back to a savepoint, as after any failed write.
func (s *Service) CreateEmployees(ctx context.Context, companyID, providerID int64, reqs []EmployeeCreateRequest) ([]Employee, error) {
	es, err := s.createEmployees(ctx, companyID, providerID, reqs, nil)
	if err != nil {
		return nil, fmt.Errorf("directory: create employees: %w", err)
	}
	return es, nil
}

// createEmployees is CreateEmployees with a password hash per request (nil:
// none for any).
func (s *Service) createEmployees(ctx context.Context, companyID, providerID int64, reqs []EmployeeCreateRequest, hashes []string) ([]Employee, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	// Validate trims and fills defaults: work on a copy, not the caller's.
	reqs = slices.Clone(reqs)
	refused := make([]error, len(reqs))
	for i := range reqs {
		refused[i] = reqs[i].Validate()
	}
	var out []Employee
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		// Checked inside the transaction: on SQLite the single writer makes
		// the check and the writes one step; on PostgreSQL a username taken
		// meanwhile by another transaction still fails the INSERT below.
		if err := s.checkGroups(ctx, companyID, reqs, refused); err != nil {
			return err
		}
		if err := s.checkUsernames(ctx, reqs, refused); err != nil {
			return err
		}
		be := &BatchError{Total: len(reqs)}
		for i, err := range refused {
			if err != nil {
				be.Rows = append(be.Rows, RowError{Index: i, Username: reqs[i].Username, Err: err})
			}
		}
		if len(be.Rows) > 0 {
			return be
		}
		var err error
		out, err = s.insertEmployees(ctx, companyID, providerID, reqs, hashes)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkGroups refuses, in refused, each request naming a group twice or a
// group that is not companyID's, with one look-up for the whole batch.
func (s *Service) checkGroups(ctx context.Context, companyID int64, reqs []EmployeeCreateRequest, refused []error) error {
	var ids []int64
	wanted := map[int64]bool{}
	for i, r := range reqs {
		for _, id := range r.GroupIDs {
			if refused[i] == nil && !wanted[id] {
				wanted[id] = true
				ids = append(ids, id)
			}
		}
	}
	exists := map[int64]bool{}
	for len(ids) > 0 {
		n := min(len(ids), lookupBatch)
		args := make([]any, 0, n+1)
		args = append(args, companyID)
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		found, err := queryColumn[int64](ctx, s.db.Q(ctx), "SELECT id FROM org_groups WHERE company_id = ? AND id IN ("+store.Placeholders(n)+")", args...)
		if err != nil {
			return err
		}
		for _, id := range found {
			exists[id] = true
		}
		ids = ids[n:]
	}
	for i, r := range reqs {
		if refused[i] != nil {
			continue
		}
		seen := map[int64]bool{}
		for _, id := range r.GroupIDs {
			if seen[id] {
				refused[i] = derrors.Invalid("group_ids", "group %d is listed twice", id)
				break
			}
			seen[id] = true
			if !exists[id] {
				refused[i] = derrors.Invalid("group_ids", "group %d does not exist", id)
				break
			}
		}
	}
	return nil
}

// checkUsernames refuses, in refused, each request whose username an
// account already holds (in any company: usernames are unique across the
// platform) or an earlier request of the batch asks for.
func (s *Service) checkUsernames(ctx context.Context, reqs []EmployeeCreateRequest, refused []error) error {
	var names []any
	for i, r := range reqs {
		if refused[i] == nil {
			names = append(names, r.Username)
		}
	}
	taken := map[string]bool{}
	for len(names) > 0 {
		n := min(len(names), lookupBatch)
		found, err := queryColumn[string](ctx, s.db.Q(ctx), "SELECT username FROM accounts WHERE username IN ("+store.Placeholders(n)+")", names[:n]...)
		if err != nil {
			return err
		}
		for _, u := range found {
			taken[u] = true
		}
		names = names[n:]
	}
	first := map[string]int{}
	for i, r := range reqs {
		if refused[i] != nil {
			continue
		}
		if taken[r.Username] {
			refused[i] = derrors.Conflict("username", "the username %q is already taken; choose another", r.Username)
		} else if j, dup := first[r.Username]; dup {
			refused[i] = derrors.Conflict("username", "the username %q is already asked for by entry %d of the same batch", r.Username, j+1)
		} else {
			first[r.Username] = i
		}
	}
	return nil
}

// insertEmployees writes checked requests: accounts, memberships and audit
// entries, each with multi-row INSERTs.
func (s *Service) insertEmployees(ctx context.Context, companyID, providerID int64, reqs []EmployeeCreateRequest, hashes []string) ([]Employee, error) {
	now := store.Now()
	ids, err := s.insertAccounts(ctx, companyID, providerID, reqs, hashes, now)
	if store.IsUniqueViolation(err) {
		// Taken by another transaction since checkUsernames.
		if len(reqs) == 1 {
			return nil, derrors.Conflict("username", "the username %q is already taken; choose another", reqs[0].Username)
		}
		return nil, derrors.Conflict("username", "a username of the batch was taken by another change while the employees were being created; try again")
	}
	if err != nil {
		return nil, err
	}
	var groups, accounts []int64
	for i, r := range reqs {
		for _, gid := range r.GroupIDs {
			groups, accounts = append(groups, gid), append(accounts, ids[i])
		}
	}
	if err := s.insertMembers(ctx, groups, accounts, now); err != nil {
		return nil, err
	}
	out := make([]Employee, len(reqs))
	events := make([]audit.Event, len(reqs))
	for i, r := range reqs {
		// What the row holds, built from what was inserted rather than read
		// back: every column is stored as given.
		out[i] = Employee{ID: ids[i], CompanyID: companyID, Username: r.Username, Role: r.Role, FirstName: r.FirstName,
			LastName: r.LastName, Email: r.Email, Phone: r.Phone, Address: r.Address, Status: StatusInactive,
			CreatedAt: store.Time(now), UpdatedAt: store.Time(now)}
		events[i] = audit.Event{Event: "Create Employee", ObjectKind: "employee", ObjectID: ids[i], ObjectName: r.Username,
			CompanyID: companyID, After: out[i]}
	}
	if err := s.audit.RecordAll(ctx, events); err != nil {
		return nil, err
	}
	return out, nil
}

// A new account's columns: those every account of a batch shares, then
// the request's own (all text), in the order of accountOwnValues.
const (
	accountSharedColumns = "provider_id, company_id, status, created_at, updated_at, password_changed_at"
	accountOwnColumns    = "username, password_hash, role, first_name, last_name, email, phone, address_line1, address_line2, city, postcode, country, search_text"
	accountOwnCount      = 13
)

func accountOwnValues(r EmployeeCreateRequest, passwordHash string) [accountOwnCount]string {
	a := r.Address
	return [...]string{r.Username, passwordHash, string(r.Role), r.FirstName, r.LastName, r.Email, r.Phone,
		a.Line1, a.Line2, a.City, a.Postcode, a.Country, searchText(r.Username, r.FirstName, r.LastName, r.Phone)}
}

// insertAccounts inserts the accounts of reqs and returns their ids in
// request order. On PostgreSQL one statement takes the whole batch as one
// array a column (unnest): 19 parameters however many rows, where a
// multi-row VALUES list makes the driver encode and the server plan
// thousands, which cost more than the rows themselves. SQLite has no
// arrays: a VALUES row a request, maxAccountRows a statement.
func (s *Service) insertAccounts(ctx context.Context, companyID, providerID int64, reqs []EmployeeCreateRequest, hashes []string, now int64) ([]int64, error) {
	q := s.db.Q(ctx)
	hash := func(i int) string {
		if hashes == nil {
			return ""
		}
		return hashes[i]
	}
	shared := []any{providerID, companyID, StatusInactive, now, now, now}
	ids := make([]int64, len(reqs))
	// Neither engine promises RETURNING rows in the order given, so each id
	// is matched to its request by the username (unique in the batch).
	index := make(map[string]int, len(reqs))
	for i, r := range reqs {
		index[r.Username] = i
	}
	scanID := func(scan func(...any) error) error {
		var id int64
		var u string
		if err := scan(&id, &u); err != nil {
			return err
		}
		i, ok := index[u]
		if !ok || ids[i] != 0 {
			return fmt.Errorf("the insert returned an unexpected username %q", u)
		}
		ids[i] = id
		return nil
	}
	if s.db.Dialect() == store.Postgres {
		cols := make([][]string, accountOwnCount)
		for c := range cols {
			cols[c] = make([]string, len(reqs))
		}
		for i, r := range reqs {
			for c, v := range accountOwnValues(r, hash(i)) {
				cols[c][i] = v
			}
		}
		args := shared
		for _, c := range cols {
			args = append(args, c)
		}
		rows, err := q.Query(ctx, "INSERT INTO accounts ("+accountSharedColumns+", "+accountOwnColumns+
			") SELECT ?::bigint, ?::bigint, ?::text, ?::bigint, ?::bigint, ?::bigint, u.* FROM unnest("+
			store.RepeatRow(accountOwnCount, "?::text[]")+") AS u RETURNING id, username", args...)
		if err := scanRows(rows, err, scanID); err != nil {
			return nil, err
		}
	} else {
		row := "(" + store.Placeholders(len(shared)+accountOwnCount) + ")"
		for lo := 0; lo < len(reqs); {
			n := store.BatchSize(len(reqs)-lo, maxAccountRows)
			args := make([]any, 0, n*(len(shared)+accountOwnCount))
			for i := lo; i < lo+n; i++ {
				args = append(args, shared...)
				for _, v := range accountOwnValues(reqs[i], hash(i)) {
					args = append(args, v)
				}
			}
			rows, err := q.Query(ctx, "INSERT INTO accounts ("+accountSharedColumns+", "+accountOwnColumns+") VALUES "+
				store.RepeatRow(n, row)+" RETURNING id, username", args...)
			if err := scanRows(rows, err, scanID); err != nil {
				return nil, err
			}
			lo += n
		}
	}
	for i, id := range ids {
		if id == 0 {
			return nil, fmt.Errorf("the insert returned no id for %q", reqs[i].Username)
		}
	}
	return ids, nil
}

// insertMembers adds account i to group i, as insertAccounts writes
// accounts: arrays on PostgreSQL, VALUES lists on SQLite.
func (s *Service) insertMembers(ctx context.Context, groups, accounts []int64, now int64) error {
	q := s.db.Q(ctx)
	if len(groups) == 0 {
		return nil
	}
	if s.db.Dialect() == store.Postgres {
		_, err := q.Exec(ctx, `INSERT INTO group_members (group_id, account_id, created_at)
			SELECT u.g, u.a, ?::bigint FROM unnest(?::bigint[], ?::bigint[]) AS u(g, a)`, now, groups, accounts)
		return err
	}
	for len(groups) > 0 {
		n := store.BatchSize(len(groups), maxMemberRows)
		args := make([]any, 0, 3*n)
		for i := range n {
			args = append(args, groups[i], accounts[i], now)
		}
		if _, err := q.Exec(ctx, "INSERT INTO group_members (group_id, account_id, created_at) VALUES "+store.RepeatRow(n, "(?, ?, ?)"), args...); err != nil {
			return err
		}
		groups, accounts = groups[n:], accounts[n:]
	}
	return nil
}

// queryColumn returns the single column of a query's rows.
func queryColumn[T any](ctx context.Context, q store.Querier, query string, args ...any) ([]T, error) {
	var out []T
	rows, err := q.Query(ctx, query, args...)
	err = scanRows(rows, err, func(scan func(...any) error) error {
		var v T
		if err := scan(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// scanRows calls each for every row and closes rows. An error the query
// reports only while its rows are read (a constraint of an INSERT …
// RETURNING, on either driver) is returned like one reported at once.
func scanRows(rows *sql.Rows, err error, each func(scan func(...any) error) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows.Scan); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

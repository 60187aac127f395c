// Package tenancy owns the top of the hierarchy: the provider that runs the
// deployment, its optional resellers and its customer companies with the
// control-panel fields (status, balance, debit limit, channel limit) and the
// two company flags (config & reg; add employee).
package tenancy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Provider is the voice service provider running this deployment.
type Provider struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	DefaultRegion string    `json:"default_region"`
	CreatedAt     time.Time `json:"created_at"`
}

// Reseller is an optional tier between the provider and companies.
type Reseller struct {
	ID         int64     `json:"id"`
	ProviderID int64     `json:"provider_id"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
}

// Company statuses, as the control panel shows them.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusCancelled = "cancelled"
)

// CompanyStatuses lists the valid company statuses.
var CompanyStatuses = []string{StatusActive, StatusSuspended, StatusCancelled}

// Company is a customer.
type Company struct {
	ID         int64  `json:"id"`
	ProviderID int64  `json:"provider_id"`
	ResellerID *int64 `json:"reseller_id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	// Money is in minor units (pence) of Currency.
	BalanceMinor    int64     `json:"balance_minor"`
	DebitLimitMinor int64     `json:"debit_limit_minor"`
	Currency        string    `json:"currency"`
	ChannelLimit    int       `json:"channel_limit"`
	ConfigAndReg    bool      `json:"config_and_reg"`
	AddEmployee     bool      `json:"add_employee"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Service manages providers, resellers and companies.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
	// Identity creates reseller admins and resets contacts' passwords.
	Identity *identity.Service
	// AddLogin is the whole Add Employee step a customer contact's login
	// is made with (password policy, welcome e-mail); app wires it.
	AddLogin func(ctx context.Context, companyID, providerID int64, req directory.EmployeeCreateRequest) (directory.Employee, error)
}

// New returns a Service.
func New(db *store.DB, log *audit.Log) *Service {
	return &Service{db: db, audit: log, access: access.New(db)}
}

// CreateProvider creates the deployment's provider.
func (s *Service) CreateProvider(ctx context.Context, name, region string) (Provider, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Provider{}, derrors.Invalid("name", "the provider needs a name")
	}
	if region == "" {
		region = "GB"
	}
	p := Provider{Name: name, DefaultRegion: strings.ToUpper(region), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		err := s.db.Q(ctx).QueryRow(ctx, "INSERT INTO providers (name, default_region, created_at) VALUES (?, ?, ?) RETURNING id",
			p.Name, p.DefaultRegion, p.CreatedAt.UnixMilli()).Scan(&p.ID)
		if err != nil {
			return err
		}
		// A provider starts from the deployment's refused extensions and
		// changes its own copy (docs/numbering.md).
		if _, err := s.db.Q(ctx).Exec(ctx, `INSERT INTO refused_extensions (provider_id, code, match_kind, total_length, reason, created_at)
			SELECT ?, code, match_kind, total_length, reason, created_at FROM refused_extension_defaults`, p.ID); err != nil {
			return fmt.Errorf("refused extensions: %w", err)
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Provider", ObjectKind: "provider", ObjectID: p.ID, ObjectName: p.Name, After: p})
	})
	if err != nil {
		return Provider{}, fmt.Errorf("tenancy: create provider: %w", err)
	}
	return p, nil
}

// FirstProvider returns the deployment's provider (the lowest id).
func (s *Service) FirstProvider(ctx context.Context) (Provider, error) {
	var p Provider
	var created int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT id, name, default_region, created_at FROM providers ORDER BY id LIMIT 1").
		Scan(&p.ID, &p.Name, &p.DefaultRegion, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("tenancy: no provider yet: %w", derrors.ErrNotFound)
	}
	p.CreatedAt = store.Time(created)
	return p, err
}

// CreateReseller adds a reseller under providerID.
func (s *Service) CreateReseller(ctx context.Context, providerID int64, name string) (Reseller, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Reseller{}, derrors.Invalid("name", "the reseller needs a name")
	}
	r := Reseller{ProviderID: providerID, Name: name, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		err := s.db.Q(ctx).QueryRow(ctx, "INSERT INTO resellers (provider_id, name, created_at) VALUES (?, ?, ?) RETURNING id",
			providerID, name, r.CreatedAt.UnixMilli()).Scan(&r.ID)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "a reseller named %q already exists", name)
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Reseller", ObjectKind: "reseller", ObjectID: r.ID, ObjectName: name, After: r})
	})
	if err != nil {
		return Reseller{}, fmt.Errorf("tenancy: create reseller: %w", err)
	}
	return r, nil
}

// CompanyCreateRequest is a new customer.
type CompanyCreateRequest struct {
	Name            string `json:"name"`
	ResellerID      *int64 `json:"reseller_id"`
	Status          string `json:"status"`
	BalanceMinor    int64  `json:"balance_minor"`
	DebitLimitMinor int64  `json:"debit_limit_minor"`
	Currency        string `json:"currency"`
	ChannelLimit    int    `json:"channel_limit"`
	ConfigAndReg    bool   `json:"config_and_reg"`
	AddEmployee     bool   `json:"add_employee"`
}

// Validate checks the request and fills defaults.
func (r *CompanyCreateRequest) Validate() error {
	v := &derrors.ValidationError{}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		v.Add("name", "the company needs a name")
	} else if len(r.Name) > 100 {
		v.Add("name", "the company name must be at most 100 characters")
	}
	if r.Status == "" {
		r.Status = StatusActive
	}
	validateCommon(v, &r.Status, &r.Currency, r.DebitLimitMinor, r.ChannelLimit)
	return v.Err()
}

func validateCommon(v *derrors.ValidationError, status, currency *string, debitLimit int64, channels int) {
	if !validStatus(*status) {
		v.Add("status", "status must be one of %s", strings.Join(CompanyStatuses, ", "))
	}
	if *currency == "" {
		*currency = "GBP"
	}
	*currency = strings.ToUpper(*currency)
	if len(*currency) != 3 || strings.Trim(*currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		v.Add("currency", "currency must be a three-letter ISO 4217 code such as GBP")
	}
	if debitLimit < 0 {
		v.Add("debit_limit_minor", "the debit limit cannot be negative")
	}
	if channels < 0 {
		v.Add("channel_limit", "the channel limit cannot be negative")
	}
}

func validStatus(s string) bool {
	for _, x := range CompanyStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// CreateCompany adds a customer under providerID.
func (s *Service) CreateCompany(ctx context.Context, providerID int64, req CompanyCreateRequest) (Company, error) {
	if err := req.Validate(); err != nil {
		return Company{}, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	c := Company{ProviderID: providerID, ResellerID: req.ResellerID, Name: req.Name, Status: req.Status,
		BalanceMinor: req.BalanceMinor, DebitLimitMinor: req.DebitLimitMinor, Currency: req.Currency,
		ChannelLimit: req.ChannelLimit, ConfigAndReg: req.ConfigAndReg, AddEmployee: req.AddEmployee,
		CreatedAt: now, UpdatedAt: now}
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if c.ResellerID != nil {
			var n int
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM resellers WHERE id = ? AND provider_id = ?", *c.ResellerID, providerID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return derrors.Invalid("reseller_id", "reseller %d does not exist", *c.ResellerID)
			}
		}
		err := q.QueryRow(ctx, `INSERT INTO companies (provider_id, reseller_id, name, status, balance_minor, debit_limit_minor,
			currency, channel_limit, config_and_reg, add_employee, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, c.ResellerID, c.Name, c.Status, c.BalanceMinor, c.DebitLimitMinor, c.Currency, c.ChannelLimit,
			c.ConfigAndReg, c.AddEmployee, now.UnixMilli(), now.UnixMilli()).Scan(&c.ID)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "a company named %q already exists", c.Name)
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Company", ObjectKind: "company", ObjectID: c.ID, ObjectName: c.Name, CompanyID: c.ID, After: c})
	})
	if err != nil {
		return Company{}, fmt.Errorf("tenancy: create company: %w", err)
	}
	return c, nil
}

const companyColumns = `id, provider_id, reseller_id, name, status, balance_minor, debit_limit_minor, currency,
	channel_limit, config_and_reg, add_employee, created_at, updated_at`

// scanCompany reads a row of companyColumns, then extra columns into extra.
func scanCompany(row interface{ Scan(...any) error }, extra ...any) (Company, error) {
	var c Company
	var reseller sql.NullInt64
	var created, updated int64
	err := row.Scan(append([]any{&c.ID, &c.ProviderID, &reseller, &c.Name, &c.Status, &c.BalanceMinor, &c.DebitLimitMinor, &c.Currency,
		&c.ChannelLimit, &c.ConfigAndReg, &c.AddEmployee, &created, &updated}, extra...)...)
	if reseller.Valid {
		c.ResellerID = &reseller.Int64
	}
	c.CreatedAt, c.UpdatedAt = store.Time(created), store.Time(updated)
	return c, err
}

// Company returns one company. Callers check access first.
func (s *Service) Company(ctx context.Context, id int64) (Company, error) {
	c, err := scanCompany(s.db.Q(ctx).QueryRow(ctx, "SELECT "+companyColumns+" FROM companies WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("tenancy: company %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("tenancy: company %d: %w", id, err)
	}
	return c, nil
}

// CompanyFilter narrows ListCompanies. ProviderID is required; ResellerID or
// CompanyID narrow it to a reseller's or a single company.
type CompanyFilter struct {
	ProviderID int64
	ResellerID int64
	CompanyID  int64
	Q          string // substring of the name, case-insensitive
	Status     string
}

// ListCompanies returns a page of companies ordered by name, and the total.
func (s *Service) ListCompanies(ctx context.Context, f CompanyFilter, p store.Page) ([]Company, int, error) {
	p.Count = true
	pg, err := s.ListCompaniesPage(ctx, f, p)
	return pg.Items, pg.Total, err
}

// companyOrder is the order of the customer list: by name, then id, walked
// on companies_list or companies_reseller (migration 0045).
var companyOrder = store.Keyset{Name: "name", Keys: []store.SortKey{{Expr: "lower(name)"}}, ID: "id"}

// CompanyPage is one page of companies.
type CompanyPage struct {
	Items []Company
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// ListCompaniesPage is ListCompanies with keyset paging: p.After continues
// after a company and the total is counted only when p.Count asks
// (docs/performance.md). It decides no permission.
func (s *Service) ListCompaniesPage(ctx context.Context, f CompanyFilter, p store.Page) (CompanyPage, error) {
	out := CompanyPage{Total: -1}
	where := []string{"provider_id = ?"}
	args := []any{f.ProviderID}
	if f.ResellerID != 0 {
		where, args = append(where, "reseller_id = ?"), append(args, f.ResellerID)
	}
	if f.CompanyID != 0 {
		where, args = append(where, "id = ?"), append(args, f.CompanyID)
	}
	if f.Q != "" {
		where, args = append(where, `lower(name) LIKE ? ESCAPE '\'`), append(args, "%"+store.Like(strings.ToLower(f.Q))+"%")
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	q := s.db.Q(ctx)
	if p.Count {
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM companies"+cond, args...).Scan(&out.Total); err != nil {
			return out, fmt.Errorf("tenancy: count companies: %w", err)
		}
	}
	after, afterArgs, tail, err := companyOrder.Window(p)
	if err != nil {
		return out, err
	}
	rows, err := q.Query(ctx, "SELECT "+companyColumns+", "+companyOrder.KeyColumns()+" FROM companies"+cond+after+tail,
		append(args, afterArgs...)...)
	if err != nil {
		return out, fmt.Errorf("tenancy: list companies: %w", err)
	}
	defer rows.Close()
	var last []any
	for rows.Next() {
		if len(out.Items) == p.Limit() {
			out.Next = companyOrder.Cursor(last, out.Items[len(out.Items)-1].ID)
			break
		}
		keys := companyOrder.KeyDest()
		c, err := scanCompany(rows, keys...)
		if err != nil {
			return out, fmt.Errorf("tenancy: list companies: %w", err)
		}
		out.Items, last = append(out.Items, c), store.KeyValues(keys)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("tenancy: list companies: %w", err)
	}
	return out, nil
}

// CompanyIDs returns the ids of every company of providerID, or of one of
// its resellers when resellerID is not 0, without a page: access look-ups
// need them all, and a paged list stops at store.MaxPerPage.
func (s *Service) CompanyIDs(ctx context.Context, providerID, resellerID int64) ([]int64, error) {
	query, args := "SELECT id FROM companies WHERE provider_id = ?", []any{providerID}
	if resellerID != 0 {
		query, args = query+" AND reseller_id = ?", append(args, resellerID)
	}
	rows, err := s.db.Q(ctx).Query(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("tenancy: company ids: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("tenancy: company ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CompanyUpdateRequest changes control-panel fields; nil fields are left alone.
type CompanyUpdateRequest struct {
	Name            *string `json:"name"`
	Status          *string `json:"status"`
	BalanceMinor    *int64  `json:"balance_minor"`
	DebitLimitMinor *int64  `json:"debit_limit_minor"`
	Currency        *string `json:"currency"`
	ChannelLimit    *int    `json:"channel_limit"`
	ConfigAndReg    *bool   `json:"config_and_reg"`
	AddEmployee     *bool   `json:"add_employee"`
}

// UpdateCompany applies req to company id.
func (s *Service) UpdateCompany(ctx context.Context, id int64, req CompanyUpdateRequest) (Company, error) {
	var after Company
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Company(ctx, id)
		if err != nil {
			return err
		}
		c := before
		if req.Name != nil {
			c.Name = strings.TrimSpace(*req.Name)
		}
		set(&c.Status, req.Status)
		set(&c.BalanceMinor, req.BalanceMinor)
		set(&c.DebitLimitMinor, req.DebitLimitMinor)
		set(&c.Currency, req.Currency)
		set(&c.ChannelLimit, req.ChannelLimit)
		set(&c.ConfigAndReg, req.ConfigAndReg)
		set(&c.AddEmployee, req.AddEmployee)
		v := &derrors.ValidationError{}
		if c.Name == "" {
			v.Add("name", "the company needs a name")
		}
		validateCommon(v, &c.Status, &c.Currency, c.DebitLimitMinor, c.ChannelLimit)
		if err := v.Err(); err != nil {
			return err
		}
		c.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
		// The balance is applied as a change from the one read above:
		// billing takes call charges off it concurrently, and a save must
		// never undo them (docs/billing.md).
		_, err = s.db.Q(ctx).Exec(ctx, `UPDATE companies SET name = ?, status = ?, balance_minor = balance_minor + ?, debit_limit_minor = ?,
			currency = ?, channel_limit = ?, config_and_reg = ?, add_employee = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Status, c.BalanceMinor-before.BalanceMinor, c.DebitLimitMinor, c.Currency, c.ChannelLimit, c.ConfigAndReg, c.AddEmployee,
			c.UpdatedAt.UnixMilli(), id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "a company named %q already exists", c.Name)
		}
		if err != nil {
			return err
		}
		after = c
		return s.audit.Record(ctx, audit.Event{Event: "Modify Company", ObjectKind: "company", ObjectID: id, ObjectName: c.Name,
			CompanyID: id, Before: before, After: c})
	})
	if err != nil {
		return Company{}, fmt.Errorf("tenancy: update company %d: %w", id, err)
	}
	return after, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Stats are the Company Dashboard's quick-statistic tiles.
type Stats struct {
	ActiveSites     int `json:"active_sites"`
	ActiveEmployees int `json:"active_employees"`
	CompanyAdmins   int `json:"company_admins"`
}

// DashboardStats counts the tiles for company id.
func (s *Service) DashboardStats(ctx context.Context, id int64) (Stats, error) {
	var st Stats
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM org_groups WHERE company_id = ? AND is_site = ?),
		(SELECT COUNT(*) FROM accounts WHERE company_id = ? AND status = 'active'),
		(SELECT COUNT(*) FROM accounts WHERE company_id = ? AND role = 'company_admin')`,
		id, true, id, id).Scan(&st.ActiveSites, &st.ActiveEmployees, &st.CompanyAdmins)
	if err != nil {
		return st, fmt.Errorf("tenancy: dashboard stats %d: %w", id, err)
	}
	return st, nil
}

// ListResellers returns providerID's resellers by name.
func (s *Service) ListResellers(ctx context.Context, providerID int64) ([]Reseller, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT id, provider_id, name, created_at FROM resellers WHERE provider_id = ? ORDER BY lower(name)", providerID)
	if err != nil {
		return nil, fmt.Errorf("tenancy: list resellers: %w", err)
	}
	defer rows.Close()
	var out []Reseller
	for rows.Next() {
		var r Reseller
		var created int64
		if err := rows.Scan(&r.ID, &r.ProviderID, &r.Name, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = store.Time(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddEmployeeAllowed is the company's "Add Employee" flag: off, only the
// provider's operators (and resellers) add employees to the company.
func (s *Service) AddEmployeeAllowed(ctx context.Context, companyID int64) (bool, error) {
	c, err := s.Company(ctx, companyID)
	if err != nil {
		return false, err
	}
	return c.AddEmployee, nil
}

package calls

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service ingests call records and manages the switches that send them.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	access  *access.Service
	logger  *slog.Logger
	metrics *Metrics
	numbers numberCache
	charger Charger
	// numbersDue wakes RunNumberAggregator when a batch commits.
	numbersDue chan struct{}
}

// New returns a Service.
func New(db *store.DB, log *audit.Log, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{db: db, audit: log, access: access.New(db), logger: logger, metrics: &Metrics{}, numbersDue: make(chan struct{}, 1)}
}

// Metrics are this node's ingest counters (exported on /metrics).
func (s *Service) Metrics() *Metrics { return s.metrics }

// Switch is a provider's switch that sends call records.
type Switch struct {
	ID         int64  `json:"id"`
	ProviderID int64  `json:"-"`
	Name       string `json:"name"`
	Format     Format `json:"format"`
	TimeZone   string `json:"time_zone"`
	Region     string `json:"region"`
	// CompanyID, when set, reads extensions in records that name no
	// company's number (a switch dedicated to one customer).
	CompanyID    int64      `json:"company_id,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	LastIngestAt *time.Time `json:"last_ingest_at"`
	zone         *time.Location
}

// Zone is the switch's time zone.
func (sw Switch) Zone() *time.Location {
	if sw.zone != nil {
		return sw.zone
	}
	if loc, err := time.LoadLocation(sw.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// SwitchCreateRequest is Add Switch.
type SwitchCreateRequest struct {
	Name      string `json:"name"`
	Format    string `json:"format"`
	TimeZone  string `json:"time_zone"`
	Region    string `json:"region"`
	CompanyID int64  `json:"company_id"`
}

var switchName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// Validate checks the fields and fills the defaults (UTC, the provider's
// region is filled by CreateSwitch).
func (r *SwitchCreateRequest) Validate() error {
	v := &derrors.ValidationError{}
	r.Name = strings.TrimSpace(r.Name)
	if !switchName.MatchString(r.Name) {
		v.Add("name", "a switch name is 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if _, err := ParseFormat(r.Format); err != nil {
		v.Add("format", "%s", err.Error())
	} else {
		r.Format = strings.ToLower(strings.TrimSpace(r.Format))
	}
	if r.TimeZone = strings.TrimSpace(r.TimeZone); r.TimeZone == "" {
		r.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(r.TimeZone); err != nil || strings.EqualFold(r.TimeZone, "local") {
		v.Add("time_zone", "%q is not a time zone: use an IANA name such as Europe/London or UTC", r.TimeZone)
	}
	r.Region = strings.ToUpper(strings.TrimSpace(r.Region))
	if r.Region != "" && phonenumbers.GetCountryCodeForRegion(r.Region) == 0 {
		v.Add("region", "%q is not a region: use a two-letter country code such as GB", r.Region)
	}
	if r.CompanyID < 0 {
		v.Add("company_id", "company_id must be a company's id, or 0 for none")
	}
	return v.Err()
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSwitch is Add Switch (provider operators): the switch and its
// token, shown this once; only the token's digest is stored.
func (s *Service) CreateSwitch(ctx context.Context, actor access.Actor, req SwitchCreateRequest) (sw Switch, token string, err error) {
	defer derrors.Wrap(&err, "calls: create switch %q", req.Name)
	if err := s.access.Check(ctx, actor, access.ManageSwitches, access.Provider(actor.ProviderID)); err != nil {
		return sw, "", err
	}
	if err := req.Validate(); err != nil {
		return sw, "", err
	}
	if req.CompanyID != 0 {
		if err := s.access.CheckRef(ctx, actor, access.ViewCompany, access.Company(req.CompanyID), "company_id"); err != nil {
			return sw, "", err
		}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return sw, "", err
	}
	token = "sbsw_" + base64.RawURLEncoding.EncodeToString(raw)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if req.Region == "" {
			if err := q.QueryRow(ctx, "SELECT default_region FROM providers WHERE id = ?", actor.ProviderID).Scan(&req.Region); err != nil {
				return err
			}
		}
		var exists int
		err := q.QueryRow(ctx, "SELECT 1 FROM call_switches WHERE provider_id = ? AND LOWER(name) = LOWER(?)", actor.ProviderID, req.Name).Scan(&exists)
		if err == nil {
			return derrors.Conflict("name", "a switch named %q already exists", req.Name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var company any
		if req.CompanyID != 0 {
			company = req.CompanyID
		}
		now := store.Now()
		var id int64
		if err := q.QueryRow(ctx, `INSERT INTO call_switches (provider_id, name, format, time_zone, region, company_id, token_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, actor.ProviderID, req.Name, req.Format, req.TimeZone, req.Region, company,
			hashToken(token), now).Scan(&id); err != nil {
			if store.IsUniqueViolation(err) {
				return derrors.Conflict("name", "a switch named %q already exists", req.Name)
			}
			return err
		}
		if sw, err = s.switchWhere(ctx, "id = ?", id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Switch", ObjectKind: "switch", ObjectID: sw.ID, ObjectName: sw.Name,
			ProviderID: sw.ProviderID, CompanyID: sw.CompanyID, After: sw})
	})
	if err != nil {
		return Switch{}, "", err
	}
	return sw, token, nil
}

// Switches lists the provider's switches (provider operators).
func (s *Service) Switches(ctx context.Context, actor access.Actor) (out []Switch, err error) {
	defer derrors.Wrap(&err, "calls: list switches")
	if err := s.access.Check(ctx, actor, access.ManageSwitches, access.Provider(actor.ProviderID)); err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).Query(ctx, switchSelect+" WHERE provider_id = ? ORDER BY name", actor.ProviderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		sw, err := scanSwitch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sw)
	}
	return out, rows.Err()
}

const switchSelect = `SELECT id, provider_id, name, format, time_zone, region, COALESCE(company_id, 0), created_at, last_ingest_at FROM call_switches`

func scanSwitch(row interface{ Scan(...any) error }) (Switch, error) {
	var sw Switch
	var created, last int64
	if err := row.Scan(&sw.ID, &sw.ProviderID, &sw.Name, &sw.Format, &sw.TimeZone, &sw.Region, &sw.CompanyID, &created, &last); err != nil {
		return sw, err
	}
	sw.CreatedAt = store.Time(created)
	if last != 0 {
		t := store.Time(last)
		sw.LastIngestAt = &t
	}
	loc, err := time.LoadLocation(sw.TimeZone)
	if err != nil {
		return sw, fmt.Errorf("switch %s: time zone %q: %w", sw.Name, sw.TimeZone, err)
	}
	sw.zone = loc
	return sw, nil
}

func (s *Service) switchWhere(ctx context.Context, cond string, args ...any) (Switch, error) {
	sw, err := scanSwitch(s.db.Q(ctx).QueryRow(ctx, switchSelect+" WHERE "+cond, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return sw, derrors.ErrNotFound
	}
	return sw, err
}

// errBadSwitchCredentials is the one answer to any wrong name or token, so
// a caller learns nothing about which switches exist.
var errBadSwitchCredentials = derrors.Unauthenticated("unknown switch name or token: send the switch's name and token with HTTP Basic authentication")

// AuthenticateSwitch returns the switch whose name and token these are.
func (s *Service) AuthenticateSwitch(ctx context.Context, name, token string) (Switch, error) {
	if name == "" || token == "" {
		return Switch{}, errBadSwitchCredentials
	}
	sw, err := s.switchWhere(ctx, "token_hash = ?", hashToken(token))
	if errors.Is(err, derrors.ErrNotFound) {
		return Switch{}, errBadSwitchCredentials
	}
	if err != nil {
		return Switch{}, fmt.Errorf("calls: authenticate switch: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(sw.Name)), []byte(strings.ToLower(name))) != 1 {
		return Switch{}, errBadSwitchCredentials
	}
	return sw, nil
}

// SwitchByName finds a switch for the command line (which runs with the
// database's own authority): providerID 0 finds it in whichever provider
// has one of that name, and fails if several do.
func (s *Service) SwitchByName(ctx context.Context, providerID int64, name string) (Switch, error) {
	cond, args := "LOWER(name) = LOWER(?)", []any{name}
	if providerID != 0 {
		cond, args = cond+" AND provider_id = ?", append(args, providerID)
	}
	rows, err := s.db.Q(ctx).Query(ctx, switchSelect+" WHERE "+cond, args...)
	if err != nil {
		return Switch{}, err
	}
	defer rows.Close()
	var found []Switch
	for rows.Next() {
		sw, err := scanSwitch(rows)
		if err != nil {
			return Switch{}, err
		}
		found = append(found, sw)
	}
	if err := rows.Err(); err != nil {
		return Switch{}, err
	}
	switch len(found) {
	case 0:
		return Switch{}, fmt.Errorf("no switch is named %q: an operator adds it (POST /api/v1/switches)", name)
	case 1:
		return found[0], nil
	}
	return Switch{}, fmt.Errorf("%d providers have a switch named %q: say which with --provider", len(found), name)
}

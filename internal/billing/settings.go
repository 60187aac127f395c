package billing

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Settings are the provider's invoicing settings.
type Settings struct {
	// TaxRateBP is the tax added to invoices, in basis points (2000 is
	// 20 %, the UK's standard VAT rate, the default).
	TaxRateBP     int    `json:"tax_rate_bp"`
	InvoicePrefix string `json:"invoice_prefix"`
}

// DefaultSettings are a provider's settings until an operator changes them.
var DefaultSettings = Settings{TaxRateBP: 2000, InvoicePrefix: "INV-"}

// settings reads the provider's settings, making the row with the defaults
// on first use (invoice numbering counts in it).
func (s *Service) settings(ctx context.Context, providerID int64) (Settings, error) {
	q := s.db.Q(ctx)
	var out Settings
	err := q.QueryRow(ctx, "SELECT tax_rate_bp, invoice_prefix FROM billing_settings WHERE provider_id = ?", providerID).
		Scan(&out.TaxRateBP, &out.InvoicePrefix)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = q.Exec(ctx, "INSERT INTO billing_settings (provider_id, tax_rate_bp, invoice_prefix) VALUES (?, ?, ?) ON CONFLICT (provider_id) DO NOTHING",
			providerID, DefaultSettings.TaxRateBP, DefaultSettings.InvoicePrefix)
		if err != nil {
			return Settings{}, err
		}
		return s.settings(ctx, providerID)
	}
	return out, err
}

// SettingsFor returns the provider's invoicing settings.
func (s *Service) SettingsFor(ctx context.Context, actor access.Actor) (out Settings, err error) {
	defer derrors.Wrap(&err, "billing: settings")
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return Settings{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		out, err = s.settings(ctx, actor.ProviderID)
		return err
	})
	return out, err
}

// ChangeSettings sets the tax rate and invoice prefix of invoices made from
// now on; invoices already made keep theirs.
func (s *Service) ChangeSettings(ctx context.Context, actor access.Actor, in Settings) (out Settings, err error) {
	defer derrors.Wrap(&err, "billing: change settings")
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return Settings{}, err
	}
	v := &derrors.ValidationError{}
	in.InvoicePrefix = strings.TrimSpace(in.InvoicePrefix)
	if in.TaxRateBP < 0 || in.TaxRateBP > 10000 {
		v.Add("tax_rate_bp", "the tax rate is 0 to 10000 basis points (2000 is 20 %%)")
	}
	if len(in.InvoicePrefix) > 12 || strings.Trim(in.InvoicePrefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_") != "" {
		v.Add("invoice_prefix", "the invoice prefix is up to 12 letters, digits, '-', '/' or '_' (INV-, 2026/)")
	}
	if err := v.Err(); err != nil {
		return Settings{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.settings(ctx, actor.ProviderID)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE billing_settings SET tax_rate_bp = ?, invoice_prefix = ? WHERE provider_id = ?",
			in.TaxRateBP, in.InvoicePrefix, actor.ProviderID); err != nil {
			return err
		}
		out = in
		return s.audit.Record(ctx, audit.Event{Event: "Modify Billing Settings", ObjectKind: "provider", ObjectID: actor.ProviderID,
			Before: before, After: in})
	})
	return out, err
}

// PackagePrice is the monthly rental of a package or add-on, for one term
// (0: any term) in one currency.
type PackagePrice struct {
	PackageID int64  `json:"package_id"`
	TermID    int64  `json:"term_id"`
	Currency  string `json:"currency"`
	Monthly   Micros `json:"monthly_micros"`
}

type priceKey struct{ packageID, termID int64 }

func (s *Service) packagePrices(ctx context.Context, currency string) (map[priceKey]Micros, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT package_id, term_id, monthly_micros FROM billing_package_prices WHERE currency = ?", currency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[priceKey]Micros{}
	for rows.Next() {
		var k priceKey
		var m Micros
		if err := rows.Scan(&k.packageID, &k.termID, &m); err != nil {
			return nil, err
		}
		out[k] = m
	}
	return out, rows.Err()
}

// PackagePrices lists the provider's rental prices.
func (s *Service) PackagePrices(ctx context.Context, actor access.Actor) (out []PackagePrice, err error) {
	defer derrors.Wrap(&err, "billing: package prices")
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT package_id, term_id, currency, monthly_micros FROM billing_package_prices
		WHERE provider_id = ? ORDER BY package_id, term_id, currency`, actor.ProviderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p PackagePrice
		if err := rows.Scan(&p.PackageID, &p.TermID, &p.Currency, &p.Monthly); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetPackagePrice sets (or, with a negative price, removes) the monthly
// rental of one of the provider's packages or add-ons.
func (s *Service) SetPackagePrice(ctx context.Context, actor access.Actor, p PackagePrice) (err error) {
	defer derrors.Wrap(&err, "billing: set price of package %d", p.PackageID)
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return err
	}
	p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
	v := &derrors.ValidationError{}
	if len(p.Currency) != 3 || strings.Trim(p.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		v.Add("currency", "currency must be a three-letter ISO 4217 code such as GBP")
	}
	if p.Monthly > 100_000*MicrosPerUnit {
		v.Add("monthly_micros", "a monthly rental is at most 100,000 units")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var name string
		if err := q.QueryRow(ctx, "SELECT name FROM catalog_packages WHERE id = ? AND provider_id = ?", p.PackageID, actor.ProviderID).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return derrors.Invalid("package_id", "package %d is not in your catalog", p.PackageID)
			}
			return err
		}
		if p.TermID != 0 {
			var n int
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM catalog_terms WHERE id = ? AND provider_id = ?", p.TermID, actor.ProviderID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return derrors.Invalid("term_id", "term %d is not in your catalog (0 prices the package whatever the term)", p.TermID)
			}
		}
		event := "Set Package Price"
		if p.Monthly < 0 {
			event = "Remove Package Price"
			if _, err := q.Exec(ctx, "DELETE FROM billing_package_prices WHERE package_id = ? AND term_id = ? AND currency = ?",
				p.PackageID, p.TermID, p.Currency); err != nil {
				return err
			}
		} else if _, err := q.Exec(ctx, `INSERT INTO billing_package_prices (provider_id, package_id, term_id, currency, monthly_micros, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (package_id, term_id, currency) DO UPDATE SET monthly_micros = excluded.monthly_micros,
			updated_at = excluded.updated_at`, actor.ProviderID, p.PackageID, p.TermID, p.Currency, int64(p.Monthly), store.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: "package", ObjectID: p.PackageID, ObjectName: name, After: p})
	})
}

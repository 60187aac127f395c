package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
)

// demoRates is the demo's rate card: per-second billing after a minute's
// minimum, at prices of the order UK business tariffs charge. On-net calls
// have no rate: they are free.
var demoRates = []RateRequest{
	{Traffic: "national", Currency: "GBP", PerMinute: 15_000, Minimum: 60, Increment: 1, Description: "UK landlines"},
	{Traffic: "mobile", Currency: "GBP", PerMinute: 60_000, Minimum: 60, Increment: 1, Description: "UK mobiles"},
	{Traffic: "non_geographic", Currency: "GBP", PerMinute: 50_000, Setup: 20_000, Minimum: 60, Increment: 1, Description: "03, 08 numbers"},
	{Traffic: "premium_rate", Currency: "GBP", PerMinute: 1_500_000, Setup: 100_000, Minimum: 60, Increment: 60, Description: "09 numbers"},
	{Traffic: "international", Currency: "GBP", PerMinute: 120_000, Minimum: 60, Increment: 1, Description: "Rest of the world"},
	{Traffic: "off_net", Currency: "GBP", PerMinute: 100_000, Minimum: 60, Increment: 1, Description: "Destinations no other class covers"},
	{Traffic: "international", Prefix: "1", Currency: "GBP", PerMinute: 20_000, Minimum: 60, Increment: 1, Description: "USA and Canada"},
	{Traffic: "international", Prefix: "33", Currency: "GBP", PerMinute: 30_000, Minimum: 60, Increment: 1, Description: "France"},
}

// demoPrices are the demo catalog's monthly rentals, by package name.
var demoPrices = map[string]Micros{
	"Site Essentials": 20_000_000, "Call Centre": 25_000_000,
	"Basic": 4_000_000, "Standard": 8_000_000, "Advanced": 12_000_000,
	"Call Recording": 3_000_000, "Receptionist Console": 10_000_000,
	"My Room Conferencing": 6_000_000,
}

// SeedDemo gives the demo provider a rate card in force from `from` and
// prices for its catalog's packages, so the demo's calls are rated and its
// invoices carry rentals (docs/billing.md). actor is the demo's operator.
func (s *Service) SeedDemo(ctx context.Context, actor access.Actor, from time.Time) error {
	for _, r := range demoRates {
		r.ValidFrom = from
		if _, err := s.AddRate(ctx, actor, r); err != nil {
			return fmt.Errorf("billing: demo rate %s %s: %w", r.Traffic, r.Prefix, err)
		}
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT id, name FROM catalog_packages WHERE provider_id = ?", actor.ProviderID)
	if err != nil {
		return err
	}
	type pkg struct {
		id   int64
		name string
	}
	var pkgs []pkg
	for rows.Next() {
		var p pkg
		if err := rows.Scan(&p.id, &p.name); err != nil {
			rows.Close()
			return err
		}
		pkgs = append(pkgs, p)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, p := range pkgs {
		if price, ok := demoPrices[p.name]; ok {
			if err := s.SetPackagePrice(ctx, actor, PackagePrice{PackageID: p.id, Currency: "GBP", Monthly: price}); err != nil {
				return err
			}
		}
	}
	return nil
}

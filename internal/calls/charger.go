package calls

import (
	"context"
	"time"
)

// Charged is what billing needs to know of a stored call to rate it and to
// count it in the customer's usage (docs/billing.md).
type Charged struct {
	CompanyID int64
	Start     time.Time
	Direction Direction
	Traffic   Traffic
	Status    Status
	// Called is the destination as the product's number rules read it
	// (E.164 with its '+', or the digits dialled).
	Called  string
	Billsec int
}

// A Charger rates the calls ingest stores, in the transaction that stores
// them, so a call is charged exactly once: a resent record is a duplicate
// and is not handed over again.
type Charger interface {
	ChargeCalls(ctx context.Context, providerID int64, calls []Charged) error
}

// SetCharger makes ingest hand every stored call to c (nil: none).
func (s *Service) SetCharger(c Charger) { s.charger = c }

// charge hands the stored calls of a chunk to the charger.
func (s *Service) charge(ctx context.Context, providerID int64, stored []call) error {
	if s.charger == nil || len(stored) == 0 {
		return nil
	}
	out := make([]Charged, 0, len(stored))
	for _, c := range stored {
		if c.companyID == 0 {
			continue
		}
		out = append(out, Charged{CompanyID: c.companyID, Start: c.rec.Start, Direction: c.direction, Traffic: c.traffic,
			Status: c.status, Called: c.called.Norm, Billsec: c.rec.Billsec})
	}
	if len(out) == 0 {
		return nil
	}
	return s.charger.ChargeCalls(ctx, providerID, out)
}

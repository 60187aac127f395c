// Package billing rates calls against the provider's rate table, keeps each
// customer's usage and balance, and generates the immutable monthly
// invoices a billing system queries (docs/billing.md).
package billing

import (
	"fmt"
	"math/big"

	"golang.org/x/text/currency"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service is billing.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
}

// New returns a Service.
func New(db *store.DB, log *audit.Log) *Service {
	return &Service{db: db, audit: log, access: access.New(db)}
}

// Micros are millionths of a currency's unit: fine enough for per-minute
// prices of a fraction of a penny, and an int64 holds nine thousand billion
// units.
type Micros int64

// MicrosPerUnit is one unit (a pound, a euro) in micros.
const MicrosPerUnit = 1_000_000

// minorScale is the number of digits after the decimal point of code's
// minor unit (2 for GBP, 0 for JPY, 3 for BHD), from the ISO 4217 data
// golang.org/x/text carries.
func minorScale(code string) int {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(unit)
	return scale
}

// microsPerMinor is how many micros make one minor unit of code.
func microsPerMinor(code string) int64 {
	per := int64(MicrosPerUnit)
	for i := 0; i < minorScale(code); i++ {
		per /= 10
	}
	return per
}

// toMinor rounds m to code's minor unit, half away from zero.
func toMinor(m Micros, code string) int64 {
	per := microsPerMinor(code)
	if m >= 0 {
		return (int64(m) + per/2) / per
	}
	return -((-int64(m) + per/2) / per)
}

// FormatMinor writes an amount in minor units as the currency writes it:
// "GBP 12.34", "JPY 1200".
func FormatMinor(minor int64, code string) string {
	scale := minorScale(code)
	r := new(big.Rat).SetFrac(big.NewInt(minor), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	return fmt.Sprintf("%s %s", code, r.FloatString(scale))
}

// FormatMicros writes a price in micros with up to six decimals, trailing
// zeros beyond the currency's minor unit dropped: "GBP 0.0125".
func FormatMicros(m Micros, code string) string {
	r := new(big.Rat).SetFrac(big.NewInt(int64(m)), big.NewInt(MicrosPerUnit))
	s := r.FloatString(6)
	keep := len(s) - 6 + minorScale(code)
	for len(s) > keep && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	s = trimPoint(s)
	return code + " " + s
}

func trimPoint(s string) string {
	if len(s) > 0 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

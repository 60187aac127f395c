package numbering

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// Destinations reads what users type as where a call goes — a feature's
// destination, a phone's speed dial — by the shared number rule
// (docs/contacts.md, "The number rule"), for one company. It loads the
// provider's refused extensions once, when first needed.
type Destinations struct {
	s          *Service
	companyID  int64
	providerID int64
	region     string
	refused    []RefusedExtension
	loaded     bool
}

// Destinations returns a reader for companyID, of providerID, whose home
// region is region.
func (s *Service) Destinations(companyID, providerID int64, region string) *Destinations {
	return &Destinations{s: s, companyID: companyID, providerID: providerID, region: region}
}

// Refusal is why a typed destination is not one. A feature code and an
// emergency number are refused for reasons each caller words itself (Kind
// says which); every other refusal carries its reason.
type Refusal struct {
	Kind   RefusalKind
	Reason string
}

// RefusalKind sorts refusals.
type RefusalKind int

// The refusals a caller words itself, and the others.
const (
	RefusalOther RefusalKind = iota + 1
	RefusalFeatureCode
	RefusalEmergency
)

// Read reads in (not empty): a number with an E.164 form is kept in E.164;
// anything else must be an extension held in the company (3 to 6 digits,
// not a code the provider refuses). It returns the value to store, the
// extension's holder when it is one (Holder.Owner zero otherwise), and a
// refusal (nil when in is a destination); err is a fault.
func (d *Destinations) Read(ctx context.Context, in string) (value string, holder Extension, refusal *Refusal, err error) {
	in = strings.TrimSpace(in)
	if strings.HasPrefix(in, "*") || strings.HasPrefix(in, "#") {
		return in, holder, &Refusal{Kind: RefusalFeatureCode}, nil
	}
	for _, r := range in {
		if !strings.ContainsRune("0123456789+ ()-.", r) {
			return in, holder, &Refusal{RefusalOther, fmt.Sprintf("%q is not a telephone number or an extension: use digits, with + for the E.164 form", in)}, nil
		}
	}
	if IsEmergency(in, d.region) {
		return in, holder, &Refusal{Kind: RefusalEmergency}, nil
	}
	if e := E164Of(in, d.region); e != "" {
		return e, holder, nil, nil
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, in)
	if strings.HasPrefix(in, "+") || len(digits) < MinExtensionLength || len(digits) > MaxExtensionLength {
		return in, holder, &Refusal{RefusalOther, fmt.Sprintf("%q is neither a telephone number (+44… or 0…) nor an extension (%d to %d digits)", in,
			MinExtensionLength, MaxExtensionLength)}, nil
	}
	if !d.loaded {
		if d.refused, err = d.s.RefusedExtensions(ctx, d.providerID); err != nil {
			return digits, holder, nil, err
		}
		d.loaded = true
	}
	for _, x := range d.refused {
		if x.Code != "" && x.Matches(digits) {
			return digits, holder, &Refusal{RefusalOther, fmt.Sprintf("%s is reserved: %s", digits, x.Reason)}, nil
		}
	}
	holder, err = d.s.ExtensionHolder(ctx, d.companyID, digits)
	if derrors.IsNotFound(err) {
		return digits, Extension{}, &Refusal{RefusalOther, fmt.Sprintf("nobody in the company has extension %s", digits)}, nil
	}
	return digits, holder, nil, err
}

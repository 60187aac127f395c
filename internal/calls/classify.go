package calls

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Direction of a call, seen from the party it is attributed to.
type Direction int16

const (
	Outbound Direction = 1
	Inbound  Direction = 2
)

func (d Direction) String() string {
	if d == Inbound {
		return "inbound"
	}
	return "outbound"
}

// Status says whether the call was answered.
type Status int16

const (
	Answered   Status = 1
	Unanswered Status = 2
)

func (s Status) String() string {
	if s == Unanswered {
		return "unanswered"
	}
	return "answered"
}

// Traffic is the product's traffic class of a call. An outbound call is
// classified by its destination; an inbound call is On-Net when the caller
// is one of the provider's own numbers and Off-Net otherwise.
type Traffic int16

const (
	International Traffic = 1
	PremiumRate   Traffic = 2
	NonGeographic Traffic = 3
	Mobile        Traffic = 4
	National      Traffic = 5
	OffNet        Traffic = 6
	OnNet         Traffic = 7
)

// Traffics lists the classes in the product's order.
var Traffics = []Traffic{International, PremiumRate, NonGeographic, Mobile, National, OffNet, OnNet}

func (t Traffic) String() string {
	switch t {
	case International:
		return "international"
	case PremiumRate:
		return "premium_rate"
	case NonGeographic:
		return "non_geographic"
	case Mobile:
		return "mobile"
	case National:
		return "national"
	case OffNet:
		return "off_net"
	case OnNet:
		return "on_net"
	}
	return "unknown"
}

// Label is the class as the Business Portal names it.
func (t Traffic) Label() string {
	switch t {
	case International:
		return "International"
	case PremiumRate:
		return "Premium Rate"
	case NonGeographic:
		return "Non-Geographic"
	case Mobile:
		return "Mobile"
	case National:
		return "National"
	case OffNet:
		return "Off-Net"
	case OnNet:
		return "On-Net"
	}
	return "Unknown"
}

// numberKind says how a number in a record was read.
type numberKind int

const (
	kindNone      numberKind = iota
	kindE164                 // a valid telephone number, held as +E.164
	kindExtension            // a short internal number (1–6 digits)
	kindOther                // digits that are no valid number (short codes, emergency) or text
)

// maxExtensionDigits is the longest string of digits read as an extension.
const maxExtensionDigits = 6

// Number is a party of a call as given and as read.
type Number struct {
	Raw  string
	Norm string // +E.164, the extension digits, or the trimmed raw text
	kind numberKind
	// country and typ are what libphonenumber says of a valid number.
	country int32
	typ     phonenumbers.PhoneNumberType
}

// normalise reads a number as switches write it: E.164 (+44…),
// international (00 44…) or national (0113…) form in region, a SIP user
// ("sip:1001@pbx" is 1001), or an extension.
func normalise(raw, region string) Number {
	n := Number{Raw: raw}
	s := strings.TrimSpace(raw)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "sips:"), "sip:")
	s = strings.TrimPrefix(s, "tel:")
	if at := strings.IndexByte(s, '@'); at >= 0 {
		s = s[:at]
	}
	if s == "" {
		return n
	}
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
			return -1
		}
		return 'x'
	}, strings.TrimPrefix(s, "+"))
	if strings.ContainsRune(digits, 'x') || digits == "" {
		n.Norm, n.kind = s, kindOther
		return n
	}
	if !strings.HasPrefix(s, "+") && len(digits) <= maxExtensionDigits {
		n.Norm, n.kind = digits, kindExtension
		return n
	}
	in := digits
	if strings.HasPrefix(s, "+") {
		in = "+" + digits
	}
	// A number is valid exactly when libphonenumber finds its type (its
	// IsValidNumber asks the same question), so one lookup answers both.
	if num, err := phonenumbers.Parse(in, region); err == nil {
		if typ := phonenumbers.GetNumberType(num); typ != phonenumbers.UNKNOWN {
			n.Norm, n.kind, n.country, n.typ = phonenumbers.Format(num, phonenumbers.E164), kindE164, num.GetCountryCode(), typ
			return n
		}
	}
	n.Norm, n.kind = in, kindOther
	return n
}

// numberCache remembers how numbers read, for every batch of the node: the
// same employees' numbers (and many of the same customers') come back in
// record after record, and reading a number with libphonenumber is the
// dearest step of ingest. A reading depends only on the text and the
// region, never on the database, so the cache can never be stale.
type numberCache struct {
	mu    sync.Mutex
	known map[string]Number
}

// maxCachedNumbers bounds the cache; when full it starts again empty.
const maxCachedNumbers = 200000

func (c *numberCache) normalise(raw, region string) Number {
	key := region + "\x00" + raw
	c.mu.Lock()
	n, ok := c.known[key]
	c.mu.Unlock()
	if ok {
		return n
	}
	n = normalise(raw, region)
	c.mu.Lock()
	if c.known == nil || len(c.known) >= maxCachedNumbers {
		c.known = make(map[string]Number, 1024)
	}
	c.known[key] = n
	c.mu.Unlock()
	return n
}

// classifyExternal is the traffic class of a destination that is not one of
// the provider's numbers, for a provider whose home is region.
func classifyExternal(n Number, region string) Traffic {
	if n.kind != kindE164 {
		return OffNet
	}
	if int(n.country) != phonenumbers.GetCountryCodeForRegion(region) {
		return International
	}
	switch n.typ {
	case phonenumbers.PREMIUM_RATE:
		return PremiumRate
	case phonenumbers.TOLL_FREE, phonenumbers.SHARED_COST, phonenumbers.UAN, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.VOICEMAIL:
		return NonGeographic
	case phonenumbers.MOBILE, phonenumbers.PAGER:
		return Mobile
	case phonenumbers.FIXED_LINE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return National
	}
	return OffNet
}

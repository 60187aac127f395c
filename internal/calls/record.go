// Package calls ingests call detail records from the switches: it reads
// the formats switches write (FreeSWITCH mod_json_cdr and mod_cdr_csv,
// Asterisk cdr_csv, BroadWorks CSV), attributes each call to the company,
// site and employee that held its numbers at the time of the call,
// classifies it (traffic, direction, status), and stores it once however
// often it is sent, with hourly and daily roll-ups. docs/cdr.md describes
// the formats and the rules.
package calls

import (
	"fmt"
	"strings"
	"time"
)

// Format names a call record format.
type Format string

const (
	FormatFreeSWITCHJSON Format = "freeswitch-json"
	FormatFreeSWITCHCSV  Format = "freeswitch-csv"
	FormatAsteriskCSV    Format = "asterisk-csv"
	FormatBroadWorksCSV  Format = "broadworks-csv"
)

// Formats lists every format, in the order the documentation gives them.
var Formats = []Format{FormatFreeSWITCHJSON, FormatFreeSWITCHCSV, FormatAsteriskCSV, FormatBroadWorksCSV}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == strings.TrimSpace(strings.ToLower(s)) {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown call record format %q: use one of %s", s, strings.Join(names, ", "))
}

// Hint is what the switch itself says about a call's direction, when its
// format says anything.
type Hint int

const (
	HintNone Hint = iota
	HintOutbound
	HintInbound
)

// Record is one call as a switch described it, before attribution.
type Record struct {
	// Line is where the record starts in its file or batch (1-based).
	Line int
	// ID is the record's unique id in the switch (uuid, uniqueid,
	// recordId); for Asterisk files written without uniqueid it is a
	// digest of the whole record, so a resend of the same line is still
	// recognised.
	ID string
	// Start, Answer (zero when unanswered) and End are UTC.
	Start, Answer, End time.Time
	// Duration is start to end, Billsec answer to end, in seconds.
	Duration, Billsec int
	// Calling and Called are the numbers as the switch wrote them.
	Calling, Called string
	// Answered is the switch's own verdict (disposition, answer
	// indicator, billsec).
	Answered bool
	Hint     Hint
	// Party is the number of the switch's own subscriber the record is
	// about, when the format names one (BroadWorks userNumber).
	Party string
}

// Problem is a record that could not be read: where and why.
type Problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// check validates what every format must give, so each parser reports the
// same reasons.
func (r *Record) check() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("the record has no unique id")
	case r.Start.IsZero():
		return fmt.Errorf("the record has no start time")
	case r.End.IsZero():
		return fmt.Errorf("the record has no end time")
	case r.End.Before(r.Start):
		return fmt.Errorf("the call ends (%s) before it starts (%s)", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
	case !r.Answer.IsZero() && (r.Answer.Before(r.Start) || r.Answer.After(r.End)):
		return fmt.Errorf("the answer time %s is outside the call (%s to %s)", r.Answer.Format(time.RFC3339), r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339))
	case r.Duration < 0 || r.Billsec < 0:
		return fmt.Errorf("negative duration (%d) or billable seconds (%d)", r.Duration, r.Billsec)
	case r.Billsec > r.Duration:
		return fmt.Errorf("billable seconds (%d) exceed the duration (%d)", r.Billsec, r.Duration)
	case strings.TrimSpace(r.Calling) == "" && strings.TrimSpace(r.Called) == "":
		return fmt.Errorf("the record names neither a calling nor a called number")
	case len(r.ID) > 200:
		return fmt.Errorf("the unique id is longer than 200 characters")
	case len(r.Calling) > 100 || len(r.Called) > 100:
		return fmt.Errorf("a number is longer than 100 characters")
	}
	return nil
}

package calls

import (
	"fmt"
	"time"
)

// wall is a clock reading as a switch wrote it, without a zone: FreeSWITCH
// and Asterisk CSV files carry the switch's local time. Reading one needs
// the switch's zone, and at the end of summer time one reading names two
// instants (the clocks repeat an hour) while at its start some readings name
// none (the clocks skip an hour).
type wall struct {
	t   time.Time // the fields, held in UTC
	set bool
}

func parseWall(layout, value string) (wall, error) {
	if value == "" {
		return wall{}, nil
	}
	t, err := time.ParseInLocation(layout, value, time.UTC)
	if err != nil {
		return wall{}, fmt.Errorf("%q is not a time in the form YYYY-MM-DD hh:mm:ss", value)
	}
	return wall{t: t, set: true}, nil
}

// instants returns every instant the reading names in loc, earliest first.
func (w wall) instants(loc *time.Location) []time.Time {
	if !w.set {
		return nil
	}
	var out []time.Time
	seen := map[int]bool{}
	// The offsets in force a little before and after the reading are the
	// only ones it can be in.
	for _, probe := range []time.Duration{-6 * time.Hour, 0, 6 * time.Hour} {
		_, off := w.t.Add(probe).In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		u := w.t.Add(-time.Duration(off) * time.Second)
		if sameWall(u.In(loc), w.t) {
			out = append(out, u.UTC())
		}
	}
	if len(out) == 2 && out[1].Before(out[0]) {
		out[0], out[1] = out[1], out[0]
	}
	return out
}

func sameWall(a, b time.Time) bool {
	return a.Year() == b.Year() && a.Month() == b.Month() && a.Day() == b.Day() &&
		a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second() && a.Nanosecond() == b.Nanosecond()
}

// resolveWalls turns the start, answer and end readings of one call into
// UTC instants. Where a reading is ambiguous, the record's own duration
// and billable seconds decide: the choice whose end minus start is the
// duration (to the second the switch rounds to) wins.
func resolveWalls(loc *time.Location, start, answer, end wall, duration, billsec int) (s, a, e time.Time, err error) {
	ss, es := start.instants(loc), end.instants(loc)
	if start.set && len(ss) == 0 {
		return s, a, e, fmt.Errorf("start time %s does not exist in %s (the clocks went forward)", start.t.Format("2006-01-02 15:04:05"), loc)
	}
	if end.set && len(es) == 0 {
		return s, a, e, fmt.Errorf("end time %s does not exist in %s (the clocks went forward)", end.t.Format("2006-01-02 15:04:05"), loc)
	}
	if len(ss) == 0 || len(es) == 0 {
		return s, a, e, nil // check() reports the missing one
	}
	best := -1.0
	for _, cs := range ss {
		for _, ce := range es {
			if ce.Before(cs) {
				continue
			}
			miss := ce.Sub(cs).Seconds() - float64(duration)
			if miss < 0 {
				miss = -miss
			}
			if best < 0 || miss < best {
				best, s, e = miss, cs, ce
			}
		}
	}
	if best < 0 {
		// Every reading ends before it starts: let check() say so.
		s, e = ss[0], es[0]
	}
	if answer.set {
		as := answer.instants(loc)
		if len(as) == 0 {
			return s, a, e, fmt.Errorf("answer time %s does not exist in %s (the clocks went forward)", answer.t.Format("2006-01-02 15:04:05"), loc)
		}
		a = as[0]
		best = -1
		for _, ca := range as {
			miss := e.Sub(ca).Seconds() - float64(billsec)
			if miss < 0 {
				miss = -miss
			}
			if best < 0 || miss < best {
				best, a = miss, ca
			}
		}
	}
	return s, a, e, nil
}

package calls

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// GenerateOptions shape generated traffic.
type GenerateOptions struct {
	// Calls is how many calls to make.
	Calls int
	// Days is how many days back from End the calls spread over.
	Days int
	// End is the end of the period (default now).
	End time.Time
	// Seed makes the traffic repeatable (0: a random seed).
	Seed uint64
	// CompanyID limits the traffic to one company (0: every company of
	// the switch's provider).
	CompanyID int64
}

// person is an employee who holds a number, as the generator sees them.
type person struct {
	number    string
	companyID int64
	weight    float64
}

// GenerateCalls makes realistic traffic for the employees who hold numbers
// now and stores it through Ingest, as switch sw's FreeSWITCH JSON records:
// calls in business hours on working days (a little at weekends), a mix of
// national, mobile, international, non-geographic, premium-rate and
// internal calls, inbound calls of which about a quarter are missed, a few
// heavy users, and talk times with a long tail.
func (s *Service) GenerateCalls(ctx context.Context, sw Switch, opts GenerateOptions) (Report, error) {
	if opts.Calls <= 0 {
		return Report{}, errors.New("calls: give a positive number of calls")
	}
	if opts.Days <= 0 {
		opts.Days = 30
	}
	if opts.End.IsZero() {
		opts.End = time.Now()
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	if err := s.SyncAssignments(ctx, 0, time.Now()); err != nil {
		return Report{}, err
	}
	people, err := s.numberHolders(ctx, sw.ProviderID, opts.CompanyID)
	if err != nil {
		return Report{}, err
	}
	if len(people) == 0 {
		return Report{}, errors.New("calls: no employee holds a number yet: activate employees first")
	}
	total := Report{Switch: sw.Name, Source: SourceGenerator, Name: fmt.Sprintf("generate-calls seed %d", opts.Seed), Format: FormatFreeSWITCHJSON,
		Problems: []Problem{}, IgnoredLines: []Problem{}}
	const perBatch = 50000
	var buf bytes.Buffer
	t := newTraffic(people, opts, sw.Zone())
	for done := 0; done < opts.Calls; {
		n := min(perBatch, opts.Calls-done)
		buf.Reset()
		t.writeRange(&buf, done, n)
		done += n
		rep, err := s.Ingest(ctx, sw, SourceGenerator, total.Name, FormatFreeSWITCHJSON, &buf)
		if err != nil {
			return total, err
		}
		total.BatchID = rep.BatchID
		total.Accepted += rep.Accepted
		total.Duplicates += rep.Duplicates
		total.Malformed += rep.Malformed
		total.Problems = append(total.Problems, rep.Problems...)
	}
	// A command has no aggregator running beside it: the traffic's top 10
	// is complete when it returns.
	if _, err := s.AggregateNumbers(ctx); err != nil {
		return total, err
	}
	return total, nil
}

// numberHolders are the employees who hold a number now.
func (s *Service) numberHolders(ctx context.Context, providerID, companyID int64) ([]person, error) {
	query := `SELECT h.number, h.company_id FROM number_history h JOIN companies c ON c.id = h.company_id
		WHERE h.kind = 'number' AND h.valid_to = 0 AND h.owner_kind = 'user' AND c.provider_id = ?`
	args := []any{providerID}
	if companyID != 0 {
		query += " AND h.company_id = ?"
		args = append(args, companyID)
	}
	rows, err := s.db.Q(ctx).Query(ctx, query+" ORDER BY h.number", args...)
	if err != nil {
		return nil, fmt.Errorf("calls: number holders: %w", err)
	}
	defer rows.Close()
	var out []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.number, &p.companyID); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// traffic draws calls.
type traffic struct {
	rng    *rand.Rand
	people []person
	opts   GenerateOptions
	zone   *time.Location
	seed   uint64
	total  float64
}

func newTraffic(people []person, opts GenerateOptions, zone *time.Location) *traffic {
	if opts.Days <= 0 {
		opts.Days = 30
	}
	if opts.End.IsZero() {
		opts.End = time.Now()
	}
	t := &traffic{rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), people: people, opts: opts, zone: zone, seed: opts.Seed}
	t.prepare()
	return t
}

// WriteTraffic writes opts.Calls generated calls of the holders of numbers
// as FreeSWITCH JSON records, one a line (for benchmarks and fixtures;
// GenerateCalls stores them).
func WriteTraffic(buf *bytes.Buffer, numbers []string, opts GenerateOptions, zone *time.Location) {
	people := make([]person, len(numbers))
	for i, n := range numbers {
		people[i].number = n
	}
	newTraffic(people, opts, zone).writeRange(buf, 0, opts.Calls)
}

func (t *traffic) writeRange(buf *bytes.Buffer, from, n int) {
	for i := 0; i < n; i++ {
		t.write(buf, from+i)
	}
}

func (t *traffic) prepare() {
	// A few heavy users: weights fall off like a Zipf law.
	for i := range t.people {
		t.people[i].weight = 1 / math.Pow(float64(1+t.rng.IntN(len(t.people))), 0.8)
		t.total += t.people[i].weight
	}
}

func (t *traffic) pick() person {
	x := t.rng.Float64() * t.total
	for _, p := range t.people {
		if x -= p.weight; x <= 0 {
			return p
		}
	}
	return t.people[len(t.people)-1]
}

// hourWeights is the share of a working day's calls started in each local
// hour: quiet before 8 and after 18, peaks mid-morning and mid-afternoon.
var hourWeights = [24]float64{0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1, 4, 8, 10, 9, 6, 7, 9, 9, 7, 4, 2, 1, 0.6, 0.4, 0.3, 0.2}

func (t *traffic) start() time.Time {
	for {
		day := t.opts.End.In(t.zone).AddDate(0, 0, -t.rng.IntN(t.opts.Days))
		if wd := day.Weekday(); (wd == time.Saturday || wd == time.Sunday) && t.rng.Float64() > 0.1 {
			continue
		}
		var sum float64
		for _, w := range hourWeights {
			sum += w
		}
		x, hour := t.rng.Float64()*sum, 0
		for h, w := range hourWeights {
			if x -= w; x <= 0 {
				hour = h
				break
			}
		}
		at := time.Date(day.Year(), day.Month(), day.Day(), hour, t.rng.IntN(60), t.rng.IntN(60), t.rng.IntN(1000)*int(time.Millisecond), t.zone)
		if at.Before(t.opts.End) {
			return at
		}
	}
}

func (t *traffic) digits(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + t.rng.IntN(10)))
	}
	return b.String()
}

// farEnd is a number outside the provider: mostly national and mobile.
func (t *traffic) farEnd(outbound bool) string {
	x := t.rng.Float64()
	switch {
	case x < 0.45:
		return "+44113496" + t.digits(4) // national (Leeds)
	case x < 0.75:
		return "+4479112" + t.digits(5) // mobile (07911 2…; 07911 5… is no range)
	case x < 0.85:
		intl := []string{"+3314268" + t.digits(4), "+4930" + t.digits(8), "+1202555" + t.digits(4), "+35312" + t.digits(6)}
		return intl[t.rng.IntN(len(intl))]
	case x < 0.95 || !outbound:
		return "+44800" + t.digits(7) // non-geographic
	default:
		return "+44906" + t.digits(7) // premium rate
	}
}

// talk is a talk time with a long tail (log-normal, median about 80 s,
// capped at four hours).
func (t *traffic) talk() int {
	s := math.Exp(math.Log(80) + 1.1*t.rng.NormFloat64())
	return max(1, min(int(s), 4*3600))
}

func (t *traffic) write(buf *bytes.Buffer, i int) {
	p := t.pick()
	start := t.start()
	outbound := t.rng.Float64() < 0.6
	var caller, callee string
	missed := false
	switch {
	case outbound && t.rng.Float64() < 0.08:
		other := t.pick()
		caller, callee = p.number, other.number // internal (On-Net)
		missed = t.rng.Float64() < 0.15
	case outbound:
		caller, callee = p.number, t.farEnd(true)
		missed = t.rng.Float64() < 0.15
	default:
		caller, callee = t.farEnd(false), p.number
		missed = t.rng.Float64() < 0.25
	}
	ring := 2 + t.rng.IntN(20)
	talk := 0
	if missed {
		ring = 15 + t.rng.IntN(30)
	} else {
		talk = t.talk()
	}
	startUS := start.UnixMicro()
	answer := int64(0)
	if talk > 0 {
		answer = startUS + int64(ring)*1e6
	}
	end := startUS + int64(ring+talk)*1e6
	fmt.Fprintf(buf, `{"variables":{"uuid":"gen-%016x-%08d","caller_id_number":"%s","destination_number":"%s","start_uepoch":"%d","answer_uepoch":"%d","end_uepoch":"%d","duration":"%d","billsec":"%d"}}`+"\n",
		t.seed, i, strings.Replace(caller, "+", "%2B", 1), strings.Replace(callee, "+", "%2B", 1), startUS, answer, end, ring+talk, talk)
}

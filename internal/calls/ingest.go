package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// Sources of a batch.
const (
	SourceHTTP      = "http"
	SourceFile      = "file"
	SourceCommand   = "command"
	SourceGenerator = "generator"
)

// chunkSize is how many records one transaction stores: large enough for
// speed, small enough that a big file does not hold the (SQLite) writer
// for long.
const chunkSize = 5000

// partSize is how many records the parser hands the writer at a time. The
// writer stores each part as it comes, in the transaction that gathers a
// chunk, so it waits only for a batch's first part to be read and the two
// halves of the work overlap from the start (docs/performance.md,
// "Call-record ingest"). A batch's first part is smaller (one 256-row
// statement), so that wait is short too.
const (
	partSize      = 1000
	firstPartSize = 256
)

// insertRows is the most rows one INSERT carries: 21 parameters each stays
// under SQLite's limit of 32,766 a statement.
const insertRows = 1000

// maxListedProblems bounds the problems kept with a batch; the counts
// always cover them all.
const maxListedProblems = 1000

// Report is what became of one batch.
type Report struct {
	BatchID    int64     `json:"batch_id"`
	Switch     string    `json:"switch"`
	Source     string    `json:"source"`
	Name       string    `json:"name"`
	Format     Format    `json:"format"`
	Accepted   int       `json:"accepted"`
	Duplicates int       `json:"duplicates"`
	Malformed  int       `json:"malformed"`
	Ignored    int       `json:"ignored"`
	Problems   []Problem `json:"problems"`
	// IgnoredLines says which lines were passed over and why (file
	// markers, interim records); the first maxListedProblems.
	IgnoredLines []Problem `json:"ignored_lines"`
}

// Summary is the report in one sentence.
func (r Report) Summary() string {
	return fmt.Sprintf("%s: %d accepted, %d duplicates, %d malformed, %d ignored", r.Name, r.Accepted, r.Duplicates, r.Malformed, r.Ignored)
}

// Metrics count this node's ingested records by outcome.
type Metrics struct {
	accepted, duplicates, malformed, ignored atomic.Int64
}

var recordsDesc = prometheus.NewDesc("switchboard_cdr_records_total",
	"Call detail records ingested by this node, by outcome (accepted, duplicate, malformed, ignored).", []string{"outcome"}, nil)

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) { ch <- recordsDesc }

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, o := range []struct {
		name string
		v    *atomic.Int64
	}{{"accepted", &m.accepted}, {"duplicate", &m.duplicates}, {"malformed", &m.malformed}, {"ignored", &m.ignored}} {
		ch <- prometheus.MustNewConstMetric(recordsDesc, prometheus.CounterValue, float64(o.v.Load()), o.name)
	}
}

// ingester is one batch in progress.
type ingester struct {
	s         *Service
	sw        Switch
	region    string
	companies map[int64]bool
	report    Report
	pending   []Record
	err       error
	// The parser reads and prepares parts while the writer stores the
	// previous ones: on two cores the two halves of the work overlap.
	work     chan part
	written  chan struct{}
	writeErr error
	failed   atomic.Bool
}

// part is prepared records waiting for the writer.
type part struct {
	calls         []call
	numbers, exts []string
	dups          int
}

// Ingest reads r as format f (empty: the switch's format) from switch sw and
// stores every good record once: records already stored (the same switch
// and unique id) count as duplicates, malformed records are listed with
// their line and reason, and the rest of the batch is kept. The batch and
// its report are recorded (call_ingest_batches). name says where the batch
// came from (a file name, "POST /api/v1/calls/ingest").
func (s *Service) Ingest(ctx context.Context, sw Switch, source, name string, f Format, r io.Reader) (rep Report, err error) {
	if f == "" {
		f = sw.Format
	}
	ing := &ingester{s: s, sw: sw, report: Report{Switch: sw.Name, Source: source, Name: name, Format: f,
		Problems: []Problem{}, IgnoredLines: []Problem{}}}
	if err := ing.prepare(ctx); err != nil {
		return rep, err
	}
	if err := s.prepareIngest(ctx); err != nil {
		return rep, fmt.Errorf("calls: ingest: %w", err)
	}
	if err := s.db.Tx(ctx, func(ctx context.Context) error {
		return s.db.Q(ctx).QueryRow(ctx, `INSERT INTO call_ingest_batches (provider_id, switch_id, source, name, format, received_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, sw.ProviderID, sw.ID, source, truncate(name, 500), string(f), store.Now()).Scan(&ing.report.BatchID)
	}); err != nil {
		return rep, fmt.Errorf("calls: record batch: %w", err)
	}
	ing.work, ing.written = make(chan part, chunkSize/partSize), make(chan struct{})
	go ing.writer(ctx)
	size := firstPartSize // the size of the part being gathered
	perr := Parse(f, r, ParseOptions{Zone: sw.Zone()}, Sink{
		Record: func(rec Record) {
			if ing.err != nil || ing.failed.Load() {
				return
			}
			ing.pending = append(ing.pending, rec)
			if len(ing.pending) >= size {
				ing.err = ing.flush(ctx)
				size = partSize
			}
		},
		Malformed: func(p Problem) {
			ing.report.Malformed++
			if len(ing.report.Problems) < maxListedProblems {
				ing.report.Problems = append(ing.report.Problems, p)
			}
		},
		Ignored: func(p Problem) {
			ing.report.Ignored++
			if len(ing.report.IgnoredLines) < maxListedProblems {
				ing.report.IgnoredLines = append(ing.report.IgnoredLines, p)
			}
		},
	})
	if ing.err == nil {
		ing.err = ing.flush(ctx)
	}
	close(ing.work)
	<-ing.written
	if ing.err == nil {
		ing.err = ing.writeErr
	}
	if ing.err == nil && perr != nil {
		ing.err = perr
	}
	s.metrics.malformed.Add(int64(ing.report.Malformed))
	s.metrics.ignored.Add(int64(ing.report.Ignored))
	// The batch's counts are recorded whatever happened, so a failure half
	// way is visible with what it had stored.
	if err := s.finishBatch(ctx, sw.ID, ing.report, ing.err); err != nil && ing.err == nil {
		ing.err = err
	}
	// Whatever was stored is due for the number roll-ups.
	s.wakeNumbers()
	if ing.err != nil {
		return ing.report, fmt.Errorf("calls: ingest %s from %s: %w", name, sw.Name, ing.err)
	}
	return ing.report, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func (s *Service) finishBatch(ctx context.Context, switchID int64, rep Report, failure error) error {
	problems := rep.Problems
	if failure != nil {
		problems = append(problems, Problem{Reason: "the batch stopped: " + failure.Error()})
	}
	doc, err := json.Marshal(problems)
	if err != nil {
		return err
	}
	return s.db.Tx(context.WithoutCancel(ctx), func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, `UPDATE call_ingest_batches SET accepted = ?, duplicates = ?, malformed = ?, ignored = ?, problems = ? WHERE id = ?`,
			rep.Accepted, rep.Duplicates, rep.Malformed, rep.Ignored, string(doc), rep.BatchID); err != nil {
			return fmt.Errorf("calls: finish batch %d: %w", rep.BatchID, err)
		}
		_, err := q.Exec(ctx, "UPDATE call_switches SET last_ingest_at = ? WHERE id = ?", store.Now(), switchID)
		return err
	})
}

// prepare reads what attribution needs once a batch: the provider's region
// and companies.
func (ing *ingester) prepare(ctx context.Context) error {
	q := ing.s.db.Q(ctx)
	ing.region = ing.sw.Region
	if ing.region == "" {
		if err := q.QueryRow(ctx, "SELECT default_region FROM providers WHERE id = ?", ing.sw.ProviderID).Scan(&ing.region); err != nil {
			return fmt.Errorf("calls: provider %d: %w", ing.sw.ProviderID, err)
		}
	}
	rows, err := q.Query(ctx, "SELECT id FROM companies WHERE provider_id = ?", ing.sw.ProviderID)
	if err != nil {
		return fmt.Errorf("calls: companies of provider %d: %w", ing.sw.ProviderID, err)
	}
	defer rows.Close()
	ing.companies = map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ing.companies[id] = true
	}
	return rows.Err()
}

// call is a record ready to store.
type call struct {
	rec                         Record
	calling, called, party      Number
	direction                   Direction
	traffic                     Traffic
	status                      Status
	companyID, siteID, employee int64
	business                    string
}

// flush prepares the pending records as a part (numbers read, duplicates
// within it set aside) and hands them to the writer.
func (ing *ingester) flush(ctx context.Context) error {
	if len(ing.pending) == 0 {
		return nil
	}
	recs := ing.pending
	ing.pending = ing.pending[:0:0]
	// A record sent twice in one batch is stored once.
	seen := make(map[string]bool, len(recs))
	p := part{calls: make([]call, 0, len(recs))}
	keys := map[string]bool{}
	want := func(n Number) {
		if keys[n.Norm] {
			return
		}
		switch n.kind {
		case kindE164:
			keys[n.Norm] = true
			p.numbers = append(p.numbers, n.Norm)
		case kindExtension:
			keys[n.Norm] = true
			p.exts = append(p.exts, n.Norm)
		}
	}
	for _, r := range recs {
		if seen[r.ID] {
			p.dups++
			continue
		}
		seen[r.ID] = true
		read := func(raw string) Number { return ing.s.numbers.normalise(raw, ing.region) }
		c := call{rec: r, calling: read(r.Calling), called: read(r.Called), party: read(r.Party)}
		want(c.calling)
		want(c.called)
		want(c.party)
		p.calls = append(p.calls, c)
	}
	select {
	case ing.work <- p:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer stores the parts the parser prepares, chunkSize records to a
// transaction; after a failure it drains the rest without storing them.
func (ing *ingester) writer(ctx context.Context) {
	defer close(ing.written)
	for p := range ing.work {
		if ing.failed.Load() {
			continue
		}
		if err := ing.store(ctx, p); err != nil {
			ing.writeErr = err
			ing.failed.Store(true)
		}
	}
}

// store inserts part and the parts that follow it, up to chunkSize records,
// in one transaction: each part's calls attributed and inserted as it
// arrives, then the roll-ups, charges and ended calls of them all.
func (ing *ingester) store(ctx context.Context, p part) error {
	stored := make([]call, 0, chunkSize)
	ids := make([]string, 0, chunkSize)
	dups := 0
	err := ing.s.db.Tx(ctx, func(ctx context.Context) error {
		var first, last int64
		for {
			h, err := ing.s.loadHolders(ctx, p.numbers, p.exts)
			if err != nil {
				return err
			}
			for i := range p.calls {
				ing.attribute(&p.calls[i], h)
			}
			inserted, f, l, err := ing.s.insertCalls(ctx, ing.sw, ing.report.BatchID, p.calls)
			if err != nil {
				return err
			}
			if f != 0 && (first == 0 || f < first) {
				first = f
			}
			last = max(last, l)
			for _, c := range p.calls {
				if inserted[c.rec.ID] {
					stored = append(stored, c)
				}
				ids = append(ids, c.rec.ID)
			}
			dups += p.dups + len(p.calls) - len(inserted)
			if len(ids) >= chunkSize {
				break
			}
			var more bool
			select {
			case p, more = <-ing.work:
			case <-ctx.Done():
				return ctx.Err()
			}
			if !more {
				break
			}
		}
		if err := ing.s.addScopeRollups(ctx, ing.sw.ProviderID, stored); err != nil {
			return err
		}
		// The number roll-ups are added after the commit, by the number
		// aggregator (AggregateNumbers), from this record of the chunk.
		if len(stored) > 0 {
			if err := ing.s.addPending(ctx, ing.report.BatchID, first, last); err != nil {
				return err
			}
		}
		if err := ing.s.charge(ctx, ing.sw.ProviderID, stored); err != nil {
			return err
		}
		// A call's record ends it, whether or not its end event came.
		_, err := ing.s.endCalls(ctx, ing.sw.ID, ids)
		return err
	})
	if err != nil {
		return err
	}
	ing.report.Accepted += len(stored)
	ing.report.Duplicates += dups
	ing.s.metrics.accepted.Add(int64(len(stored)))
	ing.s.metrics.duplicates.Add(int64(dups))
	return nil
}

// attribute finds whose call c was and classifies it (docs/cdr.md).
func (ing *ingester) attribute(c *call, h holders) {
	at := c.rec.Start.UnixMilli()
	party := c.party
	// Numbers first: the company that holds one reads the extensions.
	held := func(n Number, company int64) (holding, bool) {
		switch n.kind {
		case kindE164:
			if x, ok := h.numberAt(n.Norm, at); ok && ing.companies[x.companyID] {
				return x, true
			}
		case kindExtension:
			return h.extensionAt(n.Norm, company, ing.companies, at)
		}
		return holding{}, false
	}
	company := ing.sw.CompanyID
	for _, n := range []Number{party, c.calling, c.called} {
		if n.kind == kindE164 {
			if x, ok := held(n, 0); ok {
				company = x.companyID
				break
			}
		}
	}
	partyH, partyOK := held(party, company)
	callerH, callerOK := held(c.calling, company)
	calledH, calledOK := held(c.called, company)
	var ours holding
	var oursOK bool
	var business Number
	switch {
	case c.rec.Hint == HintOutbound:
		c.direction = Outbound
		ours, oursOK, business = partyH, partyOK, party
		if !oursOK {
			ours, oursOK, business = callerH, callerOK, c.calling
		}
	case c.rec.Hint == HintInbound:
		c.direction = Inbound
		ours, oursOK, business = partyH, partyOK, party
		if !oursOK {
			ours, oursOK, business = calledH, calledOK, c.called
		}
	case callerOK:
		c.direction, ours, oursOK, business = Outbound, callerH, true, c.calling
	case calledOK:
		c.direction, ours, oursOK, business = Inbound, calledH, true, c.called
	case c.calling.kind == kindExtension:
		c.direction = Outbound
	default:
		c.direction = Inbound
	}
	if c.direction == Outbound {
		if calledOK {
			c.traffic = OnNet
		} else {
			c.traffic = classifyExternal(c.called, ing.region)
		}
	} else {
		if callerOK {
			c.traffic = OnNet
		} else {
			c.traffic = OffNet
		}
	}
	c.status = Unanswered
	if c.rec.Answered {
		c.status = Answered
	}
	if oursOK {
		c.companyID, c.siteID, c.business = ours.companyID, ours.siteID, business.Norm
		if ours.ownerKind == "user" {
			c.employee = ours.ownerID
		}
	}
}

const callColumns = `provider_id, switch_id, record_id, batch_id, start_at, answer_at, end_at, duration, billsec,
	calling_raw, called_raw, calling, called, direction, traffic, status, company_id, site_id, employee_id, business_number`

const callRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// insertCallsSQL inserts n calls and returns those that were new. A call
// already stored (the same switch and record id) is skipped: on SQLite
// with INSERT OR IGNORE, which means the same here, because every column
// is given a value and the idempotency key is the table's only constraint
// that can fail. It spares SQLite the statement journal an ON CONFLICT
// statement keeps in case a NOT NULL check stops it half way, a fifth of
// the insert's cost (docs/performance.md, "Call-record ingest").
func insertCallsSQL(d store.Dialect, n int) string {
	if d == store.SQLite {
		return "INSERT OR IGNORE INTO calls (" + callColumns + ") VALUES " + store.RepeatRow(n, callRow) + " RETURNING record_id, id"
	}
	return "INSERT INTO calls (" + callColumns + ") VALUES " + store.RepeatRow(n, callRow) +
		" ON CONFLICT (switch_id, record_id) DO NOTHING RETURNING record_id, id"
}

// insertCalls stores calls with multi-row statements and returns the
// record ids of those that were new (a record already stored is left as it
// is), and the first and last call id they got.
func (s *Service) insertCalls(ctx context.Context, sw Switch, batchID int64, calls []call) (inserted map[string]bool, first, last int64, err error) {
	inserted = make(map[string]bool, len(calls))
	q := s.db.Q(ctx)
	args := make([]any, 0, insertRows*20)
	for rest := calls; len(rest) > 0; {
		n := store.BatchSize(len(rest), insertRows)
		args = args[:0]
		for _, c := range rest[:n] {
			var answer int64
			if !c.rec.Answer.IsZero() {
				answer = c.rec.Answer.UnixMilli()
			}
			// Every integer goes as an int64, which database/sql passes on
			// as it is instead of converting (and allocating) it again.
			args = append(args, sw.ProviderID, sw.ID, c.rec.ID, batchID, c.rec.Start.UnixMilli(), answer, c.rec.End.UnixMilli(),
				int64(c.rec.Duration), int64(c.rec.Billsec), c.rec.Calling, c.rec.Called, c.calling.Norm, c.called.Norm,
				int64(c.direction), int64(c.traffic), int64(c.status), c.companyID, c.siteID, c.employee, c.business)
		}
		rest = rest[n:]
		rows, err := q.QueryPrepared(ctx, insertCallsSQL(s.db.Dialect(), n), args...)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("calls: insert calls: %w", err)
		}
		for rows.Next() {
			var id string
			var callID int64
			if err := rows.Scan(&id, &callID); err != nil {
				rows.Close()
				return nil, 0, 0, err
			}
			inserted[id] = true
			if first == 0 || callID < first {
				first = callID
			}
			last = max(last, callID)
		}
		if err := rows.Close(); err != nil {
			return nil, 0, 0, err
		}
		if err := rows.Err(); err != nil {
			return nil, 0, 0, fmt.Errorf("calls: insert calls: %w", err)
		}
	}
	return inserted, first, last, nil
}

// prepareIngest has the SQLite writer compile ingest's multi-row
// statements once (store.DB.Prepare), every size store.BatchSize makes.
func (s *Service) prepareIngest(ctx context.Context) error {
	var texts []string
	for n := insertRows; ; n = store.BatchSize(n-1, insertRows) {
		texts = append(texts, insertCallsSQL(s.db.Dialect(), n), scopeBucketsSQL(n), numberDaysSQL(n))
		if n == 1 {
			break
		}
	}
	return s.db.Prepare(ctx, texts...)
}

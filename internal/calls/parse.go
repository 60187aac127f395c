package calls

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ParseOptions say how to read a switch's records.
type ParseOptions struct {
	// Zone is the switch's time zone, for formats that write local times
	// (FreeSWITCH and Asterisk CSV). Nil means UTC.
	Zone *time.Location
}

// Sink receives what a parser reads: each good record, each malformed
// one with its reason, and each line that is not a call (file markers,
// interim records) with why it was passed over. Nothing is dropped
// without one of the three hearing of it.
type Sink struct {
	Record    func(Record)
	Malformed func(Problem)
	Ignored   func(Problem)
}

// maxRecordBytes bounds one record; a longer one is malformed, not a reason
// to read a whole file into memory.
const maxRecordBytes = 1 << 20

// Parse reads r in format f and hands every record to sink. It fails only
// when r cannot be read; bad records go to sink.Malformed.
func Parse(f Format, r io.Reader, opts ParseOptions, sink Sink) error {
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	switch f {
	case FormatFreeSWITCHJSON:
		return parseFreeSWITCHJSON(r, sink)
	case FormatFreeSWITCHCSV:
		return parseCSV(r, sink, func(line int, fields []string) (Record, error) { return freeswitchCSVRecord(line, fields, opts.Zone) })
	case FormatAsteriskCSV:
		return parseCSV(r, sink, func(line int, fields []string) (Record, error) { return asteriskCSVRecord(line, fields, opts.Zone) })
	case FormatBroadWorksCSV:
		return parseCSV(r, sink, broadworksCSVRecord)
	}
	return fmt.Errorf("calls: unknown format %q", f)
}

// errIgnored marks a line that is well formed but not a call.
type errIgnored struct{ reason string }

func (e errIgnored) Error() string { return e.reason }

// parseCSV reads comma-separated records (RFC 4180 quoting, which all three
// switches' writers produce: quoted fields with doubled quotes) and hands
// each to build.
func parseCSV(r io.Reader, sink Sink, build func(line int, fields []string) (Record, error)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			sink.Malformed(Problem{Line: perr.StartLine, Reason: "not valid CSV: " + perr.Err.Error()})
			continue
		}
		if err != nil {
			return fmt.Errorf("calls: read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		size := 0
		for _, f := range fields {
			size += len(f)
		}
		if size > maxRecordBytes {
			sink.Malformed(Problem{Line: line, Reason: "the record is longer than 1 MiB"})
			continue
		}
		rec, err := build(line, fields)
		var ign errIgnored
		switch {
		case errors.As(err, &ign):
			sink.Ignored(Problem{Line: line, Reason: ign.reason})
		case err != nil:
			sink.Malformed(Problem{Line: line, Reason: err.Error()})
		default:
			rec.Line = line
			if err := rec.check(); err != nil {
				sink.Malformed(Problem{Line: line, Reason: err.Error()})
				continue
			}
			sink.Record(rec)
		}
	}
}

func atoi(field, v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a whole number", field, v)
	}
	return n, nil
}

// digest identifies a record that carries no id of its own by its content.
func digest(fields []string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:40]
}

// freeswitchCSVFields is the number of fields the "example" template, the
// default-template of mod_cdr_csv, writes (docs/cdr.md).
const freeswitchCSVFields = 15

const stampLayout = "2006-01-02 15:04:05"

func freeswitchCSVRecord(_ int, f []string, zone *time.Location) (Record, error) {
	if len(f) != freeswitchCSVFields {
		return Record{}, fmt.Errorf("mod_cdr_csv's default template writes %d fields; this line has %d", freeswitchCSVFields, len(f))
	}
	var r Record
	var err error
	if r.Duration, err = atoi("duration", f[7]); err != nil {
		return r, err
	}
	if r.Billsec, err = atoi("billsec", f[8]); err != nil {
		return r, err
	}
	start, err := parseWall(stampLayout, f[4])
	if err != nil {
		return r, fmt.Errorf("start_stamp: %w", err)
	}
	answer, err := parseWall(stampLayout, f[5])
	if err != nil {
		return r, fmt.Errorf("answer_stamp: %w", err)
	}
	end, err := parseWall(stampLayout, f[6])
	if err != nil {
		return r, fmt.Errorf("end_stamp: %w", err)
	}
	if r.Start, r.Answer, r.End, err = resolveWalls(zone, start, answer, end, r.Duration, r.Billsec); err != nil {
		return r, err
	}
	r.Calling, r.Called, r.ID = f[1], f[2], f[10]
	r.Answered = !r.Answer.IsZero() || r.Billsec > 0
	return r, nil
}

// Asterisk cdr_csv writes 16 columns, then uniqueid (loguniqueid), userfield
// (loguserfield) and peeraccount, linkedid, sequence (newcdrcolumns).
var asteriskColumnCounts = map[int]bool{16: true, 17: true, 18: true, 21: true}

func asteriskCSVRecord(_ int, f []string, zone *time.Location) (Record, error) {
	if !asteriskColumnCounts[len(f)] {
		return Record{}, fmt.Errorf("cdr_csv writes 16, 17, 18 or 21 fields (with uniqueid, userfield and the newcdrcolumns); this line has %d", len(f))
	}
	var r Record
	var err error
	if r.Duration, err = atoi("duration", f[12]); err != nil {
		return r, err
	}
	if r.Billsec, err = atoi("billsec", f[13]); err != nil {
		return r, err
	}
	start, err := parseWall(stampLayout, f[9])
	if err != nil {
		return r, fmt.Errorf("start: %w", err)
	}
	answer, err := parseWall(stampLayout, f[10])
	if err != nil {
		return r, fmt.Errorf("answer: %w", err)
	}
	end, err := parseWall(stampLayout, f[11])
	if err != nil {
		return r, fmt.Errorf("end: %w", err)
	}
	if r.Start, r.Answer, r.End, err = resolveWalls(zone, start, answer, end, r.Duration, r.Billsec); err != nil {
		return r, err
	}
	switch disp := strings.ToUpper(strings.TrimSpace(f[14])); disp {
	case "ANSWERED":
		r.Answered = true
	case "NO ANSWER", "BUSY", "FAILED", "CONGESTION":
	default:
		return r, fmt.Errorf("disposition %q is not one of ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION", f[14])
	}
	r.Calling, r.Called = f[1], f[2]
	switch {
	case len(f) >= 21 && f[16] != "" && f[20] != "":
		r.ID = f[16] + "#" + f[20] // one uniqueid can have several CDRs; sequence tells them apart
	case len(f) >= 17 && f[16] != "":
		r.ID = f[16]
	default:
		r.ID = digest(f)
	}
	return r, nil
}

// BroadWorks CSV fields (0-based) of the Accounting CDR Interface
// Specification's field order (docs/cdr.md).
const (
	bwRecordID = iota
	bwServiceProvider
	bwType
	bwUserNumber
	bwGroupNumber
	bwDirection
	bwCallingNumber
	bwCallingPresentation
	bwCalledNumber
	bwStartTime
	bwUserTimeZone
	bwAnswerIndicator
	bwAnswerTime
	bwReleaseTime
	bwTerminationCause
	bwMinFields
)

const broadworksTimeLayout = "20060102150405.000"

func broadworksTime(field, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(broadworksTimeLayout, v, time.UTC)
	if err != nil {
		return t, fmt.Errorf("%s %q is not a time in the form yyyyMMddHHmmss.SSS", field, v)
	}
	return t, nil
}

func broadworksCSVRecord(_ int, f []string) (Record, error) {
	var r Record
	if len(f) <= bwType {
		return r, fmt.Errorf("a BroadWorks record has at least %d fields; this line has %d", bwType+1, len(f))
	}
	switch typ := strings.TrimSpace(f[bwType]); typ {
	case "Normal":
	case "Start", "End":
		return r, errIgnored{"a BroadWorks " + typ + " marker, not a call"}
	case "Long Duration", "Intermediate", "Failover":
		return r, errIgnored{"a BroadWorks " + typ + " record; the call is counted from its Normal record"}
	default:
		return r, fmt.Errorf("record type %q is not one of Normal, Start, End, Long Duration, Intermediate, Failover", typ)
	}
	if len(f) < bwMinFields {
		return r, fmt.Errorf("a BroadWorks Normal record has at least %d fields; this line has %d", bwMinFields, len(f))
	}
	var err error
	if r.Start, err = broadworksTime("startTime", f[bwStartTime]); err != nil {
		return r, err
	}
	if r.Answer, err = broadworksTime("answerTime", f[bwAnswerTime]); err != nil {
		return r, err
	}
	if r.End, err = broadworksTime("releaseTime", f[bwReleaseTime]); err != nil {
		return r, err
	}
	switch ind := f[bwAnswerIndicator]; ind {
	case "Yes", "Yes-PostRedirection":
		r.Answered = true
	case "No":
		r.Answer = time.Time{}
	default:
		return r, fmt.Errorf("answerIndicator %q is not Yes, Yes-PostRedirection or No", ind)
	}
	switch dir := f[bwDirection]; dir {
	case "Originating":
		r.Hint = HintOutbound
	case "Terminating":
		r.Hint = HintInbound
	default:
		return r, fmt.Errorf("direction %q is not Originating or Terminating", dir)
	}
	if !r.End.IsZero() && !r.Start.IsZero() {
		r.Duration = int(r.End.Sub(r.Start).Round(time.Second) / time.Second)
		if r.Answered && !r.Answer.IsZero() {
			r.Billsec = int(r.End.Sub(r.Answer).Round(time.Second) / time.Second)
		}
	}
	r.ID, r.Party = f[bwRecordID], f[bwUserNumber]
	r.Calling, r.Called = f[bwCallingNumber], f[bwCalledNumber]
	return r, nil
}

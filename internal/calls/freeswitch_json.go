package calls

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxJSONBatch bounds a JSON upload or file read into memory.
const maxJSONBatch = 64 << 20

// fsCDR is the part of a mod_json_cdr document Switchboard reads; a real
// document carries a few hundred variables, and decoding only these keeps
// the rest from costing anything but a scan.
type fsCDR struct {
	Variables *fsVariables    `json:"variables"`
	Callflow  json.RawMessage `json:"callflow"`
}

type fsVariables struct {
	UUID              fsString `json:"uuid"`
	CallerIDNumber    fsString `json:"caller_id_number"`
	DestinationNumber fsString `json:"destination_number"`
	StartEpoch        fsString `json:"start_epoch"`
	StartUEpoch       fsString `json:"start_uepoch"`
	AnswerEpoch       fsString `json:"answer_epoch"`
	AnswerUEpoch      fsString `json:"answer_uepoch"`
	EndEpoch          fsString `json:"end_epoch"`
	EndUEpoch         fsString `json:"end_uepoch"`
	Duration          fsString `json:"duration"`
	Billsec           fsString `json:"billsec"`
}

type fsProfile struct {
	CallerProfile *struct {
		UUID              fsString `json:"uuid"`
		CallerIDNumber    fsString `json:"caller_id_number"`
		DestinationNumber fsString `json:"destination_number"`
	} `json:"caller_profile"`
}

// fsString is a variable's value: mod_json_cdr writes every variable as a
// string, URL-encoded when its encode-values setting is on (the default);
// a number is taken as its text.
type fsString string

func (v *fsString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("a variable must be a string, not %s", b)
		}
		s = n.String()
	}
	if strings.Contains(s, "%") {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
	}
	*v = fsString(s)
	return nil
}

// parseFreeSWITCHJSON reads one mod_json_cdr document, several one after
// another (a log directory concatenated, one per line), or a JSON array
// of them. A document that is not valid JSON is reported and reading goes
// on at the next line that starts a document.
func parseFreeSWITCHJSON(r io.Reader, sink Sink) error {
	data, err := io.ReadAll(io.LimitReader(r, maxJSONBatch+1))
	if err != nil {
		return fmt.Errorf("calls: read: %w", err)
	}
	if len(data) > maxJSONBatch {
		return fmt.Errorf("calls: a JSON batch is limited to %d MiB; split it", maxJSONBatch>>20)
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	// lineAt counts lines incrementally: documents are visited in order,
	// so the whole batch is scanned once, not once a document.
	countedTo, lines := 0, 1
	lineAt := func(off int) int {
		off = min(off, len(data))
		if off < countedTo {
			return 1 + bytes.Count(data[:off], []byte{'\n'})
		}
		lines += bytes.Count(data[countedTo:off], []byte{'\n'})
		countedTo = off
		return lines
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var docs []json.RawMessage
		if err := json.Unmarshal(trimmed, &docs); err == nil {
			off := bytes.Index(data, []byte{'['})
			for _, d := range docs {
				// Each element's line: find it from where the last one ended.
				at := bytes.Index(data[off:], d)
				line := lineAt(off + max(at, 0))
				if at >= 0 {
					off += at + len(d)
				}
				freeswitchDocument(line, d, sink)
			}
			return nil
		}
	}
	// One decoder reads the documents one after another; after a malformed
	// one a new decoder starts at the next line that opens a document.
	off := 0
	for off < len(data) {
		dec := json.NewDecoder(bytes.NewReader(data[off:]))
		for {
			var doc json.RawMessage
			at := off + int(dec.InputOffset())
			err := dec.Decode(&doc)
			if err == io.EOF {
				return nil
			}
			start := at + skipSpace(data[at:])
			if err != nil {
				sink.Malformed(Problem{Line: lineAt(start), Reason: "not valid JSON: " + jsonReason(err)})
				next := bytes.Index(data[start+1:], []byte("\n{"))
				if next < 0 {
					return nil
				}
				off = start + 1 + next + 1
				break
			}
			freeswitchDocument(lineAt(start), doc, sink)
		}
	}
	return nil
}

func skipSpace(b []byte) int {
	return len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return se.Error()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the document ends before it is complete"
	}
	return err.Error()
}

func freeswitchDocument(line int, doc json.RawMessage, sink Sink) {
	rec, err := freeswitchJSONRecord(doc)
	if err == nil {
		err = rec.check()
	}
	if err != nil {
		sink.Malformed(Problem{Line: line, Reason: err.Error()})
		return
	}
	rec.Line = line
	sink.Record(rec)
}

// fsEpoch reads a time from its microsecond stamp (start_uepoch), or its
// second one (start_epoch) when that is absent or 0.
func fsEpoch(name string, micro, sec fsString) (time.Time, error) {
	if micro != "" && micro != "0" {
		us, err := strconv.ParseInt(string(micro), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s_uepoch %q is not a number", name, micro)
		}
		return time.UnixMicro(us).UTC(), nil
	}
	if sec == "" || sec == "0" {
		return time.Time{}, nil
	}
	s, err := strconv.ParseInt(string(sec), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s_epoch %q is not a number", name, sec)
	}
	return time.Unix(s, 0).UTC(), nil
}

func freeswitchJSONRecord(doc json.RawMessage) (Record, error) {
	var r Record
	var cdr fsCDR
	if err := json.Unmarshal(doc, &cdr); err != nil {
		return r, fmt.Errorf("not a mod_json_cdr document: %s", jsonReason(err))
	}
	if cdr.Variables == nil {
		return r, fmt.Errorf("the document has no \"variables\" object")
	}
	vars := cdr.Variables
	r.ID, r.Calling, r.Called = string(vars.UUID), string(vars.CallerIDNumber), string(vars.DestinationNumber)
	if len(cdr.Callflow) > 0 && (r.ID == "" || r.Calling == "" || r.Called == "") {
		// callflow is an array of steps in current releases and a single
		// object in older ones; the first step is the original call.
		var steps []fsProfile
		if err := json.Unmarshal(cdr.Callflow, &steps); err != nil || len(steps) == 0 {
			steps = make([]fsProfile, 1)
			_ = json.Unmarshal(cdr.Callflow, &steps[0])
		}
		if p := steps[0].CallerProfile; p != nil {
			r.ID = cmp.Or(r.ID, string(p.UUID))
			r.Calling = cmp.Or(r.Calling, string(p.CallerIDNumber))
			r.Called = cmp.Or(r.Called, string(p.DestinationNumber))
		}
	}
	var err error
	if r.Start, err = fsEpoch("start", vars.StartUEpoch, vars.StartEpoch); err != nil {
		return r, err
	}
	if r.Answer, err = fsEpoch("answer", vars.AnswerUEpoch, vars.AnswerEpoch); err != nil {
		return r, err
	}
	if r.End, err = fsEpoch("end", vars.EndUEpoch, vars.EndEpoch); err != nil {
		return r, err
	}
	if r.Duration, err = atoi("duration", string(vars.Duration)); err != nil {
		return r, err
	}
	if r.Billsec, err = atoi("billsec", string(vars.Billsec)); err != nil {
		return r, err
	}
	r.Answered = !r.Answer.IsZero() || r.Billsec > 0
	return r, nil
}

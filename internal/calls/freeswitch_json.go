package calls

import (
	"bytes"
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

// fsCDR is the part of a mod_json_cdr document Switchboard reads. Values
// are strings (mod_json_cdr writes every variable as a string), URL-encoded
// when the module's encode-values setting is on, which is its default.
type fsCDR struct {
	Variables map[string]any  `json:"variables"`
	Callflow  json.RawMessage `json:"callflow"`
}

type fsProfile struct {
	CallerProfile map[string]any `json:"caller_profile"`
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
	off := 0
	for off < len(data) {
		dec := json.NewDecoder(bytes.NewReader(data[off:]))
		var doc json.RawMessage
		err := dec.Decode(&doc)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			start := off + skipSpace(data[off:])
			sink.Malformed(Problem{Line: lineAt(start), Reason: "not valid JSON: " + jsonReason(err)})
			next := bytes.Index(data[start+1:], []byte("\n{"))
			if next < 0 {
				return nil
			}
			off = start + 1 + next + 1
			continue
		}
		start := off + skipSpace(data[off:])
		freeswitchDocument(lineAt(start), doc, sink)
		off += int(dec.InputOffset())
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

// fsValue returns a variable as text, URL-decoded.
func fsValue(m map[string]any, key string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return ""
	}
	if strings.Contains(s, "%") {
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
	}
	return s
}

func fsEpoch(vars map[string]any, name string) (time.Time, error) {
	// The microsecond stamp first (start_uepoch), then the second one.
	if v := fsValue(vars, strings.TrimSuffix(name, "epoch")+"uepoch"); v != "" && v != "0" {
		us, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q is not a number", strings.TrimSuffix(name, "epoch")+"uepoch", v)
		}
		return time.UnixMicro(us).UTC(), nil
	}
	v := fsValue(vars, name)
	if v == "" || v == "0" {
		return time.Time{}, nil
	}
	s, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not a number", name, v)
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
	var profile map[string]any
	if len(cdr.Callflow) > 0 {
		// callflow is an array of steps in current releases and a single
		// object in older ones; the first step is the original call.
		var steps []fsProfile
		if err := json.Unmarshal(cdr.Callflow, &steps); err == nil && len(steps) > 0 {
			profile = steps[0].CallerProfile
		} else {
			var one fsProfile
			if json.Unmarshal(cdr.Callflow, &one) == nil {
				profile = one.CallerProfile
			}
		}
	}
	var err error
	if r.Start, err = fsEpoch(vars, "start_epoch"); err != nil {
		return r, err
	}
	if r.Answer, err = fsEpoch(vars, "answer_epoch"); err != nil {
		return r, err
	}
	if r.End, err = fsEpoch(vars, "end_epoch"); err != nil {
		return r, err
	}
	if r.Duration, err = atoi("duration", fsValue(vars, "duration")); err != nil {
		return r, err
	}
	if r.Billsec, err = atoi("billsec", fsValue(vars, "billsec")); err != nil {
		return r, err
	}
	r.ID = fsValue(vars, "uuid")
	r.Calling = fsValue(vars, "caller_id_number")
	r.Called = fsValue(vars, "destination_number")
	if profile != nil {
		if r.ID == "" {
			r.ID = fsValue(profile, "uuid")
		}
		if r.Calling == "" {
			r.Calling = fsValue(profile, "caller_id_number")
		}
		if r.Called == "" {
			r.Called = fsValue(profile, "destination_number")
		}
	}
	r.Answered = !r.Answer.IsZero() || r.Billsec > 0
	return r, nil
}

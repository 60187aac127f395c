package calls

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzParser checks a parser never panics, never fails on content (only on
// I/O), and that every record it accepts passes the common checks.
func fuzzParser(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Parse(format, bytes.NewReader(data), ParseOptions{Zone: london}, Sink{
			Record: func(r Record) {
				if err := r.check(); err != nil {
					t.Errorf("accepted a record that fails the checks: %v", err)
				}
				if r.Line < 1 {
					t.Errorf("record without a line number: %+v", r)
				}
			},
			Malformed: func(p Problem) {
				if p.Reason == "" {
					t.Errorf("malformed record without a reason at line %d", p.Line)
				}
			},
			Ignored: func(Problem) {},
		})
		if err != nil && len(data) <= maxJSONBatch {
			t.Errorf("parse failed on content: %v", err)
		}
	})
}

func FuzzFreeSWITCHCSV(f *testing.F)  { fuzzParser(f, FormatFreeSWITCHCSV, "freeswitch-master.csv") }
func FuzzFreeSWITCHJSON(f *testing.F) { fuzzParser(f, FormatFreeSWITCHJSON, "freeswitch-json.json") }
func FuzzAsteriskCSV(f *testing.F) {
	fuzzParser(f, FormatAsteriskCSV, "asterisk-master.csv", "asterisk-master-uniqueid.csv", "asterisk-newcdrcolumns.csv")
}
func FuzzBroadWorksCSV(f *testing.F) { fuzzParser(f, FormatBroadWorksCSV, "broadworks.csv") }

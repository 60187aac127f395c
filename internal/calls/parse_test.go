package calls

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// parsed is what a parser made of a file, as the golden files hold it.
type parsed struct {
	Records   []goldenRecord `json:"records"`
	Malformed []Problem      `json:"malformed"`
	Ignored   []Problem      `json:"ignored"`
}

type goldenRecord struct {
	Line     int    `json:"line"`
	ID       string `json:"id"`
	Start    string `json:"start"`
	Answer   string `json:"answer,omitempty"`
	End      string `json:"end"`
	Duration int    `json:"duration"`
	Billsec  int    `json:"billsec"`
	Calling  string `json:"calling"`
	Called   string `json:"called"`
	Answered bool   `json:"answered"`
	Hint     Hint   `json:"hint,omitempty"`
	Party    string `json:"party,omitempty"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func parseAll(t testing.TB, f Format, data []byte, zone *time.Location) parsed {
	out := parsed{Records: []goldenRecord{}, Malformed: []Problem{}, Ignored: []Problem{}}
	err := Parse(f, bytes.NewReader(data), ParseOptions{Zone: zone}, Sink{
		Record: func(r Record) {
			out.Records = append(out.Records, goldenRecord{Line: r.Line, ID: r.ID, Start: stamp(r.Start), Answer: stamp(r.Answer),
				End: stamp(r.End), Duration: r.Duration, Billsec: r.Billsec, Calling: r.Calling, Called: r.Called,
				Answered: r.Answered, Hint: r.Hint, Party: r.Party})
		},
		Malformed: func(p Problem) { out.Malformed = append(out.Malformed, p) },
		Ignored:   func(p Problem) { out.Ignored = append(out.Ignored, p) },
	})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return out
}

// TestGolden reads each vendor's file as that switch writes it and compares
// every record, malformed line and ignored line with the golden file.
func TestGolden(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file   string
		format Format
		zone   *time.Location
	}{
		{"freeswitch-master.csv", FormatFreeSWITCHCSV, london},
		{"freeswitch-json.json", FormatFreeSWITCHJSON, nil},
		{"asterisk-master.csv", FormatAsteriskCSV, london},
		{"asterisk-master-uniqueid.csv", FormatAsteriskCSV, london},
		{"asterisk-newcdrcolumns.csv", FormatAsteriskCSV, time.UTC},
		{"broadworks.csv", FormatBroadWorksCSV, nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(parseAll(t, tc.format, data, tc.zone), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", strings.TrimSuffix(tc.file, filepath.Ext(tc.file))+".golden.json")
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if string(bytes.TrimSpace(want)) != string(got) {
				t.Errorf("%s differs from %s:\n%s", tc.file, golden, got)
			}
		})
	}
}

package imports

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// MaxFileSize is the largest file accepted (10 MiB): about 100,000 employee
// rows. The HTTP layer reads at most MaxFileSize+1 bytes.
const MaxFileSize = 10 << 20

// MaxRows is the most data rows one file may hold.
const MaxRows = 50_000

// maxColumns bounds the columns of a CSV header.
const maxColumns = 64

// Encoding is the character encoding of an uploaded file.
type Encoding string

// Encodings the import dialogs offer; EncodingAuto reads the byte-order mark.
const (
	EncodingAuto    Encoding = "auto"
	EncodingUTF8    Encoding = "utf-8"
	EncodingUTF16   Encoding = "utf-16"
	EncodingWin1252 Encoding = "windows-1252"
)

// Valid reports whether e is a known encoding ("" means auto).
func (e Encoding) Valid() bool {
	switch e {
	case "", EncodingAuto, EncodingUTF8, EncodingUTF16, EncodingWin1252:
		return true
	}
	return false
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Decode turns the bytes of an uploaded file into UTF-8 text. Auto follows
// the byte-order mark (UTF-8 or UTF-16) and otherwise wants valid UTF-8; a
// file that contradicts the chosen encoding is refused with the reason, as
// guessing would import mangled names.
func Decode(b []byte, enc Encoding) (string, error) {
	if len(b) > MaxFileSize {
		return "", derrors.Invalid("file", "the file is larger than %d MiB; split it into smaller files", MaxFileSize>>20)
	}
	hasUTF8BOM := bytes.HasPrefix(b, bomUTF8)
	utf16BOM := bytes.HasPrefix(b, bomUTF16LE) || bytes.HasPrefix(b, bomUTF16BE)
	switch enc {
	case "", EncodingAuto:
		switch {
		case utf16BOM:
			return decodeUTF16(b)
		case hasUTF8BOM:
			return decodeUTF8(b[3:])
		}
		s, err := decodeUTF8(b)
		if err != nil {
			return "", derrors.Invalid("encoding", "%s; if the file was saved by Excel or Outlook on Windows, choose the encoding Windows-1252", strings.TrimPrefix(err.Error(), "encoding: "))
		}
		return s, nil
	case EncodingUTF8:
		if utf16BOM {
			return "", derrors.Invalid("encoding", "the file starts with a UTF-16 byte-order mark, not UTF-8: choose UTF-16")
		}
		return decodeUTF8(bytes.TrimPrefix(b, bomUTF8))
	case EncodingUTF16:
		if hasUTF8BOM {
			return "", derrors.Invalid("encoding", "the file starts with a UTF-8 byte-order mark, not UTF-16: choose UTF-8")
		}
		return decodeUTF16(b)
	case EncodingWin1252:
		if hasUTF8BOM || utf16BOM {
			return "", derrors.Invalid("encoding", "the file starts with a Unicode byte-order mark, so it is not Windows-1252: choose Auto-detect")
		}
		out, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return "", derrors.Invalid("encoding", "the file is not valid Windows-1252")
		}
		return string(out), nil
	}
	return "", derrors.Invalid("encoding", "encoding must be auto, utf-8, utf-16 or windows-1252")
}

func decodeUTF8(b []byte) (string, error) {
	if !utf8.Valid(b) {
		line := 1 + bytes.Count(b[:firstInvalidUTF8(b)], []byte{'\n'})
		return "", derrors.Invalid("encoding", "the file is not valid UTF-8 (line %d)", line)
	}
	return string(b), nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// decodeUTF16 reads UTF-16 after its BOM, or little-endian without one
// (what Windows writes).
func decodeUTF16(b []byte) (string, error) {
	big := false
	switch {
	case bytes.HasPrefix(b, bomUTF16LE):
		b = b[2:]
	case bytes.HasPrefix(b, bomUTF16BE):
		b, big = b[2:], true
	}
	if len(b)%2 != 0 {
		return "", derrors.Invalid("encoding", "the file is not valid UTF-16 (it has an odd number of bytes): choose its real encoding")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if big {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	rs := utf16.Decode(u)
	for _, r := range rs {
		if r == utf8.RuneError {
			return "", derrors.Invalid("encoding", "the file is not valid UTF-16: choose its real encoding")
		}
	}
	return string(rs), nil
}

// table is a CSV file read whole: the header cells and the data rows, each
// with its line number in the file.
type table struct {
	header []string
	rows   []record
}

type record struct {
	line   int
	fields []string
}

// readCSV reads text as CSV (comma, or semicolon when the header has
// semicolons and no commas, as Excel writes in some locales). Blank lines
// are skipped; a ragged row is allowed and padded. The row count is
// bounded by MaxRows.
func readCSV(text string) (table, error) {
	var t table
	text = strings.TrimPrefix(text, "\ufeff")
	r := csv.NewReader(strings.NewReader(text))
	firstLine, _, _ := strings.Cut(text, "\n")
	if strings.Contains(firstLine, ";") && !strings.Contains(firstLine, ",") {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return t, derrors.Invalid("file", "the file is not valid CSV at line %d: %v", pe.StartLine, pe.Err)
			}
			return t, derrors.Invalid("file", "the file is not valid CSV: %v", err)
		}
		line, _ := r.FieldPos(0)
		if t.header == nil {
			if len(fields) > maxColumns {
				return t, derrors.Invalid("file", "the header has %d columns; at most %d are allowed", len(fields), maxColumns)
			}
			t.header = fields
			continue
		}
		if blank(fields) {
			continue
		}
		if len(t.rows) >= MaxRows {
			return t, derrors.Invalid("file", "the file has more than %d rows; split it into smaller files", MaxRows)
		}
		if len(fields) > len(t.header) {
			extra := fields[len(t.header):]
			if !blank(extra) {
				return t, derrors.Invalid("file", "line %d has %d values but the header has only %d columns", line, len(fields), len(t.header))
			}
			fields = fields[:len(t.header)]
		}
		t.rows = append(t.rows, record{line: line, fields: fields})
	}
	if t.header == nil || blank(t.header) {
		return t, derrors.Invalid("file", "the file is empty: it needs a header row naming the columns")
	}
	return t, nil
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// normHeader makes a header cell comparable: lower case, letters and digits only.
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// columnMap maps each known column (by canonical name) to its index in
// header, given the accepted spellings of each. It reports unknown columns
// and columns named twice.
func columnMap(header []string, spellings map[string][]string) (map[string]int, []string, error) {
	lookup := map[string]string{}
	for canon, names := range spellings {
		for _, n := range names {
			lookup[normHeader(n)] = canon
		}
	}
	cols := map[string]int{}
	var unknown []string
	for i, h := range header {
		key := normHeader(h)
		if key == "" {
			continue
		}
		canon, ok := lookup[key]
		if !ok {
			unknown = append(unknown, strings.TrimSpace(h))
			continue
		}
		if _, dup := cols[canon]; dup {
			return nil, nil, derrors.Invalid("file", "the column %q appears twice in the header", strings.TrimSpace(h))
		}
		cols[canon] = i
	}
	return cols, unknown, nil
}

// found lists the header's columns for a message: "Found: Name, Email".
func found(header []string) string {
	var parts []string
	for _, h := range header {
		if h = strings.TrimSpace(h); h != "" {
			parts = append(parts, fmt.Sprintf("%q", h))
		}
	}
	if len(parts) == 0 {
		return "the header row is empty"
	}
	return "the columns found are " + strings.Join(parts, ", ")
}

func cell(rec record, cols map[string]int, name string) string {
	i, ok := cols[name]
	if !ok || i >= len(rec.fields) {
		return ""
	}
	return strings.TrimSpace(rec.fields[i])
}

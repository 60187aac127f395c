package contacts

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// MaxFileSize is the largest import file accepted. A thousand contacts in
// any real format fit in well under a megabyte; the bound keeps one upload
// from holding a node's memory. The HTTP layer should read at most
// MaxFileSize+1 bytes and pass them on, so the refusal comes from here.
const MaxFileSize = 10 << 20

// MaxEntries is the most entries (CSV rows or vCards) one file may hold:
// five times what an employee may keep, so a file with a few hundred
// ignored rows still previews, while a huge file is refused before its
// per-row details are built.
const MaxEntries = 5 * MaxContacts

// Encoding names reported by previews.
const (
	encUTF8    = "utf-8"
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	enc1252    = "windows-1252"
)

// decodeText turns an uploaded file into UTF-8 text. It recognises a UTF-8
// BOM, UTF-16 with a BOM (Excel's "Unicode text") or without one when the
// zero bytes give it away, plain UTF-8, and otherwise reads the bytes as
// Windows-1252, which is what Outlook and Excel write on Western Windows.
func decodeText(b []byte) (string, string, error) {
	if len(b) > MaxFileSize {
		return "", "", derrors.Invalid("file", "the file is %.1f MB; files larger than %d MB are refused", float64(len(b))/(1<<20), MaxFileSize>>20)
	}
	var text, enc string
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		text, enc = string(b[3:]), encUTF8
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		text, enc = decodeUTF16(b[2:], false), encUTF16LE
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		text, enc = decodeUTF16(b[2:], true), encUTF16BE
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		text, enc = decodeUTF16(b, false), encUTF16LE
	case len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		text, enc = decodeUTF16(b, true), encUTF16BE
	case utf8.Valid(b):
		text, enc = string(b), encUTF8
	default:
		out, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return "", "", derrors.Invalid("file", "the file is not text in a known encoding")
		}
		text, enc = string(out), enc1252
	}
	if strings.IndexByte(text, 0) >= 0 {
		return "", "", derrors.Invalid("file", "the file is not a text file (it contains NUL bytes); save it as CSV or vCard")
	}
	return text, enc, nil
}

// decodeUTF16 decodes UTF-16 code units; an odd trailing byte is dropped and
// unpaired surrogates become U+FFFD.
func decodeUTF16(b []byte, bigEndian bool) string {
	var sb strings.Builder
	sb.Grow(len(b))
	n := len(b) / 2
	unit := func(i int) rune {
		if bigEndian {
			return rune(b[2*i])<<8 | rune(b[2*i+1])
		}
		return rune(b[2*i+1])<<8 | rune(b[2*i])
	}
	for i := 0; i < n; i++ {
		r := unit(i)
		if utf16.IsSurrogate(r) {
			if r < 0xDC00 && i+1 < n {
				if d := utf16.DecodeRune(r, unit(i+1)); d != utf8.RuneError {
					sb.WriteRune(d)
					i++
					continue
				}
			}
			sb.WriteRune(utf8.RuneError)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// encode1252 returns s in Windows-1252 when every character has a code
// there, and ok=false otherwise.
func encode1252(s string) ([]byte, bool) {
	out, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, false
	}
	return out, true
}

// shorten bounds a value quoted in a user-facing message.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// headerList names the headers found, for errors about unreadable files.
func headerList(headers []string) string {
	var parts []string
	for i, h := range headers {
		if i == 40 {
			parts = append(parts, fmt.Sprintf("… (%d more)", len(headers)-i))
			break
		}
		parts = append(parts, fmt.Sprintf("%q", shorten(h, 40)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

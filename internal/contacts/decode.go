package contacts

import (
	"bytes"
	"fmt"
	"io"
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

// tooLarge is the refusal of a file of size bytes, with its true size.
func tooLarge(size int64) error {
	return derrors.Invalid("file", "the file is %.1f MB; files larger than %d MB are refused: split it, or export only the contacts you need", float64(size)/(1<<20), MaxFileSize>>20)
}

// ReadUpload reads an import file for PreviewImport from r. It keeps at
// most MaxFileSize bytes: a longer file is read to its end only to count
// it, and refused with its true size.
func ReadUpload(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("contacts: read upload: %w", err)
	}
	if len(b) > MaxFileSize {
		rest, err := io.Copy(io.Discard, r)
		if err != nil {
			return nil, fmt.Errorf("contacts: read upload: %w", err)
		}
		return nil, tooLarge(int64(len(b)) + rest)
	}
	return b, nil
}

// Replacement is what stands for a byte sequence that is not text in the
// file's encoding.
const Replacement = "\uFFFD"

// decodeText turns an uploaded file into UTF-8 text. It recognises a UTF-8
// BOM, UTF-16 with a BOM (Excel's "Unicode text") or without one when the
// zero bytes give it away, and otherwise decides between UTF-8 and
// Windows-1252 (what Outlook and Excel write on Western Windows) by
// evidence (looksUTF8). repaired reports that sequences which were not
// valid UTF-8 were replaced by U+FFFD, so the preview can name the entries
// they were in.
func decodeText(b []byte) (text, enc string, repaired bool, err error) {
	if len(b) > MaxFileSize {
		return "", "", false, tooLarge(int64(len(b)))
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		text, enc = string(b[3:]), encUTF8
		if !utf8.ValidString(text) {
			text, repaired = strings.ToValidUTF8(text, Replacement), true
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
	case looksUTF8(b):
		text, enc, repaired = strings.ToValidUTF8(string(b), Replacement), encUTF8, true
	default:
		out, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err != nil {
			return "", "", false, derrors.Invalid("file", "the file is not text in a known encoding")
		}
		text, enc = string(out), enc1252
	}
	if strings.IndexByte(text, 0) >= 0 {
		return "", "", false, derrors.Invalid("file", "the file is not a text file (it contains NUL bytes); save it as CSV or vCard")
	}
	return text, enc, repaired, nil
}

// looksUTF8 decides a file that is not entirely valid UTF-8 by evidence: it
// is UTF-8 with a few broken sequences when it has at least as many
// well-formed multi-byte characters as broken runs. Windows-1252 text with
// accents almost never forms a well-formed UTF-8 sequence ("é" is one byte
// followed by ASCII), while a UTF-8 file damaged in one place still has
// its other accented names intact; reading that file as Windows-1252
// would turn every one of them into mojibake ("SiobhÃ¡n").
func looksUTF8(b []byte) bool {
	good, bad := 0, 0
	inBad := false
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			if !inBad {
				bad++
			}
			inBad = true
		case size > 1:
			good++
			inBad = false
		default:
			inBad = false
		}
		b = b[size:]
	}
	return good > 0 && bad <= good
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

package contacts

import (
	"bytes"
	"io"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// isVCard reports whether text is a vCard file rather than CSV.
func isVCard(text string) bool {
	t := strings.TrimLeft(text, "\uFEFF \t\r\n")
	return len(t) >= 11 && strings.EqualFold(t[:11], "BEGIN:VCARD")
}

// vprop is one content line of a vCard.
type vprop struct {
	name   string            // upper case, group prefix removed
	params map[string]string // upper-case keys, raw values
	types  []string          // lower-case TYPE values, incl. vCard 2.1 bare ones
	value  string            // raw (still escaped) value
}

// parseVCards reads vCard 2.1, 3.0 and 4.0 files into entries: it unfolds
// lines, decodes 2.1's QUOTED-PRINTABLE, unescapes text and reads N, FN,
// ORG, TITLE, TEL, EMAIL, ADR, URL, NOTE and CATEGORIES.
func parseVCards(text string) (parsed, error) {
	p := parsed{Source: "vcard", Unit: "Card"}
	lines := strings.Split(strings.TrimLeft(text, "\uFEFF"), "\n")
	var card []vprop
	inCard := false
	n := 0
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		// Unfold: a line starting with a space or tab continues the last one.
		// A builder keeps a long run of folds linear.
		if i+1 < len(lines) && continues(lines[i+1]) {
			var sb strings.Builder
			sb.WriteString(line)
			for i+1 < len(lines) && continues(lines[i+1]) {
				i++
				sb.WriteString(strings.TrimRight(lines[i][1:], "\r"))
			}
			line = sb.String()
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		prop, ok := parseContentLine(line)
		if !ok {
			continue
		}
		// vCard 2.1 quoted-printable soft line breaks: "=" at the end of a
		// line joins the next one.
		if strings.EqualFold(prop.params["ENCODING"], "QUOTED-PRINTABLE") {
			if strings.HasSuffix(prop.value, "=") && i+1 < len(lines) {
				var sb strings.Builder
				sb.WriteString(prop.value)
				last := prop.value
				for strings.HasSuffix(last, "=") && i+1 < len(lines) {
					i++
					last = strings.TrimRight(lines[i], "\r")
					sb.WriteString("\r\n")
					sb.WriteString(last)
				}
				prop.value = sb.String()
			}
		}
		switch {
		case prop.name == "BEGIN" && strings.EqualFold(strings.TrimSpace(prop.value), "VCARD"):
			if inCard {
				// A nested card (2.1 AGENT) is not a contact of its own.
				continue
			}
			inCard, card = true, card[:0]
		case prop.name == "END" && strings.EqualFold(strings.TrimSpace(prop.value), "VCARD"):
			if !inCard {
				continue
			}
			inCard = false
			n++
			if n > MaxEntries {
				return p, derrors.Invalid("file", "the file has more than %d contacts; an employee can keep at most %d", MaxEntries, MaxContacts)
			}
			p.Entries = append(p.Entries, cardEntry(n, card))
		case inCard:
			card = append(card, prop)
		}
	}
	if inCard && len(card) > 0 {
		n++
		if n > MaxEntries {
			return p, derrors.Invalid("file", "the file has more than %d contacts; an employee can keep at most %d", MaxEntries, MaxContacts)
		}
		p.Entries = append(p.Entries, cardEntry(n, card))
	}
	if n == 0 {
		return p, derrors.Invalid("file", "the file has no vCard (BEGIN:VCARD … END:VCARD)")
	}
	return p, nil
}

func continues(line string) bool {
	return len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
}

// parseContentLine splits "group.NAME;PARAM=a,b;BARE:value".
func parseContentLine(line string) (vprop, bool) {
	var p vprop
	colon := -1
	inQuote := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			inQuote = !inQuote
		case ':':
			if !inQuote {
				colon = i
			}
		}
		if colon >= 0 {
			break
		}
	}
	if colon <= 0 {
		return p, false
	}
	head, value := line[:colon], line[colon+1:]
	parts := splitUnquoted(head, ';')
	name := parts[0]
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	p.name = strings.ToUpper(strings.TrimSpace(name))
	p.params = map[string]string{}
	p.value = value
	for _, par := range parts[1:] {
		k, v, ok := strings.Cut(par, "=")
		if !ok {
			// vCard 2.1 bare parameter: a type, or an encoding / charset.
			u := strings.ToUpper(strings.TrimSpace(k))
			switch u {
			case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B":
				p.params["ENCODING"] = u
			default:
				p.types = append(p.types, strings.ToLower(u))
			}
			continue
		}
		k = strings.ToUpper(strings.TrimSpace(k))
		if k == "TYPE" {
			for _, t := range splitUnquoted(v, ',') {
				t = strings.Trim(strings.TrimSpace(t), `"`)
				for _, tt := range strings.Split(t, ",") {
					if tt != "" {
						p.types = append(p.types, strings.ToLower(tt))
					}
				}
			}
			continue
		}
		p.params[k] = strings.Trim(v, `"`)
	}
	return p, true
}

// splitUnquoted splits s on sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var out []string
	start := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == sep && !inQuote:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// decodedValue undoes QUOTED-PRINTABLE and a legacy CHARSET.
func (p vprop) decodedValue() string {
	v := p.value
	if strings.EqualFold(p.params["ENCODING"], "QUOTED-PRINTABLE") {
		raw, err := io.ReadAll(io.LimitReader(quotedprintable.NewReader(strings.NewReader(v)), int64(len(v))+1))
		if err == nil || len(raw) > 0 {
			v = string(raw)
		}
		if !utf8.ValidString(v) {
			if out, err := charmap.Windows1252.NewDecoder().String(v); err == nil {
				v = out
			} else {
				v = strings.ToValidUTF8(v, "\uFFFD")
			}
		}
	}
	return v
}

// unescape undoes vCard text escaping: \n \N, \\, \, \; (and a stray \:).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitEscaped splits s on sep where sep is not backslash-escaped, and
// unescapes each part.
func splitEscaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, unescape(s[start:i]))
			start = i + 1
		}
	}
	return append(out, unescape(s[start:]))
}

func component(parts []string, i int) string {
	if i < len(parts) {
		return strings.TrimSpace(parts[i])
	}
	return ""
}

func hasType(p vprop, t string) bool {
	for _, x := range p.types {
		if x == t {
			return true
		}
	}
	return false
}

// cardEntry turns one card's properties into an entry. The mask is the
// fields the card has properties for, so Overwrite keeps the rest.
func cardEntry(n int, props []vprop) entry {
	b := newBuilder(n, bit(kFirst)|bit(kLast))
	f := &b.e.Fields
	var fn string
	for _, p := range props {
		v := p.decodedValue()
		switch p.name {
		case "N":
			parts := splitEscaped(v, ';')
			f.LastName, f.FirstName = component(parts, 0), component(parts, 1)
		case "FN":
			fn = strings.TrimSpace(unescape(v))
		case "ORG":
			b.e.Mask |= bit(kCompany)
			b.alt(kCompany, "Organization", component(splitEscaped(v, ';'), 0))
		case "TITLE":
			b.e.Mask |= bit(kJobTitle)
			b.alt(kJobTitle, "Title", strings.TrimSpace(unescape(v)))
		case "TEL":
			num := strings.TrimSpace(unescape(v))
			if strings.HasPrefix(strings.ToLower(num), "tel:") {
				num = num[4:]
				if base, ext, ok := strings.Cut(num, ";ext="); ok {
					num = base + " ext " + ext
				}
				if i := strings.IndexByte(num, ';'); i >= 0 {
					num = num[:i]
				}
			}
			label := strings.Join(p.types, ",")
			k := phoneLabelField(label)
			b.e.Mask |= bit(k)
			b.put(k, "Phone ("+label+")", num)
		case "EMAIL":
			b.e.Mask |= bit(kEmail) | bit(kEmail2)
			b.put(kEmail, "E-mail", strings.TrimSpace(unescape(v)))
		case "ADR":
			parts := splitEscaped(v, ';')
			a := Address{
				Street:   joinNonEmpty("\n", component(parts, 2), component(parts, 1)),
				City:     component(parts, 3),
				Region:   component(parts, 4),
				Postcode: component(parts, 5),
				Country:  component(parts, 6),
			}
			if a.Street == "" {
				a.Street = component(parts, 0)
			}
			label := strings.Join(p.types, ",")
			b.address(label, a)
		case "URL":
			b.e.Mask |= bit(kWeb)
			b.alt(kWeb, "URL", strings.TrimSpace(unescape(v)))
		case "NOTE":
			b.e.Mask |= bit(kNotes)
			f.Notes = joinNonEmpty("\n", f.Notes, unescape(v))
		case "CATEGORIES":
			b.e.HasGroups = true
			for _, g := range splitEscaped(v, ',') {
				if g = strings.TrimSpace(g); g != "" {
					b.e.Groups = append(b.e.Groups, g)
				}
			}
		}
	}
	b.fullName = fn
	return b.finish()
}

// vCard versions written by ExportVCard.
const (
	vcard3 = "3.0"
	vcard4 = "4.0"
)

// escapeText escapes a vCard text value (RFC 6350 3.4, RFC 2426 4).
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		case ',':
			b.WriteString(`\,`)
		case ';':
			b.WriteString(`\;`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes a content line folded at 75 octets with CRLF, never
// splitting a UTF-8 sequence (RFC 6350 3.2).
func writeFolded(w *bytes.Buffer, line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		w.WriteString(line[:cut])
		w.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(line)
	w.WriteString("\r\n")
}

// encodeVCard writes contacts as vCard version (3.0 or 4.0). groups maps a
// group id to its name, for CATEGORIES.
func encodeVCard(cs []Contact, groups map[int64]string, version string) []byte {
	var w bytes.Buffer
	v4 := version == vcard4
	typ := func(t string) string {
		if v4 {
			return t
		}
		return strings.ToUpper(t)
	}
	line := func(s string) { writeFolded(&w, s) }
	for _, c := range cs {
		line("BEGIN:VCARD")
		line("VERSION:" + version)
		if v4 {
			line("PRODID:-//Switchboard//Contacts//EN")
		}
		line("N:" + escapeText(c.LastName) + ";" + escapeText(c.FirstName) + ";;;")
		line("FN:" + escapeText(c.fullName()))
		if c.Company != "" {
			line("ORG:" + escapeText(c.Company))
		}
		if c.JobTitle != "" {
			line("TITLE:" + escapeText(c.JobTitle))
		}
		tels := []struct {
			v, types string
		}{
			{c.HomeTel, "home,voice"}, {c.WorkTel, "work,voice"}, {c.CellTel, "cell"},
			{c.FaxTel, "fax"}, {c.OtherTel, "voice"},
		}
		for _, t := range tels {
			if t.v != "" {
				line("TEL;TYPE=" + typ(t.types) + ":" + escapeText(t.v))
			}
		}
		for i, e := range []string{c.Email, c.Email2} {
			if e == "" {
				continue
			}
			switch {
			case v4 && i == 0:
				line("EMAIL;PREF=1:" + escapeText(e))
			case v4:
				line("EMAIL:" + escapeText(e))
			case i == 0:
				line("EMAIL;TYPE=INTERNET,PREF:" + escapeText(e))
			default:
				line("EMAIL;TYPE=INTERNET:" + escapeText(e))
			}
		}
		for _, a := range []struct {
			a Address
			t string
		}{{c.Home, "home"}, {c.Business, "work"}} {
			if a.a == (Address{}) {
				continue
			}
			line("ADR;TYPE=" + typ(a.t) + ":;;" + escapeText(a.a.Street) + ";" + escapeText(a.a.City) + ";" +
				escapeText(a.a.Region) + ";" + escapeText(a.a.Postcode) + ";" + escapeText(a.a.Country))
		}
		if c.WebPage != "" {
			// URL is a URI value, not text: it is written unescaped.
			line("URL:" + strings.NewReplacer("\r", "", "\n", "").Replace(c.WebPage))
		}
		if c.Notes != "" {
			line("NOTE:" + escapeText(c.Notes))
		}
		var cats []string
		for _, id := range c.GroupIDs {
			if name, ok := groups[id]; ok {
				cats = append(cats, escapeText(name))
			}
		}
		if len(cats) > 0 {
			line("CATEGORIES:" + strings.Join(cats, ","))
		}
		line("END:VCARD")
	}
	return w.Bytes()
}

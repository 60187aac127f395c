package contacts

import (
	"bytes"
	"fmt"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding/charmap"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// vCard files are read and written with github.com/emersion/go-vcard (content
// lines, parameters, value escaping, the card model). Own code here does
// only what the library does not (docs/decisions.md):
//   - cutting a file into cards so that a broken card cannot take the next
//     card's properties (a BEGIN:VCARD inside an unfinished card, a card
//     with no END:VCARD), and keeping a continuation line that lost its
//     leading space, each reported on its entry;
//   - vCard 2.1: QUOTED-PRINTABLE values with soft line breaks, legacy
//     CHARSETs and bare parameters (TEL;HOME;VOICE:…), which the library
//     would misread;
//   - Apple's labels (item1.TEL + item1.X-ABLabel:_$!<Mobile>!$_) and its
//     X-ABShowAs:COMPANY;
//   - folding written lines at 75 octets.

// isVCard reports whether text is a vCard file rather than CSV.
func isVCard(text string) bool {
	t := strings.TrimLeft(text, "\uFEFF \t\r\n")
	return len(t) >= 11 && strings.EqualFold(t[:11], "BEGIN:VCARD")
}

// rawCard is one card cut from a file: its logical content lines (unfolded,
// without BEGIN and END) and what was wrong with its shape.
type rawCard struct {
	lines    []string
	warnings []string
}

// contentLine matches the start of a vCard content line: an optional group,
// the property name, then ';' or ':'.
var contentLine = regexp.MustCompile(`^(?:[A-Za-z0-9-]+\.)?[A-Za-z0-9-]+[;:]`)

// cutValue splits a content line at the first ':' outside double quotes.
func cutValue(line string) (head, value string, ok bool) {
	inQuote := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			inQuote = !inQuote
		case ':':
			if !inQuote {
				return line[:i], line[i+1:], true
			}
		}
	}
	return line, "", false
}

func isMarker(line, marker string) bool {
	name, value, ok := cutValue(strings.TrimSpace(line))
	return ok && strings.EqualFold(strings.TrimSpace(name), marker) && strings.EqualFold(strings.TrimSpace(value), "VCARD")
}

// splitCards cuts a vCard file into cards. A card is never allowed to run
// into the next one: a BEGIN:VCARD inside an unfinished card ends it there
// (vCard 2.1's AGENT, whose value is a nested card, excepted), so no number
// of one contact can end up on another.
func splitCards(text string) []rawCard {
	var cards []rawCard
	var cur *rawCard
	agentDepth := 0
	// The card's last line is built in tail, so a long run of folds stays
	// linear; it is appended to cur.lines when the next line starts.
	var tail strings.Builder
	hasTail, tailQP, tailWarned := false, false, false
	flush := func() {
		if hasTail {
			cur.lines = append(cur.lines, tail.String())
			tail.Reset()
			hasTail = false
		}
	}
	start := func(l string) {
		flush()
		tail.WriteString(l)
		hasTail, tailWarned = true, false
		head, _, _ := cutValue(l)
		tailQP = strings.Contains(strings.ToUpper(head), "QUOTED-PRINTABLE")
	}
	finish := func(warning string) {
		flush()
		if warning != "" {
			cur.warnings = append(cur.warnings, warning)
		}
		cards = append(cards, *cur)
		cur = nil
	}
	lines := strings.Split(strings.TrimLeft(text, "\uFEFF"), "\n")
	for _, l := range lines {
		l = strings.TrimRight(l, "\r")
		if cur == nil {
			if isMarker(l, "BEGIN") {
				cur = &rawCard{}
			}
			continue
		}
		if agentDepth > 0 {
			switch {
			case isMarker(l, "BEGIN"):
				agentDepth++
			case isMarker(l, "END"):
				agentDepth--
			}
			continue
		}
		switch {
		case len(l) > 0 && (l[0] == ' ' || l[0] == '\t') && hasTail:
			// A folded line continues the one before it.
			tail.WriteString(l[1:])
		case hasTail && tailQP && strings.HasSuffix(tail.String(), "="):
			// vCard 2.1 QUOTED-PRINTABLE soft line break.
			tail.WriteString("\r\n")
			tail.WriteString(l)
		case isMarker(l, "BEGIN"):
			if hasTail {
				if name, value, _ := cutValue(tail.String()); strings.EqualFold(propName(name), "AGENT") && strings.TrimSpace(value) == "" {
					agentDepth = 1
					continue
				}
			}
			finish("the card has no END:VCARD before the next BEGIN:VCARD; it was read up to there, so check that nothing of it is missing")
			cur = &rawCard{}
		case isMarker(l, "END"):
			finish("")
		case strings.TrimSpace(l) == "":
		case contentLine.MatchString(l):
			start(l)
		case hasTail:
			// A folded line that lost its leading space: it is no property of
			// its own, so it is read as the rest of the line before it.
			name, _, _ := cutValue(tail.String())
			tail.WriteString(l)
			if tailWarned || binaryProps[propName(name)] {
				// One warning per property; unindented base64 of a photo
				// (which is not imported) needs none.
				continue
			}
			tailWarned = true
			cur.warnings = append(cur.warnings, fmt.Sprintf("the line %q has no property name; it was read as the continuation of %s (a folded line should start with a space), so check that value",
				shorten(strings.TrimSpace(l), 40), propName(name)))
		default:
			cur.warnings = append(cur.warnings, fmt.Sprintf("the line %q is not a vCard property and was left out", shorten(strings.TrimSpace(l), 40)))
		}
	}
	if cur != nil && (hasTail || len(cur.lines) > 0 || len(cur.warnings) > 0) {
		finish("the card has no END:VCARD (the file ends inside it); check that nothing of it is missing")
	}
	return cards
}

// binaryProps are the properties whose values are data the import does not
// keep.
var binaryProps = map[string]bool{"PHOTO": true, "LOGO": true, "SOUND": true, "KEY": true}

// propName is the property name of a content line's head ("item1.TEL;TYPE=x").
func propName(head string) string {
	name, _, _ := strings.Cut(head, ";")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToUpper(strings.TrimSpace(name))
}

// normalizeLine rewrites a content line in the form the vCard library reads
// right: vCard 2.1's bare parameters become TYPE= (or ENCODING=), a
// QUOTED-PRINTABLE value is decoded (decodeQP) and escaped as text, and in
// any other value the escaped separators are protected (protectEscapes).
func normalizeLine(line string) string {
	head, value, ok := cutValue(line)
	if !ok {
		return line
	}
	parts := splitUnquoted(head, ';')
	out := []string{parts[0]}
	qp := false
	for _, par := range parts[1:] {
		k, v, hasValue := strings.Cut(par, "=")
		uk := strings.ToUpper(strings.TrimSpace(k))
		switch {
		case !hasValue && (uk == "QUOTED-PRINTABLE"):
			qp = true
		case !hasValue && (uk == "BASE64" || uk == "8BIT" || uk == "7BIT" || uk == "B"):
			out = append(out, "ENCODING="+uk)
		case !hasValue && uk != "":
			out = append(out, "TYPE="+uk)
		case uk == "ENCODING" && strings.EqualFold(strings.TrimSpace(v), "QUOTED-PRINTABLE"):
			qp = true
		case uk == "CHARSET":
			// The file is text already (decodeText); only a
			// QUOTED-PRINTABLE value's bytes still need a charset.
		case hasValue:
			out = append(out, par)
		}
	}
	if qp {
		value = escapeDecoded(decodeQP(value))
	} else {
		value = protectEscapes(value)
	}
	return strings.Join(out, ";") + ":" + strings.ReplaceAll(value, "\r", "")
}

// The library unescapes \\, \n and \, in every value but leaves \; and
// does not know \N; split afterwards, "a\,b" in a list and "a\;b" in a
// structured value would read as two parts. Escaped separators are
// therefore turned into NUL and SOH before the library reads the line
// (neither can be in an imported file, which refuses NUL, nor in a stored
// field) and back after splitting.
const (
	escSemicolon = "\x00"
	escComma     = "\x01"
)

// protectEscapes rewrites a vCard 3.0/4.0 text value for the library:
// escaped separators become sentinels, \N becomes \n, and an escape the
// library does not know (\:) becomes its character.
func protectEscapes(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 == len(v) {
			b.WriteByte(c)
			continue
		}
		i++
		switch v[i] {
		case ';':
			b.WriteString(escSemicolon)
		case ',':
			b.WriteString(escComma)
		case 'n', 'N':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// decodeQP undoes QUOTED-PRINTABLE (soft line breaks included). The bytes
// are UTF-8 when they are valid UTF-8, else Windows-1252, whatever CHARSET
// says: phones that wrote 2.1 often declared one charset and used another.
func decodeQP(v string) string {
	raw, err := io.ReadAll(io.LimitReader(quotedprintable.NewReader(strings.NewReader(v)), int64(len(v))+1))
	if err == nil || len(raw) > 0 {
		v = string(raw)
	}
	if utf8.ValidString(v) {
		return v
	}
	if out, err := charmap.Windows1252.NewDecoder().String(v); err == nil {
		return out
	}
	return strings.ToValidUTF8(v, Replacement)
}

// escapeDecoded turns a decoded 2.1 value back into one content line for
// the library. In 2.1 a backslash is literal except in \; (a ';' inside a
// component); line breaks become \n, which the library reads back.
func escapeDecoded(v string) string {
	v = strings.ReplaceAll(v, `\;`, escSemicolon)
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, ",", escComma)
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	return strings.ReplaceAll(v, "\n", `\n`)
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

// decodeCard reads a cut card with the vCard library.
func decodeCard(rc rawCard) (vcard.Card, error) {
	var b strings.Builder
	b.WriteString("BEGIN:VCARD\r\n")
	for _, l := range rc.lines {
		b.WriteString(normalizeLine(l))
		b.WriteString("\r\n")
	}
	b.WriteString("END:VCARD\r\n")
	return vcard.NewDecoder(strings.NewReader(b.String())).Decode()
}

// parseVCards reads vCard 2.1, 3.0 and 4.0 files into entries.
func parseVCards(text string) (parsed, error) {
	p := parsed{Source: "vcard", Unit: "Card"}
	cards := splitCards(text)
	if len(cards) == 0 {
		return p, derrors.Invalid("file", "the file has no vCard (BEGIN:VCARD … END:VCARD)")
	}
	if len(cards) > MaxEntries {
		return p, derrors.Invalid("file", "the file has more than %d contacts; an employee can keep at most %d", MaxEntries, MaxContacts)
	}
	for i, rc := range cards {
		card, err := decodeCard(rc)
		if err != nil {
			e := entry{Row: i + 1, problem: "the card cannot be read: " + strings.TrimPrefix(err.Error(), "vcard: ")}
			e.warnings = rc.warnings
			p.Entries = append(p.Entries, e)
			continue
		}
		e := cardEntry(i+1, card)
		e.warnings = append(rc.warnings, e.warnings...)
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}

// sentinels puts back the separators protectEscapes set aside.
var sentinels = strings.NewReplacer(escSemicolon, ";", escComma, ",")

// text is a value as the contact keeps it: separators put back, trimmed.
func text(s string) string {
	return strings.TrimSpace(sentinels.Replace(s))
}

// components splits a structured value (N, ADR, ORG) into its parts; an
// escaped ';' is a sentinel by now, so every ';' left separates.
func components(s string) []string {
	parts := strings.Split(s, ";")
	for i, p := range parts {
		parts[i] = text(p)
	}
	return parts
}

func component(parts []string, i int) string {
	if i < len(parts) {
		return parts[i]
	}
	return ""
}

// appleLabel reads Apple's X-ABLabel value: "_$!<HomeFAX>!$_" is one of its
// own labels, anything else the user's.
func appleLabel(v string) string {
	v = text(v)
	if strings.HasPrefix(v, "_$!<") && strings.HasSuffix(v, ">!$_") {
		v = v[4 : len(v)-4]
	}
	return v
}

// cardEntry turns one card into an entry. The mask is the fields the card
// has properties for, so Overwrite keeps the rest.
func cardEntry(n int, card vcard.Card) entry {
	b := newBuilder(n, bit(kFirst)|bit(kLast))
	f := &b.e.Fields
	labels := map[string]string{}
	for _, l := range card["X-ABLABEL"] {
		if l.Group != "" {
			labels[strings.ToLower(l.Group)] = appleLabel(l.Value)
		}
	}
	typesOf := func(fl *vcard.Field) string {
		types := fl.Params.Types()
		if l := labels[strings.ToLower(fl.Group)]; l != "" {
			types = append(types, strings.ToLower(l))
		}
		return strings.Join(types, ",")
	}

	var first, last string
	hasName := false
	for _, fl := range card[vcard.FieldName] {
		parts := components(fl.Value)
		last, first = component(parts, 0), component(parts, 1)
		if first != "" || last != "" {
			hasName = true
			break
		}
	}
	fn := ""
	if fl := card.Get(vcard.FieldFormattedName); fl != nil {
		fn = text(fl.Value)
	}
	org, units := "", []string{}
	if fl := card.Get(vcard.FieldOrganization); fl != nil {
		parts := components(fl.Value)
		org = component(parts, 0)
		for _, u := range parts[1:] {
			if u != "" {
				units = append(units, u)
			}
		}
	}
	// An organisation's card: vCard 4's KIND:org, Apple's
	// X-ABShowAs:COMPANY, or an ORG with no person's name. Its name is the
	// company's, never split into an invented first and last name.
	company := card.Kind() == vcard.KindOrganization ||
		strings.EqualFold(text(card.Value("X-ABSHOWAS")), "COMPANY") ||
		(org != "" && !hasName)
	switch {
	case hasName:
		f.FirstName, f.LastName = first, last
	case company:
		if org == "" {
			org = fn
		}
	default:
		b.fullName = fn
	}
	if org != "" || card.Get(vcard.FieldOrganization) != nil {
		b.e.Mask |= bit(kCompany)
		b.alt(kCompany, "Organization", org)
	}
	if len(units) > 0 {
		b.overflow = append(b.overflow, "Department: "+strings.Join(units, ", "))
	}
	if company && !hasName && fn != "" && !strings.EqualFold(fn, org) {
		b.overflow = append(b.overflow, "Name: "+fn)
	}
	for _, fl := range card[vcard.FieldTitle] {
		b.e.Mask |= bit(kJobTitle)
		b.alt(kJobTitle, "Title", text(fl.Value))
	}
	for _, fl := range card[vcard.FieldTelephone] {
		num := text(fl.Value)
		if strings.HasPrefix(strings.ToLower(num), "tel:") {
			num = num[4:]
			if base, ext, ok := strings.Cut(num, ";ext="); ok {
				num = base + " ext " + ext
			}
			if i := strings.IndexByte(num, ';'); i >= 0 {
				num = num[:i]
			}
		}
		label := typesOf(fl)
		k := phoneLabelField(label)
		b.e.Mask |= bit(k)
		b.put(k, "Phone ("+label+")", num)
	}
	for _, fl := range card[vcard.FieldEmail] {
		b.e.Mask |= bit(kEmail) | bit(kEmail2)
		b.put(kEmail, "E-mail", text(fl.Value))
	}
	for _, fl := range card[vcard.FieldAddress] {
		parts := components(fl.Value)
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
		b.address(typesOf(fl), a)
	}
	for _, fl := range card[vcard.FieldURL] {
		b.e.Mask |= bit(kWeb)
		b.alt(kWeb, "URL", text(fl.Value))
	}
	for _, fl := range card[vcard.FieldNote] {
		b.e.Mask |= bit(kNotes)
		f.Notes = joinNonEmpty("\n", f.Notes, text(fl.Value))
	}
	for _, fl := range card[vcard.FieldCategories] {
		b.e.HasGroups = true
		for _, g := range strings.Split(fl.Value, ",") {
			if g = text(g); g != "" {
				b.e.Groups = append(b.e.Groups, g)
			}
		}
	}
	return b.finish()
}

// vCard versions written by ExportVCard.
const (
	vcard3 = "3.0"
	vcard4 = "4.0"
)

// foldLines folds every content line of an encoded vCard at 75 octets with
// CRLF, never splitting a UTF-8 sequence (RFC 6350 3.2); the vCard library
// writes lines unfolded.
func foldLines(in string) []byte {
	var w bytes.Buffer
	w.Grow(len(in) + len(in)/64)
	for _, line := range strings.SplitAfter(in, "\r\n") {
		line = strings.TrimSuffix(line, "\r\n")
		if line == "" {
			continue
		}
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
	return w.Bytes()
}

// structured prepares one component of N, ADR or ORG: the library joins
// components with ';' without escaping a ';' inside one, so that ';' is
// written as a sentinel the encoded card gets as \; (escapedSemicolons).
func structured(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), ";", escSemicolon)
}

// encodeVCard writes contacts as vCard version (3.0 or 4.0) with the vCard
// library. groups maps a group id to its name, for CATEGORIES.
func encodeVCard(cs []Contact, groups map[int64]string, version string) []byte {
	var out bytes.Buffer
	enc := vcard.NewEncoder(&out)
	v4 := version == vcard4
	// TYPE=home,voice and CATEGORIES:a,b are lists; the library escapes a
	// ',' in a value, so list items are joined with a sentinel that the
	// encoded card gets back as ','.
	typ := func(ts ...string) vcard.Params {
		t := strings.Join(ts, listSep)
		if !v4 {
			t = strings.ToUpper(t)
		}
		return vcard.Params{vcard.ParamType: {t}}
	}
	for _, c := range cs {
		card := vcard.Card{}
		card.SetValue(vcard.FieldVersion, version)
		if v4 {
			card.SetValue(vcard.FieldProductID, "-//Switchboard//Contacts//EN")
		}
		card.SetName(&vcard.Name{FamilyName: structured(c.LastName), GivenName: structured(c.FirstName)})
		card.SetValue(vcard.FieldFormattedName, c.fullName())
		if c.isCompany() {
			// vCard 4 says KIND:org; 3.0 readers (Apple's) know X-ABShowAs.
			if v4 {
				card.SetKind(vcard.KindOrganization)
			} else {
				card.SetValue("X-ABShowAs", "COMPANY")
			}
		}
		if c.Company != "" {
			card.SetValue(vcard.FieldOrganization, structured(c.Company))
		}
		if c.JobTitle != "" {
			card.SetValue(vcard.FieldTitle, c.JobTitle)
		}
		tels := []struct {
			v     string
			types []string
		}{
			{c.HomeTel, []string{"home", "voice"}}, {c.WorkTel, []string{"work", "voice"}}, {c.CellTel, []string{"cell"}},
			{c.FaxTel, []string{"fax"}}, {c.OtherTel, []string{"voice"}},
		}
		for _, t := range tels {
			if t.v != "" {
				card.Add(vcard.FieldTelephone, &vcard.Field{Value: t.v, Params: typ(t.types...)})
			}
		}
		for i, e := range []string{c.Email, c.Email2} {
			if e == "" {
				continue
			}
			fl := &vcard.Field{Value: e, Params: vcard.Params{}}
			switch {
			case v4 && i == 0:
				fl.Params.Set(vcard.ParamPreferred, "1")
			case !v4 && i == 0:
				fl.Params = typ("internet", "pref")
			case !v4:
				fl.Params = typ("internet")
			}
			card.Add(vcard.FieldEmail, fl)
		}
		for _, a := range []struct {
			a Address
			t string
		}{{c.Home, "home"}, {c.Business, "work"}} {
			if a.a == (Address{}) {
				continue
			}
			card.AddAddress(&vcard.Address{Field: &vcard.Field{Params: typ(a.t)}, StreetAddress: structured(a.a.Street),
				Locality: structured(a.a.City), Region: structured(a.a.Region), PostalCode: structured(a.a.Postcode), Country: structured(a.a.Country)})
		}
		if c.WebPage != "" {
			card.SetValue(vcard.FieldURL, strings.NewReplacer("\r", "", "\n", "").Replace(c.WebPage))
		}
		if c.Notes != "" {
			card.SetValue(vcard.FieldNote, c.Notes)
		}
		var cats []string
		for _, id := range c.GroupIDs {
			if name, ok := groups[id]; ok {
				cats = append(cats, name)
			}
		}
		if len(cats) > 0 {
			card.SetValue(vcard.FieldCategories, strings.Join(cats, listSep))
		}
		// Encode fails only without VERSION, which every card has.
		_ = enc.Encode(card)
	}
	return foldLines(encodedSeparators.Replace(out.String()))
}

// listSep joins the items of a list value for the encoder.
const listSep = "\x02"

// encodedSeparators turns the encoder's sentinels into vCard separators.
var encodedSeparators = strings.NewReplacer(escSemicolon, `\;`, listSep, ",")

package contacts

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// entry is one contact read from an import file, before the import decides
// what to do with it.
type entry struct {
	// Row is the spreadsheet row (the header is row 1) or the vCard's
	// position in the file (the first card is 1).
	Row    int    `json:"row"`
	Fields Fields `json:"fields"`
	// Mask is the fields the file provides for this entry: what Overwrite
	// replaces in an existing contact. Other fields are kept.
	Mask      mask     `json:"mask"`
	Groups    []string `json:"groups,omitempty"`
	HasGroups bool     `json:"has_groups,omitempty"`
	// problem is why the entry cannot be imported ("" when it can).
	problem string
	// warnings are what the preview says about an entry it reads but had
	// to repair or guess at (text that was not UTF-8, a broken vCard).
	warnings []string
}

// parsed is an import file read into entries.
type parsed struct {
	Source   string // minimal, full, outlook, google, windows, csv, vcard
	Encoding string
	Columns  []Column
	Entries  []entry
	Unit     string // "Row" or "Card"
}

// Column tells the user how one header of a CSV file was read.
type Column struct {
	Header string `json:"header"`
	// Field is the contact field the column fills, named as in the full
	// template, or "" when the column is not imported.
	Field string `json:"field"`
}

// Pseudo targets beyond the stored fields.
const (
	kFullName field = numFields + 1 + iota
	kGroups
	// kLabelled is a column with no field of its own (Middle Name,
	// Birthday, Department …): its value goes into Notes as
	// "Header: value", so nothing in the file is dropped.
	kLabelled
	// kEmailDisplayName is Outlook's "E-mail Display Name": it repeats the
	// name and address and goes into Notes only when it says more.
	kEmailDisplayName
)

// labelledField is what the preview shows for a column that goes into Notes.
const labelledField = "Notes (labelled)"

// placeholders are the values Outlook writes into columns it has nothing
// for ("0/0/00" for no birthday): they are not data and are skipped.
var placeholders = map[string]string{
	"birthday": "0/0/00", "anniversary": "0/0/00", "gender": "unspecified",
	"priority": "normal", "sensitivity": "normal", "private": "false",
	"emailtype": "smtp", "email2type": "smtp", "email3type": "smtp",
}

// colMode says how a column fills its field.
type colMode int

const (
	// modeSet fills the field; it is the field's main column.
	modeSet colMode = iota
	// modeAlt fills the field when still empty after the main columns; a
	// different number or e-mail overflows to Other Tel / E-mail 2 and then
	// into Notes, so nothing in the file is dropped.
	modeAlt
	// modeAppend adds a line to the field (Outlook's Street 2 and 3).
	modeAppend
)

type target struct {
	k    field
	mode colMode
	// skip is the placeholder value a column holds when it is empty
	// (Outlook's "0/0/00" birthday), compared ignoring case.
	skip string
}

// synonyms maps a normalised header (lower case, letters and digits only)
// to the field it fills. It covers the minimal and full templates,
// Outlook's CSV export, Windows Contacts' export, the newer Google export's
// plain columns, and common hand-made spellings.
var synonyms = map[string]target{}

func init() {
	add := func(k field, mode colMode, names ...string) {
		for _, n := range names {
			synonyms[normHeader(n)] = target{k: k, mode: mode}
		}
	}
	for k, sp := range specs {
		add(field(k), modeSet, sp.header, sp.column, sp.key)
	}
	add(kFirst, modeSet, "First Name", "Given Name", "Firstname", "First", "Forename", "Christian Name", "Vorname", "Prénom")
	add(kLast, modeSet, "Last Name", "Family Name", "Surname", "Last", "Lastname", "Nachname", "Nom")
	add(kFullName, modeSet, "Name", "Full Name", "Display Name", "Contact Name", "Contact")
	add(kEmailDisplayName, modeSet, "E-mail Display Name", "E-mail 2 Display Name", "E-mail 3 Display Name")
	add(kCompany, modeSet, "Company", "Company Name", "Organization", "Organisation", "Organization Name", "Organisation Name", "Firma")
	add(kJobTitle, modeSet, "Job Title", "Organization Title", "Organisation Title", "Position", "Role")
	add(kHomeTel, modeSet, "Home Tel", "Home Phone", "Home", "Home Telephone", "Home Number", "Telephone Home", "Private Phone", "Phone Home")
	add(kHomeTel, modeAlt, "Home Phone 2", "Home Tel 2")
	add(kWorkTel, modeSet, "Work Tel", "Work Phone", "Business Phone", "Business Tel", "Business", "Work", "Office Phone", "Work Number", "Business Telephone", "Phone Work", "Telephone Work")
	add(kWorkTel, modeAlt, "Business Phone 2", "Work Phone 2", "Company Main Phone", "Work Tel 2")
	add(kCellTel, modeSet, "Cell Tel", "Cell Phone", "Cell", "Mobile Phone", "Mobile", "Mobile Tel", "Mobile Number", "Cellular", "Handy", "Phone Mobile")
	add(kCellTel, modeAlt, "Mobile Phone 2", "Cell Tel 2")
	add(kFaxTel, modeSet, "Fax Tel", "Fax", "Business Fax", "Work Fax", "Fax Number", "Facsimile")
	add(kFaxTel, modeAlt, "Home Fax", "Other Fax")
	add(kOtherTel, modeSet, "Other Tel", "Other Phone", "Phone", "Telephone", "Phone Number", "Tel")
	add(kOtherTel, modeAlt, "Primary Phone", "Car Phone", "Pager", "Pager Number", "Assistant's Phone", "Callback", "ISDN", "Radio Phone", "TTY/TDD Phone", "Telex")
	add(kEmail, modeSet, "E-mail", "Email", "E-mail Address", "Email Address", "Mail", "E-mail 1", "Primary Email")
	add(kEmail2, modeSet, "E-mail 2", "Email 2", "E-mail 2 Address", "Email 2 Address", "Second E-mail", "Secondary Email")
	add(kEmail, modeAlt, "E-mail 3 Address", "Email 3 Address", "E-mail 3")
	add(kWeb, modeSet, "Web Page", "Website", "Web Site", "URL", "Home Page", "Homepage", "Personal Web Page", "Web Page 1")
	add(kWeb, modeAlt, "Business Web Page", "Business Home Page", "Web Page 2")
	add(kHomeStreet, modeSet, "Home Street", "Home Address", "Home Street 1", "Home Address Street")
	add(kHomeStreet, modeAppend, "Home Street 2", "Home Street 3", "Home Address 2")
	add(kHomeCity, modeSet, "Home City", "Home Town")
	add(kHomeRegion, modeSet, "Home Region", "Home State", "Home County", "Home Province")
	add(kHomePostcode, modeSet, "Home Postcode", "Home Postal Code", "Home Post Code", "Home ZIP", "Home ZIP Code", "Home ZipCode")
	add(kHomeCountry, modeSet, "Home Country", "Home Country/Region")
	add(kBusStreet, modeSet, "Business Street", "Business Address", "Work Street", "Work Address", "Business Street 1")
	add(kBusStreet, modeAppend, "Business Street 2", "Business Street 3", "Work Address 2")
	add(kBusCity, modeSet, "Business City", "Work City")
	add(kBusRegion, modeSet, "Business Region", "Business State", "Business County", "Work State", "Work Region")
	add(kBusPostcode, modeSet, "Business Postcode", "Business Postal Code", "Business Post Code", "Business ZIP", "Work Postal Code", "Work ZIP", "Work Postcode", "Work ZipCode")
	add(kBusCountry, modeSet, "Business Country", "Business Country/Region", "Work Country")
	add(kNotes, modeSet, "Notes", "Note", "Comments", "Comment", "Memo")
	add(kGroups, modeSet, "Groups", "Group", "Categories", "Category", "Labels", "Group Membership")
	// Columns of the Outlook, Outlook.com, Google, Windows Contacts and
	// Thunderbird layouts that have no field here: each goes into Notes
	// under its header. Any other unknown column does the same; these are
	// listed so that the layouts are known to be covered.
	add(kLabelled, modeSet, "Title", "Middle Name", "Suffix", "Nickname", "Initials", "Department", "Office Location",
		"Other Street", "Other Street 2", "Other Street 3", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
		"Business Address PO Box", "Home Address PO Box", "Other Address PO Box", "Account", "Anniversary", "Assistant's Name",
		"Billing Information", "Birthday", "Children", "Directory Server", "E-mail Type", "E-mail 2 Type", "E-mail 3 Type",
		"Gender", "Government ID Number", "Hobby", "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name",
		"Mileage", "Organizational ID Number", "Priority", "Private", "Profession", "Referred By", "Sensitivity", "Spouse",
		"User 1", "User 2", "User 3", "User 4", "Given Yomi", "Surname Yomi", "Company Yomi", "IMAddress", "Schools",
		"Screen Name", "Birth Year", "Birth Month", "Birth Day", "Custom 1", "Custom 2", "Custom 3", "Custom 4",
		"Name Prefix", "Name Suffix", "Additional Name", "Yomi Name", "Given Name Yomi", "Additional Name Yomi",
		"Family Name Yomi", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name", "File As", "Short Name",
		"Maiden Name", "Initials", "Occupation", "Sensitivity", "Mileage", "Photo", "Organization Department")
}

// normHeader folds a header for matching: lower case, letters and digits
// only, so "E-mail Address", "email address" and "EMAIL_ADDRESS" agree.
func normHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// indexedHeader matches Google Contacts' numbered column families:
// "Phone 1 - Type", "Phone 1 - Label", "Phone 1 - Value",
// "E-mail 2 - Value", "Address 1 - Postal Code", "Organization 1 - Name".
// The " - " is required: Outlook's "E-mail 2 Type" is not one of them.
var indexedHeader = regexp.MustCompile(`(?i)^\s*([a-z][a-z -]*?)\s*(\d{1,3})\s*-\s*([a-z][a-z ]*?)\s*$`)

type indexedCol struct {
	kind     string // normalised: phone, email, address …
	kindText string // as the header writes it: "Event"
	n        string
	part     string
	header   string
	col      int
}

// fieldLabel names a target for Column.Field.
func fieldLabel(k field) string {
	switch {
	case k < numFields:
		return specs[k].header
	case k == kFullName:
		return "Name"
	case k == kGroups:
		return groupsHeader
	case k == kLabelled:
		return labelledField
	case k == kEmailDisplayName:
		return specs[kEmail].header + " (when it says more: " + labelledField + ")"
	}
	return ""
}

// sniffDelimiter picks ',', ';' or TAB by counting them, outside quotes, in
// the header line.
func sniffDelimiter(text string) rune {
	line := text
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	counts := map[rune]int{}
	inQuote := false
	for _, r := range line {
		switch {
		case r == '"':
			inQuote = !inQuote
		case !inQuote && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best, n := ',', 0
	for _, r := range []rune{'\t', ';', ','} {
		if counts[r] > n {
			best, n = r, counts[r]
		}
	}
	return best
}

// maxColumns bounds the header row: Outlook writes 92 columns and Google
// about a hundred, so a wider file is not a contacts list, and refusing it
// keeps per-column work small.
const maxColumns = 1000

// parseCSV reads a contacts CSV file: finds the delimiter, maps the headers
// and turns each row into an entry. It refuses a file it cannot read as
// contacts, naming the problem and the headers found.
func parseCSV(text string) (parsed, error) {
	p := parsed{Unit: "Row"}
	text = strings.TrimLeft(text, "\uFEFF")
	delim := sniffDelimiter(text)
	// Excel's "sep=;" hint line names the delimiter and is not a row.
	if len(text) >= 5 && strings.EqualFold(text[:4], "sep=") {
		line, rest, _ := strings.Cut(text, "\n")
		if r := []rune(strings.TrimRight(line[4:], "\r")); len(r) == 1 && r[0] != '"' && r[0] != '\r' && r[0] != '\n' && r[0] != 0xFFFD {
			delim = r[0]
		}
		text = rest
	}
	if q, ok := openQuote(text, delim); ok {
		return p, q.err(text, delim)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	headers, err := r.Read()
	if errors.Is(err, io.EOF) {
		return p, derrors.Invalid("file", "the file is empty")
	}
	if err != nil {
		return p, derrors.Invalid("file", "the header line cannot be read: %v", err)
	}
	for len(headers) > 0 && strings.TrimSpace(headers[len(headers)-1]) == "" {
		headers = headers[:len(headers)-1]
	}
	if len(headers) > maxColumns {
		return p, derrors.Invalid("file", "the header row has %d columns; a contacts file has at most %d", len(headers), maxColumns)
	}
	targets := make([]target, len(headers))
	var indexed []indexedCol
	var fileMask mask
	hasName, hasPhone := false, false
	norm := make(map[string]bool, len(headers))
	for i, h := range headers {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		headers[i] = h
		n := normHeader(h)
		norm[n] = true
		col := Column{Header: h}
		targets[i] = target{k: -1}
		// Google's numbered families first: "E-mail 2 - Type" is one of
		// them, not Outlook's "E-mail 2 Type".
		if m := indexedHeader.FindStringSubmatch(h); m != nil {
			kind, part := normHeader(m[1]), normHeader(m[3])
			if kind == "organisation" {
				kind = "organization"
			}
			indexed = append(indexed, indexedCol{kind: kind, kindText: strings.TrimSpace(m[1]), n: m[2], part: part, header: h, col: i})
			col.Field = indexedLabel(kind, part)
			if kind == "phone" && part == "value" {
				hasPhone = true
			}
		} else if t, ok := synonyms[n]; ok {
			targets[i] = t
			targets[i].skip = placeholders[n]
			col.Field = fieldLabel(t.k)
			if t.mode == modeSet && t.k < numFields {
				fileMask |= bit(t.k)
			}
			switch {
			case t.k == kFirst || t.k == kLast || t.k == kFullName:
				hasName = true
			case t.k >= kHomeTel && t.k <= kOtherTel:
				hasPhone = true
			}
		} else {
			// A column with no field of its own: its values go into Notes
			// under its header, never dropped.
			targets[i] = target{k: kLabelled}
			col.Field = labelledField
			if h == "" {
				headers[i] = fmt.Sprintf("Column %d", i+1)
			}
		}
		p.Columns = append(p.Columns, col)
	}
	if fileMask&(bit(kFirst)|bit(kLast)) != 0 || hasName {
		fileMask |= bit(kFirst) | bit(kLast)
	}
	if !hasName || !hasPhone {
		v := &derrors.ValidationError{}
		if !hasName {
			v.Add("file", "the file has no column that can be read as a name (such as First Name, Last Name or Name); headers found: %s", headerList(headers))
		}
		if !hasPhone {
			v.Add("file", "the file has no phone number column (such as Home Tel, Work Tel, Cell Tel or Fax Tel); headers found: %s", headerList(headers))
		}
		v.Add("file", "use the minimal or full template, or rename the header row to match it")
		return p, v
	}
	p.Source = csvSource(norm, len(indexed) > 0)
	// Main columns first, then the ones that only fill gaps or add lines,
	// whatever their order in the file.
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return targets[order[a]].mode < targets[order[b]].mode })
	groupsByKey := map[string][]indexedCol{}
	var keys []string
	for _, ic := range indexed {
		key := ic.kind + ic.n
		if _, ok := groupsByKey[key]; !ok {
			keys = append(keys, key)
		}
		groupsByKey[key] = append(groupsByKey[key], ic)
	}
	row := 1
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		row++
		if err != nil {
			line, _ := r.FieldPos(0)
			return p, derrors.Invalid("file", "row %d (line %d) cannot be read: %v", row, line, err)
		}
		if blank(rec) {
			continue
		}
		if len(p.Entries) >= MaxEntries {
			return p, derrors.Invalid("file", "the file has more than %d entries; an employee can keep at most %d contacts", MaxEntries, MaxContacts)
		}
		b := newBuilder(row, fileMask)
		for _, i := range order {
			if i >= len(rec) || targets[i].k < 0 {
				continue
			}
			b.column(targets[i], headers[i], cleanCell(rec[i]))
		}
		for _, key := range keys {
			b.indexed(groupsByKey[key], rec)
		}
		p.Entries = append(p.Entries, b.finish())
	}
	return p, nil
}

// quotePos is where a quoted cell opens: the spreadsheet row (the header is
// row 1, empty lines are not rows), the column (1-based) and the file line.
type quotePos struct {
	row, col, line int
}

// openQuote finds a quote that opens a cell and is not closed where the
// cell should end: it runs over a line break and then the file ends inside
// it, or it "closes" in the middle of a later cell. Read leniently, such a
// quote swallows every row up to the next quote into one cell, so the file
// is refused with where the quote opens instead. A stray quote inside one
// line (`"5'10"" tall`) is left to the lenient reader.
func openQuote(text string, delim rune) (quotePos, bool) {
	row, col, line := 1, 1, 1
	fieldStart, recordEmpty := true, true
	inQuote, spansLine := false, false
	var open quotePos
	skip := false
	for i, c := range text {
		if skip {
			skip = false
			continue
		}
		if inQuote {
			switch c {
			case '"':
				next, size := utf8.DecodeRuneInString(text[i+1:])
				switch {
				case size == 0 || next == delim || next == '\n' || next == '\r':
					inQuote = false
					fieldStart = false
				case next == '"':
					// "" is a quote inside the cell.
					skip = true
				case spansLine:
					return open, true
				}
			case '\n':
				line++
				spansLine = true
			}
			continue
		}
		switch c {
		case '"':
			if fieldStart {
				inQuote, spansLine = true, false
				open = quotePos{row: row, col: col, line: line}
			}
			fieldStart, recordEmpty = false, false
		case delim:
			col++
			fieldStart, recordEmpty = true, false
		case '\n':
			line++
			if !recordEmpty {
				row++
			}
			col, fieldStart, recordEmpty = 1, true, true
		case '\r':
		default:
			fieldStart, recordEmpty = false, false
		}
	}
	// A quote left open on the last line swallows no row: the lenient
	// reader takes the rest of the line as the cell.
	return open, inQuote && spansLine
}

// err explains an open quote: where it is, what went wrong and what to do.
func (q quotePos) err(text string, delim rune) error {
	where := fmt.Sprintf("row %d (line %d of the file), column %d", q.row, q.line, q.col)
	if q.row > 1 {
		r := csv.NewReader(strings.NewReader(text))
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = delim, true, -1
		if h, err := r.Read(); err == nil && q.col <= len(h) && strings.TrimSpace(h[q.col-1]) != "" {
			where += " (" + shorten(strings.TrimSpace(h[q.col-1]), 40) + ")"
		}
	}
	return derrors.Invalid("file", "%s: a quote (\") opens this cell and is not closed where the cell ends, so the rows after it would be read into this one cell. "+
		"Close the quote at the end of the cell, remove it, or write it twice (\"\") if it is part of the text, then import the file again", where)
}

func indexedLabel(kind, part string) string {
	if part == "type" || part == "label" {
		return "(label)"
	}
	switch kind {
	case "phone":
		if part == "value" {
			return "Home/Work/Cell/Fax/Other Tel (by label)"
		}
	case "email":
		if part == "value" {
			return "E-mail"
		}
	case "address":
		if part != "type" && part != "label" {
			return "Home/Business address (by label)"
		}
	case "website":
		if part == "value" {
			return specs[kWeb].header
		}
	case "organization":
		switch part {
		case "name":
			return specs[kCompany].header
		case "title":
			return specs[kJobTitle].header
		}
	}
	return labelledField
}

// csvSource names the program that most likely wrote the file, for the
// preview ("Outlook CSV file"): informative only, parsing does not depend
// on it.
func csvSource(h map[string]bool, indexed bool) string {
	switch {
	case indexed || h["givenname"] && h["familyname"]:
		return "google"
	case len(h) == 6 && h["firstname"] && h["lastname"] && h["hometel"] && h["worktel"] && h["celltel"] && h["faxtel"]:
		return "minimal"
	case h["hometel"] && h["othertel"] && h["email2"] && h["groups"]:
		return "full"
	case h["emailtype"] || h["businessphone2"] || h["homephone2"] || h["emaildisplayname"] || h["suffix"]:
		return "outlook"
	case h["name"] && h["homephone"] && h["businessfax"]:
		return "windows"
	case h["primaryemail"] || h["pagernumber"] || h["workzipcode"]:
		return "thunderbird"
	}
	return "csv"
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// cleanCell trims a cell and removes the apostrophe a spreadsheet export
// puts before a leading = + - @ to stop it being read as a formula.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		s = s[1:]
	}
	return s
}

// builder assembles one entry from a row's cells or a card's properties.
type builder struct {
	e        entry
	fullName string
	// fullNameHeader is the column fullName came from ("Display Name").
	fullNameHeader string
	overflow       []string
	// displayNames are Outlook's e-mail display names (header, value).
	displayNames [][2]string
	// appends are extra lines for a field (Street 2, Street 3), joined at
	// the end so many such columns stay linear.
	appends map[field][]string
}

func newBuilder(row int, m mask) *builder {
	return &builder{e: entry{Row: row, Mask: m}}
}

// column applies one cell.
func (b *builder) column(t target, header, v string) {
	switch t.k {
	case kFullName:
		if v != "" {
			if b.fullName != "" && b.fullName != v {
				b.overflow = append(b.overflow, header+": "+v)
			} else {
				b.fullName, b.fullNameHeader = v, header
			}
		}
		return
	case kGroups:
		b.e.HasGroups = true
		b.e.Groups = append(b.e.Groups, splitGroups(v)...)
		return
	case kLabelled:
		if v != "" && !strings.EqualFold(v, t.skip) {
			b.overflow = append(b.overflow, header+": "+v)
		}
		return
	case kEmailDisplayName:
		if v != "" {
			b.displayNames = append(b.displayNames, [2]string{header, v})
		}
		return
	}
	switch t.mode {
	case modeSet:
		if t.k >= kHomeTel && t.k <= kOtherTel || t.k == kEmail || t.k == kEmail2 {
			b.put(t.k, header, v)
			return
		}
		// A second column for a field already filled with something else
		// (Web Page beside Personal Web Page) goes into Notes.
		switch cur := b.e.Fields.get(t.k); {
		case v == "":
		case cur == "":
			b.e.Fields.set(t.k, v)
		case cur != v:
			b.overflow = append(b.overflow, header+": "+v)
		}
	case modeAlt:
		b.put(t.k, header, v)
	case modeAppend:
		if v == "" {
			return
		}
		if b.appends == nil {
			b.appends = map[field][]string{}
		}
		b.appends[t.k] = append(b.appends[t.k], v)
		b.e.Mask |= bit(t.k)
	}
}

// put stores a number or e-mail in k when k is free; otherwise, unless it
// repeats a value already kept, it goes to the next free slot (Other Tel,
// or E-mail 2) and finally into Notes as "Header: value".
func (b *builder) put(k field, label, v string) {
	if v == "" {
		return
	}
	f := &b.e.Fields
	chain := []field{k}
	same := func(a, c string) bool { return strings.EqualFold(a, c) }
	switch {
	case k >= kHomeTel && k <= kOtherTel:
		chain = append(chain, kOtherTel)
		same = func(a, c string) bool { return onlyDigits(a) == onlyDigits(c) && onlyDigits(a) != "" || a == c }
		for _, pk := range phoneFields {
			if same(f.get(pk), v) {
				return
			}
		}
	case k == kEmail || k == kEmail2:
		chain = append(chain, kEmail, kEmail2)
		if same(f.Email, v) || same(f.Email2, v) {
			return
		}
	}
	for _, c := range chain {
		if f.get(c) == "" {
			f.set(c, v)
			b.e.Mask |= bit(c)
			return
		}
	}
	b.overflow = append(b.overflow, label+": "+v)
}

// indexed applies one Google column family ("Phone 1 - …") of a row.
func (b *builder) indexed(cols []indexedCol, rec []string) {
	parts := map[string]string{}
	for _, c := range cols {
		if c.col < len(rec) {
			parts[c.part] = cleanCell(rec[c.col])
		}
	}
	label := parts["label"]
	if label == "" {
		label = parts["type"]
	}
	label = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(label), "*"))
	// Parts read below; any other part with a value goes into Notes
	// under its header.
	read := map[string]bool{"label": true, "type": true, "value": true}
	defer func() {
		for _, c := range cols {
			if v := parts[c.part]; v != "" && !read[c.part] {
				b.overflow = append(b.overflow, c.header+": "+v)
			}
		}
	}()
	switch cols[0].kind {
	case "phone":
		k := phoneLabelField(label)
		name := "Phone"
		if label != "" {
			name = label + " phone"
		}
		for _, v := range splitMulti(parts["value"]) {
			b.put(k, name, v)
		}
	case "email":
		for _, v := range splitMulti(parts["value"]) {
			b.put(kEmail, "E-mail", v)
		}
	case "website":
		for _, v := range splitMulti(parts["value"]) {
			b.alt(kWeb, "Web page", v)
		}
	case "organization":
		read["name"], read["title"] = true, true
		b.alt(kCompany, "Company", parts["name"])
		b.alt(kJobTitle, "Job title", parts["title"])
	case "address":
		for _, p := range []string{"street", "city", "region", "postalcode", "country", "extendedaddress", "pobox", "formatted"} {
			read[p] = true
		}
		a := Address{Street: parts["street"], City: parts["city"], Region: parts["region"], Postcode: parts["postalcode"], Country: parts["country"]}
		if ext := parts["extendedaddress"]; ext != "" {
			a.Street = joinNonEmpty("\n", a.Street, ext)
		}
		// PO Box has no field: it is the street when there is none, else
		// a line of its own. Formatted is the other parts written out; it
		// is the street only when there are no parts, and kept in Notes
		// when it says something they do not.
		formatted := parts["formatted"]
		if box := parts["pobox"]; box != "" {
			if a.Street == "" {
				a.Street = box
			} else {
				a.Street = joinNonEmpty("\n", a.Street, "PO Box "+box)
			}
		}
		if a == (Address{}) {
			a.Street = formatted
		} else if formatted != "" && !mentions(formatted, a.Street, a.City) {
			for _, c := range cols {
				if c.part == "formatted" {
					b.overflow = append(b.overflow, c.header+": "+formatted)
				}
			}
		}
		b.address(strings.ToLower(label), a)
	default:
		// A family with no field here (Event, Relation, IM, Custom Field):
		// into Notes, labelled with its name and its own label.
		for _, v := range splitMulti(parts["value"]) {
			name := cols[0].kindText
			if label != "" {
				name += " (" + label + ")"
			}
			b.overflow = append(b.overflow, name+": "+v)
		}
	}
}

// alt fills k if empty, else keeps v in Notes.
func (b *builder) alt(k field, label, v string) {
	if v == "" {
		return
	}
	if cur := b.e.Fields.get(k); cur == "" {
		b.e.Fields.set(k, v)
		b.e.Mask |= bit(k)
	} else if cur != v {
		b.overflow = append(b.overflow, label+": "+v)
	}
}

// address stores a labelled address: work/business goes to Business, home
// to Home, anything else to whichever is free.
func (b *builder) address(label string, a Address) {
	if a == (Address{}) {
		return
	}
	f := &b.e.Fields
	home := strings.Contains(label, "home")
	work := strings.Contains(label, "work") || strings.Contains(label, "business") || strings.Contains(label, "office")
	var dst *Address
	var base field
	switch {
	case work:
		dst, base = &f.Business, kBusStreet
	case home:
		dst, base = &f.Home, kHomeStreet
	case f.Home == (Address{}):
		dst, base = &f.Home, kHomeStreet
	default:
		dst, base = &f.Business, kBusStreet
	}
	if *dst != (Address{}) {
		b.overflow = append(b.overflow, "Address: "+joinNonEmpty(", ", a.Street, a.City, a.Region, a.Postcode, a.Country))
		return
	}
	*dst = a
	for k := base; k < base+5; k++ {
		b.e.Mask |= bit(k)
	}
}

// phoneLabelField maps a phone label (Google's Type/Label, a vCard TYPE
// list) to a number field.
func phoneLabelField(label string) field {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "fax"):
		return kFaxTel
	case strings.Contains(l, "mobile") || strings.Contains(l, "cell") || strings.Contains(l, "iphone"):
		return kCellTel
	case strings.Contains(l, "home"):
		return kHomeTel
	case strings.Contains(l, "work") || strings.Contains(l, "business") || strings.Contains(l, "office"):
		return kWorkTel
	}
	return kOtherTel
}

// splitMulti splits Google's " ::: " multi-value cells.
func splitMulti(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ":::") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitGroups reads a groups cell: ';'-separated (Outlook's Categories and
// the native template) or Google's " ::: " list, whose "* myContacts" style
// system labels are skipped.
func splitGroups(v string) []string {
	sep := ";"
	if strings.Contains(v, ":::") {
		sep = ":::"
	}
	var out []string
	for _, g := range strings.Split(v, sep) {
		g = strings.TrimSpace(g)
		if g == "" || strings.HasPrefix(g, "*") || systemGroup(g) {
			continue
		}
		out = append(out, g)
	}
	return out
}

// systemGroup reports whether g is one of Google's system groups, which
// its "Outlook CSV" layout writes into Categories without the "* " its own
// layout marks them with: they are not groups the user made.
func systemGroup(g string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(g), " ")) {
	case "mycontacts", "my contacts", "starred", "starred in android":
		return true
	}
	return false
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// finish completes the entry: splits a full name when there are no name
// parts, moves overflow to Notes, and checks the result.
func (b *builder) finish() entry {
	e := b.e
	f := &e.Fields
	for k, lines := range b.appends {
		f.set(k, joinNonEmpty("\n", append([]string{f.get(k)}, lines...)...))
	}
	if f.FirstName == "" && f.LastName == "" && b.fullName != "" {
		f.FirstName, f.LastName = splitFullName(b.fullName)
	} else if b.fullName != "" && !strings.EqualFold(b.fullName, f.fullName()) && !strings.EqualFold(b.fullName, f.DisplayName()) {
		// A display name that is not just the names: kept in Notes.
		b.overflow = append(b.overflow, b.fullNameHeader+": "+b.fullName)
	}
	for _, dn := range b.displayNames {
		if !repeats(dn[1], f) {
			b.overflow = append(b.overflow, dn[0]+": "+dn[1])
		}
	}
	if len(b.overflow) > 0 {
		f.Notes = joinNonEmpty("\n", f.Notes, strings.Join(b.overflow, "\n"))
		e.Mask |= bit(kNotes)
	}
	f.normalize()
	if f.FirstName == "" && f.LastName == "" && f.Company == "" {
		e.problem = "the entry has no name (First Name, Last Name and Company are empty)"
		return e
	}
	if v := f.validate(); len(v.Fields) > 0 {
		var msgs []string
		for _, fe := range v.Fields {
			msgs = append(msgs, keyLabel(fe.Field)+" "+fe.Message)
		}
		e.problem = strings.Join(msgs, "; ")
		return e
	}
	var groups []string
	seen := map[string]bool{}
	for _, g := range e.Groups {
		name, err := validateGroupName(g)
		if err != nil {
			e.problem = "group " + shortQuote(g) + " " + strings.TrimPrefix(err.Error(), "name: ")
			return e
		}
		if !seen[strings.ToLower(name)] {
			seen[strings.ToLower(name)] = true
			groups = append(groups, name)
		}
	}
	e.Groups = groups
	return e
}

// repeats reports whether an e-mail display name only repeats what the entry
// has: Outlook writes "Jane Smith (jane@example.com)".
func repeats(v string, f *Fields) bool {
	l := strings.ToLower(v)
	for _, e := range []string{f.Email, f.Email2} {
		if e != "" && strings.Contains(l, strings.ToLower(e)) {
			return true
		}
	}
	return strings.EqualFold(strings.TrimSpace(v), f.fullName())
}

// mentions reports whether text contains every non-empty part (ignoring
// case and line breaks): a formatted address that only writes its parts
// out says nothing more.
func mentions(text string, parts ...string) bool {
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	for _, p := range parts {
		for _, line := range strings.Split(p, "\n") {
			if line = strings.ToLower(strings.Join(strings.Fields(line), " ")); line != "" && !strings.Contains(t, line) {
				return false
			}
		}
	}
	return true
}

func shortQuote(s string) string { return "\"" + shorten(s, 40) + "\"" }

// keyLabel turns a validation key into the template header users see.
func keyLabel(key string) string {
	for _, sp := range specs {
		if sp.key == key {
			return sp.header
		}
	}
	return key
}

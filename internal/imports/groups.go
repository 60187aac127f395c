package imports

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/mail"
)

// Group file types.
const (
	GroupFileCustom  = "custom"
	GroupFileOutlook = "outlook"
	GroupFileXML     = "xml"
)

// GroupOptions are Import Group's options.
type GroupOptions struct {
	Options
	FileType string `json:"file_type"`
	// ParentID is the group the imported groups go under; the actor must
	// manage it.
	ParentID int64 `json:"parent_id"`
}

// GroupSpec is one group an import file describes.
type GroupSpec struct {
	// Line is the line (CSV) or the position of the <group> element (XML).
	Line int    `json:"line"`
	Name string `json:"name"`
	// Parent is the path below the chosen parent group ("" directly under it).
	Parent  string                 `json:"parent"`
	Profile directory.GroupProfile `json:"profile"`
	// Problem is a reading problem of this entry (an Outlook row without a
	// category).
	Problem string `json:"problem,omitempty"`
}

type groupArgs struct {
	CompanyID int64        `json:"company_id"`
	Method    Method       `json:"method"`
	Options   GroupOptions `json:"options"`
	Groups    []GroupSpec  `json:"groups"`
}

var customGroupSpellings = map[string][]string{
	"Name":               {"Name", "Group", "Group Name"},
	"Parent":             {"Parent", "Parent Path", "Parent Group"},
	"Contact First Name": {"Contact First Name", "First Name"},
	"Contact Last Name":  {"Contact Last Name", "Last Name", "Contact Surname", "Surname"},
	"Contact Email":      {"Contact Email", "Email", "E-mail", "Contact E-mail"},
	"Contact Phone":      {"Contact Phone", "Phone", "Telephone"},
	"Address Line 1":     {"Address Line 1", "Address", "Street"},
	"Address Line 2":     {"Address Line 2"},
	"City":               {"City", "Town"},
	"Postcode":           {"Postcode", "Post Code", "Zip", "Postal Code"},
	"Country":            {"Country"},
}

var customGroupOrder = []string{"Name", "Parent", "Contact First Name", "Contact Last Name", "Contact Email", "Contact Phone",
	"Address Line 1", "Address Line 2", "City", "Postcode", "Country"}

// Outlook's contact export columns that a group import reads; Outlook
// writes dozens more, which are ignored.
var outlookSpellings = map[string][]string{
	"Categories": {"Categories"},
	"First Name": {"First Name"},
	"Last Name":  {"Last Name"},
	"Email":      {"E-mail Address"},
	"Phone":      {"Business Phone", "Primary Phone", "Mobile Phone"},
	"Street":     {"Business Street"},
	"Street 2":   {"Business Street 2"},
	"City":       {"Business City"},
	"Postcode":   {"Business Postal Code"},
	"Country":    {"Business Country/Region", "Business Country"},
}

// GroupTemplate is the downloadable template of a group file type.
func GroupTemplate(fileType string) ([]byte, string, error) {
	var b bytes.Buffer
	switch fileType {
	case "", GroupFileCustom:
		b.Write(bomUTF8)
		b.WriteString(strings.Join(customGroupOrder, ",") + "\r\n")
		b.WriteString("Sales Group,,Jane,Doe,jane.doe@example.com,+44 113 496 0000,1 Main Street,,Leeds,LS1 1AA,GB\r\n")
		b.WriteString("Inside Sales,Sales Group,,,,,,,,,\r\n")
		return b.Bytes(), "text/csv; charset=utf-8", nil
	case GroupFileOutlook:
		b.Write(bomUTF8)
		b.WriteString("First Name,Last Name,E-mail Address,Business Phone,Business Street,Business City,Business Postal Code,Business Country/Region,Categories\r\n")
		b.WriteString("Jane,Doe,jane.doe@example.com,+44 113 496 0000,1 Main Street,Leeds,LS1 1AA,United Kingdom,Sales Group\r\n")
		return b.Bytes(), "text/csv; charset=utf-8", nil
	case GroupFileXML:
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		b.WriteString(`<groups>
  <group name="Sales Group">
    <contact first_name="Jane" last_name="Doe" email="jane.doe@example.com" phone="+44 113 496 0000"/>
    <address line1="1 Main Street" line2="" city="Leeds" postcode="LS1 1AA" country="GB"/>
    <group name="Inside Sales"/>
  </group>
</groups>
`)
		return b.Bytes(), "application/xml; charset=utf-8", nil
	}
	return nil, "", derrors.Invalid("file_type", "file_type must be custom, outlook or xml")
}

// ParseGroups reads a group file of fileType (already decoded to text).
func ParseGroups(text, fileType string) ([]GroupSpec, error) {
	var specs []GroupSpec
	var err error
	switch fileType {
	case GroupFileCustom:
		specs, err = parseCustomGroups(text)
	case GroupFileOutlook:
		specs, err = parseOutlookGroups(text)
	case GroupFileXML:
		specs, err = parseXMLGroups(text)
	default:
		return nil, derrors.Invalid("file_type", "file_type must be custom, outlook or xml")
	}
	if err != nil {
		return nil, err
	}
	if len(specs) == 0 {
		return nil, derrors.Invalid("file", "the file holds no groups to import")
	}
	return specs, nil
}

func parseCustomGroups(text string) ([]GroupSpec, error) {
	t, err := readCSV(text)
	if err != nil {
		return nil, err
	}
	cols, unknown, err := columnMap(t.header, customGroupSpellings)
	if err != nil {
		return nil, err
	}
	v := &derrors.ValidationError{}
	if len(unknown) > 0 {
		v.Add("file", "unknown column(s) %s: use the columns of the downloadable template; %s", quoteAll(unknown), found(t.header))
	}
	if _, ok := cols["Name"]; !ok {
		v.Add("file", "the required column \"Name\" is missing; %s", found(t.header))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := make([]GroupSpec, 0, len(t.rows))
	for _, r := range t.rows {
		out = append(out, GroupSpec{Line: r.line, Name: cell(r, cols, "Name"), Parent: cell(r, cols, "Parent"),
			Profile: directory.GroupProfile{ContactFirstName: cell(r, cols, "Contact First Name"), ContactLastName: cell(r, cols, "Contact Last Name"),
				ContactEmail: cell(r, cols, "Contact Email"), ContactPhone: cell(r, cols, "Contact Phone"),
				Address: directory.Address{Line1: cell(r, cols, "Address Line 1"), Line2: cell(r, cols, "Address Line 2"),
					City: cell(r, cols, "City"), Postcode: cell(r, cols, "Postcode"), Country: cell(r, cols, "Country")}}})
	}
	return out, nil
}

// parseOutlookGroups makes one group per category, in order of first
// appearance; the first contact of a category is the group's contact.
func parseOutlookGroups(text string) ([]GroupSpec, error) {
	t, err := readCSV(text)
	if err != nil {
		return nil, err
	}
	cols, _, err := columnMap(t.header, outlookSpellings)
	if err != nil {
		return nil, err
	}
	if _, ok := cols["Categories"]; !ok {
		return nil, derrors.Invalid("file", "an Outlook contacts export needs its \"Categories\" column, which names the group of each contact; %s", found(t.header))
	}
	var out []GroupSpec
	seen := map[string]bool{}
	for _, r := range t.rows {
		cats := cell(r, cols, "Categories")
		if cats == "" {
			out = append(out, GroupSpec{Line: r.line, Problem: "the contact has no category, so it names no group"})
			continue
		}
		for _, c := range strings.Split(cats, ";") {
			c = strings.TrimSpace(c)
			if c == "" || seen[strings.ToLower(c)] {
				continue
			}
			seen[strings.ToLower(c)] = true
			out = append(out, GroupSpec{Line: r.line, Name: c, Profile: directory.GroupProfile{
				ContactFirstName: cell(r, cols, "First Name"), ContactLastName: cell(r, cols, "Last Name"),
				ContactEmail: cell(r, cols, "Email"), ContactPhone: cell(r, cols, "Phone"),
				Address: directory.Address{Line1: cell(r, cols, "Street"), Line2: cell(r, cols, "Street 2"), City: cell(r, cols, "City"),
					Postcode: cell(r, cols, "Postcode"), Country: cell(r, cols, "Country")}}})
		}
	}
	return out, nil
}

type xmlGroupList struct {
	XMLName xml.Name   `xml:"groups"`
	Groups  []xmlGroup `xml:"group"`
}

type xmlGroup struct {
	Name    string      `xml:"name,attr"`
	Parent  string      `xml:"parent,attr"`
	Contact *xmlContact `xml:"contact"`
	Address *xmlAddress `xml:"address"`
	Groups  []xmlGroup  `xml:"group"`
}

type xmlContact struct {
	FirstName string `xml:"first_name,attr"`
	LastName  string `xml:"last_name,attr"`
	Email     string `xml:"email,attr"`
	Phone     string `xml:"phone,attr"`
}

type xmlAddress struct {
	Line1    string `xml:"line1,attr"`
	Line2    string `xml:"line2,attr"`
	City     string `xml:"city,attr"`
	Postcode string `xml:"postcode,attr"`
	Country  string `xml:"country,attr"`
}

// maxXMLDepth bounds the nesting of <group> elements (and of any element).
const maxXMLDepth = 16

// parseXMLGroups reads the XML schema. encoding/xml never fetches external
// entities or expands DTD-defined ones; a DOCTYPE is refused outright, the
// nesting is bounded before decoding, and the text was decoded to UTF-8
// already (the declaration's encoding label is accepted as such).
func parseXMLGroups(text string) ([]GroupSpec, error) {
	// First pass: tokens only, to refuse a DOCTYPE and deep nesting cheaply.
	d := newXMLDecoder(text)
	depth, groups := 0, 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, derrors.Invalid("file", "the file is not well-formed XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.Directive:
			return nil, derrors.Invalid("file", "the XML file must not contain a DOCTYPE or other directive")
		case xml.StartElement:
			depth++
			if depth > maxXMLDepth {
				return nil, derrors.Invalid("file", "the XML nests elements more than %d deep", maxXMLDepth)
			}
			if tk.Name.Local == "group" {
				if groups++; groups > MaxRows {
					return nil, derrors.Invalid("file", "the file has more than %d groups; split it into smaller files", MaxRows)
				}
			}
			if depth == 1 && tk.Name.Local != "groups" {
				return nil, derrors.Invalid("file", "the XML root element must be <groups>, not <%s>", tk.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	var doc xmlGroupList
	if err := newXMLDecoder(text).Decode(&doc); err != nil {
		return nil, derrors.Invalid("file", "the file is not a <groups> XML document: %v", err)
	}
	var out []GroupSpec
	n := 0
	var walk func(gs []xmlGroup, parent string) error
	walk = func(gs []xmlGroup, parent string) error {
		for _, g := range gs {
			n++
			if n > MaxRows {
				return derrors.Invalid("file", "the file has more than %d groups; split it into smaller files", MaxRows)
			}
			spec := GroupSpec{Line: n, Name: strings.TrimSpace(g.Name), Parent: strings.TrimSpace(g.Parent)}
			if parent != "" {
				spec.Parent = parent
			}
			if g.Contact != nil {
				spec.Profile.ContactFirstName, spec.Profile.ContactLastName = g.Contact.FirstName, g.Contact.LastName
				spec.Profile.ContactEmail, spec.Profile.ContactPhone = g.Contact.Email, g.Contact.Phone
			}
			if g.Address != nil {
				spec.Profile.Address = directory.Address{Line1: g.Address.Line1, Line2: g.Address.Line2, City: g.Address.City,
					Postcode: g.Address.Postcode, Country: g.Address.Country}
			}
			out = append(out, spec)
			if len(g.Groups) > 0 {
				path := spec.Name
				if spec.Parent != "" {
					path = spec.Parent + "/" + spec.Name
				}
				if err := walk(g.Groups, path); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(doc.Groups, ""); err != nil {
		return nil, err
	}
	return out, nil
}

func newXMLDecoder(text string) *xml.Decoder {
	d := xml.NewDecoder(strings.NewReader(text))
	d.Strict = true
	d.Entity = nil
	// The bytes were decoded with the encoding the user chose; whatever the
	// declaration says, the text is UTF-8 now.
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "windows-1252", "cp1252", "iso-8859-1", "latin1", "us-ascii":
			return in, nil
		}
		return nil, fmt.Errorf("the XML declares the encoding %q; save it as UTF-8, UTF-16 or Windows-1252", label)
	}
	return d
}

// SubmitGroups checks an uploaded group file whole and schedules the import.
func (s *Service) SubmitGroups(ctx context.Context, actor access.Actor, companyID int64, file []byte, o GroupOptions) (Submitted, error) {
	companyID, err := companyOf(actor, companyID)
	if err != nil {
		return Submitted{}, err
	}
	if err := s.d.Access.Check(ctx, actor, access.ViewCompany, access.Company(companyID)); err != nil {
		return Submitted{}, err
	}
	v := &derrors.ValidationError{}
	o.validate(v, s.now())
	if o.FileType == "" {
		o.FileType = GroupFileCustom
	}
	if o.FileType != GroupFileCustom && o.FileType != GroupFileOutlook && o.FileType != GroupFileXML {
		v.Add("file_type", "file_type must be custom, outlook or xml")
	}
	if o.ParentID <= 0 {
		v.Add("parent_id", "choose the parent group the groups are imported under")
	} else if err := s.checkParent(ctx, actor, companyID, o.ParentID); err != nil {
		if !errors.Is(err, derrors.ErrInvalid) {
			return Submitted{}, err
		}
		v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
	}
	if len(file) == 0 {
		v.Add("file", "choose the file to import")
	}
	if err := v.Err(); err != nil {
		return Submitted{}, err
	}
	text, err := Decode(file, o.Encoding)
	if err != nil {
		return Submitted{}, err
	}
	specs, err := ParseGroups(text, o.FileType)
	if err != nil {
		return Submitted{}, err
	}
	args := groupArgs{CompanyID: companyID, Method: o.Method, Options: o, Groups: specs}
	plan, err := s.planGroups(ctx, args)
	if err != nil {
		return Submitted{}, err
	}
	out := Submitted{Preview: plan.preview()}
	// Status reads need ImportEmployees on the company; group imports are
	// listed there too, for everyone who may import groups.
	out.Job, err = s.enqueue(ctx, actor, companyID, KindGroups, o.Options, args)
	return out, err
}

// checkParent makes sure parentID is a group of companyID the actor may
// import under; a group the actor may not see is a field error like a
// missing one.
func (s *Service) checkParent(ctx context.Context, actor access.Actor, companyID, parentID int64) error {
	err := s.d.Access.Check(ctx, actor, access.ImportGroups, access.Group(parentID))
	if derrors.IsNotFound(err) {
		return derrors.Invalid("parent_id", "group %d does not exist", parentID)
	}
	if err != nil {
		return err
	}
	g, err := s.d.Directory.Group(ctx, parentID)
	if err != nil {
		return err
	}
	if g.CompanyID != companyID {
		return derrors.Invalid("parent_id", "group %d does not exist", parentID)
	}
	return nil
}

type plannedGroup struct {
	spec     GroupSpec
	action   string
	message  string
	id       int64 // existing group (update) or the virtual id of a planned one (< 0)
	parentID int64 // real (> 0) or virtual (< 0)
	path     string
}

type groupPlan struct{ rows []plannedGroup }

func (p groupPlan) preview() Preview {
	pv := Preview{Rows: len(p.rows), Problems: []Problem{}}
	for _, r := range p.rows {
		if r.action == actError {
			pv.add(Problem{Row: r.spec.Line, Key: r.spec.Name, Message: r.message})
		} else {
			pv.Valid++
		}
	}
	return pv
}

func (p groupPlan) invalid() int {
	n := 0
	for _, r := range p.rows {
		if r.action == actError {
			n++
		}
	}
	return n
}

func validProfile(p directory.GroupProfile) string {
	switch {
	case strings.TrimSpace(p.ContactEmail) != "" && !mail.ValidAddress(strings.TrimSpace(p.ContactEmail)):
		return fmt.Sprintf("%q is not an e-mail address", p.ContactEmail)
	case strings.TrimSpace(p.ContactPhone) != "" && !plausiblePhone(p.ContactPhone):
		return "a phone number may hold only digits, spaces, '+', '(', ')' and '-'"
	case utf8.RuneCountInString(p.ContactFirstName) > 64 || utf8.RuneCountInString(p.ContactLastName) > 64:
		return "a contact name must be at most 64 characters"
	}
	return ""
}

func plausiblePhone(s string) bool {
	n := 0
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			n++
		case strings.ContainsRune("+ ()-", r):
		default:
			return false
		}
	}
	return n >= 3 && n <= 20
}

// planGroups decides each group against the company's groups now.
func (s *Service) planGroups(ctx context.Context, a groupArgs) (groupPlan, error) {
	all, err := s.d.Directory.AllGroups(ctx, a.CompanyID, access.Scope{CompanyID: a.CompanyID})
	if err != nil {
		return groupPlan{}, err
	}
	type child struct {
		id   int64
		line int
	}
	children := map[int64]map[string]child{} // parent id (virtual < 0) → lower name → child
	for _, g := range all {
		if g.ParentID == nil {
			continue
		}
		if children[*g.ParentID] == nil {
			children[*g.ParentID] = map[string]child{}
		}
		children[*g.ParentID][strings.ToLower(g.Name)] = child{id: g.ID}
	}
	var root directory.Group
	for _, g := range all {
		if g.ID == a.Options.ParentID {
			root = g
		}
	}
	plan := groupPlan{}
	if root.ID == 0 {
		return plan, derrors.Invalid("parent_id", "group %d does not exist", a.Options.ParentID)
	}
	nextVirtual := int64(-1)
	seenInFile := map[string]int{}
	for _, spec := range a.Groups {
		p := plannedGroup{spec: spec}
		fail := func(format string, args ...any) {
			p.action, p.message = actError, fmt.Sprintf(format, args...)
		}
		name := strings.TrimSpace(spec.Name)
		switch {
		case spec.Problem != "":
			fail("%s", spec.Problem)
		case name == "":
			fail("the group needs a name (the Name column is empty)")
		case utf8.RuneCountInString(name) > 64:
			fail("a group name must be at most 64 characters")
		case strings.Contains(name, "/"):
			fail("a group name cannot contain '/', which separates groups in a path")
		}
		if p.action != actError {
			if msg := validProfile(spec.Profile); msg != "" {
				fail("%s", msg)
			}
		}
		// Walk the parent path below the chosen parent.
		parent, parentPath := root.ID, root.Path
		if p.action != actError && strings.Trim(spec.Parent, "/ ") != "" {
			for _, part := range strings.Split(strings.Trim(spec.Parent, "/ "), "/") {
				part = strings.TrimSpace(part)
				c, ok := children[parent][strings.ToLower(part)]
				if !ok {
					fail("the parent group %q does not exist under %s (a parent must exist or come earlier in the file)", spec.Parent, root.Path)
					break
				}
				parent, parentPath = c.id, parentPath+"/"+part
			}
		}
		p.parentID, p.path = parent, parentPath+"/"+name
		if p.action != actError {
			key := strings.ToLower(p.path)
			if line, dup := seenInFile[key]; dup {
				fail("%s is already on line %d of the file", p.path, line)
			} else {
				seenInFile[key] = spec.Line
			}
		}
		if p.action != actError {
			c, exists := children[parent][strings.ToLower(name)]
			switch {
			case exists && c.id < 0:
				fail("%s is already in the file", p.path) // unreachable: caught as a duplicate
			case a.Method == MethodAdd && exists:
				p.action, p.message, p.id = actSkip, "exists", c.id
			case a.Method == MethodAdd:
				p.action, p.id = actAdd, nextVirtual
				nextVirtual--
				if children[parent] == nil {
					children[parent] = map[string]child{}
				}
				children[parent][strings.ToLower(name)] = child{id: p.id, line: spec.Line}
			case exists:
				p.action, p.id = actUpdate, c.id
			default:
				p.action, p.message = actSkip, "not found: Update Current Groups never adds groups"
			}
		}
		plan.rows = append(plan.rows, p)
	}
	return plan, nil
}

// runGroups is the import_groups job.
func (s *Service) runGroups(ctx context.Context, j *jobs.Job, rep jobs.Reporter) error {
	var a groupArgs
	if err := j.DecodeArgs(&a); err != nil {
		return err
	}
	ctx, actor, err := s.runner(ctx, j)
	if err != nil {
		return err
	}
	if err := s.checkParent(ctx, actor, a.CompanyID, a.Options.ParentID); err != nil {
		return fmt.Errorf("%s may no longer import groups under the chosen parent group: %s", actor.Username, userMessage(err))
	}
	plan, err := s.planGroups(ctx, a)
	if err != nil {
		return err
	}
	if err := rep.SetTotal(ctx, len(plan.rows)); err != nil {
		return err
	}
	key := func(p plannedGroup) string {
		if p.spec.Name == "" {
			return fmt.Sprintf("line %d", p.spec.Line)
		}
		return fmt.Sprintf("line %d: %s", p.spec.Line, p.path)
	}
	if rep.TestMode() {
		for _, p := range plan.rows {
			st := jobs.Would(p.action)
			if p.action == actError {
				st = jobs.ItemError
			}
			if err := rep.Item(ctx, key(p), st, p.message); err != nil {
				return err
			}
		}
		return nil
	}
	bad := plan.invalid()
	if bad > 0 && a.Options.AllOrNothing {
		for _, p := range plan.rows {
			st, msg := jobs.ItemSkipped, "not imported: the file has groups with errors and all or nothing was chosen"
			if p.action == actError {
				st, msg = jobs.ItemError, p.message
			}
			if err := rep.Item(ctx, key(p), st, msg); err != nil {
				return err
			}
		}
		return fmt.Errorf("nothing was imported: %d of %d groups have errors (all or nothing)", bad, len(plan.rows))
	}
	results := make([]itemResult, len(plan.rows))
	reported := false
	err = s.d.DB.Tx(ctx, func(ctx context.Context) error {
		real := map[int64]int64{} // virtual id → created id
		for i, p := range plan.rows {
			res := itemResult{status: jobs.ItemOK}
			switch p.action {
			case actError:
				res = itemResult{jobs.ItemError, p.message}
			case actSkip:
				res = itemResult{jobs.ItemSkipped, p.message}
			case actAdd:
				parent := p.parentID
				if parent < 0 {
					if parent = real[parent]; parent == 0 {
						res = itemResult{jobs.ItemError, "not imported: its parent group in the file was not created"}
						if a.Options.AllOrNothing {
							return errors.New(res.message)
						}
						break
					}
				}
				res.message = "added"
				err := s.savepoint(ctx, func() error {
					g, err := s.d.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: parent, Name: strings.TrimSpace(p.spec.Name), Profile: p.spec.Profile})
					if err == nil {
						real[p.id] = g.ID
					}
					return err
				})
				if res, err = s.rowOutcome(ctx, res, err, a.Options.AllOrNothing); err != nil {
					return err
				}
			case actUpdate:
				res.message = "updated"
				prof := p.spec.Profile
				err := s.savepoint(ctx, func() error {
					_, err := s.d.Directory.UpdateGroup(ctx, p.id, directory.GroupUpdateRequest{Profile: &prof})
					return err
				})
				if res, err = s.rowOutcome(ctx, res, err, a.Options.AllOrNothing); err != nil {
					return err
				}
			}
			results[i] = res
		}
		// The groups, their report and the job's outcome commit together
		// (see runEmployees).
		reported = true
		for i, p := range plan.rows {
			if err := rep.Item(ctx, key(p), results[i].status, results[i].message); err != nil {
				return err
			}
		}
		return rep.Committed(ctx)
	})
	if s.afterCommit != nil {
		s.afterCommit(ctx)
	}
	if err != nil && reported {
		s.logFault(ctx, "group import rolled back", err)
		_ = rep.Progress(ctx, 0)
		return fmt.Errorf("nothing was imported: %s", userMessage(err))
	}
	if err != nil {
		for _, p := range plan.rows {
			if ierr := rep.Item(ctx, key(p), jobs.ItemSkipped, "not imported: the import was rolled back"); ierr != nil {
				return ierr
			}
		}
		s.logFault(ctx, "group import rolled back", err)
		return fmt.Errorf("nothing was imported: %s", userMessage(err))
	}
	return nil
}

package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Group is a site (IsSite, top level) or a group under one.
type Group struct {
	ID        int64  `json:"id"`
	CompanyID int64  `json:"company_id"`
	ParentID  *int64 `json:"parent_id"`
	Name      string `json:"name"`
	IsSite    bool   `json:"is_site"`
	// Path is the names from the top, "Leeds/Sales/Sales West".
	Path string `json:"path"`
	// CreatedUnder is the parent's path, or "none" for a site, as the portal's
	// Profile tab shows it.
	CreatedUnder string       `json:"created_under"`
	Depth        int          `json:"depth"`
	Profile      GroupProfile `json:"profile"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`

	idPath string
	// sortPath is the lower-cased name path, the key of the group lists
	// (migration 0044).
	sortPath string
}

// IDPath is the materialised chain of ids ("/3/17/").
func (g Group) IDPath() string { return g.idPath }

// GroupProfile holds the optional contact details of a group.
type GroupProfile struct {
	ContactFirstName string  `json:"contact_first_name"`
	ContactLastName  string  `json:"contact_last_name"`
	ContactEmail     string  `json:"contact_email"`
	ContactPhone     string  `json:"contact_phone"`
	Address          Address `json:"address"`
}

func (p *GroupProfile) validate(v *derrors.ValidationError) {
	p.ContactFirstName = strings.TrimSpace(p.ContactFirstName)
	p.ContactLastName = strings.TrimSpace(p.ContactLastName)
	p.ContactEmail = strings.TrimSpace(p.ContactEmail)
	p.ContactPhone = strings.TrimSpace(p.ContactPhone)
	p.Address.trim()
	if p.ContactEmail != "" && !mail.ValidAddress(p.ContactEmail) {
		v.Add("profile.contact_email", "%q is not an e-mail address", p.ContactEmail)
	}
	if p.ContactPhone != "" && !validPhone(p.ContactPhone) {
		v.Add("profile.contact_phone", "a phone number may hold only digits, spaces, '+', '(', ')' and '-'")
	}
	for field, val := range map[string]string{"profile.contact_first_name": p.ContactFirstName, "profile.contact_last_name": p.ContactLastName} {
		if utf8.RuneCountInString(val) > 64 {
			v.Add(field, "must be at most 64 characters")
		}
	}
	p.Address.validate(v, "profile.address.")
}

// GroupCreateRequest adds a group under ParentID (or a site when creating one).
type GroupCreateRequest struct {
	ParentID int64        `json:"parent_id"`
	Name     string       `json:"name"`
	Profile  GroupProfile `json:"profile"`
}

// SiteCreateRequest adds a site to a company.
type SiteCreateRequest struct {
	Name    string       `json:"name"`
	Profile GroupProfile `json:"profile"`
}

func validateGroupName(v *derrors.ValidationError, name string) string {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		v.Add("name", "the group needs a name")
	case utf8.RuneCountInString(name) > 64:
		v.Add("name", "a group name must be at most 64 characters")
	case strings.Contains(name, "/"):
		v.Add("name", "a group name cannot contain '/', which separates groups in a path")
	}
	return name
}

const groupColumns = `id, company_id, parent_id, name, is_site, path, contact_first_name, contact_last_name, contact_email,
	contact_phone, address_line1, address_line2, city, postcode, country, created_at, updated_at, sort_path`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var parent sql.NullInt64
	var created, updated int64
	a := &g.Profile.Address
	err := row.Scan(&g.ID, &g.CompanyID, &parent, &g.Name, &g.IsSite, &g.idPath, &g.Profile.ContactFirstName,
		&g.Profile.ContactLastName, &g.Profile.ContactEmail, &g.Profile.ContactPhone,
		&a.Line1, &a.Line2, &a.City, &a.Postcode, &a.Country, &created, &updated, &g.sortPath)
	if parent.Valid {
		g.ParentID = &parent.Int64
	}
	g.CreatedAt, g.UpdatedAt = store.Time(created), store.Time(updated)
	g.Depth = strings.Count(g.idPath, "/") - 2
	return g, err
}

// pathIDs splits "/3/17/" into [3 17].
func pathIDs(p string) []int64 {
	var ids []int64
	for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// fillNames sets Path and CreatedUnder from the names of each group's ancestors.
func (s *Service) fillNames(ctx context.Context, groups []Group) error {
	names := map[int64]string{}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	var missing []int64
	for _, g := range groups {
		for _, id := range pathIDs(g.idPath) {
			if _, ok := names[id]; !ok {
				names[id] = ""
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		args := make([]any, len(missing))
		for i, id := range missing {
			args[i] = id
		}
		rows, err := s.db.Q(ctx).Query(ctx, "SELECT id, name FROM org_groups WHERE id IN ("+store.Placeholders(len(missing))+")", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			names[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for i := range groups {
		ids := pathIDs(groups[i].idPath)
		parts := make([]string, len(ids))
		for j, id := range ids {
			parts[j] = names[id]
		}
		groups[i].Path = strings.Join(parts, "/")
		if len(parts) > 1 {
			groups[i].CreatedUnder = strings.Join(parts[:len(parts)-1], "/")
		} else {
			groups[i].CreatedUnder = "none"
		}
	}
	return nil
}

// Group returns one group with its path. Callers check access first.
func (s *Service) Group(ctx context.Context, id int64) (Group, error) {
	g, err := scanGroup(s.db.Q(ctx).QueryRow(ctx, "SELECT "+groupColumns+" FROM org_groups WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("directory: group %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return g, fmt.Errorf("directory: group %d: %w", id, err)
	}
	gs := []Group{g}
	if err := s.fillNames(ctx, gs); err != nil {
		return g, fmt.Errorf("directory: group %d: %w", id, err)
	}
	return gs[0], nil
}

// GroupFilter narrows ListGroups.
type GroupFilter struct {
	Q         string // name substring, case-insensitive
	SitesOnly bool
	ParentID  int64
}

// groupOrder is the order of every group list: by name path, then id
// (two groups never share a path, but the id makes every position distinct
// whatever the data). Each filter has an index on (…, sort_path, id)
// (migration 0044), so a page is a range scan whatever the company's size.
var groupOrder = store.Keyset{Name: "path", Keys: []store.SortKey{{Expr: "sort_path"}}, ID: "id"}

// GroupPage is one page of groups.
type GroupPage struct {
	Items []Group
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// ListGroupsIn returns one page of the groups of companyID within scope,
// ordered by path, with the total. A group admin's scope is their groups and
// all below them. The page is bounded by store.MaxPerPage: a caller that
// needs every group uses AllGroups instead of asking for a huge page, which
// would silently be cut to the first store.MaxPerPage groups.
func (s *Service) ListGroupsIn(ctx context.Context, companyID int64, sc access.Scope, f GroupFilter, p store.Page) ([]Group, int, error) {
	p.Count = true
	pg, err := s.listGroups(ctx, companyID, sc, f, &p)
	return pg.Items, pg.Total, err
}

// AllGroups returns every group of companyID within scope, ordered by path,
// with no page limit. It is for internal callers that must see the whole
// tree — Tree, the membership lists, imports resolving group paths — and is
// never driven by a request's paging, which goes through ListGroups and
// stays bounded.
func (s *Service) AllGroups(ctx context.Context, companyID int64, sc access.Scope) ([]Group, error) {
	pg, err := s.listGroups(ctx, companyID, sc, GroupFilter{}, nil)
	return pg.Items, err
}

// listGroups reads one page p (every match when p is nil) of the groups of
// companyID within scope that match f, with their paths, ordered by path. A
// page with After continues after that group; the total is counted only
// when p.Count asks.
func (s *Service) listGroups(ctx context.Context, companyID int64, sc access.Scope, f GroupFilter, p *store.Page) (GroupPage, error) {
	out := GroupPage{Total: -1}
	where := []string{"company_id = ?"}
	args := []any{companyID}
	if cond, a := scopeCondition(sc, "path"); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	if f.Q != "" {
		where, args = append(where, `lower(name) LIKE ? ESCAPE '\'`), append(args, "%"+store.Like(strings.ToLower(f.Q))+"%")
	}
	if f.SitesOnly {
		where, args = append(where, "is_site = ?"), append(args, true)
	}
	if f.ParentID != 0 {
		where, args = append(where, "parent_id = ?"), append(args, f.ParentID)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	q := s.db.Q(ctx)
	query, queryArgs := "SELECT "+groupColumns+" FROM org_groups"+cond+" ORDER BY "+groupOrder.OrderBy(), args
	if p != nil {
		if p.Count {
			// Counted apart from the page: the page stays a bounded range scan.
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM org_groups"+cond, args...).Scan(&out.Total); err != nil {
				return out, fmt.Errorf("directory: count groups: %w", err)
			}
		}
		after, afterArgs, tail, err := groupOrder.Window(*p)
		if err != nil {
			return out, err
		}
		query = "SELECT " + groupColumns + " FROM org_groups" + cond + after + tail
		queryArgs = append(append([]any{}, args...), afterArgs...)
	}
	rows, err := q.Query(ctx, query, queryArgs...)
	if err != nil {
		return out, fmt.Errorf("directory: list groups: %w", err)
	}
	for rows.Next() {
		if p != nil && len(out.Items) == p.Limit() {
			last := out.Items[len(out.Items)-1]
			out.Next = groupOrder.Cursor([]any{last.sortPath}, last.ID)
			break
		}
		g, err := scanGroup(rows)
		if err != nil {
			rows.Close()
			return out, fmt.Errorf("directory: list groups: %w", err)
		}
		out.Items = append(out.Items, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("directory: list groups: %w", err)
	}
	if err := s.fillNames(ctx, out.Items); err != nil {
		return out, fmt.Errorf("directory: list groups: %w", err)
	}
	return out, nil
}

// TreeNode is a group with its sub-groups.
type TreeNode struct {
	Group
	Children []*TreeNode `json:"children"`
}

// Tree returns the groups of companyID within scope as a forest: sites (or a
// group admin's assigned groups) at the top.
func (s *Service) Tree(ctx context.Context, companyID int64, sc access.Scope) ([]*TreeNode, error) {
	groups, err := s.AllGroups(ctx, companyID, sc)
	if err != nil {
		return nil, err
	}
	nodes := make(map[int64]*TreeNode, len(groups))
	for _, g := range groups {
		nodes[g.ID] = &TreeNode{Group: g, Children: []*TreeNode{}}
	}
	var roots []*TreeNode
	for _, g := range groups {
		n := nodes[g.ID]
		if g.ParentID != nil {
			if parent, ok := nodes[*g.ParentID]; ok {
				parent.Children = append(parent.Children, n)
				continue
			}
		}
		roots = append(roots, n)
	}
	return roots, nil
}

// CreateSite adds a top-level group flagged as a site. Only the provider (or
// a reseller) may; the caller has checked access.CreateSite on the company.
func (s *Service) CreateSite(ctx context.Context, companyID int64, req SiteCreateRequest) (Group, error) {
	return s.createGroup(ctx, companyID, 0, req.Name, req.Profile)
}

// CreateGroup adds a group under req.ParentID. The caller has checked
// access.CreateGroup on the parent.
func (s *Service) CreateGroup(ctx context.Context, req GroupCreateRequest) (Group, error) {
	if req.ParentID == 0 {
		return Group{}, derrors.Invalid("parent_id", "a group is created under an existing group or site; top-level groups are sites, which the service provider creates")
	}
	return s.createGroup(ctx, 0, req.ParentID, req.Name, req.Profile)
}

func (s *Service) createGroup(ctx context.Context, companyID, parentID int64, name string, profile GroupProfile) (Group, error) {
	v := &derrors.ValidationError{}
	name = validateGroupName(v, name)
	profile.validate(v)
	if err := v.Err(); err != nil {
		return Group{}, err
	}
	var g Group
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		parentPath, sortPrefix := "/", ""
		var parent any
		if parentID != 0 {
			p, err := s.Group(ctx, parentID)
			if errors.Is(err, derrors.ErrNotFound) {
				return derrors.Invalid("parent_id", "group %d does not exist", parentID)
			}
			if err != nil {
				return err
			}
			companyID, parentPath, sortPrefix, parent = p.CompanyID, p.idPath, p.sortPath+"/", parentID
		}
		now := store.Now()
		a := profile.Address
		var id int64
		err := q.QueryRow(ctx, `INSERT INTO org_groups (company_id, parent_id, name, is_site, path, contact_first_name, contact_last_name,
			contact_email, contact_phone, address_line1, address_line2, city, postcode, country, created_at, updated_at)
			VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			companyID, parent, name, parentID == 0, profile.ContactFirstName, profile.ContactLastName, profile.ContactEmail,
			profile.ContactPhone, a.Line1, a.Line2, a.City, a.Postcode, a.Country, now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			if parentID == 0 {
				return derrors.Conflict("name", "the company already has a site named %q", name)
			}
			return derrors.Conflict("name", "a group named %q already exists under this group", name)
		}
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE org_groups SET path = ?, sort_path = ? || lower(name) WHERE id = ?",
			parentPath+strconv.FormatInt(id, 10)+"/", sortPrefix, id); err != nil {
			return err
		}
		if g, err = s.Group(ctx, id); err != nil {
			return err
		}
		kind, event := "group", "Create Group"
		if g.IsSite {
			kind, event = "site", "Create Site"
		}
		return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: kind, ObjectID: g.ID, ObjectName: g.Path,
			CompanyID: g.CompanyID, SiteID: g.SiteID(), After: g})
	})
	if err != nil {
		return Group{}, fmt.Errorf("directory: create group %q: %w", name, err)
	}
	return g, nil
}

// SiteID returns the id of the site the group belongs to (its top ancestor).
func (g Group) SiteID() int64 {
	ids := pathIDs(g.idPath)
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// GroupUpdateRequest changes a group's profile. The name cannot change, as
// the portal says; a request that tries gets a validation error.
type GroupUpdateRequest struct {
	Name    *string       `json:"name"`
	Profile *GroupProfile `json:"profile"`
}

// UpdateGroup changes a group's profile.
func (s *Service) UpdateGroup(ctx context.Context, id int64, req GroupUpdateRequest) (Group, error) {
	var after Group
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Group(ctx, id)
		if err != nil {
			return err
		}
		if req.Name != nil && *req.Name != before.Name {
			return derrors.Invalid("name", "a group's name cannot be changed once it is created")
		}
		if req.Profile == nil {
			after = before
			return nil
		}
		v := &derrors.ValidationError{}
		p := *req.Profile
		p.validate(v)
		if err := v.Err(); err != nil {
			return err
		}
		a := p.Address
		_, err = s.db.Q(ctx).Exec(ctx, `UPDATE org_groups SET contact_first_name = ?, contact_last_name = ?, contact_email = ?,
			contact_phone = ?, address_line1 = ?, address_line2 = ?, city = ?, postcode = ?, country = ?, updated_at = ? WHERE id = ?`,
			p.ContactFirstName, p.ContactLastName, p.ContactEmail, p.ContactPhone, a.Line1, a.Line2, a.City, a.Postcode, a.Country,
			store.Now(), id)
		if err != nil {
			return err
		}
		if after, err = s.Group(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Group", ObjectKind: kindOf(after), ObjectID: id, ObjectName: after.Path,
			CompanyID: after.CompanyID, SiteID: after.SiteID(), Before: before, After: after})
	})
	if err != nil {
		return Group{}, fmt.Errorf("directory: update group %d: %w", id, err)
	}
	return after, nil
}

func kindOf(g Group) string {
	if g.IsSite {
		return "site"
	}
	return "group"
}

// moveGroup puts group id, with everything under it, under newParentID. The
// caller has checked access.MoveGroup on the group and access.CreateGroup on
// the new parent.
func (s *Service) moveGroup(ctx context.Context, id, newParentID int64) (Group, error) {
	var after Group
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Group(ctx, id)
		if err != nil {
			return err
		}
		if before.IsSite {
			return derrors.Invalid("parent_id", "a site is always a top-level group and cannot be moved")
		}
		parent, err := s.Group(ctx, newParentID)
		if errors.Is(err, derrors.ErrNotFound) {
			return derrors.Invalid("parent_id", "group %d does not exist", newParentID)
		}
		if err != nil {
			return err
		}
		if parent.CompanyID != before.CompanyID {
			return derrors.Invalid("parent_id", "group %d does not exist", newParentID)
		}
		if strings.HasPrefix(parent.idPath, before.idPath) {
			return derrors.Invalid("parent_id", "a group cannot be moved under itself or one of its own sub-groups")
		}
		if before.ParentID != nil && *before.ParentID == newParentID {
			after = before
			return nil
		}
		q := s.db.Q(ctx)
		var clash int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM org_groups WHERE parent_id = ? AND lower(name) = lower(?)", newParentID, before.Name).Scan(&clash); err != nil {
			return err
		}
		if clash > 0 {
			return derrors.Conflict("name", "a group named %q already exists under %s", before.Name, parent.Path)
		}
		newPath := parent.idPath + strconv.FormatInt(id, 10) + "/"
		if _, err := q.Exec(ctx, "UPDATE org_groups SET parent_id = ?, updated_at = ? WHERE id = ?", newParentID, store.Now(), id); err != nil {
			return err
		}
		// Rewrite the id path and the sort path of the group and its whole
		// subtree: the old parent's part of each is replaced by the new's.
		// substr counts characters on both engines, as RuneCount does.
		oldSortPrefix := before.sortPath[:strings.LastIndex(before.sortPath, "/")+1]
		_, err = q.Exec(ctx, `UPDATE org_groups SET path = ? || substr(path, ?), sort_path = ? || substr(sort_path, ?)
			WHERE company_id = ? AND path LIKE ? ESCAPE '\'`,
			newPath, len(before.idPath)+1, parent.sortPath+"/", utf8.RuneCountInString(oldSortPrefix)+1,
			before.CompanyID, store.Like(before.idPath)+"%")
		if err != nil {
			return err
		}
		if after, err = s.Group(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Move Group", ObjectKind: "group", ObjectID: id, ObjectName: after.Path,
			CompanyID: after.CompanyID, SiteID: after.SiteID(), Before: before, After: after})
	})
	if err != nil {
		return Group{}, fmt.Errorf("directory: move group %d: %w", id, err)
	}
	return after, nil
}

// deleteRefusal is why group g cannot be deleted now ("" when it can): its
// sub-groups. deleteGroup refuses with it, and GroupDeletion tells a page
// not to offer Delete.
func (s *Service) deleteRefusal(ctx context.Context, g Group) (string, error) {
	var children int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM org_groups WHERE parent_id = ?", g.ID).Scan(&children); err != nil {
		return "", fmt.Errorf("directory: sub-groups of %d: %w", g.ID, err)
	}
	if children == 0 {
		return "", nil
	}
	return fmt.Sprintf("%s has %d sub-group(s); delete or move them first", g.Path, children), nil
}

// deleteGroup removes a group that has no sub-groups. Its memberships and
// admin assignments go with it; the employees stay in the company.
func (s *Service) deleteGroup(ctx context.Context, id int64) error {
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		g, err := s.Group(ctx, id)
		if err != nil {
			return err
		}
		reason, err := s.deleteRefusal(ctx, g)
		if err != nil {
			return err
		}
		if reason != "" {
			return derrors.Conflict("", "%s", reason)
		}
		q := s.db.Q(ctx)
		for _, stmt := range []string{"DELETE FROM group_members WHERE group_id = ?", "DELETE FROM group_admins WHERE group_id = ?", "DELETE FROM org_groups WHERE id = ?"} {
			if _, err := q.Exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		event := "Delete Group"
		if g.IsSite {
			event = "Delete Site"
		}
		return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: kindOf(g), ObjectID: id, ObjectName: g.Path,
			CompanyID: g.CompanyID, SiteID: g.SiteID(), Before: g})
	})
	if err != nil {
		return fmt.Errorf("directory: delete group %d: %w", id, err)
	}
	return nil
}

package contacts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Group is one of an employee's contact groups ("New Group"). A contact may
// belong to several groups; deleting a group keeps its contacts.
type Group struct {
	ID        int64     `json:"id"`
	OwnerID   int64     `json:"owner_id"`
	CompanyID int64     `json:"company_id"`
	Name      string    `json:"name"`
	Members   int       `json:"members"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// validateGroupName trims name and checks it. ';' is refused because it
// separates groups in CSV files (Outlook's Categories), so every group name
// survives an export and re-import.
func validateGroupName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return name, derrors.Invalid("name", "a group needs a name")
	case utf8.RuneCountInString(name) > MaxGroupNameLength:
		return name, derrors.Invalid("name", "must be at most %d characters", MaxGroupNameLength)
	case strings.ContainsAny(name, ";\r\n\t\x00") || !utf8.ValidString(name):
		return name, derrors.Invalid("name", "must be one line without ';'")
	}
	return name, nil
}

const selectGroup = `SELECT g.id, g.account_id, g.company_id, g.name, g.created_at, g.updated_at,
	(SELECT COUNT(*) FROM contact_group_members m WHERE m.group_id = g.id) FROM contact_groups g`

func scanGroup(sc interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var created, updated int64
	err := sc.Scan(&g.ID, &g.OwnerID, &g.CompanyID, &g.Name, &created, &updated, &g.Members)
	g.CreatedAt, g.UpdatedAt = store.Time(created), store.Time(updated)
	return g, err
}

// Group returns one of the owner's groups.
func (s *Service) Group(ctx context.Context, actor access.Actor, ownerID, id int64) (Group, error) {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return Group{}, err
	}
	return s.group(ctx, ownerID, id)
}

func (s *Service) group(ctx context.Context, ownerID, id int64) (Group, error) {
	g, err := scanGroup(s.db.Q(ctx).QueryRow(ctx, selectGroup+" WHERE g.id = ? AND g.account_id = ?", id, ownerID))
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("contacts: group %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return g, fmt.Errorf("contacts: group %d: %w", id, err)
	}
	return g, nil
}

// Groups lists the owner's groups by name.
func (s *Service) Groups(ctx context.Context, actor access.Actor, ownerID int64) ([]Group, error) {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return nil, err
	}
	return s.groups(ctx, ownerID)
}

func (s *Service) groups(ctx context.Context, ownerID int64) ([]Group, error) {
	rows, err := s.db.Q(ctx).Query(ctx, selectGroup+" WHERE g.account_id = ? ORDER BY lower(g.name), g.id", ownerID)
	if err != nil {
		return nil, fmt.Errorf("contacts: groups: %w", err)
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("contacts: groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// insertGroup writes a group in the caller's transaction.
func (s *Service) insertGroup(ctx context.Context, o owner, name string) (int64, error) {
	now := store.Now()
	var id int64
	err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO contact_groups (account_id, company_id, name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, o.ID, o.CompanyID, name, now, now).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, derrors.Conflict("name", "you already have a group named %q", name)
	}
	if err != nil {
		return 0, fmt.Errorf("insert group: %w", err)
	}
	return id, nil
}

// CreateGroup adds a group to the owner's contacts ("New Group").
func (s *Service) CreateGroup(ctx context.Context, actor access.Actor, ownerID int64, name string) (Group, error) {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return Group{}, err
	}
	name, err = validateGroupName(name)
	if err != nil {
		return Group{}, err
	}
	var g Group
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.bump(ctx, o.ID); err != nil {
			return err
		}
		id, err := s.insertGroup(ctx, o, name)
		if err != nil {
			return err
		}
		if g, err = s.group(ctx, o.ID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Contact Group", ObjectKind: "contact_group", ObjectID: id,
			ObjectName: name, CompanyID: o.CompanyID, After: g})
	})
	if err != nil {
		return Group{}, fmt.Errorf("contacts: create group: %w", err)
	}
	return g, nil
}

// RenameGroup changes a group's name.
func (s *Service) RenameGroup(ctx context.Context, actor access.Actor, ownerID, id int64, name string) (Group, error) {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return Group{}, err
	}
	name, err = validateGroupName(name)
	if err != nil {
		return Group{}, err
	}
	var after Group
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.group(ctx, o.ID, id)
		if err != nil {
			return err
		}
		if _, err := s.bump(ctx, o.ID); err != nil {
			return err
		}
		_, err = s.db.Q(ctx).Exec(ctx, "UPDATE contact_groups SET name = ?, updated_at = ? WHERE id = ? AND account_id = ?",
			name, store.Now(), id, o.ID)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "you already have a group named %q", name)
		}
		if err != nil {
			return err
		}
		if after, err = s.group(ctx, o.ID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Contact Group", ObjectKind: "contact_group", ObjectID: id,
			ObjectName: name, CompanyID: o.CompanyID, Before: before, After: after})
	})
	if err != nil {
		return Group{}, fmt.Errorf("contacts: rename group %d: %w", id, err)
	}
	return after, nil
}

// DeleteGroup deletes a group; its contacts stay.
func (s *Service) DeleteGroup(ctx context.Context, actor access.Actor, ownerID, id int64) error {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.group(ctx, o.ID, id)
		if err != nil {
			return err
		}
		if _, err := s.bump(ctx, o.ID); err != nil {
			return err
		}
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM contact_group_members WHERE group_id = ?", id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM contact_groups WHERE id = ? AND account_id = ?", id, o.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Contact Group", ObjectKind: "contact_group", ObjectID: id,
			ObjectName: before.Name, CompanyID: o.CompanyID, Before: before})
	})
	if err != nil {
		return fmt.Errorf("contacts: delete group %d: %w", id, err)
	}
	return nil
}

// AddToGroup puts contacts into one of the owner's groups; contacts already
// in it are left alone.
func (s *Service) AddToGroup(ctx context.Context, actor access.Actor, ownerID, groupID int64, contactIDs []int64) error {
	return s.changeMembers(ctx, actor, ownerID, groupID, contactIDs, true)
}

// RemoveFromGroup takes contacts out of one of the owner's groups.
func (s *Service) RemoveFromGroup(ctx context.Context, actor access.Actor, ownerID, groupID int64, contactIDs []int64) error {
	return s.changeMembers(ctx, actor, ownerID, groupID, contactIDs, false)
}

func (s *Service) changeMembers(ctx context.Context, actor access.Actor, ownerID, groupID int64, contactIDs []int64, add bool) error {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return err
	}
	event := "Remove Contacts From Group"
	if add {
		event = "Add Contacts To Group"
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		g, err := s.group(ctx, o.ID, groupID)
		if err != nil {
			return err
		}
		if _, err := s.bump(ctx, o.ID); err != nil {
			return err
		}
		q := s.db.Q(ctx)
		var changed []int64
		for _, cid := range contactIDs {
			var one int
			err := q.QueryRow(ctx, "SELECT 1 FROM contacts WHERE id = ? AND account_id = ?", cid, o.ID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("contact %d: %w", cid, derrors.ErrNotFound)
			}
			if err != nil {
				return err
			}
			var res sql.Result
			if add {
				res, err = q.Exec(ctx, `INSERT INTO contact_group_members (group_id, contact_id) VALUES (?, ?)
					ON CONFLICT (group_id, contact_id) DO NOTHING`, groupID, cid)
			} else {
				res, err = q.Exec(ctx, "DELETE FROM contact_group_members WHERE group_id = ? AND contact_id = ?", groupID, cid)
			}
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				changed = append(changed, cid)
			}
		}
		return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: "contact_group", ObjectID: groupID,
			ObjectName: g.Name, CompanyID: o.CompanyID, After: map[string]any{"contact_ids": changed}})
	})
	if err != nil {
		return fmt.Errorf("contacts: group %d members: %w", groupID, err)
	}
	return nil
}

package directory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// answer is how an action answers one actor.
type answer string

const (
	allowed   answer = "allowed"
	forbidden answer = "forbidden" // *derrors.ForbiddenError with a reason
	notFound  answer = "not found" // as for an object that does not exist
	// unknownRef: an object named in a field the actor may not see is an
	// unknown id in that field, as an id that does not exist is.
	unknownRef answer = "unknown id in a field"
)

func answerOf(err error) answer {
	var fe *derrors.ForbiddenError
	switch {
	case err == nil:
		return allowed
	case errors.As(err, &fe):
		if fe.Reason == "" {
			return "forbidden without a reason"
		}
		return forbidden
	case derrors.IsNotFound(err):
		return notFound
	case errors.Is(err, derrors.ErrInvalid):
		return unknownRef
	}
	return answer("unexpected: " + err.Error())
}

// actionCase is one product action tried by many actors.
type actionCase struct {
	name string
	// setup makes what the action works on (a fresh one for each actor
	// when the action consumes it) and returns its id.
	setup func(t *testing.T, env *apptest.Env, actor string) int64
	do    func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error
	// want is the answer for each actor; every outsider not named answers
	// notFound.
	want map[string]answer
}

// outsidersNotFound adds every apptest.Outsiders actor as notFound.
func outsidersNotFound(m map[string]answer) map[string]answer {
	for _, o := range apptest.Outsiders {
		if _, ok := m[o]; !ok {
			m[o] = notFound
		}
	}
	return m
}

func fixed(id func(env *apptest.Env) int64) func(*testing.T, *apptest.Env, string) int64 {
	return func(_ *testing.T, env *apptest.Env, _ string) int64 { return id(env) }
}

// freshEmployee adds an employee of London for one actor's attempt.
func freshEmployee(role access.Role) func(*testing.T, *apptest.Env, string) int64 {
	return func(t *testing.T, env *apptest.Env, actor string) int64 {
		e, err := env.App.Directory.CreateEmployee(context.Background(), env.Fixture.Acme.ID, env.Fixture.Provider.ID,
			directory.EmployeeCreateRequest{Username: "victim." + strings.ReplaceAll(actor, ".", ""), Role: role, FirstName: "Vic",
				LastName: "Tim", GroupIDs: []int64{env.Fixture.London.ID}}, "")
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
}

func freshGroup(site bool) func(*testing.T, *apptest.Env, string) int64 {
	return func(t *testing.T, env *apptest.Env, actor string) int64 {
		ctx := context.Background()
		name := "Temp " + actor
		var g directory.Group
		var err error
		if site {
			g, err = env.App.Directory.CreateSite(ctx, env.Fixture.Acme.ID, directory.SiteCreateRequest{Name: name})
		} else {
			g, err = env.App.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: env.Fixture.London.ID, Name: name})
		}
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
}

func str(s string) *string { return &s }

func role(r access.Role) *access.Role { return &r }

func uname(prefix, actor string) string { return prefix + strings.ReplaceAll(actor, ".", "") }

func actionCases() []actionCase {
	london := fixed(func(env *apptest.Env) int64 { return env.Fixture.London.ID })
	acme := fixed(func(env *apptest.Env) int64 { return env.Fixture.Acme.ID })
	account := func(name string) func(*testing.T, *apptest.Env, string) int64 {
		return fixed(func(env *apptest.Env) int64 { return env.ID(name) })
	}
	operators := map[string]answer{"operator": allowed, "acme.reseller": allowed}
	with := func(base map[string]answer, more map[string]answer) map[string]answer {
		m := map[string]answer{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range more {
			m[k] = v
		}
		return outsidersNotFound(m)
	}
	d := func(env *apptest.Env) *directory.Service { return env.App.Directory }
	return []actionCase{
		{name: "AddEmployee", setup: acme,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).AddEmployee(ctx, a, id, directory.EmployeeCreateRequest{Username: uname("add.", actor),
					Password: "Fixture-Pass-9!", FirstName: "Ad", LastName: "D"})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "west.one": forbidden})},
		{name: "AddEmployee in London", setup: london,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).AddEmployee(ctx, a, env.Fixture.Acme.ID, directory.EmployeeCreateRequest{Username: uname("lon.", actor),
					Password: "Fixture-Pass-9!", FirstName: "Lo", LastName: "N", GroupIDs: []int64{id}})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": unknownRef, "leeds.admin": unknownRef})},
		{name: "AddEmployee company admin", setup: acme,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).AddEmployee(ctx, a, id, directory.EmployeeCreateRequest{Username: uname("boss.", actor),
					Password: "Fixture-Pass-9!xYz", Role: access.RoleCompanyAdmin, FirstName: "Bo", LastName: "Ss"})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": forbidden, "acme.admin2": forbidden, "west.one": forbidden})},
		{name: "ModifyEmployee london.one", setup: account("london.one"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).ModifyEmployee(ctx, a, id, directory.EmployeeUpdateRequest{FirstName: str("Lo " + actor)})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "west.one": notFound, "sales.admin": notFound, "leeds.admin": notFound})},
		{name: "ModifyEmployee demotes a peer company admin", setup: account("acme.admin2"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				_, err := d(env).ModifyEmployee(ctx, a, id, directory.EmployeeUpdateRequest{Role: role(access.RoleEmployee)})
				if err == nil { // put the role back for the next actor
					_, err = env.App.Directory.UpdateEmployee(ctx, id, directory.EmployeeUpdateRequest{Role: role(access.RoleCompanyAdmin)})
				}
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": forbidden, "leeds.admin": notFound})},
		{name: "ModifyEmployee takes a peer's security e-mail", setup: account("acme.admin2"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).ModifyEmployee(ctx, a, id, directory.EmployeeUpdateRequest{Email: str(uname("x", actor) + "@evil.example")})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": forbidden})},
		{name: "ModifyEmployee own security e-mail", setup: account("acme.admin"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				_, err := d(env).ModifyEmployee(ctx, a, id, directory.EmployeeUpdateRequest{Email: str("mine@evil.example")})
				return err
			},
			// Answered on the email field: the link is the way (docs/security.md).
			want: map[string]answer{"acme.admin": unknownRef}},
		{name: "ModifyEmployee a peer group admin", setup: account("leeds.admin2"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				_, err := d(env).ModifyEmployee(ctx, a, id, directory.EmployeeUpdateRequest{Phone: str("0113 496 0999")})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "leeds.admin": forbidden, "sales.admin": notFound})},
		{name: "DeleteEmployee", setup: freshEmployee(access.RoleEmployee),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				return d(env).DeleteEmployee(ctx, a, id)
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "west.one": notFound, "sales.admin": notFound, "leeds.admin": notFound})},
		{name: "DeleteEmployee a peer company admin", setup: account("acme.admin2"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				return d(env).DeleteEmployee(ctx, a, id)
			},
			want: outsidersNotFound(map[string]answer{"acme.admin": forbidden, "leeds.admin": notFound})},
		{name: "DeleteEmployee a peer group admin", setup: account("leeds.admin2"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				return d(env).DeleteEmployee(ctx, a, id)
			},
			want: outsidersNotFound(map[string]answer{"leeds.admin": forbidden, "sales.admin": notFound})},
		{name: "reset password of a peer", setup: account("acme.admin2"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				_, err := d(env).EmployeeFor(ctx, a, access.ResetPassword, id)
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": forbidden})},
		{name: "ListEmployees", setup: acme,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				_, _, err := d(env).ListEmployees(ctx, a, id, directory.EmployeeFilter{}, store.Page{})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "west.one": allowed})},
		{name: "ListGroups", setup: acme,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				_, _, err := d(env).ListGroups(ctx, a, id, directory.GroupFilter{}, store.Page{})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": allowed})},
		{name: "AddSite", setup: acme,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).AddSite(ctx, a, id, directory.SiteCreateRequest{Name: "Site " + actor})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": forbidden, "leeds.admin": forbidden})},
		{name: "AddGroup under London", setup: london,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).AddGroup(ctx, a, directory.GroupCreateRequest{ParentID: id, Name: "New " + actor})
				return err
			},
			want: func() map[string]answer {
				m := map[string]answer{"operator": allowed, "acme.reseller": allowed, "acme.admin": allowed,
					"sales.admin": unknownRef, "west.one": unknownRef}
				for _, o := range apptest.Outsiders {
					m[o] = unknownRef
				}
				return m
			}()},
		{name: "ModifyGroup London", setup: london,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				_, err := d(env).ModifyGroup(ctx, a, id, false, directory.GroupUpdateRequest{Profile: &directory.GroupProfile{ContactFirstName: actor}})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": notFound, "west.one": notFound})},
		{name: "MoveGroup Support under London", setup: fixed(func(env *apptest.Env) int64 { return env.Fixture.Support.ID }),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				_, err := d(env).MoveGroup(ctx, a, id, env.Fixture.London.ID)
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": notFound, "leeds.admin": unknownRef})},
		{name: "DeleteGroup", setup: freshGroup(false),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				return d(env).DeleteGroup(ctx, a, id)
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": notFound, "west.one": notFound})},
		{name: "DeleteSite", setup: freshGroup(true),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				return d(env).DeleteSite(ctx, a, id)
			},
			want: with(operators, map[string]answer{"acme.admin": forbidden, "leeds.admin": notFound})},
		{name: "Group Members of London", setup: london,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				change := directory.LinkChange{Add: []int64{env.ID("west.one")}}
				err := d(env).ChangeGroupEmployees(ctx, a, id, directory.Memberships, change)
				if err == nil {
					err = env.App.Directory.ChangeMembers(ctx, nil, []directory.Link{{GroupID: id, AccountID: env.ID("west.one")}})
				}
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": notFound, "leeds.admin": notFound})},
		{name: "Group Admins of Leeds: remove a peer", setup: fixed(func(env *apptest.Env) int64 { return env.Fixture.Leeds.ID }),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				link := []directory.Link{{GroupID: id, AccountID: env.ID("leeds.admin2")}}
				err := d(env).ChangeGroupEmployees(ctx, a, id, directory.Administrators, directory.LinkChange{Remove: []int64{env.ID("leeds.admin2")}})
				if err == nil {
					err = env.App.Directory.ChangeGroupAdmins(ctx, link, nil)
				}
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "leeds.admin": forbidden, "sales.admin": notFound})},
		{name: "Group Memberships of london.one", setup: account("london.one"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				leeds := env.Fixture.Leeds.ID
				err := d(env).ChangeEmployeeGroups(ctx, a, id, directory.Memberships, directory.LinkChange{Add: []int64{leeds}})
				if err == nil {
					err = env.App.Directory.ChangeMembers(ctx, nil, []directory.Link{{GroupID: leeds, AccountID: id}})
				}
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": notFound, "leeds.admin": notFound, "west.one": notFound})},
		{name: "Admin Privileges of a peer group admin", setup: account("leeds.admin2"),
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				return d(env).ChangeEmployeeGroups(ctx, a, id, directory.Administrators, directory.LinkChange{Add: []int64{env.Fixture.Sales.ID}})
			},
			want: outsidersNotFound(map[string]answer{"leeds.admin": forbidden, "sales.admin": notFound})},
		{name: "Move members London to Leeds", setup: london,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, _ string) error {
				who := env.ID("london.one")
				err := d(env).MoveGroupMembers(ctx, a, id, env.Fixture.Leeds.ID, []int64{who})
				if err == nil {
					err = env.App.Directory.MoveMembers(ctx, env.Fixture.Leeds.ID, id, []int64{who})
				}
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": notFound, "leeds.admin": notFound})},
		{name: "Import Employees", setup: acme,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				csv := "Username,First Name,Last Name,Group\r\n" + uname("imp.", actor) + ",Im,Port,London\r\n"
				_, err := env.App.Imports().SubmitEmployees(ctx, a, id, []byte(csv),
					imports.EmployeeOptions{Options: imports.Options{JobName: "import by " + actor}})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "west.one": forbidden})},
		{name: "Import Group under London", setup: london,
			do: func(ctx context.Context, env *apptest.Env, a access.Actor, id int64, actor string) error {
				csv := "Name\r\n" + "Imported " + actor + "\r\n"
				_, err := env.App.Imports().SubmitGroups(ctx, a, env.Fixture.Acme.ID, []byte(csv),
					imports.GroupOptions{Options: imports.Options{JobName: "groups by " + actor}, ParentID: id})
				return err
			},
			want: with(operators, map[string]answer{"acme.admin": allowed, "sales.admin": unknownRef})},
	}
}

// TestActionsDecideAccess runs every employee and group action, without
// HTTP, as each kind of actor: the allowed ones succeed; each other gets
// notFound where it may not see the object (exactly as for one that does
// not exist), a reason where it may; and a refused action changes nothing,
// audit included.
func TestActionsDecideAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		for _, c := range actionCases() {
			// Refused actors first, so the allowed ones change nothing they try.
			var order []string
			for actor, want := range c.want {
				if want != allowed {
					order = append(order, actor)
				}
			}
			for actor, want := range c.want {
				if want == allowed {
					order = append(order, actor)
				}
			}
			for _, actor := range order {
				want := c.want[actor]
				id := c.setup(t, env, actor)
				before := storetest.Counts(t, db)
				err := c.do(ctx, env, env.Actor(actor), id, actor)
				if got := answerOf(err); got != want {
					t.Errorf("%s by %s: %s (%v), want %s", c.name, actor, got, err, want)
					continue
				}
				if want != allowed {
					t.Run(fmt.Sprintf("%s by %s changes nothing", c.name, actor), func(t *testing.T) {
						storetest.SameCounts(t, before, storetest.Counts(t, db))
					})
				}
			}
		}
	})
}

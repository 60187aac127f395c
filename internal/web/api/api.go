// Package api is Switchboard's JSON API under /api/v1. Handlers decode,
// validate, ask access, call one domain service and encode; they return an
// error and one adapter turns it into RFC 9457 problem+json.
package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// Handler serves the API.
type Handler struct {
	app *app.App
}

// New returns the API handler set.
func New(a *app.App) *Handler { return &Handler{app: a} }

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one API endpoint.
type Route struct {
	Method  string
	Pattern string // stdlib ServeMux pattern path, e.g. /api/v1/groups/{id}
	// Public routes need no authentication.
	Public bool
	fn     func(h *Handler) handlerFunc
}

// Register adds every route to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range Routes() {
		fn := rt.fn(h)
		public := rt.Public
		mux.HandleFunc(rt.Method+" "+rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			if !public {
				if _, ok := request.AuthFrom(r.Context()); !ok {
					WriteProblem(w, ProblemFor(derrors.ErrUnauthenticated, h.app.Logger, r))
					return
				}
			}
			if err := checkQuery(r); err != nil {
				WriteProblem(w, ProblemFor(err, h.app.Logger, r))
				return
			}
			if err := fn(w, r); err != nil {
				WriteProblem(w, ProblemFor(err, h.app.Logger, r))
			}
		})
	}
	// A known path with another method is a 405 naming the allowed methods;
	// anything else under /api/ is a JSON 404, not the UI's HTML page.
	paths := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range Routes() {
		if allowed[rt.Pattern] == nil {
			paths.HandleFunc(rt.Pattern, func(http.ResponseWriter, *http.Request) {})
		}
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := paths.Handler(r); pattern != "" {
			methods := strings.Join(allowed[pattern], ", ")
			w.Header().Set("Allow", methods)
			WriteProblem(w, Problem{Type: ProblemMethodNotAllowed, Title: "Method Not Allowed", Status: http.StatusMethodNotAllowed,
				Detail: r.Method + " is not supported on " + r.URL.Path + "; use " + methods})
			return
		}
		WriteProblem(w, Problem{Type: ProblemNotFound, Title: "Not Found", Status: http.StatusNotFound,
			Detail: "no API endpoint " + r.Method + " " + r.URL.Path + "; see /api/v1/openapi.json"})
	})
}

// actor returns the authenticated caller (Register guarantees one).
func actor(r *http.Request) access.Actor {
	a, _ := request.AuthFrom(r.Context())
	return a.Actor()
}

// Routes lists every endpoint; the OpenAPI test compares it with the
// document. Each area of the API keeps its routes in its own file.
func Routes() []Route {
	return slices.Concat(coreRoutes(), securityRoutes(), providerRoutes(), contactsRoutes(), searchRoutes(), lifecycleRoutes(), importsRoutes(), callsRoutes(), billingRoutes(), sipRoutes(), provisioningRoutes(), rebootRoutes(), featuresRoutes(), bulkFeatureRoutes(), devmgmtRoutes(), vdmRoutes(), audioRoutes(), dashboardRoutes(), employeeDeviceRoutes())
}

func coreRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Public: true, fn: func(h *Handler) handlerFunc { return h.openAPI }},
		{Method: "POST", Pattern: "/api/v1/auth/login", Public: true, fn: func(h *Handler) handlerFunc { return h.login }},
		{Method: "POST", Pattern: "/api/v1/auth/logout", fn: func(h *Handler) handlerFunc { return h.logout }},
		{Method: "GET", Pattern: "/api/v1/auth/me", fn: func(h *Handler) handlerFunc { return h.me }},

		{Method: "GET", Pattern: "/api/v1/resellers", fn: func(h *Handler) handlerFunc { return h.listResellers }},
		{Method: "POST", Pattern: "/api/v1/resellers", fn: func(h *Handler) handlerFunc { return h.createReseller }},
		{Method: "POST", Pattern: "/api/v1/resellers/{id}/admins", fn: func(h *Handler) handlerFunc { return h.createResellerAdmin }},

		{Method: "GET", Pattern: "/api/v1/companies", fn: func(h *Handler) handlerFunc { return h.listCompanies }},
		{Method: "POST", Pattern: "/api/v1/companies", fn: func(h *Handler) handlerFunc { return h.createCompany }},
		{Method: "GET", Pattern: "/api/v1/companies/{id}", fn: func(h *Handler) handlerFunc { return h.getCompany }},
		{Method: "PATCH", Pattern: "/api/v1/companies/{id}", fn: func(h *Handler) handlerFunc { return h.updateCompany }},
		{Method: "GET", Pattern: "/api/v1/companies/{id}/dashboard", fn: func(h *Handler) handlerFunc { return h.companyDashboard }},

		{Method: "GET", Pattern: "/api/v1/sites", fn: func(h *Handler) handlerFunc { return h.listSites }},
		{Method: "POST", Pattern: "/api/v1/sites", fn: func(h *Handler) handlerFunc { return h.createSite }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}", fn: func(h *Handler) handlerFunc { return h.getSite }},
		{Method: "PATCH", Pattern: "/api/v1/sites/{id}", fn: func(h *Handler) handlerFunc { return h.updateSite }},
		{Method: "DELETE", Pattern: "/api/v1/sites/{id}", fn: func(h *Handler) handlerFunc { return h.deleteSite }},

		{Method: "GET", Pattern: "/api/v1/groups", fn: func(h *Handler) handlerFunc { return h.listGroups }},
		{Method: "POST", Pattern: "/api/v1/groups", fn: func(h *Handler) handlerFunc { return h.createGroup }},
		{Method: "GET", Pattern: "/api/v1/groups/tree", fn: func(h *Handler) handlerFunc { return h.groupTree }},
		{Method: "GET", Pattern: "/api/v1/groups/{id}", fn: func(h *Handler) handlerFunc { return h.getGroup }},
		{Method: "PATCH", Pattern: "/api/v1/groups/{id}", fn: func(h *Handler) handlerFunc { return h.updateGroup }},
		{Method: "DELETE", Pattern: "/api/v1/groups/{id}", fn: func(h *Handler) handlerFunc { return h.deleteGroup }},
		{Method: "POST", Pattern: "/api/v1/groups/{id}/move", fn: func(h *Handler) handlerFunc { return h.moveGroup }},
		{Method: "GET", Pattern: "/api/v1/groups/{id}/admins", fn: func(h *Handler) handlerFunc { return h.groupAdmins }},
		{Method: "POST", Pattern: "/api/v1/groups/{id}/admins", fn: func(h *Handler) handlerFunc { return h.changeGroupAdmins }},
		{Method: "GET", Pattern: "/api/v1/groups/{id}/members", fn: func(h *Handler) handlerFunc { return h.groupMembers }},
		{Method: "POST", Pattern: "/api/v1/groups/{id}/members", fn: func(h *Handler) handlerFunc { return h.changeGroupMembers }},
		{Method: "POST", Pattern: "/api/v1/groups/{id}/members/move", fn: func(h *Handler) handlerFunc { return h.moveGroupMembers }},

		{Method: "GET", Pattern: "/api/v1/employees", fn: func(h *Handler) handlerFunc { return h.listEmployees }},
		{Method: "POST", Pattern: "/api/v1/employees", fn: func(h *Handler) handlerFunc { return h.createEmployee }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}", fn: func(h *Handler) handlerFunc { return h.getEmployee }},
		{Method: "PATCH", Pattern: "/api/v1/employees/{id}", fn: func(h *Handler) handlerFunc { return h.updateEmployee }},
		{Method: "DELETE", Pattern: "/api/v1/employees/{id}", fn: func(h *Handler) handlerFunc { return h.deleteEmployee }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/memberships", fn: func(h *Handler) handlerFunc { return h.employeeMemberships }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/memberships", fn: func(h *Handler) handlerFunc { return h.changeEmployeeMemberships }},
		{Method: "GET", Pattern: "/api/v1/employees/{id}/admin-privileges", fn: func(h *Handler) handlerFunc { return h.employeeAdminPrivileges }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/admin-privileges", fn: func(h *Handler) handlerFunc { return h.changeEmployeeAdminPrivileges }},

		{Method: "GET", Pattern: "/api/v1/audit", fn: func(h *Handler) handlerFunc { return h.listAudit }},
	}
}

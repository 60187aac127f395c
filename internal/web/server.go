// Package web is Switchboard's HTTP front: one handler that serves the JSON
// API, the server-rendered UI and health, behind shared middleware
// (recovery, logging, metrics, authentication, CSRF), and a separate
// handler for the Prometheus metrics.
package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/web/api"
	"github.com/switchboard-voice/switchboard/internal/web/request"
	"github.com/switchboard-voice/switchboard/internal/web/ui"
)

// maxFormBody bounds a UI form submission: a 10 MiB upload plus the
// multipart framing and the other fields.
const maxFormBody = 11 << 20

// Server is the HTTP handler of one node.
type Server struct {
	app      *app.App
	mux      *http.ServeMux
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	limiter  *loginLimiter
	// proxies may set X-Forwarded-For (TrustProxies).
	proxies []netip.Prefix
}

// New builds the handler.
func New(a *app.App) (*Server, error) {
	s := &Server{app: a, mux: http.NewServeMux(), registry: prometheus.NewRegistry(), limiter: newLoginLimiter(20, time.Minute)}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "switchboard_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "switchboard_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	s.registry.MustRegister(s.requests, s.duration, a.Calls.Metrics(), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := a.DB.Ping(r.Context()); err != nil {
			a.Logger.WarnContext(r.Context(), "readiness: database unreachable", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	api.New(a).Register(s.mux)
	a.Provisioning.Register(s.mux) // phones' files, docs/provisioning.md
	pages, err := ui.New(a)
	if err != nil {
		return nil, err
	}
	pages.Register(s.mux)
	return s, nil
}

// Metrics serves the Prometheus exposition of this node's counters. It is
// not on the public handler: the command serves it on its own listen
// address (--metrics), which operators keep off the public network.
func (s *Server) Metrics() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

// ServeHTTP runs the middleware chain and the mux.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r = s.clientBehindProxies(r)
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			s.app.Logger.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p)
			if !rec.wrote {
				api.WriteProblem(rec, api.Problem{Type: api.ProblemInternal, Title: "Internal Server Error",
					Status: http.StatusInternalServerError, Detail: "something went wrong on our side; the error has been logged"})
			}
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.requests.WithLabelValues(route, r.Method, httpCode(rec.status)).Inc()
		s.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
		level := slog.LevelInfo
		// Phones' fetches are logged by the provisioning server with the
		// device they are for (docs/provisioning.md); a second line each
		// would double the cost of a reboot storm's logging.
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || strings.HasPrefix(r.URL.Path, "/prov/") {
			level = slog.LevelDebug
		}
		s.app.Logger.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration_ms", time.Since(start).Milliseconds(), "remote", request.ClientAddr(r))
	}()
	rec.Header().Set("X-Content-Type-Options", "nosniff")
	rec.Header().Set("Referrer-Policy", "same-origin")
	rec.Header().Set("X-Frame-Options", "DENY")
	r, err := s.authenticate(rec, r)
	if err != nil {
		api.WriteProblem(rec, api.ProblemFor(err, s.app.Logger, r))
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/") && r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Forms are read (for the CSRF field) before any handler runs: bound
		// them first. The largest legitimate form is a 10 MiB file upload.
		r.Body = http.MaxBytesReader(rec, r.Body, maxFormBody)
	}
	if msg := checkFormText(r); msg != "" {
		http.Error(rec, msg, http.StatusBadRequest)
		return
	}
	if err := s.checkCSRF(r); err != nil {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			api.WriteProblem(rec, api.Problem{Type: api.ProblemCSRF, Title: "Forbidden", Status: http.StatusForbidden, Detail: err.Error()})
		} else {
			http.Error(rec, err.Error(), http.StatusForbidden)
		}
		return
	}
	if blocked := s.passwordChangeGate(rec, r); blocked {
		return
	}
	if !s.limiter.allow(r) {
		rec.Header().Set("Retry-After", "60")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			api.WriteProblem(rec, api.Problem{Type: api.ProblemTooManyRequests, Title: "Too Many Requests", Status: http.StatusTooManyRequests,
				Detail: "too many login or reset attempts from your address; wait a minute and try again"})
		} else {
			http.Error(rec, "Too many login or reset attempts from your address; wait a minute and try again.", http.StatusTooManyRequests)
		}
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// checkFormText holds the text of a page's form post to the limits the API
// states for the same field names (api.FormTextProblem): valid UTF-8, no
// NUL or other control characters but line breaks and tabs, no
// bidirectional controls in names, a maximum length.
// Text that breaks them is refused here, before any handler, so it never
// reaches the database (PostgreSQL refuses NUL bytes and oversized index
// rows as faults) or a log. File uploads (multipart) are the importers'.
func checkFormText(r *http.Request) string {
	if r.Method != http.MethodPost || strings.HasPrefix(r.URL.Path, "/api/") ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return ""
	}
	if err := r.ParseForm(); err != nil {
		return "The form could not be read; please try again."
	}
	for name, values := range r.Form {
		for _, v := range values {
			if msg := api.FormTextProblem(name, v); msg != "" {
				if !utf8.ValidString(name) || len(name) > 64 {
					name = "a field"
				}
				return fmt.Sprintf("The form was refused: %q %s. Go back, correct it and send the form again.", name, msg)
			}
		}
	}
	return ""
}

// passwordChangeAllowed are the paths a session that must change its
// password may still use.
var passwordChangeAllowed = map[string]bool{
	"/api/v1/auth/me": true, "/api/v1/auth/password": true, "/api/v1/auth/logout": true,
	"/account/password": true, "/logout": true, "/manifest.webmanifest": true, "/api/v1/openapi.json": true,
	// Links from e-mails work whoever is logged in.
	"/reset-password": true, "/confirm-email": true, "/forgot-password": true,
}

// passwordChangeGate answers for a session whose password must change
// (after an administrator's reset, a generated welcome password, or expiry):
// only the change itself, logout and static assets get through.
func (s *Server) passwordChangeGate(w http.ResponseWriter, r *http.Request) bool {
	a, ok := request.AuthFrom(r.Context())
	if !ok || !a.Account.MustChangePassword || passwordChangeAllowed[r.URL.Path] || strings.HasPrefix(r.URL.Path, "/static/") {
		return false
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		api.WriteProblem(w, api.Problem{Type: api.ProblemPasswordChange, Title: "Forbidden", Status: http.StatusForbidden,
			Detail: "your password must be changed before you can continue: POST /api/v1/auth/password"})
		return true
	}
	http.Redirect(w, r, "/account/password", http.StatusSeeOther)
	return true
}

// authenticate resolves a bearer token or the session cookie to an account.
// A bearer token that is wrong is an error; a stale cookie is simply ignored
// (the user sees the login page).
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	token, viaCookie := "", false
	if strings.HasPrefix(r.URL.Path, "/prov/") {
		return r, nil // phones, with their own digest credentials (docs/provisioning.md)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Basic") && (r.URL.Path == "/api/v1/calls/ingest" || r.URL.Path == "/api/v1/calls/channels") {
			return r, nil // a switch's own credentials, checked by the ingest and channel handlers
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") || t == "" {
			return r, derrors.Unauthenticated("the Authorization header must be 'Bearer <token>'")
		}
		token = strings.TrimSpace(t)
	} else if c, err := r.Cookie(request.SessionCookie); err == nil && c.Value != "" {
		token, viaCookie = c.Value, true
	}
	if token == "" {
		return r, nil
	}
	sess, acct, err := s.app.Identity.SessionByToken(r.Context(), token)
	if err == nil && viaCookie && sess.Kind != identity.KindBrowser {
		// An API token is never a browser session: as a cookie it would
		// escape the session's idle and absolute limits.
		err = derrors.ErrUnauthenticated
	}
	if errors.Is(err, derrors.ErrUnauthenticated) {
		if viaCookie {
			request.ClearSessionCookie(w, r)
			return r, nil
		}
		return r, errExpiredToken
	}
	if err != nil {
		return r, err
	}
	ctx := request.WithAuth(r.Context(), request.Auth{Account: acct, Session: sess, Token: token, ViaCookie: viaCookie})
	ctx = audit.WithActor(ctx, audit.Actor{ID: acct.ID, Username: acct.Username, ProviderID: acct.ProviderID})
	return r.WithContext(ctx), nil
}

var errExpiredToken = derrors.Unauthenticated("the bearer token is unknown or has expired; log in again")

// checkCSRF requires the session's CSRF token on every unsafe request
// authenticated by the cookie: in the X-CSRF-Token header (API, scripts) or
// the csrf_token form field (HTML forms). Bearer-token calls need none, as a
// browser never attaches a bearer token by itself.
func (s *Server) checkCSRF(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	a, ok := request.AuthFrom(r.Context())
	if !ok || !a.ViaCookie {
		return nil
	}
	got := r.Header.Get(request.CSRFHeader)
	if got == "" && !strings.HasPrefix(r.URL.Path, "/api/") {
		got = r.PostFormValue(request.CSRFField)
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.Session.CSRFToken)) != 1 {
		return errors.New("the request is missing its CSRF token or it does not match the session; reload the page and try again")
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

func httpCode(c int) string { return strconv.Itoa(c) }

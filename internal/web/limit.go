package web

import (
	"net/http"
	"sync"
	"time"

	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// loginLimiter bounds login and password-reset attempts per client address
// with a fixed window per address. It is per node and safe to lose (a
// restart forgets it); the lockout in identity is the durable defence.
type loginLimiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	windows map[string]*attempts
	now     func() time.Time
}

type attempts struct {
	start time.Time
	n     int
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window, windows: map[string]*attempts{}, now: time.Now}
}

// limited are the endpoints that try credentials or send mail.
var limited = map[string]bool{
	"POST /api/v1/auth/login": true, "POST /api/v1/auth/password-reset": true, "POST /api/v1/auth/password-reset/confirm": true,
	"POST /login": true, "POST /reset-password": true, "POST /forgot-password": true,
}

// allow counts r against its address when it is a limited endpoint.
func (l *loginLimiter) allow(r *http.Request) bool {
	if !limited[r.Method+" "+r.URL.Path] {
		return true
	}
	addr := request.ClientAddr(r)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.windows) > 10_000 {
		// Bound memory under a spray of addresses: forget finished windows.
		for k, a := range l.windows {
			if now.Sub(a.start) >= l.window {
				delete(l.windows, k)
			}
		}
	}
	a := l.windows[addr]
	if a == nil || now.Sub(a.start) >= l.window {
		l.windows[addr] = &attempts{start: now, n: 1}
		return true
	}
	a.n++
	return a.n <= l.max
}

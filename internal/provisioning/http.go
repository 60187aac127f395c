package provisioning

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// Realm is the digest realm of the provisioning server's challenges.
const Realm = "Switchboard provisioning"

// Register mounts the phones' endpoints (docs/provisioning.md): files by
// name with digest authentication, and the same files under a per-device
// secret path for phones that cannot answer a challenge.
func (s *Service) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /prov/{file}", s.serveDigest)
	mux.HandleFunc("GET /prov/{mac}/{secret}/{file}", s.serveSecretPath)
}

func (s *Service) serveDigest(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, r.PathValue("file"), "", "")
}

func (s *Service) serveSecretPath(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, r.PathValue("file"), r.PathValue("mac"), r.PathValue("secret"))
}

// serve answers one fetch. pathMAC and pathSecret are set for the secret
// path; otherwise the phone authenticates with digest (its MAC as the
// username).
func (s *Service) serve(w http.ResponseWriter, r *http.Request, file, pathMAC, pathSecret string) {
	ctx := r.Context()
	addr := request.ClientAddr(r)
	if wait := s.guard.blocked(addr); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+1)))
		http.Error(w, "too many requests for unknown devices or with wrong credentials from your address; try again later", http.StatusTooManyRequests)
		return
	}
	mac, rest, ok := parseFile(file)
	if !ok {
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	// Which device: the file's MAC, else (a common file) the secret path's
	// or the digest username's.
	lookup := mac
	var cred digest.Credentials
	hasDigest := false
	if pathMAC != "" {
		if m := deviceMAC(pathMAC); m == "" || len(pathMAC) != 12 {
			s.strike(w, addr, "unknown device")
			return
		} else if lookup == "" {
			lookup = m
		} else if m != lookup {
			s.strike(w, addr, "unknown device")
			return
		}
	} else if h := r.Header.Get("Authorization"); h != "" {
		c, err := digest.ParseAuthorization(h)
		if err == nil {
			cred, hasDigest = c, true
			if lookup == "" {
				lookup = deviceMAC(c.Username)
			}
		}
	}
	if lookup == "" {
		// A common file without credentials: ask for them.
		s.challenge(w, false)
		return
	}
	// The device, from this node's memory while its company's revision
	// holds (docs/provisioning.md, "Caching and staleness"): a fetch of a
	// known phone whose configuration did not change reads no database.
	d, err := s.known.device(ctx, lookup)
	if derrors.IsNotFound(err) {
		s.strike(w, addr, "unknown device")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pathMAC == "" && !hasDigest {
		// The first request of a digest exchange: the device exists.
		s.challenge(w, false)
		return
	}
	kind := kindOf(d.family(), rest)
	if d.sealedSecret == "" {
		http.Error(w, "no provisioning credentials were issued for this device; issue them in the portal", http.StatusForbidden)
		return
	}
	secret, err := s.secretOf(d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pathMAC != "" {
		if subtle.ConstantTimeCompare([]byte(pathSecret), []byte(secret)) != 1 {
			s.strike(w, addr, "wrong secret")
			return
		}
	} else {
		if len(cred.Username) != 12 || deviceMAC(cred.Username) != d.MAC || cred.Realm != Realm ||
			!digest.Verify(digest.HA1(cred.Algorithm, cred.Username, Realm, secret), r.Method, cred) || !uriMatches(cred.URI, r) {
			s.guard.strike(addr)
			s.logger.InfoContext(ctx, "provisioning: digest refused", "mac", d.MAC, "remote", addr)
			s.challenge(w, false)
			return
		}
		if !s.nonces.use(cred.Nonce, cred.NC) {
			// Expired, another node's, or a count already used (a replay,
			// or a client that lost count): a fresh challenge, which a
			// phone answers without asking anyone.
			s.challenge(w, true)
			return
		}
	}
	if kind == "" || (kind == fileCommon && yealinkCommonFile(d.Model) != rest) {
		// The device is known and authenticated: a file it has no use for
		// (firmware, logs, another model's common file) is simply missing.
		s.logFetch(ctx, d, file, addr, http.StatusNotFound)
		http.Error(w, "no such file for this device", http.StatusNotFound)
		return
	}
	phonebook := ""
	if kind == fileDevice && d.family() == vendorYealink {
		phonebook = baseURL(r) + secretPath(d.MAC, secret) + strings.ToLower(d.MAC) + "-phonebook.xml"
	}
	key := cacheKey{device: d.ID, kind: kind, extra: phonebook}
	rev := d.revision + "|" + registrarKey(s.CurrentRegistrar())
	f, ok := s.cache.get(key, rev)
	if !ok {
		c, err := s.config(ctx, d, phonebook, kind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		out, err := Render(d, c, kind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sum := sha256.Sum256(out.Body)
		f = cachedFile{rev: rev, Rendered: out, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		s.cache.put(key, f)
	}
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Cache-Control", "private, no-cache")
	s.seen.touch(d.ID)
	if etagMatches(r.Header.Get("If-None-Match"), f.etag) {
		s.logFetch(ctx, d, file, addr, http.StatusNotModified)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.logFetch(ctx, d, file, addr, http.StatusOK)
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	_, _ = w.Write(f.Body)
}

func (s *Service) logFetch(ctx context.Context, d DeviceInfo, file, addr string, status int) {
	s.logger.InfoContext(ctx, "provisioning fetch", "device_id", d.ID, "mac", d.MAC, "file", file, "status", status, "remote", addr)
}

// strike counts a request for an unknown device (or with a wrong secret
// path) against its source address and answers 404: the two look alike.
func (s *Service) strike(w http.ResponseWriter, addr, why string) {
	s.guard.strike(addr)
	s.logger.Info("provisioning: refused", "reason", why, "remote", addr)
	http.Error(w, "no such file", http.StatusNotFound)
}

func (s *Service) challenge(w http.ResponseWriter, stale bool) {
	w.Header().Set("WWW-Authenticate", digest.Challenge(digest.MD5, Realm, s.nonces.issue(), "", stale))
	http.Error(w, "authentication required: the device's MAC and provisioning secret (HTTP digest)", http.StatusUnauthorized)
}

func (s *Service) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.ErrorContext(r.Context(), "provisioning: fetch failed", "path", r.URL.Path, "err", err)
	http.Error(w, "the configuration could not be produced; the error has been logged", http.StatusInternalServerError)
}

// secretOf decrypts the device's provisioning secret, kept in memory until
// it is reissued (its version changes).
func (s *Service) secretOf(d DeviceInfo) (string, error) {
	if v, ok := s.secrets.Load(d.ID); ok {
		if c := v.(cachedSecret); c.version == d.secretVersion && c.sealed == d.sealedSecret {
			return c.secret, nil
		}
	}
	sealer, err := s.sealer()
	if err != nil {
		return "", err
	}
	secret, err := sealer.Open(d.sealedSecret, sealContext(d.ID))
	if err != nil {
		return "", err
	}
	s.secrets.Store(d.ID, cachedSecret{version: d.secretVersion, sealed: d.sealedSecret, secret: secret})
	return secret, nil
}

type cachedSecret struct {
	version        int64
	sealed, secret string
}

// uriMatches checks the digest's uri is the request's, so a response
// computed for one file is not accepted for another.
func uriMatches(uri string, r *http.Request) bool {
	return uri == r.URL.RequestURI() || uri == r.URL.Path
}

func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if request.IsHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func registrarKey(r Registrar) string {
	return r.Domain + "|" + r.Address + "|" + strconv.Itoa(r.Port) + "|" + r.Transport
}

// --- the cache of rendered files ---

type cacheKey struct {
	device int64
	kind   string
	extra  string
}

type cachedFile struct {
	Rendered
	rev, etag string
}

// fileCache keeps rendered files by device and kind with the revision they
// were rendered at, in this node's memory: losing it costs one rendering
// per file. Full, it starts over rather than tracking use.
type fileCache struct {
	mu    sync.RWMutex
	max   int
	files map[cacheKey]cachedFile
}

func newFileCache(max int) *fileCache {
	return &fileCache{max: max, files: map[cacheKey]cachedFile{}}
}

func (c *fileCache) get(k cacheKey, rev string) (cachedFile, bool) {
	c.mu.RLock()
	f, ok := c.files[k]
	c.mu.RUnlock()
	return f, ok && f.rev == rev
}

func (c *fileCache) put(k cacheKey, f cachedFile) {
	c.mu.Lock()
	if len(c.files) >= c.max {
		c.files = map[cacheKey]cachedFile{}
	}
	c.files[k] = f
	c.mu.Unlock()
}

// --- last seen ---

// seenInterval is how often a device's last-seen time is written, and
// seenFlush how long fetches are gathered before they are written in one
// transaction: a reboot storm fetches several files per phone within
// seconds, and a write per fetch would make the database the bottleneck.
const (
	seenInterval = time.Minute
	seenFlush    = 2 * time.Second
)

type seenWriter struct {
	db *store.DB
	// markSeen tells the devices package the phone was seen, which is how
	// a reboot learns that a phone came back by fetching its configuration
	// (docs/sip.md, "Reboot").
	markSeen func(ctx context.Context, id int64, t time.Time) error
	logger   *slog.Logger
	mu       sync.Mutex
	last     map[int64]time.Time // written (or pending) at
	pending  map[int64]int64     // device → fetched at (ms)
}

func newSeenWriter(db *store.DB, logger *slog.Logger, markSeen func(ctx context.Context, id int64, t time.Time) error) *seenWriter {
	return &seenWriter{db: db, logger: logger, markSeen: markSeen, last: map[int64]time.Time{}, pending: map[int64]int64{}}
}

// touch notes that deviceID fetched a file now; it is written within
// seenFlush unless it was written less than seenInterval ago.
func (w *seenWriter) touch(deviceID int64) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.last[deviceID]; ok && now.Sub(t) < seenInterval {
		return
	}
	if len(w.last) > 200000 {
		w.last = map[int64]time.Time{}
	}
	w.last[deviceID] = now
	if len(w.pending) == 0 {
		time.AfterFunc(seenFlush, w.flush)
	}
	w.pending[deviceID] = now.UnixMilli()
}

// flush writes the pending last-seen times in one transaction.
func (w *seenWriter) flush() {
	w.mu.Lock()
	batch := w.pending
	w.pending = map[int64]int64{}
	w.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := w.db.Tx(ctx, func(ctx context.Context) error {
		for id, at := range batch {
			if _, err := w.db.Q(ctx).Exec(ctx, "UPDATE devices SET last_provisioned_at = ? WHERE id = ?", at, id); err != nil {
				return err
			}
			if err := w.markSeen(ctx, id, store.Time(at)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		w.logger.Warn("provisioning: record last seen", "devices", len(batch), "err", err)
	}
}

// FlushLastSeen writes the pending last-seen times now (tests, shutdown).
func (s *Service) FlushLastSeen() { s.seen.flush() }

// --- throttle of unknown devices and wrong credentials ---

// throttle blocks a source address for blockFor after limit strikes within
// a minute, kept per node like the SIP edge's.
type throttle struct {
	mu       sync.Mutex
	limit    int
	blockFor time.Duration
	now      func() time.Time
	sources  map[string]*strikes
}

type strikes struct {
	windowStart time.Time
	count       int
	until       time.Time
}

func newThrottle(limit int, blockMinutes int) *throttle {
	return &throttle{limit: limit, blockFor: time.Duration(blockMinutes) * time.Minute, now: time.Now, sources: map[string]*strikes{}}
}

func (t *throttle) blocked(addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.sources[addr]
	if !ok {
		return 0
	}
	return max(0, s.until.Sub(t.now()))
}

func (t *throttle) strike(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.sources) > 100000 {
		for a, s := range t.sources {
			if now.Sub(s.windowStart) > time.Minute && now.After(s.until) {
				delete(t.sources, a)
			}
		}
	}
	s, ok := t.sources[addr]
	if !ok || now.Sub(s.windowStart) > time.Minute {
		s = &strikes{windowStart: now, until: valueOr(s)}
		t.sources[addr] = s
	}
	s.count++
	if s.count >= t.limit {
		s.until = now.Add(t.blockFor)
	}
}

func valueOr(s *strikes) time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.until
}

// --- nonces ---

// nonceLifetime is how long a challenge's nonce is accepted; later the
// phone is told stale=true and answers again without asking anyone. It
// also bounds the memory of used nonces (nonceKey.use).
const nonceLifetime = 2 * time.Minute

// nonceKey makes stateless nonces: the time they were issued and an HMAC
// of it under a key of this node's, so issuing one keeps nothing (a storm
// of challenges leaves nothing behind). A nonce of another node is stale
// here. What is kept is which nonce counts were accepted: an
// authenticated request is accepted once, and a nonce's count must grow
// (RFC 7616 section 3.3), so a captured request cannot be replayed.
type nonceKey struct {
	key []byte
	now func() time.Time

	mu sync.Mutex
	// used holds the highest count accepted per nonce, in two
	// generations that each span a nonce lifetime: an entry older than
	// that belongs to a nonce that is no longer valid anyway.
	used, previous map[[16]byte]uint32
	rotatedAt      time.Time
}

func newNonceKey() *nonceKey {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic("provisioning: no randomness for the nonce key: " + err.Error())
	}
	return &nonceKey{key: k, now: time.Now, used: map[[16]byte]uint32{}, previous: map[[16]byte]uint32{}}
}

func (n *nonceKey) issue() string {
	var b [8 + 8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(n.now().UnixNano()))
	_, _ = rand.Read(b[8:16])
	m := hmac.New(sha256.New, n.key)
	m.Write(b[:16])
	copy(b[16:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (n *nonceKey) valid(nonce string) bool {
	_, ok := n.check(nonce)
	return ok
}

// check reports whether nonce is one of this node's and still within its
// lifetime, and returns its identity (issue time and random part).
func (n *nonceKey) check(nonce string) ([16]byte, bool) {
	var id [16]byte
	var b [32]byte
	if len(nonce) != base64.RawURLEncoding.EncodedLen(len(b)) {
		return id, false
	}
	if k, err := base64.RawURLEncoding.Decode(b[:], []byte(nonce)); err != nil || k != len(b) {
		return id, false
	}
	m := hmac.New(sha256.New, n.key)
	m.Write(b[:16])
	if !hmac.Equal(m.Sum(nil)[:16], b[16:]) {
		return id, false
	}
	at := time.Unix(0, int64(binary.BigEndian.Uint64(b[:8])))
	age := n.now().Sub(at)
	copy(id[:], b[:16])
	return id, age >= -time.Minute && age < nonceLifetime
}

// use accepts an authenticated request's nonce count once: it must be
// higher than every count accepted before with the same nonce. A client
// without qop sends no count; its nonce is then good for one request.
func (n *nonceKey) use(nonce, nc string) bool {
	id, ok := n.check(nonce)
	if !ok {
		return false
	}
	count := uint32(1)
	if nc != "" {
		v, err := strconv.ParseUint(nc, 16, 32)
		if err != nil || v == 0 {
			return false
		}
		count = uint32(v)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if now := n.now(); now.Sub(n.rotatedAt) >= nonceLifetime {
		n.previous, n.used, n.rotatedAt = n.used, map[[16]byte]uint32{}, now
	}
	last, seen := n.used[id]
	if !seen {
		last = n.previous[id]
	}
	if count <= last {
		return false
	}
	n.used[id] = count
	return true
}

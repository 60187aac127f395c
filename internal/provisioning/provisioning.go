// Package provisioning is the provisioning server desk phones fetch their
// configuration from: Polycom UC Software and Yealink T4x files, in each
// vendor's own layout and key names, rendered from the device's line, the
// registrar, the product defaults and the employee's personal contacts,
// behind per-device credentials (docs/provisioning.md).
package provisioning

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Registrar is where the phones register, as the node was started: the
// SIP domain (the address-of-record host and the lines' digest realm) and
// the address, port and transport of the SIP edge (docs/provisioning.md).
type Registrar struct {
	Domain    string
	Address   string
	Port      int
	Transport string // UDP, TCP or TLS
}

// The transports a registrar may be reached over.
const (
	TransportUDP = "UDP"
	TransportTCP = "TCP"
	TransportTLS = "TLS"
)

// Service issues provisioning credentials and renders and serves the
// configuration files.
type Service struct {
	db      *store.DB
	audit   *audit.Log
	access  *access.Service
	devices *devices.Service
	logger  *slog.Logger

	mu        sync.RWMutex
	registrar Registrar

	// KeyLayout, when set, gives a device's keys, sidecars, soft keys and
	// ringer as the Visual Device Manager resolved them (the devices
	// service's KeyLayout); nil writes no key (keys.go). A device without a
	// layout answers an empty one. What it reads must move the device's
	// updated_at when it changes: that, with the company revision, is how
	// a cached file knows it is stale (devcache.go).
	KeyLayout func(ctx context.Context, deviceID int64) (devices.KeyLayout, error)

	// Directory, when set, says what an employee's phones list: whether
	// their personal contacts are shown, and the contacts their site
	// shares (Company Contacts, then Group Contacts: the features
	// service's PhoneDirectoryOf), each under its one name (FirstName);
	// nil lists the personal contacts only. What it reads must move the
	// company revision when it changes (devcache.go).
	Directory func(ctx context.Context, accountID int64) (personal bool, shared []Contact, err error)

	// Customize, when set, adjusts a device's vendor-neutral configuration
	// after its settings and keys are applied and before it is rendered.
	// It must only read what belongs to dev.
	Customize func(ctx context.Context, dev DeviceInfo, c *Config) error

	cache   *fileCache
	known   *deviceCache
	secrets sync.Map // device id → cachedSecret
	seen    *seenWriter
	guard   *throttle
	nonces  *nonceKey
}

// New returns a Service; SetRegistrar tells it where phones register.
func New(db *store.DB, log *audit.Log, ds *devices.Service, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Service{db: db, audit: log, access: access.New(db), devices: ds, logger: logger,
		cache: newFileCache(50000), known: newDeviceCache(db), guard: newThrottle(10, 5), nonces: newNonceKey()}
	s.seen = newSeenWriter(db, logger, ds.MarkSeen)
	s.registrar = Registrar{Domain: "localhost", Address: "localhost", Port: 5060, Transport: TransportUDP}
	return s
}

// SetRegistrar sets where phones register. Files rendered for the previous
// registrar are no longer served (their revision includes it).
func (s *Service) SetRegistrar(r Registrar) error {
	r.Domain, r.Address = strings.TrimSpace(r.Domain), strings.TrimSpace(r.Address)
	r.Transport = strings.ToUpper(strings.TrimSpace(r.Transport))
	if r.Domain == "" {
		return errors.New("provisioning: the SIP domain is empty")
	}
	if r.Address == "" {
		r.Address = r.Domain
	}
	if r.Port == 0 {
		r.Port = 5060
		if r.Transport == TransportTLS {
			r.Port = 5061
		}
	}
	if r.Port < 1 || r.Port > 65535 {
		return fmt.Errorf("provisioning: registrar port %d is out of range", r.Port)
	}
	switch r.Transport {
	case "":
		r.Transport = TransportUDP
	case TransportUDP, TransportTCP, TransportTLS:
	default:
		return fmt.Errorf("provisioning: unknown registrar transport %q (UDP, TCP or TLS)", r.Transport)
	}
	s.mu.Lock()
	s.registrar = r
	s.mu.Unlock()
	return nil
}

// CurrentRegistrar returns where phones are told to register.
func (s *Service) CurrentRegistrar() Registrar {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.registrar
}

// Credentials are what a phone (or its administrator) needs to fetch the
// device's configuration: the digest username (the MAC) and the secret.
type Credentials struct {
	DeviceID int64  `json:"device_id"`
	Username string `json:"username"`
	Secret   string `json:"secret"`
	// Path is the per-device secret path prefix for phones that cannot
	// answer a digest challenge: files are fetched under it.
	Path string `json:"path"`
}

// sealContext binds a sealed secret to its device: a value copied to
// another row does not open.
func sealContext(deviceID int64) string { return "provisioning:" + strconv.FormatInt(deviceID, 10) }

func (s *Service) sealer() (*devices.Sealer, error) {
	if s.devices.Lines.Sealer == nil {
		return nil, errors.New("no secret key is configured to encrypt provisioning secrets (see --secret-key-file)")
	}
	return s.devices.Lines.Sealer, nil
}

// IssueCredentials (re)issues the provisioning secret of device id and
// returns it once; the old secret stops working at once. Whoever manages
// the device's site may do it; it is audited without the secret.
func (s *Service) IssueCredentials(ctx context.Context, actor access.Actor, id int64) (Credentials, error) {
	if err := s.access.Check(ctx, actor, access.ManageDevices, access.Device(id)); err != nil {
		return Credentials{}, fmt.Errorf("provisioning: issue credentials of device %d: %w", id, err)
	}
	companyID, err := s.devices.CompanyOf(ctx, id)
	if err != nil {
		return Credentials{}, err
	}
	return s.ProvisionCredentials(ctx, companyID, id)
}

// ProvisionCredentials is IssueCredentials for the system (the demo): no
// actor, the caller decided.
func (s *Service) ProvisionCredentials(ctx context.Context, companyID, id int64) (Credentials, error) {
	sealer, err := s.sealer()
	if err != nil {
		return Credentials{}, err
	}
	var out Credentials
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		d, err := s.devices.Device(ctx, companyID, id)
		if err != nil {
			return err
		}
		secret, err := generateSecret()
		if err != nil {
			return err
		}
		sealed, err := sealer.Seal(secret, sealContext(d.ID))
		if err != nil {
			return err
		}
		now := store.Now()
		q := s.db.Q(ctx)
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM device_provisioning WHERE device_id = ?", d.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			_, err = q.Exec(ctx, "UPDATE device_provisioning SET secret_enc = ?, updated_at = ? WHERE device_id = ?", sealed, now, d.ID)
		} else {
			_, err = q.Exec(ctx, "INSERT INTO device_provisioning (device_id, company_id, secret_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
				d.ID, d.CompanyID, sealed, now, now)
		}
		if err != nil {
			return err
		}
		out = Credentials{DeviceID: d.ID, Username: d.MAC, Secret: secret, Path: secretPath(d.MAC, secret)}
		return s.audit.Record(ctx, audit.Event{Event: "Issue Provisioning Credentials", ObjectKind: "device", ObjectID: d.ID,
			ObjectName: d.MAC, CompanyID: d.CompanyID, SiteID: d.SiteID})
	})
	if err != nil {
		return Credentials{}, fmt.Errorf("provisioning: issue credentials of device %d: %w", id, err)
	}
	s.secrets.Delete(id)
	return out, nil
}

// CredentialsOf returns device id's current provisioning credentials, the
// secret decrypted, for the system (the demo prints one device's).
func (s *Service) CredentialsOf(ctx context.Context, companyID, id int64) (Credentials, error) {
	sealer, err := s.sealer()
	if err != nil {
		return Credentials{}, err
	}
	var mac, sealed string
	err = s.db.Q(ctx).QueryRow(ctx, `SELECT d.mac, p.secret_enc FROM devices d JOIN device_provisioning p ON p.device_id = d.id
		WHERE d.company_id = ? AND d.id = ?`, companyID, id).Scan(&mac, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return Credentials{}, fmt.Errorf("provisioning: credentials of device %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("provisioning: credentials of device %d: %w", id, err)
	}
	secret, err := sealer.Open(sealed, sealContext(id))
	if err != nil {
		return Credentials{}, fmt.Errorf("provisioning: credentials of device %d: %w", id, err)
	}
	return Credentials{DeviceID: id, Username: mac, Secret: secret, Path: secretPath(mac, secret)}, nil
}

func secretPath(mac, secret string) string {
	return "/prov/" + strings.ToLower(mac) + "/" + secret + "/"
}

// generateSecret is 24 letters and digits (about 140 bits): phones' web
// forms and URLs take them without escaping.
func generateSecret() (string, error) {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	b := make([]byte, 24)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b), nil
}

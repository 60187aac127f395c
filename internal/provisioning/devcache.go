package provisioning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// RevisionCheckInterval bounds how stale a node's view of a company's
// configuration may be (docs/provisioning.md, "Caching and staleness"):
// a node reads the company's provisioning revision at most this often while
// its phones fetch, and trusts the devices and files it keeps in memory in
// between. A change committed on any node is served by every node at most
// this long (plus one query) after its commit.
const RevisionCheckInterval = 500 * time.Millisecond

// maxCachedDevices bounds the devices a node keeps in memory; full, it
// starts over (a device costs one query to read again).
const maxCachedDevices = 500000

// deviceCache keeps what a fetch needs to know about a device, by MAC,
// tagged with the company revision it was read at, and each company's
// revision as last read: a fetch of a known device whose company did not
// change touches no database.
type deviceCache struct {
	db       *store.DB
	interval time.Duration
	now      func() time.Time

	mu        sync.RWMutex
	devices   map[string]DeviceInfo // by normalised MAC
	companies map[int64]*companyRevision
}

type companyRevision struct {
	mu        sync.Mutex
	revision  int64
	checkedAt time.Time
	commitsAt uint64 // this node's commits when it was read
}

func newDeviceCache(db *store.DB) *deviceCache {
	return &deviceCache{db: db, interval: RevisionCheckInterval, now: time.Now,
		devices: map[string]DeviceInfo{}, companies: map[int64]*companyRevision{}}
}

// device returns the device with the normalised MAC, from memory while its
// company's revision holds, else from the database.
func (c *deviceCache) device(ctx context.Context, mac string) (DeviceInfo, error) {
	c.mu.RLock()
	d, ok := c.devices[mac]
	c.mu.RUnlock()
	if ok {
		rev, err := c.companyRevision(ctx, d.CompanyID)
		if err != nil {
			return d, err
		}
		// Revisions only grow: a device read after the company's last
		// reading is at least as fresh as that reading.
		if d.companyRevision >= rev {
			return d, nil
		}
	}
	d, err := c.load(ctx, mac)
	if derrors.IsNotFound(err) {
		c.mu.Lock()
		delete(c.devices, mac)
		c.mu.Unlock()
	}
	return d, err
}

// companyRevision is the company's provisioning revision, read again when
// the last reading is older than the interval. One fetch reads it while
// the others of the company wait for that reading.
func (c *deviceCache) companyRevision(ctx context.Context, companyID int64) (int64, error) {
	c.mu.RLock()
	r, ok := c.companies[companyID]
	c.mu.RUnlock()
	if !ok {
		c.mu.Lock()
		if r, ok = c.companies[companyID]; !ok {
			r = &companyRevision{}
			c.companies[companyID] = r
		}
		c.mu.Unlock()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// This node's own commits are seen at once; other nodes' within the
	// interval.
	now, commits := c.now(), c.db.Commits()
	if !r.checkedAt.IsZero() && now.Sub(r.checkedAt) < c.interval && commits == r.commitsAt {
		return r.revision, nil
	}
	var rev int64
	err := c.db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(revision), 0) FROM provisioning_revisions WHERE company_id = ?", companyID).Scan(&rev)
	if err != nil {
		return 0, fmt.Errorf("provisioning: revision of company %d: %w", companyID, err)
	}
	r.revision, r.checkedAt, r.commitsAt = rev, now, commits
	return rev, nil
}

// load reads a device by its normalised MAC with its provisioning secret
// (sealed), its revision and its company's revision, in one statement (one
// snapshot: a change committed after it moves the company revision past
// the one recorded here), and keeps it.
func (c *deviceCache) load(ctx context.Context, mac string) (DeviceInfo, error) {
	var d DeviceInfo
	var account sql.NullInt64
	var sealed sql.NullString
	var secretAt, devAt, acctAt, lineAt, lines, contactsRev int64
	err := c.db.Q(ctx).QueryRow(ctx, `SELECT d.id, d.company_id, d.site_id, d.mac, d.label, t.vendor, t.model, t.soft_client, d.account_id, d.updated_at,
		p.secret_enc, COALESCE(p.updated_at, 0), COALESCE(a.first_name, ''), COALESCE(a.last_name, ''), COALESCE(a.updated_at, 0),
		(SELECT COALESCE(MAX(l.updated_at), 0) FROM lines l WHERE l.device_id = d.id),
		(SELECT COUNT(*) FROM lines l WHERE l.device_id = d.id),
		COALESCE((SELECT c.revision FROM contact_directories c WHERE c.account_id = d.account_id), 0),
		COALESCE((SELECT r.revision FROM provisioning_revisions r WHERE r.company_id = d.company_id), 0)
		FROM devices d JOIN device_types t ON t.id = d.type_id
		LEFT JOIN device_provisioning p ON p.device_id = d.id
		LEFT JOIN accounts a ON a.id = d.account_id
		WHERE d.mac = ?`, mac).Scan(&d.ID, &d.CompanyID, &d.SiteID, &d.MAC, &d.Label, &d.Vendor, &d.Model, &d.SoftClient, &account, &devAt,
		&sealed, &secretAt, &d.FirstName, &d.LastName, &acctAt, &lineAt, &lines, &contactsRev, &d.companyRevision)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("provisioning: device %s: %w", mac, derrors.ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("provisioning: device %s: %w", mac, err)
	}
	if account.Valid {
		d.AccountID = account.Int64
	}
	d.sealedSecret, d.secretVersion = sealed.String, secretAt
	// The rendered files are good while the company revision holds (it
	// moves with everything they are made of, tables added later
	// included); the device's own fields make files of a type or user
	// change distinct even if two nodes' revisions were ever confused.
	d.revision = fmt.Sprintf("%d|%d.%d.%d.%d.%d.%d.%d|%s|%s|%t", d.companyRevision, devAt, secretAt, acctAt, lineAt, lines, contactsRev, d.AccountID,
		strings.ToLower(d.Vendor), strings.ToLower(d.Model), d.SoftClient)
	c.mu.Lock()
	if len(c.devices) >= maxCachedDevices {
		c.devices = map[string]DeviceInfo{}
	}
	c.devices[mac] = d
	c.mu.Unlock()
	return d, nil
}

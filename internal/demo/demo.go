// Package demo fills an empty database with a realistic provider: two
// companies, Acme Ltd (three sites, nested groups, about 200 employees) and
// Globex plc (smaller), all sharing one demo password.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// Account is a demo login printed at start-up.
type Account struct {
	Username string
	Role     string
	Company  string
}

// Accounts are the named demo logins.
var Accounts = []Account{
	{"operator", "provider operator (control panel)", ""},
	{"acme.admin", "company administrator", "Acme Ltd"},
	{"leeds.admin", "group administrator of the Leeds site", "Acme Ltd"},
	{"globex.admin", "company administrator", "Globex plc"},
}

// site describes a demo site: its groups (paths below the site), the
// fictional Ofcom drama-number range its people get, the site add-ons it
// has on top of the default catalog's site package, and its employee limit.
type site struct {
	name    string
	address directory.Address
	groups  []string
	numbers string // prefix of a 1000-number drama range
	staff   int
	addOns  []string
	limit   int // 0: none
}

// Seeded reports whether db already holds a provider.
func Seeded(ctx context.Context, a *app.App) (bool, error) {
	_, err := a.Tenancy.FirstProvider(ctx)
	if err == nil {
		return true, nil
	}
	if derrors.IsNotFound(err) {
		return false, nil
	}
	return false, err
}

// Seed creates the demo estate. password must satisfy the password policy.
func Seed(ctx context.Context, a *app.App, password string) error {
	p, err := a.Tenancy.CreateProvider(ctx, "Switchboard Demo Telecom", "GB")
	if err != nil {
		return err
	}
	if _, err := a.Identity.CreateOperator(ctx, p.ID, "operator", password); err != nil {
		return err
	}
	if err := a.Catalog.SeedDefaults(ctx, p.ID); err != nil {
		return err
	}
	if err := a.Devices.SeedDefaultTypes(ctx, p.ID); err != nil {
		return err
	}
	// One hash for every demo account: hashing 230 passwords with argon2id
	// would make the demo take seconds to start.
	hash, err := a.Identity.HashPassword(password)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2026, 11))

	acme, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{
		Name: "Acme Ltd", BalanceMinor: 125_000, DebitLimitMinor: 50_000, ChannelLimit: 60, ConfigAndReg: true, AddEmployee: true})
	if err != nil {
		return err
	}
	acmeSites := []site{
		{"Leeds", directory.Address{Line1: "1 Park Row", City: "Leeds", Postcode: "LS1 5AB", Country: "GB"},
			[]string{"Sales", "Sales/Sales West", "Sales/Sales East", "Support", "Support/Tier 2"}, "+44113496", 90,
			[]string{"Call Centre"}, 120},
		{"London", directory.Address{Line1: "10 Finsbury Square", City: "London", Postcode: "EC2A 1AF", Country: "GB"},
			[]string{"Finance", "Engineering", "Engineering/Platform", "Engineering/Mobile"}, "+44207946", 70, nil, 100},
		{"Manchester", directory.Address{Line1: "3 Hardman Street", City: "Manchester", Postcode: "M3 3HF", Country: "GB"},
			[]string{"Operations", "Operations/Warehouse"}, "+44161496", 40, nil, 0},
	}
	acmeGroups, err := seedCompany(ctx, a, p.ID, acme, acmeSites, hash, rng, "acme.admin", "Alex", "Morgan")
	if err != nil {
		return err
	}
	leeds := acmeGroups["Leeds"]
	if err := addAdmin(ctx, a, p.ID, acme.ID, hash, "leeds.admin", "Priya", "Shah", leeds); err != nil {
		return err
	}

	globex, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{
		Name: "Globex plc", BalanceMinor: -2_500, DebitLimitMinor: 20_000, ChannelLimit: 10, ConfigAndReg: false, AddEmployee: true})
	if err != nil {
		return err
	}
	globexSites := []site{
		{"Reading", directory.Address{Line1: "4 Forbury Place", City: "Reading", Postcode: "RG1 3JH", Country: "GB"},
			[]string{"Research", "Research/Labs"}, "+44118496", 18, nil, 25},
		{"Bristol", directory.Address{Line1: "2 Temple Quay", City: "Bristol", Postcode: "BS1 6DZ", Country: "GB"},
			[]string{"Customer Care"}, "+44117496", 12, []string{"Call Centre"}, 15},
	}
	if _, err = seedCompany(ctx, a, p.ID, globex, globexSites, hash, rng, "globex.admin", "Hank", "Scorpio"); err != nil {
		return err
	}
	if err := seedLines(ctx, a); err != nil {
		return err
	}
	if err := seedSharedAppearance(ctx, a, p.ID, leeds); err != nil {
		return err
	}
	if err := seedDeviceManagement(ctx, a, p.ID, leeds); err != nil {
		return err
	}
	return seedProvisioning(ctx, a)
}

// seedLines issues the SIP line of every active employee with a primary
// device, so a soft client can register as any of them (docs/sip.md).
func seedLines(ctx context.Context, a *app.App) error {
	type owner struct{ company, account int64 }
	rows, err := a.DB.Q(ctx).Query(ctx, `SELECT d.company_id, d.account_id FROM devices d JOIN accounts a ON a.id = d.account_id
		WHERE a.status = ? ORDER BY d.id`, directory.StatusActive)
	if err != nil {
		return err
	}
	var owners []owner
	for rows.Next() {
		var o owner
		if err := rows.Scan(&o.company, &o.account); err != nil {
			rows.Close()
			return err
		}
		owners = append(owners, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range owners {
		if _, err := a.Devices.ProvisionPrimaryLine(ctx, o.company, o.account); err != nil {
			return err
		}
	}
	return nil
}

// Line is a demo employee's SIP line, printed at start-up so a soft client
// can register as them.
type Line struct {
	Employee, Username, Password, Realm string
}

// SampleLine returns the first line issued, with its password.
func SampleLine(ctx context.Context, a *app.App) (Line, error) {
	var companyID, lineID int64
	var employee string
	err := a.DB.Q(ctx).QueryRow(ctx, `SELECT l.company_id, l.id, a.username FROM lines l JOIN accounts a ON a.id = l.account_id
		ORDER BY l.id LIMIT 1`).Scan(&companyID, &lineID, &employee)
	if err != nil {
		return Line{}, fmt.Errorf("demo: sample line: %w", err)
	}
	c, err := a.Devices.LineCredentialsOf(ctx, companyID, lineID)
	if err != nil {
		return Line{}, err
	}
	return Line{Employee: employee, Username: c.Username, Password: c.Password, Realm: c.Realm}, nil
}

func seedCompany(ctx context.Context, a *app.App, providerID int64, c tenancy.Company, sites []site, hash string,
	rng *rand.Rand, adminUser, adminFirst, adminLast string) (map[string]int64, error) {
	ids := map[string]int64{}
	used := map[string]bool{}
	if _, err := a.Directory.CreateEmployee(ctx, c.ID, providerID, directory.EmployeeCreateRequest{
		Username: adminUser, Role: access.RoleCompanyAdmin, FirstName: adminFirst, LastName: adminLast,
		Email: adminUser + "@example.com"}, hash); err != nil {
		return nil, err
	}
	if err := activate(ctx, a, adminUser); err != nil {
		return nil, err
	}
	for si, s := range sites {
		g, err := a.Directory.CreateSite(ctx, c.ID, directory.SiteCreateRequest{Name: s.name, Profile: directory.GroupProfile{Address: s.address}})
		if err != nil {
			return nil, err
		}
		ids[s.name] = g.ID
		// Ofcom's drama ranges: real-looking numbers that are never in service.
		if _, err := a.Numbering.AddRange(ctx, c.ID, g.ID, numbering.RangeRequest{Start: s.numbers + "0000", End: s.numbers + "0999"}); err != nil {
			return nil, err
		}
		var leaves []int64
		for _, path := range s.groups {
			parent, name := s.name, path
			if i := strings.LastIndex(path, "/"); i >= 0 {
				parent, name = s.name+"/"+path[:i], path[i+1:]
			}
			sub, err := a.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: ids[parent], Name: name})
			if err != nil {
				return nil, err
			}
			ids[s.name+"/"+path] = sub.ID
			leaves = append(leaves, sub.ID)
		}
		var inService []int64
		for i := 0; i < s.staff; i++ {
			first := firstNames[rng.IntN(len(firstNames))]
			last := surnames[rng.IntN(len(surnames))]
			base := strings.ToLower(first + "." + lettersOnly(last))
			username := base
			for n := 2; used[username]; n++ {
				username = fmt.Sprintf("%s%d", base, n)
			}
			used[username] = true
			groupIDs := []int64{g.ID}
			if len(leaves) > 0 && rng.IntN(4) > 0 {
				groupIDs = []int64{leaves[rng.IntN(len(leaves))]}
			}
			domain := strings.ToLower(strings.Fields(c.Name)[0]) + ".example"
			e, err := a.Directory.CreateEmployee(ctx, c.ID, providerID, directory.EmployeeCreateRequest{
				Username: username, Role: access.RoleEmployee, FirstName: first, LastName: last,
				Email: username + "@" + domain, Phone: fmt.Sprintf("%s%04d", s.numbers, i),
				GroupIDs: groupIDs}, hash)
			if err != nil {
				return nil, err
			}
			if rng.IntN(10) > 0 { // most of the estate is in service
				inService = append(inService, e.ID)
			}
		}
		// Extensions are unique within the company, so each site numbers
		// its own block: 2000-2999 for the first site, 3000-3999 for the next.
		block := 2 + si
		if _, err := a.Numbering.SetExtensionPolicy(ctx, c.ID, g.ID, numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeRange,
			RangeFrom: fmt.Sprintf("%d000", siteBlock(block)), RangeTo: fmt.Sprintf("%d999", siteBlock(block))}); err != nil {
			return nil, err
		}
		if err := activateStaff(ctx, a, providerID, c.ID, g.ID, inService); err != nil {
			return nil, fmt.Errorf("demo: activate staff of %s: %w", s.name, err)
		}
		if err := siteService(ctx, a, providerID, c.ID, g.ID, s); err != nil {
			return nil, fmt.Errorf("demo: package and limit of %s: %w", s.name, err)
		}
	}
	return ids, nil
}

// siteService gives a demo site what the provider would sell with it, as an
// operator does on the site's Package & Limit page: the default catalog's
// site feature package ("Site Essentials"), the site's add-ons, and its
// employee limit, set after its staff are activated.
func siteService(ctx context.Context, a *app.App, providerID, companyID, siteID int64, s site) error {
	ps, err := a.Catalog.Packages(ctx, providerID, catalog.PackageFilter{Kind: catalog.KindSite})
	if err != nil {
		return err
	}
	byName := map[string]catalog.Package{}
	for _, p := range ps {
		byName[p.Name] = p
	}
	pkg, ok := byName["Site Essentials"]
	if !ok || pkg.Type != catalog.TypePackage {
		return fmt.Errorf("the catalog has no site package %q", "Site Essentials")
	}
	var addOns []int64
	for _, name := range s.addOns {
		p, ok := byName[name]
		if !ok || p.Type != catalog.TypeAddOn {
			return fmt.Errorf("the catalog has no site add-on %q", name)
		}
		addOns = append(addOns, p.ID)
	}
	if _, err := a.Catalog.SetSiteOffering(ctx, companyID, siteID, pkg.ID, addOns); err != nil {
		return err
	}
	if s.limit == 0 {
		return nil
	}
	_, err = a.Lifecycle.SetSiteLimit(ctx, companyID, siteID, s.limit)
	return err
}

// siteBlock keeps the demo's extension blocks within 2-9.
func siteBlock(n int) int { return min(n, 9) }

// activateStaff really activates the site's staff through the lifecycle
// service, as an administrator would with a multi-select Activate: the next
// numbers of the site's pool, extensions from its policy, the Standard
// package on a 12-month term, and a soft client each. The job runs at once
// so the demo opens with its staff Active.
func activateStaff(ctx context.Context, a *app.App, providerID, companyID, siteID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var pkg, term, soft int64
	ps, err := a.Catalog.Packages(ctx, providerID, catalog.PackageFilter{})
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Name == "Standard" && p.Kind == catalog.KindEmployee && p.Type == catalog.TypePackage {
			pkg = p.ID
		}
	}
	ts, err := a.Catalog.Terms(ctx, providerID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Months == 12 {
			term = t.ID
		}
	}
	types, err := a.Devices.Types(ctx, providerID)
	if err != nil {
		return err
	}
	for _, t := range types {
		if t.SoftClient {
			soft = t.ID
		}
	}
	desks, err := deskTypes(ctx, a, providerID)
	if err != nil {
		return err
	}
	req := lifecycle.ActivateRequest{SiteID: siteID, UserType: lifecycle.IPCentrex, TermID: term, PackageID: pkg}
	for i, id := range ids {
		device := lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: soft}
		if i < len(desks) {
			// The site's first employees have desk phones (phones.go).
			device = lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: desks[i], MAC: deskMAC(i, id)}
		}
		req.Employees = append(req.Employees, lifecycle.ActivateEmployee{EmployeeID: id, Device: device})
	}
	// The demo loader acts as the provider that set the company up.
	provider := access.Actor{Role: access.RoleProvider, ProviderID: providerID}
	if _, err := a.Lifecycle.Activate(ctx, provider, companyID, req); err != nil {
		return err
	}
	_, err = a.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx)
	return err
}

func addAdmin(ctx context.Context, a *app.App, providerID, companyID int64, hash, username, first, last string, groupID int64) error {
	e, err := a.Directory.CreateEmployee(ctx, companyID, providerID, directory.EmployeeCreateRequest{
		Username: username, Role: access.RoleGroupAdmin, FirstName: first, LastName: last,
		Email: username + "@example.com", GroupIDs: []int64{groupID}}, hash)
	if err != nil {
		return err
	}
	if err := activate(ctx, a, username); err != nil {
		return err
	}
	return a.Directory.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: groupID, AccountID: e.ID}}, nil)
}

// activate marks a demo account active. Real activation (number, device,
// licence) is a job of its own; the demo only needs the status shown.
func activate(ctx context.Context, a *app.App, username string) error {
	return a.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := a.DB.Q(ctx).Exec(ctx, "UPDATE accounts SET status = ?, updated_at = ? WHERE username = ?",
			directory.StatusActive, store.Now(), username)
		return err
	})
}

var firstNames = []string{
	"Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Muhammad", "Thomas", "Oscar",
	"William", "James", "Henry", "Leo", "Alfie", "Joshua", "Freddie", "Archie", "Ethan", "Isaac",
	"Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
	"Lily", "Evie", "Isabella", "Sophie", "Ivy", "Freya", "Harper", "Willow", "Daisy", "Florence",
	"Aisha", "Priya", "Rohan", "Siobhan", "Niamh", "Callum", "Rhys", "Eilidh", "Fraser", "Megan",
}

var surnames = []string{
	"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
	"Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
	"Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill",
	"Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen",
	"James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths",
	"Khan", "Ali", "Begum", "Murphy", "Kelly", "O'Brien", "Campbell", "Stewart", "MacDonald", "Reid",
}

// lettersOnly drops what a username may not hold ("O'Brien" → "OBrien").
func lettersOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return -1
	}, s)
}

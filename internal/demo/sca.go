package demo

import (
	"context"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
)

// seedSharedAppearance gives the demo a shared call appearance
// (docs/devices.md): the site's first desk phone user moves to the
// Advanced package (which has the Shared Call Appearance feature) and
// their line appears on the site's second desk phone, so that phone's
// configuration carries two lines. Nothing is done when the node cannot
// issue lines or the site has fewer than two desk phones in use.
func seedSharedAppearance(ctx context.Context, a *app.App, providerID, siteID int64) error {
	if a.Devices.Lines.Sealer == nil || a.Devices.Lines.Domain == "" {
		return nil
	}
	rows, err := a.DB.Q(ctx).Query(ctx, `SELECT d.id, d.account_id FROM devices d JOIN device_types t ON t.id = d.type_id
		WHERE d.site_id = ? AND d.account_id IS NOT NULL AND t.soft_client = ? ORDER BY d.id LIMIT 2`, siteID, false)
	if err != nil {
		return err
	}
	var phones [][2]int64
	for rows.Next() {
		var d, acct int64
		if err := rows.Scan(&d, &acct); err != nil {
			rows.Close()
			return err
		}
		phones = append(phones, [2]int64{d, acct})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(phones) < 2 {
		return err
	}
	var advanced int64
	ps, err := a.Catalog.Packages(ctx, providerID, catalog.PackageFilter{})
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Name == "Advanced" && p.Kind == catalog.KindEmployee && p.Type == catalog.TypePackage {
			advanced = p.ID
		}
	}
	if advanced == 0 {
		return nil
	}
	provider := access.Actor{Role: access.RoleProvider, ProviderID: providerID}
	owner := phones[0][1]
	if _, err := a.Lifecycle.ChangeService(ctx, provider, owner, lifecycle.ServiceChange{PackageID: &advanced}); err != nil {
		return err
	}
	_, err = a.Devices.AddSharedAppearance(ctx, provider, owner, devices.SharedAppearanceRequest{DeviceID: phones[1][0], AlertAllAppearances: true})
	return err
}

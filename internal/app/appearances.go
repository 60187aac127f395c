package app

import (
	"context"

	"github.com/switchboard-voice/switchboard/internal/features"
)

// sharedAppearances is an employee's shared call appearances as the
// features' service data lists them (docs/devices.md).
func (a *App) sharedAppearances(ctx context.Context, companyID, employeeID int64) ([]features.SharedAppearanceData, error) {
	list, err := a.Devices.SharedAppearancesOf(ctx, companyID, employeeID)
	if err != nil {
		return nil, err
	}
	var out []features.SharedAppearanceData
	for _, x := range list {
		out = append(out, features.SharedAppearanceData{Appearance: x.Appearance, DeviceID: x.DeviceID, Username: x.Username,
			AlertAllAppearances: x.AlertAllAppearances, AllowCallMove: x.AllowCallMove})
	}
	return out, nil
}

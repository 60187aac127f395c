package features

import (
	"context"
	"fmt"
)

// EmployeeFeatureState answers, for the system (no actor: the caller has
// decided who may ask), whether the provider's catalog has the feature code
// at all (sold) and whether it is active for the employee: granted by their
// package or add-ons and available to them and to their site. Other
// packages gate what they do on a feature with it (the devices package's
// shared call appearances, docs/devices.md).
func (s *Service) EmployeeFeatureState(ctx context.Context, employeeID int64, code string) (sold, active bool, err error) {
	w, err := s.load(ctx, Employee(employeeID))
	if err != nil {
		return false, false, fmt.Errorf("features: %s of employee %d: %w", code, employeeID, err)
	}
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM catalog_features WHERE provider_id = ? AND code = ?", w.providerID, code).Scan(&n); err != nil {
		return false, false, fmt.Errorf("features: %s of employee %d: %w", code, employeeID, err)
	}
	if n == 0 {
		return false, false, nil
	}
	all, err := s.list(ctx, w)
	if err != nil {
		return true, false, fmt.Errorf("features: %s of employee %d: %w", code, employeeID, err)
	}
	for _, f := range all {
		if f.Code == code {
			return true, f.Active, nil
		}
	}
	return true, false, nil
}

// SharedAppearanceData is one shared call appearance of an employee in the
// service data: the line on another device and its two options, which the
// call engine applies (docs/devices.md, "Shared call appearances").
type SharedAppearanceData struct {
	Appearance          int    `json:"appearance"`
	DeviceID            int64  `json:"device_id"`
	Username            string `json:"username"`
	AlertAllAppearances bool   `json:"alert_all_appearances"`
	AllowCallMove       bool   `json:"allow_call_move"`
}

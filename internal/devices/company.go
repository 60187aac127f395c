package devices

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// CompanyOf returns the company a device belongs to, for callers that hold
// only the device's id (/api/v1/devices/{id}) after access has allowed it.
func (s *Service) CompanyOf(ctx context.Context, id int64) (int64, error) {
	var companyID int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT company_id FROM devices WHERE id = ?", id).Scan(&companyID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("devices: device %d: %w", id, derrors.ErrNotFound)
	}
	return companyID, err
}

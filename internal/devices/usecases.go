package devices

import (
	"context"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Device types and the devices under a site as actions of an actor
// (docs/architecture.md, "The use-case layer"). Device types are the
// provider's catalog: every account of the provider reads them, provider
// operators change them (access.ManageCatalog). A site's devices are for
// whoever manages the site's devices (access.ManageDevices): operators, the
// company's administrators and the group administrators of the site.

// DeviceTypes is the provider's device types.
func (s *Service) DeviceTypes(ctx context.Context, actor access.Actor) ([]Type, error) {
	return s.Types(ctx, actor.ProviderID)
}

// AddDeviceType adds a device type to the provider's catalog.
func (s *Service) AddDeviceType(ctx context.Context, actor access.Actor, t Type) (Type, error) {
	if err := s.access.Check(ctx, actor, access.ManageCatalog, access.Provider(actor.ProviderID)); err != nil {
		return Type{}, fmt.Errorf("devices: add device type: %w", err)
	}
	return s.CreateType(ctx, actor.ProviderID, t)
}

// SiteDeviceList is the devices of a site (free: only those nobody uses).
func (s *Service) SiteDeviceList(ctx context.Context, actor access.Actor, siteID int64, free bool) ([]Device, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return nil, fmt.Errorf("devices: devices of site %d: %w", siteID, err)
	}
	return s.SiteDevices(ctx, companyID, siteID, free)
}

// SiteDeviceListPage is SiteDeviceList for the API, one page at a time:
// p.After continues a keyset walk in MAC order and the total is counted only
// when p.Count asks. The access check runs for every page; a cursor only
// positions.
func (s *Service) SiteDeviceListPage(ctx context.Context, actor access.Actor, siteID int64, free bool, p store.Page) (DevicePage, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return DevicePage{Total: -1}, fmt.Errorf("devices: devices of site %d: %w", siteID, err)
	}
	return s.SiteDevicesPage(ctx, companyID, siteID, free, p)
}

// AddDevice adds a device under a site; req.SiteID is set from siteID.
func (s *Service) AddDevice(ctx context.Context, actor access.Actor, siteID int64, req DeviceCreateRequest) (Device, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return Device{}, fmt.Errorf("devices: add device to site %d: %w", siteID, err)
	}
	var providerID int64
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT provider_id FROM companies WHERE id = ?", companyID).Scan(&providerID); err != nil {
		return Device{}, fmt.Errorf("devices: add device to site %d: %w", siteID, err)
	}
	req.SiteID = siteID
	return s.Create(ctx, providerID, companyID, req)
}

// ViewDevice is one device, for whoever manages its site's devices.
func (s *Service) ViewDevice(ctx context.Context, actor access.Actor, id int64) (Device, error) {
	if err := s.access.Check(ctx, actor, access.ManageDevices, access.Device(id)); err != nil {
		return Device{}, fmt.Errorf("devices: device %d: %w", id, err)
	}
	companyID, err := s.CompanyOf(ctx, id)
	if err != nil {
		return Device{}, err
	}
	return s.Device(ctx, companyID, id)
}

// DeleteDevice deletes a device nobody uses.
func (s *Service) DeleteDevice(ctx context.Context, actor access.Actor, id int64) error {
	d, err := s.ViewDevice(ctx, actor, id)
	if err != nil {
		return err
	}
	return s.Delete(ctx, d.CompanyID, d.ID)
}

package api_test

import (
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

func deviceReq(site, typeID int64, mac string) devices.DeviceCreateRequest {
	return devices.DeviceCreateRequest{SiteID: site, TypeID: typeID, MAC: mac}
}

func ownerOf(id int64) numbering.Owner { return numbering.Owner{Kind: numbering.OwnerUser, ID: id} }

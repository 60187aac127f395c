package api

import (
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/calls"
)

// postChannels is POST /api/v1/calls/channels: a switch tells which calls
// started and ended (or, with snapshot, which are in progress now), so the
// control panel shows each customer's channels in use. Authenticated like
// ingest: the switch's name and token with HTTP Basic.
func (h *Handler) postChannels(w http.ResponseWriter, r *http.Request) error {
	sw, err := h.switchOf(w, r)
	if err != nil {
		return err
	}
	var in calls.ChannelEvents
	if err := decode(r, &in); err != nil {
		return err
	}
	rep, err := h.app.Calls.RecordChannels(r.Context(), sw, in)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rep)
	return nil
}

// ChannelsInUse is a customer's calls in progress against its limit.
type ChannelsInUse struct {
	InUse int `json:"in_use"`
	Limit int `json:"limit"`
}

func (h *Handler) companyChannels(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.app.Calls.ChannelsInUse(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	c, err := h.app.Tenancy.ViewCompany(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, ChannelsInUse{InUse: n, Limit: c.ChannelLimit})
	return nil
}

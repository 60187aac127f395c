package calls_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestChannelsInUse: starts count for the customer whose number is a
// party, an end or the call's record ends them, a snapshot replaces the
// switch's list, a call whose end was lost stops counting, bad posts change
// nothing, and another company's count is not readable.
func TestChannelsInUse(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		e.env.AddCast(t)
		a, f := e.env.App, e.env.Fixture
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960001", numbering.Owner{Kind: numbering.OwnerUser, ID: e.west}); err != nil {
			t.Fatal(err)
		}
		e.sync(t)
		admin := e.env.Actor("acme.admin")
		inUse := func() int {
			t.Helper()
			n, err := a.Calls.ChannelsInUse(ctx, admin, f.Acme.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		post := func(in calls.ChannelEvents) calls.ChannelReport {
			t.Helper()
			rep, err := a.Calls.RecordChannels(ctx, e.sw, in)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		rep := post(calls.ChannelEvents{Events: []calls.ChannelEvent{
			{Event: "start", ID: "a", Calling: "+441134960001", Called: "07911123456"},
			{Event: "start", ID: "b", Calling: "07700900123", Called: "01134960001"},
			{Event: "start", ID: "b", Calling: "07700900123", Called: "01134960001"}, // sent twice
			{Event: "start", ID: "x", Calling: "07700900124", Called: "02079460999"}, // nobody's
		}})
		if rep.Started != 4 || rep.Unattributed != 1 || inUse() != 2 {
			t.Fatalf("report %+v, in use %d; want 2 of Acme's calls and one unattributed", rep, inUse())
		}
		if n, err := a.Calls.ChannelsInUse(ctx, e.env.Actor("globex.admin"), f.Acme.ID); !derrors.IsNotFound(err) {
			t.Errorf("another company read Acme's channels: %d, %v", n, err)
		}
		counts := storetest.Counts(t, db)
		for _, bad := range []calls.ChannelEvents{
			{Events: []calls.ChannelEvent{{Event: "end", ID: "a"}, {Event: "ring", ID: "c"}}},
			{Events: []calls.ChannelEvent{{Event: "end", ID: "a"}, {Event: "end", ID: ""}}},
			{Events: []calls.ChannelEvent{{Event: "start", ID: "d", Direction: "sideways"}}},
		} {
			if _, err := a.Calls.RecordChannels(ctx, e.sw, bad); !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("bad post %+v: %v", bad, err)
			}
		}
		storetest.SameCounts(t, counts, storetest.Counts(t, db))
		if rep := post(calls.ChannelEvents{Events: []calls.ChannelEvent{{Event: "end", ID: "a"}}}); rep.Ended != 1 || inUse() != 1 {
			t.Errorf("after the end of a: %+v, %d in use", rep, inUse())
		}
		// The record of b ends it though its end event never came.
		e.ingest(t, fsDoc("b", "07700900123", "+441134960001", time.Now().Add(-time.Minute), 2, 30))
		if inUse() != 0 {
			t.Errorf("b's record did not end it: %d in use", inUse())
		}
		post(calls.ChannelEvents{Events: []calls.ChannelEvent{{Event: "start", ID: "c", Calling: "+441134960001", Called: "07911123456"}}})
		post(calls.ChannelEvents{Snapshot: true, Events: []calls.ChannelEvent{
			{Event: "start", ID: "d", Calling: "+441134960001", Called: "07911123457"},
			{Event: "start", ID: "e", Calling: "+441134960001", Called: "07911123458"},
		}})
		if inUse() != 2 {
			t.Errorf("after a snapshot of d and e: %d in use, want 2 (c ended)", inUse())
		}
		// A call whose end was lost stops counting after the longest call.
		post(calls.ChannelEvents{Events: []calls.ChannelEvent{{Event: "start", ID: "old", Calling: "+441134960001", Called: "07911123459",
			At: time.Now().Add(-calls.MaxCallDuration - time.Minute)}}})
		if inUse() != 2 {
			t.Errorf("a call started more than %v ago counts: %d in use", calls.MaxCallDuration, inUse())
		}
		if n, err := a.Calls.PurgeEndedChannels(ctx); err != nil || n != 1 {
			t.Errorf("purge removed %d, %v; want the stale call", n, err)
		}
	})
}

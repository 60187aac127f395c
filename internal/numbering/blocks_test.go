package numbering_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestNumberRangeParametersValidation(t *testing.T) {
	cases := []struct {
		name  string
		p     numbering.NumberRangeParameters
		field string
	}{
		{"ok", numbering.NumberRangeParameters{Prefix: "8", Digits: 6, First: 100000, Last: 999999, BlockSize: 1000}, ""},
		{"no prefix", numbering.NumberRangeParameters{Digits: 4, First: 0, Last: 9999, BlockSize: 100}, ""},
		{"prefix not digits", numbering.NumberRangeParameters{Prefix: "8a", Digits: 6, First: 0, Last: 999, BlockSize: 10}, "prefix"},
		{"prefix too long", numbering.NumberRangeParameters{Prefix: "1234567", Digits: 6, First: 0, Last: 999, BlockSize: 10}, "prefix"},
		{"digits too few", numbering.NumberRangeParameters{Digits: 1, First: 0, Last: 9, BlockSize: 1}, "digits"},
		{"last too wide", numbering.NumberRangeParameters{Digits: 4, First: 0, Last: 10000, BlockSize: 100}, "last"},
		{"reversed", numbering.NumberRangeParameters{Digits: 4, First: 5000, Last: 4000, BlockSize: 100}, "last"},
		{"block too big", numbering.NumberRangeParameters{Digits: 4, First: 0, Last: 99, BlockSize: 1000}, "block_size"},
		{"block zero", numbering.NumberRangeParameters{Digits: 4, First: 0, Last: 99, BlockSize: 0}, "block_size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.p
			err := p.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, derrors.ErrInvalid) || fieldOf(err) != c.field {
				t.Errorf("Validate = %v (field %q), want %q", err, fieldOf(err), c.field)
			}
		})
	}
}

func TestInternalBlocks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		// Before parameters: the control panel's explanation.
		before := f.auditTotal(t)
		_, err := f.svc.AssignInternalBlock(ctx, f.acme.ID)
		expectErr(t, "no parameters", err, derrors.ErrConflict,
			"The Number Range Parameters must be defined before an Internal Number Block can be assigned.")
		if f.auditTotal(t) != before {
			t.Error("refused block audited")
		}
		if _, err := f.svc.NumberRangeParameters(ctx, f.provider.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("parameters before definition: %v", err)
		}

		p, err := f.svc.SetNumberRangeParameters(ctx, f.provider.ID, numbering.NumberRangeParameters{
			Prefix: "88", Digits: 5, First: 1000, Last: 1299, BlockSize: 100})
		if err != nil || p.Blocks != 3 {
			t.Fatalf("SetNumberRangeParameters = %+v, %v", p, err)
		}
		if e := f.lastEvent(t); e.Event != "Set Number Range Parameters" {
			t.Errorf("audit = %s", e.Event)
		}
		want := []struct {
			company     int64
			first, last string
		}{
			{f.acme.ID, "8801000", "8801099"},
			{f.globex.ID, "8801100", "8801199"},
			{f.acme.ID, "8801200", "8801299"},
		}
		var ids []int64
		for i, w := range want {
			b, err := f.svc.AssignInternalBlock(ctx, w.company)
			if err != nil {
				t.Fatalf("block %d: %v", i, err)
			}
			if b.First != w.first || b.Last != w.last || b.Size != 100 || b.CompanyID != w.company {
				t.Errorf("block %d = %+v, want %s-%s", i, b, w.first, w.last)
			}
			ids = append(ids, b.ID)
		}
		if e := f.lastEvent(t); e.Event != "Assign Internal Number Block" || e.CompanyID != f.acme.ID {
			t.Errorf("audit = %+v", e)
		}
		_, err = f.svc.AssignInternalBlock(ctx, f.globex.ID)
		expectErr(t, "exhausted", err, derrors.ErrConflict, "every internal number block is assigned")

		acme, err := f.svc.InternalBlocks(ctx, f.acme.ID)
		if err != nil || len(acme) != 2 || acme[0].First != "8801000" {
			t.Errorf("Acme blocks = %+v, %v", acme, err)
		}
		// Only the last number may change once blocks exist.
		_, err = f.svc.SetNumberRangeParameters(ctx, f.provider.ID, numbering.NumberRangeParameters{
			Prefix: "77", Digits: 5, First: 1000, Last: 1299, BlockSize: 100})
		expectErr(t, "change prefix", err, derrors.ErrConflict, "only the last number can change")
		_, err = f.svc.SetNumberRangeParameters(ctx, f.provider.ID, numbering.NumberRangeParameters{
			Prefix: "88", Digits: 5, First: 1000, Last: 1250, BlockSize: 100})
		expectErr(t, "shrink below a block", err, derrors.ErrConflict, "cannot go below 1299")
		if _, err := f.svc.SetNumberRangeParameters(ctx, f.provider.ID, numbering.NumberRangeParameters{
			Prefix: "88", Digits: 5, First: 1000, Last: 1399, BlockSize: 100}); err != nil {
			t.Fatalf("grow: %v", err)
		}
		b, err := f.svc.AssignInternalBlock(ctx, f.globex.ID)
		if err != nil || b.First != "8801300" {
			t.Errorf("after growing: %+v, %v", b, err)
		}
		// A removed block is handed out again first.
		if err := f.svc.RemoveInternalBlock(ctx, f.globex.ID, ids[0]); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Globex removing Acme's block: %v", err)
		}
		if err := f.svc.RemoveInternalBlock(ctx, f.globex.ID, ids[1]); err != nil {
			t.Fatal(err)
		}
		b, err = f.svc.AssignInternalBlock(ctx, f.acme.ID)
		if err != nil || b.First != "8801100" {
			t.Errorf("reuse of a removed block: %+v, %v", b, err)
		}
		if _, err := f.svc.SetNumberRangeParameters(ctx, f.provider.ID+99, numbering.NumberRangeParameters{
			Digits: 4, First: 0, Last: 9999, BlockSize: 100}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("unknown provider: %v", err)
		}
	})
}

package calls

import "testing"

func TestNormalise(t *testing.T) {
	for _, tc := range []struct {
		raw, norm string
		kind      numberKind
	}{
		{"+44 113 496 0000", "+441134960000", kindE164},
		{"01134960000", "+441134960000", kindE164},
		{"00441134960000", "+441134960000", kindE164},
		{"sip:1001@pbx.example.net", "1001", kindExtension},
		{"1001", "1001", kindExtension},
		{"999", "999", kindExtension},
		{"0906 123 4567", "+449061234567", kindE164},
		{"anonymous", "anonymous", kindOther},
		{"0800123", "0800123", kindOther},
		{"", "", kindNone},
	} {
		got := normalise(tc.raw, "GB")
		if got.Norm != tc.norm || got.kind != tc.kind {
			t.Errorf("normalise(%q) = %q (kind %d), want %q (kind %d)", tc.raw, got.Norm, got.kind, tc.norm, tc.kind)
		}
	}
}

// TestClassifyExternal covers every traffic class a destination outside
// the provider can have; On-Net is decided by attribution (ingest tests).
func TestClassifyExternal(t *testing.T) {
	for _, tc := range []struct {
		number string
		want   Traffic
	}{
		{"+33142685300", International},
		{"0035312345678", International},
		{"+12025550123", International},
		{"09061234567", PremiumRate},
		{"09098790000", PremiumRate},
		{"08001111", NonGeographic},
		{"0800 123 4567", NonGeographic},
		{"03001234567", NonGeographic},
		{"08712345678", PremiumRate}, // a service-charge number, which libphonenumber counts as premium rate
		{"07911123456", Mobile},
		{"07700900123", OffNet}, // Ofcom keeps 07700 900xxx for drama: no real number
		{"07400123456", Mobile},
		{"01134960000", National},
		{"02079460000", National},
		{"999", OffNet},
		{"anonymous", OffNet},
	} {
		if got := classifyExternal(normalise(tc.number, "GB"), "GB"); got != tc.want {
			t.Errorf("classify %s = %s, want %s", tc.number, got.Label(), tc.want.Label())
		}
	}
}

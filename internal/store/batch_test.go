package store

import "testing"

func TestBatchSize(t *testing.T) {
	for _, tc := range []struct{ n, max, want int }{
		{10_000, 512, 512}, {512, 512, 512}, {511, 512, 256}, {300, 512, 256}, {3, 512, 2}, {1, 512, 1},
	} {
		if got := BatchSize(tc.n, tc.max); got != tc.want {
			t.Errorf("BatchSize(%d, %d) = %d, want %d", tc.n, tc.max, got, tc.want)
		}
	}
	if got := RepeatRow(3, "(?, ?)"); got != "(?, ?), (?, ?), (?, ?)" {
		t.Errorf("RepeatRow = %q", got)
	}
}

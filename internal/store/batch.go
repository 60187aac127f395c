package store

import "strings"

// BatchSize is how many of n rows the next multi-row statement takes: max
// while that many remain, then the largest power of two that fits. The
// statement texts are thus of a few sizes only, so the caches of rewritten
// and prepared statements (the rebind cache here, pgx's statement cache)
// stay small whatever the row counts.
func BatchSize(n, max int) int {
	if n >= max {
		return max
	}
	b := 1
	for b*2 <= n {
		b *= 2
	}
	return b
}

// RepeatRow is n copies of a VALUES row (or any SQL fragment),
// comma-separated.
func RepeatRow(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// Placeholders is n '?' marks, comma-separated, for an IN list.
func Placeholders(n int) string { return RepeatRow(n, "?") }

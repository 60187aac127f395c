package search

// Strategy sets the thresholds that choose how a restricted look-up reaches
// the scope's rows (scope.go), so that the small test fixture can drive
// every path.
type Strategy struct {
	Name                    string
	Direct, Window, Members int
}

// Strategies drive, in turn: the members straight away; the bounded scan
// that finds everything in its window; an exhausted window answered from
// the members; an exhausted window answered by the unbounded scan.
var Strategies = []Strategy{
	{"members", 1 << 30, 1500, 10_000},
	{"scan", 0, 1 << 20, 1 << 30},
	{"window_then_members", 0, 1, 1 << 30},
	{"window_then_range", 0, 1, 0},
}

// UseStrategy sets st and returns a function that restores the defaults.
func UseStrategy(st Strategy) func() {
	d, w, m := directScope, scanWindow, memberScope
	directScope, scanWindow, memberScope = st.Direct, st.Window, st.Members
	return func() { directScope, scanWindow, memberScope = d, w, m }
}

package lifecycle

import (
	"strings"
	"testing"
)

// TestLimitErrorSaysWhatToDo: activating several employees into a site
// with fewer places says how many places are left; a full site says it is
// full.
func TestLimitErrorSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		l      SiteLimit
		asking int
		want   string
	}{
		{SiteLimit{SiteName: "Leeds", EmployeeLimit: 10, Employees: 8}, 3, `site "Leeds" has 2 of its 10 places left (8 active or pending) and 3 employees were chosen: activate at most 2`},
		{SiteLimit{SiteName: "Leeds", EmployeeLimit: 10, Employees: 10}, 3, `site "Leeds" has reached its employee limit of 10 (10 active or pending)`},
		{SiteLimit{SiteName: "Leeds", EmployeeLimit: 10, Employees: 10}, 1, `site "Leeds" has reached its employee limit of 10`},
		{SiteLimit{SiteName: "Leeds", EmployeeLimit: 5, Employees: 7}, 2, `has reached its employee limit of 5 (7 active or pending)`},
	} {
		if got := limitError(tc.l, tc.asking).Error(); !strings.Contains(got, tc.want) {
			t.Errorf("limitError(%+v, %d) = %q, want it to say %q", tc.l, tc.asking, got, tc.want)
		}
	}
}

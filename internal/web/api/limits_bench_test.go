package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkCheckBodyLimits measures what holding a request body to the
// document's limits costs on top of decoding it: one Add Employee body.
func BenchmarkCheckBodyLimits(b *testing.B) {
	body := []byte(`{"company_id":1,"username":"nina.new","password":"Good-Pass-1!","first_name":"Nina","last_name":"New",` +
		`"email":"nina@example.com","phone":"0113 496 0000","group_ids":[1,2,3],"role":"employee",` +
		`"address":{"line1":"1 Park Row","line2":"Floor 2","city":"Leeds","postcode":"LS1 5AB","country":"United Kingdom"}}`)
	r := httptest.NewRequest("POST", "/api/v1/employees", strings.NewReader(""))
	r.Pattern = "POST /api/v1/employees"
	if _, err := limits(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := checkBodyLimits(r, body); err != nil {
			b.Fatal(err)
		}
	}
}

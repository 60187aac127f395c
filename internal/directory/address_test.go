package directory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

// TestEmployeeAddressValidation: each address field is judged on its own
// and named in the error, so the Add Employee form and the profile show
// the message next to the field; a good address is trimmed and passes.
func TestEmployeeAddressValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name   string
		addr   directory.Address
		field  string
		needle string
	}{
		{"line 1 too long", directory.Address{Line1: long(129)}, "address.line1", "address line 1 must be at most 128 characters"},
		{"line 2 on two lines", directory.Address{Line2: "Flat 1\nFloor 2"}, "address.line2", "address line 2 must be one line of text"},
		{"city too long", directory.Address{City: long(129)}, "address.city", "the town or city must be at most 128 characters"},
		{"postcode too long", directory.Address{Postcode: long(33)}, "address.postcode", "the postcode must be at most 32 characters"},
		{"tab in the country", directory.Address{Country: "United\tKingdom"}, "address.country", "the country must be one line of text"},
		{"multi-byte letters count once", directory.Address{City: strings.Repeat("é", 128)}, "", ""},
		{"at the limits", directory.Address{Line1: long(128), Line2: long(128), City: long(128), Postcode: long(32), Country: long(128)}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := directory.EmployeeCreateRequest{Username: "new.person", FirstName: "New", LastName: "Person", Address: c.addr}
			err := req.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var v *derrors.ValidationError
			if !errors.As(err, &v) || len(v.Fields) != 1 || v.Fields[0].Field != c.field || !strings.Contains(v.Fields[0].Message, c.needle) {
				t.Fatalf("Validate = %v, want one error on %s saying %q", err, c.field, c.needle)
			}
		})
	}

	req := directory.EmployeeCreateRequest{Username: "new.person", FirstName: "New", LastName: "Person",
		Address: directory.Address{Line1: "  1 Park Row ", City: " Leeds", Postcode: "LS1 5AB  "}}
	if err := req.Validate(); err != nil {
		t.Fatal(err)
	}
	if a := req.Address; a.Line1 != "1 Park Row" || a.City != "Leeds" || a.Postcode != "LS1 5AB" {
		t.Fatalf("the address is not trimmed: %+v", a)
	}
}

package ui

import "strings"

// fieldView is one labelled input as the "field" template draws it: label,
// value, hint and the field's own error messages, tied together with
// aria-describedby so a screen reader reads them with the input.
type fieldView struct {
	Name         string
	ID           string
	Label        string
	Type         string
	Value        string
	Hint         string
	Autocomplete string
	// Inputmode picks the on-screen keyboard ("numeric" for a PIN).
	Inputmode string
	Errs      []string
	Required  bool
	Readonly  bool
	Full      bool
}

// DescribedBy lists the ids of the hint and error texts.
func (f fieldView) DescribedBy() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if len(f.Errs) > 0 {
		ids = append(ids, f.ID+"-err")
	}
	return strings.Join(ids, " ")
}

// fieldID is the HTML id of the input for field name.
func fieldID(name string) string { return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(name) }

// field is the template function building a fieldView from a form. Options
// are words: "required", "readonly", "full", "hint=…", "auto=…" (the
// autocomplete token), "mode=…" (the inputmode), "value=…" (overrides the
// form value).
func field(f *form, name, label, typ string, opts ...string) fieldView {
	v := fieldView{Name: name, ID: f.ID(name), Label: label, Type: typ}
	if f != nil {
		v.Errs = f.E(name)
		if typ != "password" {
			v.Value = f.V(name)
		}
	}
	for _, o := range opts {
		switch {
		case o == "required":
			v.Required = true
		case o == "readonly":
			v.Readonly = true
		case o == "full":
			v.Full = true
		case strings.HasPrefix(o, "hint="):
			v.Hint = strings.TrimPrefix(o, "hint=")
		case strings.HasPrefix(o, "auto="):
			v.Autocomplete = strings.TrimPrefix(o, "auto=")
		case strings.HasPrefix(o, "mode="):
			v.Inputmode = strings.TrimPrefix(o, "mode=")
		case strings.HasPrefix(o, "value="):
			v.Value = strings.TrimPrefix(o, "value=")
		}
	}
	return v
}

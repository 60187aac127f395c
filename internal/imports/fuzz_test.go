package imports_test

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/imports"
)

// The readers never panic and either read the file or refuse it with a
// validation error, whatever the bytes and the chosen encoding.
func FuzzEmployeeCSV(f *testing.F) {
	f.Add([]byte(imports.EmployeeTemplate()), true)
	f.Add([]byte("First Name,Last Name\r\nJosé,Núñez\r\n"), true)
	f.Add([]byte("\xff\xfeU\x00s\x00"), false)
	f.Add([]byte("Username;First Name;Last Name\na;b;c\n"), false)
	f.Add([]byte("a\"b,c\n\"x"), false)
	f.Fuzz(func(t *testing.T, b []byte, generate bool) {
		for _, enc := range []imports.Encoding{imports.EncodingAuto, imports.EncodingUTF16, imports.EncodingWin1252} {
			text, err := imports.Decode(b, enc)
			if err != nil {
				continue
			}
			rows, _, err := imports.ParseEmployees(text, generate)
			if err == nil && len(rows) > imports.MaxRows {
				t.Fatalf("%d rows, more than MaxRows", len(rows))
			}
			for _, r := range rows {
				_ = imports.UsernameBase(r.FirstName, r.LastName)
			}
		}
	})
}

func FuzzGroupFiles(f *testing.F) {
	for _, ft := range []string{"custom", "outlook", "xml"} {
		b, _, _ := imports.GroupTemplate(ft)
		f.Add(b, ft)
	}
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><groups/>`), "xml")
	f.Add([]byte(`<groups><group name="a"><group name="b" parent="x/y"/></group></groups>`), "xml")
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"koi8-r\"?><groups/>"), "xml")
	f.Fuzz(func(t *testing.T, b []byte, ft string) {
		text, err := imports.Decode(b, imports.EncodingAuto)
		if err != nil {
			return
		}
		specs, err := imports.ParseGroups(text, ft)
		if err == nil && len(specs) > imports.MaxRows*2 {
			t.Fatalf("%d groups", len(specs))
		}
	})
}

// A file at the size limit is read with bounded memory: about a few times
// its size, never more.
func TestLargeFilesBoundedMemory(t *testing.T) {
	var csv bytes.Buffer
	csv.WriteString("Username,First Name,Last Name,Email\r\n")
	for i := 0; csv.Len() < imports.MaxFileSize-200; i++ {
		csv.WriteString("user.name,First,Last,first.last@example.com\r\n")
	}
	var xml bytes.Buffer
	xml.WriteString("<groups>")
	for xml.Len() < imports.MaxFileSize-100 {
		xml.WriteString(`<group name="g"/>`)
	}
	xml.WriteString("</groups>")
	oneField := "Name\r\n\"" + strings.Repeat("x", imports.MaxFileSize-20) + "\"\r\n"
	for name, c := range map[string]struct {
		b  []byte
		fn func(string) error
	}{
		"csv rows": {csv.Bytes(), func(s string) error { _, _, err := imports.ParseEmployees(s, false); return err }},
		"xml":      {xml.Bytes(), func(s string) error { _, err := imports.ParseGroups(s, "xml"); return err }},
		"field":    {[]byte(oneField), func(s string) error { _, err := imports.ParseGroups(s, "custom"); return err }},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		text, err := imports.Decode(c.b, imports.EncodingAuto)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		err = c.fn(text)
		runtime.ReadMemStats(&after)
		grew := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d bytes file, %d MiB allocated, err %v", name, len(c.b), grew>>20, err)
		if grew > 40*uint64(len(c.b)) {
			t.Errorf("%s: %d MiB allocated for a %d MiB file", name, grew>>20, len(c.b)>>20)
		}
	}
	if _, err := imports.Decode(make([]byte, imports.MaxFileSize+1), imports.EncodingAuto); err == nil {
		t.Error("a file over the limit was accepted")
	}
}

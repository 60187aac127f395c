package contacts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// checkParsed asserts what every accepted file must give: bounded entries,
// valid UTF-8, and importable entries that pass the same validation as a
// contact typed in.
func checkParsed(t *testing.T, p parsed, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, derrors.ErrInvalid) {
			t.Fatalf("a parse failure must be a validation error, got %T %v", err, err)
		}
		return
	}
	if len(p.Entries) > MaxEntries {
		t.Fatalf("%d entries", len(p.Entries))
	}
	for _, e := range p.Entries {
		if e.problem != "" {
			continue
		}
		f := e.Fields
		if v := f.validate(); len(v.Fields) > 0 {
			t.Fatalf("entry %d accepted but invalid: %v", e.Row, v)
		}
		for _, s := range f.ptrs() {
			if !utf8.ValidString(*s) {
				t.Fatalf("invalid UTF-8 %q", *s)
			}
		}
		for _, g := range e.Groups {
			if _, err := validateGroupName(g); err != nil {
				t.Fatalf("group %q accepted: %v", g, err)
			}
		}
	}
}

// watchdog turns a hang into a crash the fuzzer records: the returned
// func must be called when the input is done.
func watchdog(b []byte) func() {
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			panic(fmt.Sprintf("input took over 5s: %q", shorten(string(b), 2000)))
		}
	}()
	return func() { close(done) }
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel\r\nHenry,Jackson,01132991002,01132991010,,\r\n"))
	f.Add([]byte("First Name;Last Name;Cell Tel\n\"Jane\";\"Smi\"\"th\";\"0779\n1\"\n"))
	f.Add([]byte("sep=\t\nName\tMobile Phone\nJim Walker\t07956098800\n"))
	f.Add(utf16File("First Name\tLast Name\tHome Tel\r\nŁukasz\tWójcik\t0113\r\n", false))
	f.Add([]byte("Given Name,Family Name,Group Membership,Phone 1 - Type,Phone 1 - Value,Address 1 - Type,Address 1 - Street\nA,B,* myContacts ::: X,Work Fax,1 ::: 2 ::: 3,Home,\"x\ny\"\n"))
	f.Add([]byte("\"First Name\",\"Home Phone\",\"Home Phone 2\",\"Pager\",\"E-mail 3 Address\"\r\n\"Zo\xeb\",\"1\",\"2\",\"3\",\"a@b.c\"\r\n"))
	f.Add([]byte("First Name,Cell Tel\n\"unterminated,1\n"))
	f.Add([]byte("\xef\xbb\xbfFirst Name,Cell Tel,Notes\n'=cmd,'+44 1,'@x\n"))
	// UTF-8 with one broken sequence; an unbalanced quote over rows; a
	// Thunderbird header; Google's "Outlook CSV" system group.
	f.Add([]byte("First Name,Cell Tel\nSiobh\xc3\xa1n,1\nBr\xe9ak,2\n"))
	f.Add([]byte("First Name,Last Name,Cell Tel\n\"Jane,Smith,1\nBob,Ray,2\n\"Al\",Lee,3\n"))
	f.Add([]byte("First Name,Display Name,Primary Email,Pager Number,Work Address 2,Work ZipCode,Web Page 2,Custom 1\nA,Z,a@b.c,5,u,LS1,w,c\n"))
	f.Add([]byte("First Name,Mobile Phone,Categories,Birthday,Gender\nA,1,myContacts;Friends,0/0/00,Unspecified\n"))
	f.Add([]byte("Name,Phone 1 - Value,Event 1 - Label,Event 1 - Value,Address 1 - PO Box,Address 1 - Street,Address 1 - Formatted\nA B,1,Birthday,2000-01-01,12,1 St,elsewhere\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		defer watchdog(b)()
		text, _, _, err := decodeText(b)
		if err != nil {
			return
		}
		p, err := parseCSV(text)
		checkParsed(t, p, err)
	})
}

func FuzzParseVCard(f *testing.F) {
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Jane;;;\r\nFN:Jane Smith\r\nTEL;TYPE=HOME:0113\r\nEND:VCARD\r\n"))
	f.Add([]byte("BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE:M=C3=BC;J=\n=C3\nTEL;CELL:1\nEND:VCARD\n"))
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\\, B\\; C\\n\r\n D\r\nTEL;VALUE=uri;TYPE=\"voice,home\":tel:+1-2;ext=3\r\nCATEGORIES:a\\,b,c\r\nADR:;;\\;;x\r\n"))
	f.Add([]byte("BEGIN:VCARD\nBEGIN:VCARD\nN:a;b\nEND:VCARD\nEND:VCARD\nitem1.EMAIL;type=INTERNET:\"q\"@x.y\n"))
	f.Add(encodeVCard([]Contact{{Fields: full.Fields, GroupIDs: []int64{1}}}, map[int64]string{1: "G"}, vcard4))
	// Organisation cards; a card without END before the next; a fold that
	// lost its space; a 2.1 AGENT; Apple's labels; escaped separators.
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Dentist\r\nORG:Dentist;\r\nX-ABShowAs:COMPANY\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\nORG:N;L\r\nEND:VCARD\r\n"))
	f.Add([]byte("BEGIN:VCARD\nN:One;Ann\nTEL:1\nBEGIN:VCARD\nN:Two;Bob\nNOTE:a\nb: c\nTEL:2\nEND:VCARD\n"))
	f.Add([]byte("BEGIN:VCARD\nVERSION:2.1\nN:A;B\nAGENT:\nBEGIN:VCARD\nTEL:9\nEND:VCARD\nitem1.TEL:3\nitem1.X-ABLabel:_$!<HomeFAX>!$_\nEND:VCARD\n"))
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:a\\;b\\\\;c\\,d;e\r\nCATEGORIES:x\\,y,z\r\nNOTE:p\\Nq\\:r\r\nEND:VCARD\r\n"))
	f.Add(encodeVCard([]Contact{{Fields: Fields{Company: "Acme; Co, Ltd", WorkTel: "2001"}}}, nil, vcard3))
	f.Fuzz(func(t *testing.T, b []byte) {
		defer watchdog(b)()
		text, _, _, err := decodeText(b)
		if err != nil || !isVCard(text) {
			return
		}
		p, err := parseVCards(text)
		checkParsed(t, p, err)
		if err != nil {
			return
		}
		// Whatever was accepted must survive export and re-import.
		var cs []Contact
		for _, e := range p.Entries {
			if e.problem == "" {
				cs = append(cs, Contact{Fields: e.Fields})
			}
		}
		for _, v := range []string{vcard3, vcard4} {
			again, err := parseVCards(string(encodeVCard(cs, nil, v)))
			if len(cs) == 0 {
				continue
			}
			if err != nil || len(again.Entries) != len(cs) {
				t.Fatalf("re-parse %s: %v, %d entries want %d", v, err, len(again.Entries), len(cs))
			}
			for i, e := range again.Entries {
				if e.Fields != cs[i].Fields {
					t.Fatalf("vCard %s round trip:\n%+v\n%+v", v, e.Fields, cs[i].Fields)
				}
			}
		}
	})
}

// TestLargeInputsBounded feeds files at the size limit: they are refused
// or parsed with allocation proportional to the input, and never hang.
func TestLargeInputsBounded(t *testing.T) {
	const size = MaxFileSize - 1024
	manyRows := func() []byte {
		var b bytes.Buffer
		b.WriteString("First Name,Last Name,Cell Tel\r\n")
		for i := 0; b.Len() < size-64; i++ {
			fmt.Fprintf(&b, "F%d,L%d,07700%06d\r\n", i, i, i%1000000)
		}
		return b.Bytes()
	}
	oneField := func() []byte {
		return append([]byte("First Name,Cell Tel,Notes\r\nA,1,\""), bytes.Repeat([]byte("x"), size-40)...)
	}
	quotes := func() []byte { return bytes.Repeat([]byte{'"'}, size) }
	cardLines := func() []byte {
		var b bytes.Buffer
		b.WriteString("BEGIN:VCARD\r\nN:a;b\r\n")
		for b.Len() < size-64 {
			b.WriteString("NOTE:" + strings.Repeat("y", 70) + "\r\n ")
		}
		return b.Bytes()
	}
	manyColumns := func() []byte {
		n := size / 40
		head := "First Name,Cell Tel" + strings.Repeat(",Home Street 2,Home Phone 2,E-mail 3,Categories", n/4)
		row := "\r\nA,1" + strings.Repeat(",s,2,x@y.z,g", n/4)
		return []byte(head + row)
	}
	cases := []struct {
		name    string
		file    []byte
		refused bool
	}{
		{"too many columns", manyColumns(), true},
		{"repeated columns", []byte("First Name,Cell Tel" + strings.Repeat(",Home Street 2,Home Phone 2,E-mail 3,Categories", 240) +
			strings.Repeat("\r\nA,1"+strings.Repeat(",s,2,x@y.z,g", 240), 1000)), false},
		{"too many rows", manyRows(), true},
		{"one huge field", oneField(), false},
		{"only quotes", quotes(), true},
		{"huge folded vCard", cardLines(), false},
		{"over the limit", make([]byte, MaxFileSize+1), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			p, err := parseFile(c.file)
			runtime.ReadMemStats(&after)
			if c.refused != (err != nil) {
				t.Fatalf("refused = %v (%v), want %v", err != nil, err, c.refused)
			}
			checkParsed(t, p, err)
			// Decoding, CSV fields and entries each copy the input at most a
			// few times; 30x leaves room for the runtime but catches blow-ups.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 30*uint64(len(c.file))+(16<<20) {
				t.Errorf("allocated %d MB for a %d MB file", alloc>>20, len(c.file)>>20)
			}
		})
	}
}

// BenchmarkImport1000 previews and confirms a 1000-contact minimal-template
// file into an empty account on SQLite.
func BenchmarkImport1000(b *testing.B) {
	db := storetest.SQLite(b)
	fx := newFixture(b, db)
	rows := make([][]string, 1000)
	for i := range rows {
		rows[i] = []string{fmt.Sprintf("First%04d", i), fmt.Sprintf("Last%04d", i), fmt.Sprintf("0113 496 %04d", i), fmt.Sprintf("020 7946 %04d", i), fmt.Sprintf("07700 9%05d", i), ""}
	}
	file := minimalCSV(rows...)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		owner := fx.employee(b, fmt.Sprintf("bench%d", i))
		b.StartTimer()
		pv, err := fx.svc.PreviewImport(ctx, fx.as(owner), owner, file, ActionOverwrite)
		if err != nil {
			b.Fatal(err)
		}
		res, err := fx.svc.ConfirmImport(ctx, fx.as(owner), owner, pv.ID)
		if err != nil || res.Added != 1000 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

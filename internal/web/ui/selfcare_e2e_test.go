package ui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserContactsImport drives real headless Chromium through the
// self-care portal as an employee: log in with the number, My Account,
// Import (choose the file, read the counts and Details), Confirm, see the
// contacts, Export All.
func TestBrowserContactsImport(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	if _, err := storetest.Exec(t.Context(), env.App.DB, "UPDATE accounts SET phone = ? WHERE id = ?", "01134960500", env.ID("west.one")); err != nil {
		t.Fatal(err)
	}
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	base := env.Server.URL
	do := func(step string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	phone := func() { do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))) }
	desktop := func() { do("desktop width", chromedp.EmulateViewport(1280, 900)) }

	// The file to import: the minimal-template sheet plus one name that is too long.
	file := filepath.Join(t.TempDir(), "contacts_slim.csv")
	if err := os.WriteFile(file, []byte(seedSheet+strings.Repeat("N", 33)+",Long,0113 496 0001\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Log in with the number in international format; land on My Account.
	do("login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "+44 113 496 0500"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ac-profile`)),
	)
	if got := text(`#secrets`); !strings.Contains(got, "PIN") {
		t.Errorf("security section: %q", got)
	}
	shot("selfcare-desktop.png")
	phone()
	shot("selfcare-phone.png")
	desktop()

	// Import, first phase: file and action.
	do("open import",
		chromedp.Navigate(base+"/contacts"),
		chromedp.WaitVisible(chromedp.CSS(`#pc-q`)),
		chromedp.Click(chromedp.CSS(`a[href="/contacts/import"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-file`)),
	)
	if got := text(`#pc-note`); got != "Note: You currently have 0 contacts. If you reach 1000 during the import, any remaining entries will be ignored." {
		t.Errorf("note before import: %q", got)
	}
	do("choose file",
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`input[name=action][value=ignore]`)),
		chromedp.Click(chromedp.CSS(`#pc-import-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pc-confirm`)),
	)
	counts := map[string]string{"#count-added": "4", "#count-updated": "0", "#count-deleted": "0", "#count-ignored": "1"}
	for sel, want := range counts {
		if got := text(sel); got != want {
			t.Errorf("%s = %q, want %s", sel, got, want)
		}
	}
	if got := text(`#pc-details`); !strings.Contains(got, "Row 6") || !strings.Contains(got, "32") {
		t.Errorf("details: %q", got)
	}
	shot("contacts-import-desktop.png")
	phone()
	shot("contacts-import-phone.png")
	desktop()

	// Confirm: the contacts are listed as "Surname, First name".
	do("confirm",
		chromedp.Click(chromedp.CSS(`#pc-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`.pc-list`)),
	)
	list := text(`.pc-list`)
	for _, want := range []string{"Jackson, Henry", "Smith, Jane", "Walker, James", "Jim", "01132991002", "07956098877"} {
		if !strings.Contains(list, want) {
			t.Errorf("contacts list lacks %q: %q", want, list)
		}
	}
	if got := text(`.flash`); !strings.Contains(got, "imported") {
		t.Errorf("flash: %q", got)
	}
	// Select all ticks every contact (contacts.js).
	do("select all", chromedp.Click(chromedp.CSS(`#select-all`)))
	ticked, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("#pc-list input.pick:checked").length`))
	if err != nil || ticked != 4 {
		t.Errorf("select all ticked %d (%v)", ticked, err)
	}
	do("unselect all", chromedp.Click(chromedp.CSS(`#select-all`)))
	shot("contacts-desktop.png")
	phone()
	shot("contacts-phone.png")
	desktop()

	// Export All: the dialog, and the download the Export button asks for.
	do("export all",
		chromedp.Click(chromedp.CSS(`a[href="/contacts/export"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#pc-export`)),
	)
	shot("contacts-export.png")
	got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(async () => {
		const form = document.querySelector("#pc-export").form;
		const mode = form.querySelector("input[name=mode]:checked").value;
		const r = await fetch(form.action + "?mode=" + mode);
		return r.status + "|" + r.headers.get("Content-Disposition") + "|" + (await r.text());
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, `200|attachment; filename=contacts_outlook.csv|`) || !strings.Contains(got, "Business Phone") || !strings.Contains(got, "Jackson") {
		t.Errorf("export download: %.300q", got)
	}
}

package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserControlPanelAndSitePages opens the control panel's customer
// Main page, the catalog, a site's numbers and the Service Offering tab in
// headless Chromium at phone width and desktop width, with screenshots.
func TestBrowserControlPanelAndSitePages(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	seedService(t, env)
	f := env.Fixture
	base := env.Server.URL
	root, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	login := func(user string) (tab, context.CancelFunc) {
		c, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		b := tab{t: t, ctx: c, base: base, shots: shots}
		b.do("login "+user,
			chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
			chromedp.SendKeys(chromedp.CSS(`#f-username`), user),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)),
		)
		return b, cancel
	}
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	op, cancelOp := login("operator")
	defer cancelOp()
	op.do("customer main", chromedp.Navigate(base+"/customers/"+id(f.Acme.ID)), chromedp.WaitVisible(chromedp.CSS(`#contacts-h`)))
	if got := op.text(chromedp.CSS(`.tiles`)); !strings.Contains(got, "Channels in use") {
		t.Errorf("summary tiles: %q", got)
	}
	op.shot("provider-customer-phone.png")
	op.do("add contact", chromedp.Navigate(base+"/customers/"+id(f.Acme.ID)+"/contacts/new"), chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-first-name`), "Pat"), chromedp.SendKeys(chromedp.CSS(`#f-last-name`), "Jones"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "pat.jones@acme.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-public-notes`), "Call before noon."),
		chromedp.Click(chromedp.CSS(`form.card button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := op.text(chromedp.CSS(`section[aria-labelledby=contacts-h] table`)); !strings.Contains(got, "pat.jones") {
		t.Errorf("contact list: %q", got)
	}
	op.shot("provider-contact-added-phone.png")
	op.do("catalog", chromedp.Navigate(base+"/catalog"), chromedp.WaitVisible(chromedp.CSS(`#features-h`)))
	op.shot("provider-catalog-phone.png")
	// Editing a package on a phone: no sideways scrolling, the error next
	// to the field.
	op.do("catalog edit", chromedp.Click(`//a[normalize-space()="Employee Standard"]`), chromedp.WaitVisible(chromedp.CSS(`#catalog-edit`)))
	if wide, err := chromedp.Run(op.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
		t.Errorf("the catalog edit page scrolls sideways on a phone (%v)", err)
	}
	if _, err := chromedp.Run(op.ctx, chromedp.Evaluate[bool](`(document.getElementById('f-name').value = '') === ''`)); err != nil {
		t.Fatal(err)
	}
	op.do("catalog edit refused",
		chromedp.Click(`//form[@id="catalog-edit"]//button[normalize-space()="Save"]`), chromedp.WaitVisible(chromedp.CSS(`#f-name-err`)))
	op.shot("provider-catalog-edit-phone.png")
	// Resellers on a phone: add one, then its administrator.
	op.do("resellers", chromedp.Navigate(base+"/resellers"), chromedp.WaitVisible(chromedp.CSS(`#reseller-add`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Northern Voice"),
		chromedp.Click(`//form[@id="reseller-add"]//button[@type="submit"]`),
		chromedp.WaitVisible(`//*[contains(@class, "flash") and contains(., "reseller has been added")]`),
		chromedp.WaitVisible(chromedp.CSS(`#reseller-admin-add`)))
	op.do("reseller admin", chromedp.SendKeys(chromedp.CSS(`#f-username`), "northern.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(`//form[@id="reseller-admin-add"]//button[@type="submit"]`),
		chromedp.WaitVisible(`//*[contains(@class, "flash") and contains(., "administrator has been added")]`))
	if wide, err := chromedp.Run(op.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
		t.Errorf("the Resellers page scrolls sideways on a phone (%v)", err)
	}
	if _, err := env.App.Identity.Authenticate(context.Background(), "northern.admin", apptest.Password); err != nil {
		t.Errorf("the reseller admin added on a phone cannot log in: %v", err)
	}
	op.do("desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/customers/"+id(f.Acme.ID)), chromedp.WaitVisible(chromedp.CSS(`#contacts-h`)))
	op.shot("provider-customer-desktop.png")

	ca, cancelCA := login("acme.admin")
	defer cancelCA()
	ca.do("numbers", chromedp.Navigate(base+"/sites/"+id(f.Leeds.ID)+"/numbers"), chromedp.WaitVisible(chromedp.CSS(`#ranges-h`)))
	ca.shot("site-numbers-phone.png")
	ca.do("offering", chromedp.Navigate(base+"/service-offering"), chromedp.WaitVisible(chromedp.CSS(`details.package summary`)),
		chromedp.Click(chromedp.CSS(`details.package summary`)), chromedp.WaitVisible(chromedp.CSS(`details.package li`)))
	if got := ca.text(chromedp.CSS(`details.package li`)); !strings.Contains(got, "Hear a tone") {
		t.Errorf("package features: %q", got)
	}
	ca.shot("service-offering-phone.png")
}

package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// formProblems is a script listing, on the page the browser parsed, every
// id used more than once and every input, select or textarea a user fills
// in that has not exactly one label (the labels the browser itself
// associates: for= and wrapping).
const formProblems = `(() => {
  const out = [], seen = {};
  for (const el of document.querySelectorAll('[id]')) {
    if (seen[el.id]) out.push('duplicate id ' + el.id); seen[el.id] = true;
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
    const n = el.labels ? el.labels.length : 0;
    if (n !== 1) out.push((el.id || el.name) + ' has ' + n + ' labels');
  }
  return out;
})()`

// TestBrowserCatalogForms: every catalog page (the list with its four add
// forms and each kind's edit page) has unique ids and one label an input;
// Delete of an entry in use is disabled with the reason the delete gives,
// and offered on one that is free, which then goes. The operator is not
// offered Delete on a site that has groups under it, and is on a group
// without sub-groups.
func TestBrowserCatalogForms(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	sv := env.SeedService(t)
	f := env.Fixture
	ctx := context.Background()
	basic, monthly := sv.Packages["Basic"], sv.Terms["Monthly"]
	if _, err := env.App.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, env.ID("west.one"), basic.ID, nil, monthly.ID); err != nil {
		t.Fatal(err)
	}
	spare, err := env.App.Catalog.CreateFeature(ctx, f.Provider.ID, catalog.FeatureRequest{Code: "spare_feature", Name: "Spare Feature", Category: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	features, err := env.App.Catalog.Features(ctx, f.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	inPackage := basic.Features[0]

	b := signedIn(t, env, "operator")
	pages := []string{"/catalog", fmt.Sprintf("/catalog/features/%d", inPackage.ID), fmt.Sprintf("/catalog/packages/%d", basic.ID),
		fmt.Sprintf("/catalog/terms/%d", monthly.ID)}
	for _, path := range pages {
		b.do(path, chromedp.Navigate(b.base+path), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if probs := b.strs(formProblems); len(probs) > 0 {
			t.Errorf("%s: %s", path, strings.Join(probs, "; "))
		}
	}
	// And with the errors of a refused add shown next to the fields.
	b.do("add a feature with nothing filled in", chromedp.Navigate(b.base+"/catalog"), chromedp.WaitVisible(chromedp.CSS(`#features-h`)),
		chromedp.Click(`//button[normalize-space()="Add feature"]`), chromedp.WaitVisible(chromedp.CSS(`#error-summary`)))
	if probs := b.strs(formProblems); len(probs) > 0 {
		t.Errorf("catalog with errors: %s", strings.Join(probs, "; "))
	}
	if n := b.strs(`[...document.querySelectorAll('#error-summary a')].map(a => String(document.querySelector(a.getAttribute('href')) !== null))`); len(n) == 0 || strings.Contains(strings.Join(n, ","), "false") {
		t.Errorf("the error summary's links do not all reach a field: %v", n)
	}

	// Delete on the list: disabled with the reason while in use.
	b.do("catalog", chromedp.Navigate(b.base+"/catalog"), chromedp.WaitVisible(chromedp.CSS(`#features-h`)))
	row := func(name string) string {
		return fmt.Sprintf(`(() => { const a = [...document.querySelectorAll('main td a')].find(a => a.innerText.trim() === %q);
			const tr = a.closest('tr'), btn = [...tr.querySelectorAll('button')].find(b => b.innerText.startsWith('Delete'));
			return [String(btn.disabled), btn.getAttribute('aria-describedby') ? document.getElementById(btn.getAttribute('aria-describedby')).innerText : ''];
		})()`, name)
	}
	for _, tc := range []struct {
		name, why string
	}{
		{inPackage.Name, "is part of"},
		{basic.Name, "is assigned to 0 site(s) and 1 employee(s)"},
		{monthly.Name, "1 employee(s) are on the term"},
	} {
		got := b.strs(row(tc.name))
		if got[0] != "true" || !strings.Contains(got[1], tc.why) {
			t.Errorf("Delete of %s in use: disabled=%s, reason %q; want disabled with %q", tc.name, got[0], got[1], tc.why)
		}
	}
	if got := b.strs(row(spare.Name)); got[0] != "false" || got[1] != "" {
		t.Errorf("Delete of the free feature: %v", got)
	}
	b.shotsAt("catalog")
	// The disabled Delete and its reason in a list, as a phone shows it.
	b.do("phone width", widths[1].set)
	png, err := chromedp.Run(b.ctx, chromedp.ScreenshotScale(chromedp.CSS(`section[aria-labelledby=terms-h] table`), 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(os.TempDir(), "account-catalog-terms-phone.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("desktop width", widths[0].set)
	b.do("feature edit, in use", chromedp.Navigate(fmt.Sprintf("%s/catalog/features/%d", b.base, inPackage.ID)), chromedp.WaitVisible(chromedp.CSS(`#delete-refused`)))
	if got := b.text(chromedp.CSS(`#delete-refused`)); !strings.Contains(got, "is part of") {
		t.Errorf("edit page's reason: %q", got)
	}
	b.shotsAt("catalog-edit-in-use")
	b.do("delete the free feature", chromedp.Navigate(b.base+"/catalog"), chromedp.WaitVisible(chromedp.CSS(`#features-h`)),
		chromedp.Click(fmt.Sprintf(`//a[normalize-space()=%q]/ancestor::tr//button[starts-with(normalize-space(),"Delete")]`, spare.Name)))
	b.waitFor("catalog-deleted")
	after, err := env.App.Catalog.Features(ctx, f.Provider.ID)
	if err != nil || len(after) != len(features)-1 {
		t.Fatalf("after deleting the free feature: %d features (was %d), %v", len(after), len(features), err)
	}

	// A site with groups under it offers no Delete; a group without does.
	b.do("site with sub-groups", chromedp.Navigate(fmt.Sprintf("%s/groups/%d", b.base, f.Leeds.ID)), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if links := b.strs(`[...document.querySelectorAll('main a')].map(a => a.innerText.trim()).filter(s => s.startsWith('Delete'))`); len(links) > 0 {
		t.Errorf("Leeds has sub-groups, and its page offers %v", links)
	}
	if got := b.text(chromedp.CSS(`#delete-refused`)); !strings.Contains(got, "sub-group") {
		t.Errorf("Leeds: the reason is %q", got)
	}
	b.shotsAt("site-delete-refused")
	b.do("delete confirm of the site", chromedp.Navigate(fmt.Sprintf("%s/groups/%d/delete", b.base, f.Leeds.ID)), chromedp.WaitVisible(chromedp.CSS(`#delete-refused`)))
	if n := b.strs(`[...document.querySelectorAll('main button')].filter(b => b.innerText.includes('Delete')).map(b => b.innerText)`); len(n) > 0 {
		t.Errorf("the confirm step of Leeds offers %v", n)
	}
	g, err := env.App.Directory.Group(ctx, f.Support.ID)
	if err != nil {
		t.Fatal(err)
	}
	b.do("group without sub-groups", chromedp.Navigate(fmt.Sprintf("%s/groups/%d", b.base, g.ID)), chromedp.WaitVisible(chromedp.CSS(`#delete-panel`)))
	if links := b.strs(`[...document.querySelectorAll('#delete-panel a')].map(a => a.innerText.trim())`); len(links) != 1 || links[0] != "Delete group…" {
		t.Errorf("Support offers %v", links)
	}
	// The group admin of Leeds is not offered Delete on the site at all.
	ga := signedIn(t, env, "leeds.admin")
	ga.do("site as its group admin", chromedp.Navigate(fmt.Sprintf("%s/groups/%d", ga.base, f.Leeds.ID)), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if n := ga.strs(`[...document.querySelectorAll('#delete-panel')].map(e => e.innerText)`); len(n) > 0 {
		t.Errorf("leeds.admin is shown %v on the site", n)
	}
}

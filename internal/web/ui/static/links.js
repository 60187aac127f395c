// links.js improves the paged Group Members and Group Admins lists. The
// page works without it: Search, Previous, Next and Save post one form
// and the server carries the unsaved selection from page to page. With
// it, the "Not saved yet" count follows every tick at once, and leaving
// the page by another link while changes are unsaved asks first.
(function () {
  'use strict';
  const form = document.getElementById('links-form');
  if (!form) return;
  const ids = (s) => new Set((s || '').split(',').filter(Boolean));
  const carriedAdd = ids(form.dataset.add);
  const carriedRemove = ids(form.dataset.remove);
  const boxes = Array.from(form.querySelectorAll('input[type=checkbox][name=linked]'));
  const note = document.getElementById('pending-note');
  let submitting = false;

  function pending() {
    const add = new Set(carriedAdd);
    const remove = new Set(carriedRemove);
    for (const box of boxes) {
      const saved = box.dataset.saved === 'true';
      add.delete(box.value);
      remove.delete(box.value);
      if (box.checked && !saved) add.add(box.value);
      if (!box.checked && saved) remove.add(box.value);
    }
    return { add: add.size, remove: remove.size };
  }

  function update() {
    if (!note) return;
    const p = pending();
    document.getElementById('pending-add').textContent = p.add;
    document.getElementById('pending-remove').textContent = p.remove;
    note.hidden = p.add + p.remove === 0;
  }

  form.addEventListener('change', (e) => {
    if (e.target.name === 'linked') update();
  });
  form.addEventListener('submit', () => { submitting = true; });
  window.addEventListener('beforeunload', (e) => {
    const p = pending();
    if (!submitting && p.add + p.remove > 0) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
})();

// summary.js makes the control panel's Summary a small spreadsheet: click a
// cell to select it, Shift+click to extend within its column, Ctrl/Cmd+click
// (or Space on a focused cell) to add or remove one. The bar above the table
// shows the sum and average of the selected cells of one column (an average
// of the values shown, docs/billing.md), and Copy, Copy with Headers and
// Export (CSV) work on the rows and columns that hold a selected cell. The
// page works without it: Download all as CSV exports the whole summary.
(function () {
  'use strict';
  const table = document.getElementById('summary');
  const bar = document.getElementById('selection-bar');
  if (!table || !bar) return;
  const status = document.getElementById('selection-status');
  const headers = Array.from(table.tHead.rows[0].cells);
  const rows = Array.from(table.tBodies[0].rows);
  const cellsOf = (row) => Array.from(row.cells);
  const selected = new Set();
  let anchor = null;

  for (const row of rows) {
    for (const cell of cellsOf(row)) {
      if (!cell.classList.contains('cell')) continue;
      cell.tabIndex = 0;
      cell.setAttribute('aria-selected', 'false');
    }
  }
  table.setAttribute('aria-multiselectable', 'true');

  function pos(cell) {
    return { row: rows.indexOf(cell.parentElement), col: cellsOf(cell.parentElement).indexOf(cell) };
  }
  function set(cell, on) {
    if (on) selected.add(cell); else selected.delete(cell);
    cell.classList.toggle('selected', on);
    cell.setAttribute('aria-selected', on ? 'true' : 'false');
  }
  function clear() { for (const c of Array.from(selected)) set(c, false); }

  function choose(cell, extend, toggle) {
    if (extend && anchor) {
      const a = pos(anchor), b = pos(cell);
      clear();
      const c0 = Math.min(a.col, b.col), c1 = Math.max(a.col, b.col);
      for (let r = Math.min(a.row, b.row); r <= Math.max(a.row, b.row); r++) {
        for (let c = c0; c <= c1; c++) {
          const x = rows[r].cells[c];
          if (x && x.classList.contains('cell')) set(x, true);
        }
      }
    } else if (toggle) {
      set(cell, !selected.has(cell));
      anchor = cell;
    } else {
      const only = selected.size === 1 && selected.has(cell);
      clear();
      if (!only) set(cell, true);
      anchor = cell;
    }
    update();
  }

  function number(cell) {
    const n = Number(cell.dataset.value);
    return Number.isFinite(n) && cell.classList.contains('num') ? n : null;
  }

  function update() {
    bar.hidden = selected.size === 0;
    if (selected.size === 0) return;
    const cols = new Set(Array.from(selected, (c) => pos(c).col));
    let text = selected.size + (selected.size === 1 ? ' cell selected' : ' cells selected');
    if (cols.size === 1) {
      const values = Array.from(selected, number).filter((n) => n !== null);
      if (values.length > 0) {
        const sum = values.reduce((s, n) => s + n, 0);
        const decimals = Math.max(...Array.from(selected, (c) => ((c.dataset.value.split('.')[1]) || '').length));
        const col = headers[[...cols][0]].textContent.trim();
        text += ' in ' + col + ' · Sum ' + sum.toFixed(decimals) + ' · Average ' + (sum / values.length).toFixed(Math.max(decimals, 2));
      }
    } else {
      text += ' in ' + cols.size + ' columns';
    }
    status.textContent = text;
  }

  table.addEventListener('click', (e) => {
    const cell = e.target.closest('td.cell');
    if (!cell || e.target.closest('a')) return;
    choose(cell, e.shiftKey, e.ctrlKey || e.metaKey);
  });
  table.addEventListener('keydown', (e) => {
    const cell = e.target.closest('td.cell');
    if (!cell || (e.key !== ' ' && e.key !== 'Enter')) return;
    e.preventDefault();
    choose(cell, e.shiftKey, true);
  });

  // The block of selected rows and columns, in table order.
  function block(withHeaders) {
    const rs = new Set(), cs = new Set();
    for (const c of selected) { const p = pos(c); rs.add(p.row); cs.add(p.col); }
    const colList = [...cs].sort((a, b) => a - b), rowList = [...rs].sort((a, b) => a - b);
    const out = [];
    if (withHeaders) out.push(colList.map((c) => headers[c].textContent.trim()));
    for (const r of rowList) out.push(colList.map((c) => rows[r].cells[c].dataset.value || ''));
    return out;
  }
  // A spreadsheet must not read a customer's name as a formula.
  const safe = (v) => (/^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v) ? "'" + v : v);
  const tsv = (b) => b.map((r) => r.map((v) => safe(v).replace(/[\t\n]/g, ' ')).join('\t')).join('\n');
  const csv = (b) => b.map((r) => r.map((v) => {
    v = safe(v);
    return /[",\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }).join(',')).join('\r\n') + '\r\n';

  async function copy(withHeaders) {
    const text = tsv(block(withHeaders));
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = 'Copied ' + (withHeaders ? 'with headers' : '') + '.';
    } catch (err) {
      status.textContent = 'The browser did not allow copying: select the text and copy it yourself.';
    }
  }
  document.getElementById('copy-cells').addEventListener('click', () => copy(false));
  document.getElementById('copy-headers').addEventListener('click', () => copy(true));
  document.getElementById('export-cells').addEventListener('click', () => {
    const blob = new Blob([csv(block(true))], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'summary-selection.csv';
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  });
})();

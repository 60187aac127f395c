// Live search for the top bar's search box: as the user types, ask
// GET /api/v1/search (debounced) and show the matches in a drop-down that
// works with the keyboard (arrows, Enter, Escape) and screen readers (an ARIA
// combobox with a listbox). Without JavaScript the box is a plain form that
// opens the Employee Selection page with the query.
//
// It also hides the Search Tool's unused "Search by" fields.
(function () {
  'use strict';

  var input = document.getElementById('top-search');
  if (input && window.fetch) {
    liveSearch(input);
  }
  var by = document.getElementById('st-by');
  if (by) {
    searchToolFields(by);
  }

  function liveSearch(input) {
    var form = input.form;
    var list = document.createElement('ul');
    list.id = 'top-search-results';
    list.className = 'search-results';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Search results');
    list.hidden = true;
    form.appendChild(list);
    var status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    form.appendChild(status);

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', list.id);

    var timer = 0;
    var seq = 0;
    var options = [];
    var active = -1;

    function companyParam() {
      var c = form.querySelector('input[name="company_id"]');
      return c ? '&company_id=' + encodeURIComponent(c.value) : '';
    }

    function close() {
      list.hidden = true;
      list.textContent = '';
      options = [];
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }

    function setActive(i) {
      if (active >= 0 && options[active]) {
        options[active].classList.remove('active');
        options[active].setAttribute('aria-selected', 'false');
      }
      active = i;
      if (i < 0) {
        input.removeAttribute('aria-activedescendant');
        return;
      }
      var o = options[i];
      o.classList.add('active');
      o.setAttribute('aria-selected', 'true');
      input.setAttribute('aria-activedescendant', o.id);
      if (o.scrollIntoView) {
        o.scrollIntoView({block: 'nearest'});
      }
    }

    function heading(text) {
      var li = document.createElement('li');
      li.className = 'group';
      li.setAttribute('role', 'presentation');
      li.textContent = text;
      list.appendChild(li);
    }

    function option(href, main, detail) {
      var li = document.createElement('li');
      li.id = 'top-search-opt-' + options.length;
      li.className = 'option';
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.href = href;
      var strong = document.createElement('span');
      strong.className = 'main';
      strong.textContent = main;
      li.appendChild(strong);
      if (detail) {
        var small = document.createElement('span');
        small.className = 'detail';
        small.textContent = detail;
        li.appendChild(small);
      }
      li.addEventListener('mousedown', function (e) {
        e.preventDefault(); // keep the focus in the box until we navigate
        window.location.href = href;
      });
      list.appendChild(li);
      options.push(li);
    }

    function render(data, q) {
      close();
      var n = data.employees.length + data.sites.length;
      if (data.employees.length) {
        heading('Employees');
        data.employees.forEach(function (e) {
          var name = (e.first_name + ' ' + e.last_name).trim() || e.username;
          var bits = [e.username];
          if (e.site) { bits.push(e.site.name); }
          if (e.number) { bits.push(e.number.national); }
          if (e.extension) { bits.push('ext. ' + e.extension); }
          option('/employees/' + e.id, name, bits.join(' · '));
        });
      }
      if (data.sites.length) {
        heading('Sites');
        data.sites.forEach(function (s) {
          option('/groups/' + s.id, s.name, 'Site');
        });
      }
      if (n === 0) {
        var li = document.createElement('li');
        li.className = 'empty';
        li.setAttribute('role', 'presentation');
        li.textContent = 'No matches for “' + q + '”';
        list.appendChild(li);
      }
      option(form.getAttribute('action') + '?q=' + encodeURIComponent(q) + companyParam(),
        data.more ? 'See all matching employees' : 'Open Employee Selection', '');
      options[options.length - 1].classList.add('all');
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      status.textContent = n === 0 ? 'No matches' : n + (n === 1 ? ' match' : ' matches') + (data.more ? ' shown, more available' : '');
    }

    function run() {
      var q = input.value.trim();
      var id = ++seq;
      if (q === '') {
        close();
        return;
      }
      fetch('/api/v1/search?limit=8&q=' + encodeURIComponent(q) + companyParam(), {
        credentials: 'same-origin',
        headers: {'Accept': 'application/json'}
      }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (data) {
        if (id === seq && data && document.activeElement === input) {
          render(data, data.query);
        }
      }).catch(function () { /* the form still works without the drop-down */ });
    }

    input.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 180);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'Down') {
        if (list.hidden) {
          run();
        } else if (options.length) {
          setActive((active + 1) % options.length);
        }
        e.preventDefault();
      } else if (e.key === 'ArrowUp' || e.key === 'Up') {
        if (options.length) {
          setActive(active <= 0 ? options.length - 1 : active - 1);
        }
        e.preventDefault();
      } else if (e.key === 'Enter') {
        if (!list.hidden && active >= 0) {
          e.preventDefault();
          window.location.href = options[active].dataset.href;
        }
      } else if (e.key === 'Escape' || e.key === 'Esc') {
        if (!list.hidden) {
          e.preventDefault();
          close();
        }
      }
    });
    // Enter on a chosen result opens it, however the browser turns the key
    // into a form submission.
    form.addEventListener('submit', function (e) {
      if (!list.hidden && active >= 0 && options[active]) {
        e.preventDefault();
        window.location.href = options[active].dataset.href;
      }
    });
    input.addEventListener('blur', function () {
      window.setTimeout(close, 150);
    });
  }

  function searchToolFields(select) {
    var groups = document.querySelectorAll('.st-group');
    function sync() {
      for (var i = 0; i < groups.length; i++) {
        groups[i].hidden = groups[i].dataset.by !== select.value;
      }
    }
    select.addEventListener('change', sync);
    sync();
  }
})();

// Employee lifecycle pages, as progressive enhancement (every page works
// without JavaScript):
//  * Activate: choosing a site reloads the form with that site's numbers and
//    devices; each employee's device shows only the chosen mode's fields;
//    a soft-client device type pre-fills the MAC (the number's digits + "A")
//    and is offered only while the user type is IP Centrex (Centrex only).
//  * Service Settings: the primary device fieldset works the same way, with
//    the employee's current number (data-soft-mac) for a soft client.
//  * A job's Status page follows the job's progress through the API and
//    reloads when it ends, to show the per-item results.
(function () {
  'use strict';

  var chooser = document.getElementById('site-chooser');
  if (chooser) {
    var site = document.getElementById('f-site-id');
    chooser.classList.add('js-auto');
    site.addEventListener('change', function () { chooser.submit(); });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.lc-device'), device);

  function device(fs) {
    var modes = fs.querySelectorAll('input.lc-mode');
    var section = fs.closest('section');
    var number = section && section.querySelector('select[name$=".number"]');
    var type = fs.querySelector('select[name$=".type_id"]');
    var mac = fs.querySelector('input[name$=".mac"]');
    var form = fs.closest('form');
    var userType = form && form.querySelector('select[name="user_type"]');
    var lastSoft = fs.getAttribute('data-soft-mac') || '';
    var fixedSoft = lastSoft; // the number when the page offers no choice of it

    function mode() {
      var m = 'new';
      Array.prototype.forEach.call(modes, function (r) { if (r.checked) { m = r.value; } });
      fs.classList.toggle('js-existing', m === 'existing');
      fs.classList.toggle('js-new', m === 'new');
      fs.classList.toggle('js-none', m === 'none');
    }
    function softMAC() {
      if (!number) { return fixedSoft; }
      var digits = number.value.replace(/\D/g, '');
      return digits ? digits + 'A' : '';
    }
    function fillMAC() {
      if (!type || !mac) { return; }
      var opt = type.options[type.selectedIndex];
      var soft = opt && opt.getAttribute('data-soft') === '1';
      var want = softMAC();
      if (soft && (mac.value === '' || mac.value === lastSoft)) {
        mac.value = want;
      } else if (!soft && mac.value === lastSoft && lastSoft !== '') {
        mac.value = '';
      }
      lastSoft = want;
    }
    // A soft client is for IP Centrex users only: under another user type
    // its option is disabled, and a chosen one gives way to the first
    // device type that is allowed (the server refuses it either way).
    function centrexOnly() {
      if (!type || !userType) { return; }
      var allowed = userType.value === '' || userType.value === 'ip_centrex';
      var first = null;
      Array.prototype.forEach.call(type.options, function (o) {
        if (o.getAttribute('data-soft') === '1') { o.disabled = !allowed; } else if (!first && o.value) { first = o; }
      });
      var opt = type.options[type.selectedIndex];
      if (!allowed && opt && opt.disabled && first) {
        type.value = first.value;
        fillMAC();
      }
    }
    Array.prototype.forEach.call(modes, function (r) { r.addEventListener('change', mode); });
    if (userType) { userType.addEventListener('change', centrexOnly); }
    if (type) { type.addEventListener('change', fillMAC); }
    if (number) { number.addEventListener('change', fillMAC); }
    mode();
    fillMAC();
    centrexOnly();
  }

  var job = document.getElementById('job-progress');
  if (job && job.getAttribute('data-running') === '1' && window.fetch) {
    follow(job);
  }

  function follow(box) {
    var id = box.getAttribute('data-job-id');
    var status = document.getElementById('job-status');
    var bar = document.getElementById('job-bar');
    var count = document.getElementById('job-count');
    var labels = { not_started: 'Not Started', in_progress: 'In Progress', completed: 'Completed', error: 'Error', cancelled: 'Cancelled' };
    function poll() {
      fetch('/api/v1/jobs/' + encodeURIComponent(id), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (j) {
          if (!j) { return; }
          var pct = j.total > 0 ? Math.min(100, Math.floor(j.done * 100 / j.total)) : 0;
          bar.value = pct;
          bar.textContent = pct + '%';
          count.textContent = j.done + ' of ' + j.total;
          status.textContent = labels[j.status] || j.status;
          status.className = 'badge job-' + j.status;
          if (j.status === 'not_started' || j.status === 'in_progress') {
            window.setTimeout(poll, 2000);
          } else {
            window.location.replace('/jobs/' + encodeURIComponent(id));
          }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1500);
  }
})();

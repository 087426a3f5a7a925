// desk.js: the desk's keyboard. "/" focuses the search box, "?" lists the
// shortcuts, two-key shortcuts go to pages (g t, g c, n a, n p), and the
// arrow keys move through the search results (Enter follows the link).
// Everything here is a convenience: every page works without it.
(function () {
  'use strict';

  var pages = { 'g t': '/today', 'g c': '/calendar', 'n a': '/appointments/new', 'n p': '/patients/new' };
  var pending = '';
  var pendingTimer = 0;

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function hits() {
    var box = document.getElementById('search-results');
    return box ? Array.prototype.slice.call(box.querySelectorAll('a.search-hit')) : [];
  }

  function go(url) { window.location.assign(url); }

  function closeResults() {
    var box = document.getElementById('search-results');
    if (box) box.innerHTML = '';
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var search = document.getElementById('desk-search');
    var t = e.target;

    // In the search box: down to the first result, Enter opens the first,
    // Escape clears.
    if (search && t === search) {
      var list = hits();
      if (e.key === 'ArrowDown' && list.length) { e.preventDefault(); list[0].focus(); }
      else if (e.key === 'Enter' && list.length) { e.preventDefault(); list[0].click(); }
      else if (e.key === 'Escape') { closeResults(); }
      return;
    }
    // On a result: up and down move, Escape goes back to the box.
    if (t && t.classList && t.classList.contains('search-hit')) {
      var all = hits();
      var i = all.indexOf(t);
      if (e.key === 'ArrowDown' && i < all.length - 1) { e.preventDefault(); all[i + 1].focus(); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); if (i > 0) all[i - 1].focus(); else if (search) search.focus(); }
      else if (e.key === 'Escape' && search) { search.focus(); closeResults(); }
      return;
    }
    if (typing(t)) return;

    if (e.key === '/' && search) { e.preventDefault(); search.focus(); search.select(); return; }
    if (e.key === '?') {
      var d = document.getElementById('shortcuts');
      if (d && d.showModal && !d.open) { e.preventDefault(); d.showModal(); }
      return;
    }
    var key = pending ? pending + ' ' + e.key : e.key;
    window.clearTimeout(pendingTimer);
    pending = '';
    if (pages[key]) { e.preventDefault(); go(pages[key]); return; }
    if (e.key === 'g' || e.key === 'n') {
      pending = e.key;
      pendingTimer = window.setTimeout(function () { pending = ''; }, 1500);
    }
  });

  // The queue board answers its poll with nothing while nobody moved, so
  // the waiting minutes count on here, from the server's clock at render
  // (data-now) plus the time since this board arrived.
  function tickWaits() {
    var boards = document.querySelectorAll('[data-now]');
    for (var b = 0; b < boards.length; b++) {
      var board = boards[b];
      if (!board._arrived) board._arrived = Date.now();
      var now = Number(board.getAttribute('data-now')) + (Date.now() - board._arrived);
      var spans = board.querySelectorAll('[data-since]');
      for (var i = 0; i < spans.length; i++) {
        var m = Math.max(0, Math.floor((now - Number(spans[i].getAttribute('data-since'))) / 60000));
        if (spans[i].textContent !== String(m)) spans[i].textContent = String(m);
      }
    }
  }
  if (document.querySelector('[data-now]')) window.setInterval(tickWaits, 15000);
  document.addEventListener('htmx:afterSwap', tickWaits);

  // The time zone note of a slot picker: hidden when the browser is in
  // the practice's zone already (shown without script, or without Intl).
  function zoneNotes() {
    var here = '';
    try { here = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { return; }
    var notes = document.querySelectorAll('.zone-note[data-zone]');
    for (var i = 0; i < notes.length; i++) {
      notes[i].hidden = here !== '' && notes[i].getAttribute('data-zone') === here;
    }
  }
  zoneNotes();
  document.addEventListener('htmx:afterSettle', zoneNotes);

  document.addEventListener('click', function (e) {
    var close = e.target.closest && e.target.closest('[data-close-dialog]');
    if (close) {
      var d = close.closest('dialog');
      if (d) d.close();
      return;
    }
    // A click outside the search box closes its results.
    if (!(e.target.closest && e.target.closest('.topsearch'))) closeResults();
  });
})();

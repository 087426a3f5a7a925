// book.js: the public booking page's one convenience. Everything works
// without it.
(function () {
  'use strict';
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
})();

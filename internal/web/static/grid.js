// grid.js: moving a booked appointment on the calendar's day grid by
// keyboard (arrow keys a row or a practitioner at a time, Enter moves it
// there, Escape leaves it) or by dragging it onto a time. The server
// checks the move as the reschedule form on the appointment's page does
// (the same use case: working hours, no double booking); without this
// script that form is the way.
(function () {
  'use strict';
  var grid = document.querySelector('.sched[data-move-back]');
  if (!grid) return;
  var status = document.getElementById('move-status');
  var moving = null; // {el, col, row, col0, row0}
  var dragged = null;

  function rowEl(n) { return grid.querySelector('.sched-time[data-row="' + n + '"]'); }
  function colEl(n) { return grid.querySelector('.sched-head[data-col="' + n + '"]'); }
  function say(t) { if (status) status.textContent = t; }

  function place(el, col, row) {
    el.className = el.className.replace(/\bgc-\d+\b/, 'gc-' + col).replace(/\bgr-\d+\b/, 'gr-' + row);
  }
  function where(col, row) {
    var r = rowEl(row), c = colEl(col);
    return (r ? r.getAttribute('data-label') : '') + ' with ' + (c ? c.textContent.trim() : '');
  }
  function stop(restore) {
    if (!moving) return;
    if (restore) place(moving.el, moving.col0, moving.row0);
    moving.el.classList.remove('moving');
    moving = null;
  }
  function submit(el, col, row) {
    var r = rowEl(row), c = colEl(col);
    if (!r || !c) return;
    // Into another practitioner's column: where they work that day.
    var loc = el.getAttribute('data-location');
    if (col !== Number(el.getAttribute('data-col')) && c.getAttribute('data-location')) loc = c.getAttribute('data-location');
    var f = document.createElement('form');
    f.method = 'post';
    f.action = el.getAttribute('data-move');
    var fields = {
      slot: r.getAttribute('data-at') + '|' + c.getAttribute('data-practitioner') + '|' + loc,
      practitioner: c.getAttribute('data-practitioner'),
      location: loc,
      next: grid.getAttribute('data-move-back')
    };
    for (var k in fields) {
      var i = document.createElement('input');
      i.type = 'hidden';
      i.name = k;
      i.value = fields[k];
      f.appendChild(i);
    }
    document.body.appendChild(f);
    say('Moving to ' + where(col, row) + '…');
    f.submit();
  }

  grid.addEventListener('keydown', function (e) {
    var el = e.target.closest && e.target.closest('[data-move]');
    if (!el) return;
    var d = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] }[e.key];
    if (d) {
      e.preventDefault();
      if (!moving || moving.el !== el) {
        stop(true);
        var c0 = Number(el.getAttribute('data-col')), r0 = Number(el.getAttribute('data-row'));
        moving = { el: el, col: c0, row: r0, col0: c0, row0: r0 };
        el.classList.add('moving');
      }
      var col = moving.col + d[0], row = moving.row + d[1];
      if (colEl(col) && rowEl(row)) {
        moving.col = col;
        moving.row = row;
        place(el, col, row);
      }
      say('Move to ' + where(moving.col, moving.row) + '. Enter to move it there, Escape to leave it.');
      return;
    }
    if (e.key === 'Enter' && moving && moving.el === el && (moving.col !== moving.col0 || moving.row !== moving.row0)) {
      e.preventDefault();
      submit(el, moving.col, moving.row);
      return;
    }
    if (e.key === 'Escape' && moving) {
      e.preventDefault();
      stop(true);
      say('Not moved.');
    }
  });
  grid.addEventListener('focusout', function (e) {
    if (moving && e.target === moving.el) { stop(true); }
  });

  function cellAt(e) { return e.target.closest && e.target.closest('.sched-cell'); }
  function num(el, prefix) {
    var m = el.className.match(new RegExp('\\b' + prefix + '-(\\d+)\\b'));
    return m ? Number(m[1]) : 0;
  }
  grid.addEventListener('dragstart', function (e) {
    dragged = e.target.closest && e.target.closest('[data-move]');
    if (dragged && e.dataTransfer) {
      e.dataTransfer.effectAllowed = 'move';
      e.dataTransfer.setData('text/plain', dragged.getAttribute('data-move'));
    }
  });
  grid.addEventListener('dragover', function (e) {
    var c = cellAt(e);
    if (dragged && c) { e.preventDefault(); c.classList.add('drop-target'); }
  });
  grid.addEventListener('dragleave', function (e) {
    var c = cellAt(e);
    if (c) c.classList.remove('drop-target');
  });
  grid.addEventListener('drop', function (e) {
    var c = cellAt(e);
    if (!dragged || !c) return;
    e.preventDefault();
    c.classList.remove('drop-target');
    submit(dragged, num(c, 'gc'), num(c, 'gr'));
  });
  grid.addEventListener('dragend', function () { dragged = null; });
})();

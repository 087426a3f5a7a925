// Keyboard shortcuts of the encounter page (documented on the page).
// Ctrl+Enter: next section of the note; Alt+S: save now; Alt+N: next
// stage; Alt+D: the add-diagnosis search; Alt+F: go to the finish
// confirmation. None of them clashes with
// the desk's "/" (search) and "?" (shortcut overlay), which are plain keys
// outside text fields.
(function () {
  "use strict";
  var fields = function () { return Array.prototype.slice.call(document.querySelectorAll("textarea.soap-field")); };
  document.addEventListener("keydown", function (ev) {
    var key = (ev.key || "").toLowerCase();
    if (ev.ctrlKey && key === "enter") {
      var fs = fields();
      var i = fs.indexOf(document.activeElement);
      if (i >= 0) {
        ev.preventDefault();
        var next = fs[(i + 1) % fs.length];
        next.focus();
        next.setSelectionRange(next.value.length, next.value.length);
      }
      return;
    }
    if (!ev.altKey || ev.ctrlKey || ev.metaKey) {
      return;
    }
    if (key === "s") {
      var form = document.getElementById("soap-form");
      if (form) {
        ev.preventDefault();
        var cur = document.activeElement;
        if (window.htmx && cur && cur.classList && cur.classList.contains("soap-field")) {
          window.htmx.trigger(cur, "blur"); // the autosave, at once
        } else {
          form.requestSubmit();
        }
      }
    } else if (key === "d") {
      var q = document.getElementById("diagnosis-q");
      if (q) {
        ev.preventDefault();
        q.focus();
      }
    } else if (key === "f") {
      var box = document.querySelector("#finish-form input[name=confirm]");
      if (box) {
        ev.preventDefault();
        box.focus();
      }
    } else if (key === "n") {
      var current = document.querySelector(".stage-list li.stage-current");
      var after = current && current.nextElementSibling;
      var button = after && after.querySelector("button");
      if (button) {
        ev.preventDefault();
        button.click();
      }
    }
  });
})();

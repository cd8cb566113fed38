// The consent page: the duration of an unticked permission is disabled (and not submitted; the
// server ignores it anyway). Without this script every duration stays usable.
"use strict";
document.querySelectorAll(".perm-row").forEach(function (row) {
  var box = row.querySelector("input[type=checkbox]");
  var duration = row.querySelector("select");
  if (!box || !duration) return;
  var sync = function () { duration.disabled = !box.checked; };
  box.addEventListener("change", sync);
  sync();
});

// authority-kg: small enhancements. Every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // An error summary takes the focus, so a screen reader announces it at once.
  const summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); return; }
  // After "Add another ...", put the focus in the new row.
  const added = document.body.dataset.added;
  if (added) {
    const rows = document.querySelectorAll(`#list-${added} fieldset.row`);
    const last = rows[rows.length - 1];
    const first = last && last.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }
});

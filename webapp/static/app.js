// authority-kg: small enhancements. Every page works without this file.
"use strict";

// Print: every <details> (how an answer was decided) prints open, but for the codes, and the print says
// when it was printed; after printing, the page is as the reader left it.
const closedForPrint = [];

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function stampPrintDate() {
  for (const el of document.querySelectorAll("[data-print-date]")) { el.textContent = today(); }
}

window.addEventListener("beforeprint", () => {
  stampPrintDate();
  for (const d of document.querySelectorAll("details:not([open]):not(.codes)")) {
    d.open = true;
    closedForPrint.push(d);
  }
});

window.addEventListener("afterprint", () => {
  while (closedForPrint.length) { closedForPrint.pop().open = false; }
});

document.addEventListener("DOMContentLoaded", () => {
  stampPrintDate();
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

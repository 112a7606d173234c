// The check-an-incident form, for people: Enter checks the card; "Add another" adds a
// row in place, with its id made; the lists where a row can be picked follow the rows
// as they are added and filled in; a claim offers the facts of the item it is about; the
// error summary's links put the focus in their field. The form works without this file:
// the server then adds the rows, makes the ids and fills the lists.
"use strict";

(() => {
  const form = document.getElementById("card-form");
  if (!form) { return; }
  const checkButton = document.getElementById("check-button");

  // -- Enter in any field checks the card (in a text area: Ctrl+Enter) -----------------
  form.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.isComposing || e.defaultPrevented) { return; }
    const t = e.target;
    if (!/^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)) { return; }
    if (t.tagName === "INPUT" && /^(submit|button|reset|file|image)$/.test(t.type)) { return; }
    if (t.tagName === "TEXTAREA" && !(e.ctrlKey || e.metaKey)) { return; }
    e.preventDefault();
    form.requestSubmit(checkButton);
  });

  // -- how a row is named where it can be picked: "Action 1: CPD officer, crowd control" --
  const short = (text) => (text.length > 48 ? `${text.slice(0, 47)}…` : text);
  const shown = (el) => {
    if (el.tagName !== "SELECT") { return short(el.value.trim()); }
    const picked = [...el.selectedOptions].filter((o) => o.value);
    const words = picked.slice(0, 2).map(
      (o) => o.dataset.short || (o.dataset.ref ? o.value : o.textContent.trim()));
    return short(words.join(", ")) + (picked.length > 2 ? "…" : "");
  };
  const said = (box) => {
    const [first, second] = box.querySelectorAll("select");
    if (box.classList.contains("actor")) {
      if (first.value === "unknown") { return "actor not known"; }
      const agency = first.value ? (first.selectedOptions[0].dataset.short || first.value) : "";
      const role = second.value ? second.selectedOptions[0].textContent.trim().toLowerCase() : "";
      return [agency, role].filter(Boolean).join(" ");
    }
    if (box.classList.contains("about")) {
      return first.value && second.value ? `${first.value}.${second.value}` : first.value;
    }
    const el = box.querySelector("input, select, textarea");
    return el ? shown(el) : "";
  };
  const rowId = (row) => row.querySelector("input[type=hidden][name$='-id']").value;
  const rowLabel = (row) => {
    const name = row.querySelector(".row-name").textContent.trim();
    const parts = [...row.querySelectorAll("[data-summary]")].map(said).filter(Boolean);
    return parts.length ? `${name}: ${parts.join(", ")}` : name;
  };
  const rename = (row) => {
    const label = rowLabel(row);
    form.querySelectorAll(`option[data-ref="${CSS.escape(rowId(row))}"]`).forEach((o) => {
      o.textContent = label;
    });
  };

  // -- every list that names rows offers every row of its target lists -----------------
  const rowsOf = (list) => [...form.querySelectorAll(`#list-${list} > fieldset.row`)];
  const offerAll = () => {
    form.querySelectorAll("select[data-targets]").forEach((select) => {
      for (const list of select.dataset.targets.split(" ")) {
        const place = select.querySelector(`optgroup[data-group="${list}"]`) || select;
        for (const row of rowsOf(list)) {
          const id = rowId(row);
          if (id === select.dataset.own || select.querySelector(`option[data-ref="${CSS.escape(id)}"]`)) {
            continue;
          }
          const option = new Option(rowLabel(row), id);
          option.dataset.ref = id;
          const stray = place.querySelector("option.stray");
          place.insertBefore(option, stray);
        }
      }
    });
  };

  // -- "Add another ...": a new row in place, its id made ------------------------------
  const takenIds = () => new Set(
    [...form.querySelectorAll("input[type=hidden][name$='-id']")].map((i) => i.value));
  const clear = (row) => {
    row.querySelectorAll(".field-error, option.stray").forEach((el) => el.remove());
    row.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    row.querySelectorAll("[aria-describedby]").forEach((el) => {
      const keep = el.getAttribute("aria-describedby").split(/\s+/).filter((t) => !t.startsWith("e-"));
      if (keep.length) { el.setAttribute("aria-describedby", keep.join(" ")); } else { el.removeAttribute("aria-describedby"); }
    });
    row.querySelectorAll("input:not([type=hidden]), textarea").forEach((el) => {
      if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
    });
    row.querySelectorAll("select").forEach((el) => {
      [...el.options].forEach((o) => { o.selected = false; o.defaultSelected = false; });
      if (!el.multiple) { el.selectedIndex = 0; }
    });
    row.querySelectorAll("datalist").forEach((el) => el.replaceChildren());
  };
  const addRow = (list) => {
    const box = document.getElementById(`list-${list}`);
    const rows = rowsOf(list);
    const last = rows[rows.length - 1];
    const n = Math.max(...rows.map((r) => Number(r.dataset.row))) + 1;
    const fresh = last.cloneNode(true);
    const from = `${list}-${last.dataset.row}-`;
    const to = `${list}-${n}-`;
    for (const el of [fresh, ...fresh.querySelectorAll("*")]) {
      for (const name of ["id", "name", "for", "aria-describedby", "list"]) {
        if (el.hasAttribute(name)) { el.setAttribute(name, el.getAttribute(name).split(from).join(to)); }
      }
    }
    clear(fresh);
    const taken = takenIds();
    let k = n + 1;
    while (taken.has(`${box.dataset.prefix}${k}`)) { k += 1; }
    const id = `${box.dataset.prefix}${k}`;
    fresh.id = `row-${list}-${n}`;
    fresh.dataset.row = String(n);
    fresh.querySelector("input[type=hidden][name$='-id']").value = id;
    fresh.querySelector(".row-name").textContent = `${box.dataset.singular} ${n + 1}`;
    fresh.querySelector(".row-ident").textContent = id;
    fresh.querySelectorAll("select[data-own]").forEach((s) => { s.dataset.own = id; });
    last.after(fresh);
    offerAll();
    fresh.querySelectorAll("[data-about-item]").forEach(about);
    const first = fresh.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  };
  form.querySelectorAll("button.add-row").forEach((button) => {
    button.addEventListener("click", (e) => {
      e.preventDefault();
      addRow(button.value.slice("add:".length));
    });
  });

  // -- a claim: the facts of the item it is about, and the values that fact takes ------
  const about = (item) => {
    const box = item.closest(".about");
    const key = box.querySelector("[data-about-field]");
    const picked = item.selectedOptions[0];
    const group = picked && picked.parentElement.dataset ? picked.parentElement.dataset.group : "";
    key.querySelectorAll("optgroup").forEach((g) => {
      const on = !group || g.dataset.group === group;
      g.hidden = !on;
      g.disabled = !on;
    });
    const chosen = key.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) { key.selectedIndex = 0; }
    const row = box.closest("fieldset.row");
    const value = row && row.querySelector("input[list]");
    const list = value && document.getElementById(value.getAttribute("list"));
    if (!list) { return; }
    list.replaceChildren();
    const source = group && key.value && document.getElementById(`f-${group}-0-${key.value}`);
    if (source && source.tagName === "SELECT") {
      for (const o of source.options) {
        if (o.value && !o.classList.contains("stray")) { list.append(new Option(o.textContent.trim(), o.value)); }
      }
    }
  };
  form.querySelectorAll("[data-about-item]").forEach(about);

  const changed = (e) => {
    const row = e.target.closest("fieldset.row");
    if (row) { rename(row); }
    const box = e.target.closest(".about");
    if (box) { about(box.querySelector("[data-about-item]")); }
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // -- the error summary's links put the focus in their field --------------------------
  document.querySelectorAll(".error-summary a[data-field]").forEach((link) => {
    link.addEventListener("click", (e) => {
      const field = document.getElementById(link.dataset.field);
      if (!field) { return; }
      e.preventDefault();
      (field.closest(".field") || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  });
})();

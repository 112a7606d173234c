// authority-kg: the SPARQL editor on /sparql. YASGUI (static/vendor/yasgui, loaded just
// before this file) takes the place of the plain form, which stays the page without
// JavaScript. Every query goes to this server's own endpoint, and nothing in YASGUI that
// asks another host is switched on: no prefix.cc (prefixCcApi stays null: the prefixes
// are the project's and YASQE's bundled list), no LOV (the class and property
// autocompleters are off), no endpoint catalogue but this endpoint, no CORS proxy, no
// link shortener.
"use strict";

(() => {
  const mount = document.getElementById("sparql-editor");
  const form = document.getElementById("sparql-form");
  const Yasgui = window.Yasgui;
  if (!mount || !form || typeof Yasgui !== "function" || !Yasgui.Yasqe) { return; }
  const Yasqe = Yasgui.Yasqe;
  const own = Object.prototype.hasOwnProperty;

  // This server's endpoint: the form's relative action, on the page's own origin.
  const endpoint = new URL(form.getAttribute("action"), document.baseURI).href;
  let prefixes = {};
  try {
    prefixes = JSON.parse(mount.dataset.prefixes || "{}");
  } catch (err) {
    prefixes = {};
  }

  // The prefix autocompleter: the project's prefixes first, then YASQE's bundled list
  // without the names the project uses (typing `akg:` adds the project's PREFIX line).
  const projectLines = Object.keys(prefixes).map((p) => `${p}: <${prefixes[p]}>`);
  Yasqe.forkAutocompleter("prefixes", {
    name: "projectPrefixes",
    persistenceId: null,
    get: (yasqe) => Promise.resolve(Yasqe.Autocompleters.prefixes.get(yasqe)).then(
      (bundled) => projectLines.concat(
        (bundled || []).filter((line) => !own.call(prefixes, line.split(":")[0]))
      )
    ),
  }, false);
  // Set on the defaults themselves: YASGUI merges a config into them with lodash's
  // merge, which would merge two lists item by item and keep the LOV autocompleters.
  const yasqeDefaults = Yasqe.defaults;
  yasqeDefaults.autocompleters = ["projectPrefixes", "variables"];
  yasqeDefaults.prefixCcApi = null;
  yasqeDefaults.createShortLink = undefined;
  yasqeDefaults.value = form.elements.query ? form.elements.query.value : "";
  Yasgui.defaults.endpointCatalogueOptions.getData = () => [{ endpoint }];

  const info = () => {
    const note = document.createElement("span");
    note.className = "akg-endpoint";
    note.textContent = `Endpoint: ${new URL(endpoint).pathname} (this server)`;
    return note;
  };

  const yasgui = new Yasgui(mount, {
    persistenceId: "akg-sparql",
    autofocus: false,
    corsProxy: undefined,
    copyEndpointOnNewTab: false,
    endpointInfo: info,
    // A function: worked out for each query and never persisted, so neither a stored
    // tab nor a shared link can point the editor at another endpoint.
    requestConfig: { endpoint: () => endpoint, method: "POST" },
    yasqe: { resizeable: true, editorHeight: "16rem" },
    yasr: { prefixes, defaultPlugin: "table" },
  });
  const pinEndpoint = (tab) => { if (tab && tab.getEndpoint() !== endpoint) { tab.setEndpoint(endpoint); } };
  Object.keys(yasgui._tabs).forEach((id) => pinEndpoint(yasgui.getTab(id)));
  yasgui.on("tabSelect", (instance, id) => setTimeout(() => pinEndpoint(instance.getTab(id)), 0));
  yasgui.on("tabAdd", (instance, id) => setTimeout(() => pinEndpoint(instance.getTab(id)), 0));

  // Accessibility of the vendored editor (axe-core, issue 16): the tab list may hold only
  // tabs, so YASGUI's "+" button inside it is hidden from assistive technology and a
  // "New tab" button outside the list does the same; CodeMirror's hidden textarea gets a
  // label. A MutationObserver keeps both true as tabs are added.
  const newTab = document.createElement("button");
  newTab.type = "button";
  newTab.className = "secondary akg-new-tab";
  newTab.textContent = "New query tab";
  newTab.addEventListener("click", () => { pinEndpoint(yasgui.addTab(true)); });
  const fixUp = () => {
    mount.querySelectorAll(".tabsList .addTab").forEach((button) => {
      button.setAttribute("tabindex", "-1");
      if (button.parentElement) { button.parentElement.setAttribute("aria-hidden", "true"); }
    });
    mount.querySelectorAll("textarea:not([aria-label])").forEach((area) => {
      area.setAttribute("aria-label", "SPARQL query");
    });
  };
  fixUp();
  new MutationObserver(fixUp).observe(mount, { childList: true, subtree: true });
  mount.insertBefore(newTab, mount.firstChild);

  mount.hidden = false;
  form.hidden = true;
  window.akgYasgui = yasgui; // for the browser tests (tests/web/test_yasgui.py) and the console

  // The saved queries: each opens in a tab of its own, named after it.
  const saved = document.querySelectorAll("#saved-queries li[data-query]");
  saved.forEach((item) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary akg-open-saved";
    button.textContent = "Open in the editor";
    button.setAttribute("aria-label", `Open ${item.dataset.name} in the editor`);
    button.addEventListener("click", () => {
      const name = item.dataset.name;
      const text = item.dataset.query;
      const known = Object.keys(yasgui._tabs)
        .map((id) => yasgui.getTab(id))
        .find((tab) => tab && tab.getName() === name);
      const tab = known || yasgui.addTab(true, { name, yasqe: { value: text } });
      if (known) {
        known.select();
        known.setQuery(text);
      }
      pinEndpoint(tab);
      mount.scrollIntoView({ block: "start" });
      const yasqe = tab.getYasqe();
      if (yasqe) { yasqe.focus(); }
    });
    item.appendChild(document.createTextNode(" "));
    item.appendChild(button);
  });
})();

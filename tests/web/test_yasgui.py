"""The SPARQL editor on /sparql: YASGUI, vendored under webapp/static/vendor/yasgui.

Without a browser: the page names the vendored files (served from here, with the right
types, matching the sums in the vendor README), keeps the plain form, and is the only page
whose Content-Security-Policy allows inline styles. With Playwright and Debian's Chromium
(the fixtures of test_browser.py): a query runs through the editor at 1366 and 390 px
wide, while every request the page makes is recorded and none may go to another host.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kg.namespaces import PREFIXES
from kg.store import queries
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)

try:
    from playwright.sync_api import Browser, Page, Request, expect
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass

VENDOR = Path(__file__).resolve().parents[2] / "webapp" / "static" / "vendor" / "yasgui"
HTML = {"Accept": "text/html"}
STRICT = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
}
QUERY = """PREFIX akg: <https://w3id.org/authority-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?reading ?label WHERE {
  GRAPH ?g { ?reading a akg:Reading ; rdfs:label ?label }
}
ORDER BY ?reading
"""


def policy(header: str | None) -> dict[str, list[str]]:
    assert header, "no Content-Security-Policy"
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in out, f"{name} twice in {header}"
        out[name] = sources
    return out


def page_html(client: FlaskClient) -> str:
    response = client.get("/sparql", headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def loaded(html: str) -> list[str]:
    """Every address the page loads by itself: script src and link href."""
    found = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)
    found += re.findall(r"<link\b[^>]*\bhref=\"([^\"]+)\"", html)
    return [unescape(u) for u in found]


# -- without a browser -------------------------------------------------------------------


def test_the_page_loads_the_vendored_editor_and_keeps_the_plain_form(client: FlaskClient) -> None:
    html = page_html(client)
    urls = loaded(html)
    for name in (
        "/static/vendor/yasgui/yasgui.min.js",
        "/static/vendor/yasgui/yasgui.min.css",
        "/static/sparql-editor.css",
        "/static/sparql-editor.js",
    ):
        assert name in urls, (name, urls)
    # the bundle comes before the script that mounts it; both wait for the page
    bundle, mount = "/static/vendor/yasgui/yasgui.min.js", "/static/sparql-editor.js"
    assert urls.index(bundle) < urls.index(mount)
    # no inline script: every <script> has a src, and nothing else runs
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in tag for tag in scripts), scripts
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html)
    # the plain form is still the page without JavaScript: GET /sparql with query=
    form = re.search(r"<form id=\"sparql-form\"[^>]*>", html)
    assert form and 'action="/sparql"' in form.group(0) and 'method="get"' in form.group(0)
    assert '<textarea id="query" name="query"' in html
    assert re.search(r'<div id="sparql-editor"[^>]*\bhidden\b', html)


def test_the_page_offers_the_project_prefixes_and_the_saved_queries(client: FlaskClient) -> None:
    html = page_html(client)
    found = re.search(r'data-prefixes="([^"]*)"', html)
    assert found
    assert json.loads(unescape(found.group(1))) == {k: str(v) for k, v in PREFIXES.items()}
    catalog = queries.catalog()
    assert catalog
    for name, saved in catalog.items():
        item = re.search(rf'<li data-name="{re.escape(name)}" data-query="([^"]*)">', html)
        assert item, name
        assert unescape(item.group(1)) == saved.text
        assert f'href="/query/{name}"' in html  # without JavaScript: the saved query's page


def static(client: FlaskClient, url: str, **headers: str) -> tuple[TestResponse, bytes]:
    """A static file's answer and its bytes (its file closed: it is sent as a stream)."""
    response = client.get(url, headers=headers)
    try:
        return response, response.get_data()
    finally:
        response.close()


def test_the_vendored_files_are_served_with_their_types(client: FlaskClient) -> None:
    served = 0
    for url in loaded(page_html(client)):
        if not url.startswith("/static/"):
            continue
        response, body = static(client, url)
        assert response.status_code == 200 and body, url
        if url.endswith(".js"):
            assert response.mimetype in ("text/javascript", "application/javascript"), url
        elif url.endswith(".css"):
            assert response.mimetype == "text/css", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        served += "/vendor/yasgui/" in url
    assert served == 2  # the bundle and its CSS (the layout rules are sparql-editor.css)
    _, bundle = static(client, "/static/vendor/yasgui/yasgui.min.js")
    assert bundle.startswith(b"(function(") and b"Yasgui" in bundle[:400]
    _, css = static(client, "/static/vendor/yasgui/yasgui.min.css")
    assert b".yasgui" in css and b"CodeMirror" in css


def test_the_vendor_readme_records_the_package_and_the_copied_bytes() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert "@zazuko/yasgui" in readme and "MIT" in readme
    assert re.search(r"\| Version \| \d+\.\d+\.\d+ \|", readme)
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")
    for name in ("yasgui.min.js", "yasgui.min.css"):
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme, f"{name} differs from the sum in README.md"


def test_only_the_sparql_page_allows_inline_styles(client: FlaskClient) -> None:
    editor = client.get("/sparql", headers=HTML)
    again = client.get("/sparql", headers=HTML)  # a kept answer keeps its policy
    for response in (editor, again):
        csp = policy(response.headers.get("Content-Security-Policy"))
        assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
        assert {k: v for k, v in csp.items() if k != "style-src"} == {
            k: v for k, v in STRICT.items() if k != "style-src"
        }
    for path, headers in (
        ("/", HTML),
        ("/query", HTML),
        ("/sparql.json", {}),
        ("/static/vendor/yasgui/yasgui.min.js", {}),
    ):
        response, _ = static(client, path, **headers)
        assert response.status_code == 200, path
        assert policy(response.headers.get("Content-Security-Policy")) == STRICT, path
    # a query's answer at /sparql itself: no other origin either
    answer = client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    for sources in policy(answer.headers.get("Content-Security-Policy")).values():
        assert set(sources) <= {"'self'", "'none'", "'unsafe-inline'", "data:"}, sources


def test_the_page_loads_nothing_from_another_host(client: FlaskClient) -> None:
    urls = loaded(page_html(client))
    assert len(urls) >= 6
    outside = [u for u in urls if re.match(r"^(https?:)?//", u, re.I) or ":" in u.split("/")[0]]
    assert not outside, outside


def test_the_json_twin_is_unchanged(client: FlaskClient) -> None:
    data = client.get("/sparql.json").get_json()
    assert set(data) == {
        "version",
        "law_current_to",
        "notice",
        "endpoint",
        "timeout",
        "cap",
        "cap_bytes",
        "per_client",
        "queue_wait",
        "graphs",
        "withheld",
        "formats",
    }


# -- with a browser ----------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(bool(SKIP), reason=SKIP)


@dataclass
class Visit:
    page: Page
    origin: str
    requests: list[Request] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        return [
            r.url
            for r in self.requests
            if not r.url.startswith((self.origin + "/", "data:", "blob:"))
        ]


@pytest.fixture()
def visit(browser: Browser, server: str, request: pytest.FixtureRequest) -> Iterator[Visit]:  # noqa: F811
    width = getattr(request, "param", 1366)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    seen = Visit(page, server)
    page.on("request", lambda r: seen.requests.append(r))
    page.on("console", lambda m: seen.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.console.append(f"page error: {e}"))
    page.goto(server + "/sparql")
    expect(page.locator("#sparql-editor .yasgui .CodeMirror").first).to_be_visible()
    yield seen
    context.close()


def run_through_the_editor(visit: Visit, query: str) -> None:
    page = visit.page
    page.evaluate("q => { window.akgYasgui.getTab().setQuery(q); }", query)
    page.locator("#sparql-editor .yasqe_queryButton").first.click()
    rows = page.locator("#sparql-editor .yasr table.dataTable tbody tr")
    expect(rows.first).to_be_visible(timeout=15000)
    assert rows.count() > 1


def check_the_visit(visit: Visit) -> None:
    """Every request went to the app itself; nothing was refused by the policy."""
    urls = [r.url for r in visit.requests]
    assert visit.origin + "/static/vendor/yasgui/yasgui.min.js" in urls
    assert not visit.outside(), visit.outside()
    assert not [m for m in visit.console if "Content Security Policy" in m], visit.console
    assert not visit.console, visit.console


@pytest.mark.parametrize("visit", [1366, 390], indirect=True, ids=["1366px", "390px"])
@pytest.mark.browser
@needs_chromium
def test_a_query_runs_through_the_editor(visit: Visit) -> None:
    page = visit.page
    expect(page.locator("#sparql-form")).to_be_hidden()  # the editor took its place
    assert page.locator(".yasgui .tabsList .tab").count() >= 1
    # YASQE knows the project's prefixes: writing `akg:` adds its PREFIX line. The class
    # autocompleter, were it on, would now ask LOV (refused by the policy: a console error)
    editor = page.locator("#sparql-editor .CodeMirror").first
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT * WHERE { ?s a akg:Rea", delay=15)
    value = page.evaluate("() => window.akgYasgui.getTab().getQuery()")
    assert f"PREFIX akg: <{PREFIXES['akg']}>" in value, value
    page.keyboard.press("Escape")
    yasqe = "window.akgYasgui.getTab().getYasqe()"
    on = f"() => Object.entries({yasqe}.autocompleters).filter(e => e[1]).map(e => e[0])"
    enabled = page.evaluate(on)
    assert sorted(enabled) == ["projectPrefixes", "variables"]
    assert page.evaluate(f"() => {yasqe}.config.prefixCcApi") is None

    run_through_the_editor(visit, QUERY)
    sent = [r for r in visit.requests if r.url == visit.origin + "/sparql" and r.method == "POST"]
    assert sent, [r.url for r in visit.requests]
    form = parse_qs(sent[-1].post_data or "")
    assert "SELECT ?reading ?label" in form["query"][0], form
    table = page.locator("#sparql-editor .yasr table.dataTable")
    expect(table.locator("thead")).to_contain_text("reading")
    # IRIs shortened by the project's prefixes (law: is not declared in the query)
    expect(table.locator("tbody")).to_contain_text("law:reading/")
    # the page never scrolls sideways (at 390 px too): the editor and the table scroll
    # in their own box
    width = (page.viewport_size or {}).get("width")
    assert width in (1366, 390)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = table.bounding_box()
    assert box and 0 < box["width"]
    check_the_visit(visit)


@pytest.mark.browser
@needs_chromium
def test_a_saved_query_opens_in_the_editor(visit: Visit) -> None:
    page = visit.page
    saved = queries.catalog()["contested-provisions"]
    item = page.locator('#saved-queries li[data-name="contested-provisions"]')
    item.get_by_role("button", name="Open contested-provisions in the editor").click()
    active = page.locator(".yasgui .tabsList .tab.active")
    expect(active).to_contain_text("contested-provisions")
    assert page.evaluate("() => window.akgYasgui.getTab().getQuery()") == saved.text
    page.locator("#sparql-editor .tabPanel.active .yasqe_queryButton").click()
    rows = page.locator("#sparql-editor .tabPanel.active .yasr table.dataTable tbody tr")
    expect(rows.first).to_be_visible(timeout=15000)
    expect(rows.first).to_contain_text("2-")  # a citation of the municipal code
    check_the_visit(visit)


@pytest.mark.browser
@needs_chromium
def test_without_javascript_the_plain_form_stays(browser: Browser, server: str) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto(server + "/sparql")
        expect(page.locator("#sparql-form textarea[name=query]")).to_be_visible()
        expect(page.locator("#sparql-editor")).to_be_hidden()
        expect(page.locator('#saved-queries a[href="/query/contested-provisions"]')).to_be_visible()
    finally:
        context.close()


# -- YASGUI on another origin, against this endpoint -----------------------------------------

OTHER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>a notebook elsewhere</title>
<link rel="stylesheet" href="{server}/static/vendor/yasgui/yasgui.min.css">
<script src="{server}/static/vendor/yasgui/yasgui.min.js"></script></head>
<body><div id="editor"></div>
<script>
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  window.editor = new Yasgui(document.getElementById("editor"), {{
    persistenceId: null,
    requestConfig: {{ endpoint: "{server}/sparql", method: "POST" }},
    yasr: {{ defaultPlugin: "table" }},
  }});
</script></body></html>
"""


@pytest.fixture()
def elsewhere(server: str) -> Iterator[str]:  # noqa: F811
    """A page on another origin (another port) that loads YASGUI and points it here."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = OTHER_PAGE.format(server=server).encode("utf-8")

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.mark.browser
@needs_chromium
def test_yasgui_on_another_origin_queries_this_endpoint(
    browser: Browser,  # noqa: F811
    server: str,  # noqa: F811
    elsewhere: str,
) -> None:
    """What a notebook or a YASGUI of one's own does: a page of another origin loads the
    editor, sends the query here by POST, and reads the answer, which only CORS allows
    (with SPARQL_CORS_ORIGINS empty the table never appears)."""
    assert not elsewhere.startswith(server)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    answers = []
    page.on(
        "response",
        lambda r: answers.append(r) if r.url == server + "/sparql" else None,
    )
    try:
        page.goto(elsewhere)
        expect(page.locator("#editor .yasgui .CodeMirror").first).to_be_visible()
        page.evaluate("q => { window.editor.getTab().setQuery(q); }", QUERY)
        page.locator("#editor .yasqe_queryButton").first.click()
        rows = page.locator("#editor .yasr table.dataTable tbody tr")
        expect(rows.first).to_be_visible(timeout=15000)
        assert rows.count() > 1
        expect(page.locator("#editor .yasr table.dataTable tbody")).to_contain_text("purpose-test")
        posts = [r for r in answers if r.request.method == "POST"]
        assert posts and posts[-1].status == 200
        assert posts[-1].headers.get("access-control-allow-origin") in ("*", elsewhere[:-1])
        assert not errors, errors
    finally:
        context.close()

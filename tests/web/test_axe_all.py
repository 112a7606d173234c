"""axe-core on every main page of the site, at 1366 and 390 px (issue 16, item 10): no
violation of any impact, moderate (landmark-unique, heading-order) and minor included.

axe-core's script comes from the `axe-playwright-python` package (which ships
axe.min.js), or from the file named by $AXE_JS; without either the tests skip (the
package is in the test extra). /sparql is the vendored YASGUI editor, made accessible by
webapp/static/sparql-editor.js.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.web.conftest import JUNE4
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass


def axe_script() -> str:
    """axe.min.js: from $AXE_JS, else from the axe-playwright-python package, else ""."""
    named = os.environ.get("AXE_JS")
    if named and Path(named).is_file():
        return Path(named).read_text(encoding="utf-8")
    try:
        import axe_playwright_python
    except ImportError:
        return ""
    shipped = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else ""


AXE = axe_script()
NO_AXE = "" if AXE else "axe-core not found: pip install axe-playwright-python, or set $AXE_JS"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(SKIP or NO_AXE), reason=SKIP or NO_AXE),
]

WHO = {"allegation": "welcoming-city-violation", "respondent": "CPD:officer", "date": "2025-06-04"}
PAGES = {
    "home": "/",
    "who": "/who?" + urlencode(WHO),
    "who-amended": "/who?" + urlencode({**WHO, "amend": "copa-wco-jurisdiction"}),
    "incident": f"/incident/{JUNE4}",
    "incidents": "/incident",
    "search": "/search?q=COPA",
    "amend": "/amend",
    "query": "/query",
    "saved-query": "/query/contested-provisions",
    "glossary": "/glossary",
    "check": "/check",
    "law": "/law",
    "provision": "/law/mcc/2-173-020/a/6",
    "agencies": "/agency",
    "agency": "/agency/COPA",
    # YASGUI's editor (vendored), made accessible by webapp/static/sparql-editor.js
    "sparql": "/sparql",
    "not-found": "/no-such-page",
    "health": "/-/health",
    "version": "/-/version",
}
WIDTHS = (1366, 390)


def violations(page: Page) -> list[str]:
    page.evaluate(AXE)
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact,
                targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}));
        }"""
    )
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'])}" for v in found]


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request: pytest.FixtureRequest, browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_axe_violation(page: Page, server: str, name: str) -> None:  # noqa: F811
    page.goto(server + PAGES[name])
    found = violations(page)
    assert not found, f"{PAGES[name]}: {found}"

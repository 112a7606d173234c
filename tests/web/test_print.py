"""A printed answer is complete, dated and cites the canonical IRI (issue 16, item 9).

Chromium prints the who-answer and the June 4 incident page to PDF (page.pdf(), print
media); the PDF's text (pypdf, where installed; else the page's text under print media)
holds every step of "How this was decided", the date it was printed, the resource's IRI
and not the local server's address, and no heading without content under it.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from kg.namespaces import BASE
from tests.web.conftest import JUNE4
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass

pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(SKIP), reason=SKIP)]

WHO = {"allegation": "welcoming-city-violation", "respondent": "CPD:officer", "date": "2025-06-04"}


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def printed(page: Page) -> str:
    """The page as printed: the PDF's text, or the text under print media."""
    pdf = page.pdf(format="Letter", print_background=False)
    try:
        from pypdf import PdfReader
    except ImportError:
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        return " ".join(page.locator("body").inner_text().split())
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


def squeeze(text: str) -> str:
    """Text without spaces or hyphens: a PDF breaks lines where the page does not."""
    return re.sub(r"[\s\u00ad-]+", "", text)


def test_printed_incident_holds_every_step_the_date_and_the_iri(page: Page, server: str) -> None:  # noqa: F811
    page.goto(f"{server}/incident/{JUNE4}")
    steps = page.locator("details.reasoning li").all_text_contents()
    assert steps, "the incident page has no reasoning to print"
    assert page.locator("details.reasoning[open]").count() == 0  # closed on screen
    text = printed(page)
    flat = squeeze(text)
    missing = [s for s in steps if squeeze(s) not in flat]
    assert not missing, f"{len(missing)} of {len(steps)} steps do not print, e.g. {missing[:2]}"
    assert datetime.date.today().isoformat() in text
    assert squeeze(f"{BASE}incident/{JUNE4}") in flat
    assert "127.0.0.1" not in text and "localhost" not in text
    # the page is as the reader left it once printing is over
    assert page.locator("details.reasoning[open]").count() == 0


def test_printed_who_answer_is_whole_dated_and_cited(page: Page, server: str) -> None:  # noqa: F811
    page.goto(f"{server}/who?" + urlencode(WHO))
    answer = page.locator(".answer").inner_text()
    why = page.locator("section[aria-labelledby=answer-heading] h3 + p").first.inner_text()
    text = printed(page)
    flat = squeeze(text)
    assert squeeze(answer) in flat and squeeze(why) in flat
    assert datetime.date.today().isoformat() in text
    assert squeeze(f"{BASE}matrix/") in flat, "the stored answer's IRI is not cited"
    assert "127.0.0.1" not in text
    # the form to ask again does not print, and neither does its heading
    assert "Ask another question" not in text


def test_no_heading_prints_empty(page: Page, server: str) -> None:  # noqa: F811
    """Under print media, every visible heading has visible content after it."""
    for path in ("/who?" + urlencode(WHO), f"/incident/{JUNE4}", "/glossary"):
        page.goto(server + path)
        page.emulate_media(media="print")
        empty = page.evaluate(
            """() => [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")]
                .filter(h => h.offsetParent !== null && h.getClientRects().length)
                .filter(h => !h.innerText.trim() || !(() => {
                    let n = h.nextElementSibling;
                    while (n && !n.getClientRects().length) n = n.nextElementSibling;
                    return n !== null || h.parentElement.tagName === "SUMMARY";
                })())
                .map(h => h.outerHTML.slice(0, 80))"""
        )
        assert not empty, f"{path}: {empty}"
        page.emulate_media(media="screen")

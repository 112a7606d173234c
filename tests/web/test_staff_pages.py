"""The lookup page as legal staff use it (issue 16): dates past the encoded law are warned
about on the page with the JSON twin's own sentences (item 1), date fields accept what
their hints say (item 4), and no page is wider than a 390 px phone (item 5).

The first tests use the Flask client; the rest drive Debian's Chromium (/usr/bin/chromium)
with Playwright against the app served by waitress, as tests/web/test_browser.py does.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from kg.law.load import law_current_to
from tests.web.conftest import JUNE4, json_of, text
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass

browser_only = pytest.mark.skipif(bool(SKIP), reason=SKIP)

CURRENT_TO = law_current_to()
LATE = (datetime.date.fromisoformat(CURRENT_TO) + datetime.timedelta(days=30)).isoformat()
WHO = {"allegation": "welcoming-city-violation", "respondent": "CPD:officer"}
DATE_HINT = "YYYY-MM-DD"


def answer_section(html: str) -> str:
    """The part of an answer page that holds the answer (before the form to ask again)."""
    found = re.search(r'<section aria-labelledby="answer-heading">(.*?)</section>', html, re.S)
    assert found, "no answer section on the page"
    return found.group(1)


def shown_warnings(html: str) -> list[str]:
    return [text(w) for w in re.findall(r'<p class="warning">Warning: (.*?)</p>', html, re.S)]


# --- item 1: dates past the encoded law -------------------------------------------------


def test_law_current_to_is_what_the_pages_know(client: FlaskClient) -> None:
    assert json_of(client, "/who.json")["law_current_to"] == CURRENT_TO


def test_who_answer_shows_the_json_warnings_where_the_answer_is(client: FlaskClient) -> None:
    query = urlencode({**WHO, "date": LATE})
    twin = json_of(client, f"/who.json?{query}")["result"]["warnings"]
    assert "after-law-current-to" in {w["code"] for w in twin}
    section = answer_section(client.get(f"/who?{query}").get_data(as_text=True))
    # every warning of the twin, in the twin's words, nothing the twin does not say, and
    # before the answer itself
    before, _ = section.split('class="answer"', 1)
    assert shown_warnings(before) == [w["message"] for w in twin]


def test_who_alternatives_show_their_own_warnings(client: FlaskClient) -> None:
    """What an amendment would change carries the warnings of that answer (an encoding
    choice, say), beside it; those of the question itself are not repeated."""
    query = urlencode({**WHO, "date": "2025-06-04"})
    result = json_of(client, f"/who.json?{query}")["result"]
    html = client.get(f"/who?{query}").get_data(as_text=True)
    items = re.findall(r"<li><a href=\"[^\"]*\"><code>([^<]+)</code>(.*?)</li>", html, re.S)
    assert items
    shown = {alt_id: shown_warnings(body) for alt_id, body in items}
    for alt in result["alternatives"]:
        own = [w["message"] for w in alt["warnings"] if w not in result["warnings"]]
        assert shown[alt["id"]] == own
    assert any(shown.values()), "no alternative carries a warning of its own"


def test_who_answer_within_the_encoded_law_has_no_date_warning(client: FlaskClient) -> None:
    query = urlencode({**WHO, "date": "2025-06-04"})
    twin = json_of(client, f"/who.json?{query}")["result"]["warnings"]
    assert "after-law-current-to" not in {w["code"] for w in twin}
    page = client.get(f"/who?{query}").get_data(as_text=True)
    before, _ = answer_section(page).split('class="answer"', 1)
    assert shown_warnings(before) == [w["message"] for w in twin]
    assert "is after " + CURRENT_TO not in text(page)


def test_amend_answer_shows_the_json_warnings(client: FlaskClient) -> None:
    query = urlencode({"amend": "copa-wco-jurisdiction", "as_of": LATE})
    twin = json_of(client, f"/amend.json?{query}")["result"]["warnings"]
    assert "after-law-current-to" in {w["code"] for w in twin}
    page = client.get(f"/amend?{query}").get_data(as_text=True)
    assert shown_warnings(page) == [w["message"] for w in twin]


@pytest.mark.parametrize("path", ["/who", "/check", "/amend"])
def test_date_fields_say_to_when_the_law_is_encoded(client: FlaskClient, path: str) -> None:
    page = text(client.get(path).get_data(as_text=True))
    assert f"The law is encoded to {CURRENT_TO}" in page


def test_who_form_default_date_is_not_silently_past_the_law(client: FlaskClient) -> None:
    html = client.get("/who").get_data(as_text=True)
    field = re.search(r'<input id="date"[^>]*>', html)
    assert field
    default = re.search(r'value="([^"]*)"', field.group(0))
    assert default
    if default.group(1) > CURRENT_TO:
        # the note sits beside the field, tied to it for screen readers
        assert "date-note" in field.group(0)
        assert f"The law is encoded to {CURRENT_TO}" in text(html)


# --- the browser ------------------------------------------------------------------------


def _page(browser: Browser, width: int) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    pg = context.new_page()
    problems: list[str] = []

    def console(m: Any) -> None:
        # a bad form is answered 400, an unknown page 404, on purpose
        if m.type == "error" and not re.search(r"status of 40[04]", m.text):
            problems.append(m.text)

    pg.on("console", console)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    yield pg
    context.close()
    assert not problems, problems  # a CSP refusal is reported on the console


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, 1366)


@pytest.fixture()
def phone(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, 390)


@browser_only
@pytest.mark.browser
def test_check_answer_shows_the_json_warnings(page: Page, server: str) -> None:  # noqa: F811
    page.goto(f"{server}/check?example={JUNE4}")
    page.fill("#f-as_of", LATE)
    # the JSON twin of the same form, sent as the form would send it
    twin = page.evaluate(
        """async () => {
            const body = new FormData(document.getElementById("card-form"));
            body.set("action", "check");
            const r = await fetch("/check.json", {method: "POST", body});
            return await r.json();
        }"""
    )
    messages = [w["message"] for w in twin["result"]["warnings"]]
    assert "after-law-current-to" in {w["code"] for w in twin["result"]["warnings"]}
    page.get_by_role("button", name="Check the incident").click()
    shown = [
        t.removeprefix("Warning: ")
        for t in page.locator("p.warning").all_inner_texts()
        if t.startswith("Warning: ")
    ]
    assert shown == messages


# --- item 4: a date typed as the hint says reaches the server ---------------------------


def _type_date(page: Page, selector: str, day: str) -> None:
    field = page.locator(selector)
    hint = page.locator(f"#{field.get_attribute('aria-describedby').split()[0]}")  # type: ignore[union-attr]
    assert DATE_HINT in hint.inner_text()
    assert field.get_attribute("type") == "text"  # no browser mm/dd/yyyy mask over the hint
    field.fill("")
    field.press_sequentially(day)
    assert field.input_value() == day
    assert field.evaluate("el => el.checkValidity()")


@browser_only
@pytest.mark.browser
def test_who_date_typed_as_hinted_reaches_the_server(page: Page, server: str) -> None:  # noqa: F811
    page.goto(f"{server}/who?" + urlencode(WHO))
    _type_date(page, "#date", "2025-06-04")
    page.get_by_role("button", name="Answer").click()
    assert "date=2025-06-04" in page.url
    assert "on 2025-06-04" in page.locator("main").inner_text()


@browser_only
@pytest.mark.browser
def test_amend_date_typed_as_hinted_reaches_the_server(page: Page, server: str) -> None:  # noqa: F811
    page.goto(f"{server}/amend")
    page.locator("input[name=amend][value=copa-wco-jurisdiction]").check()
    _type_date(page, "#as_of", "2025-06-04")
    page.get_by_role("button", name="Show what changes").click()
    assert "as_of=2025-06-04" in page.url
    assert "before and after (2025-06-04)" in page.locator("main").inner_text()


@browser_only
@pytest.mark.browser
def test_check_dates_typed_as_hinted_reach_the_server(page: Page, server: str) -> None:  # noqa: F811
    page.goto(f"{server}/check?example={JUNE4}")
    _type_date(page, "#f-card-date", "2025-06-05")
    _type_date(page, "#f-as_of", "2025-07-01")
    page.get_by_role("button", name="Check the incident").click()
    main = page.locator("main").inner_text()
    assert "Findings on the law as of 2025-07-01" in main
    assert page.locator("#f-card-date").input_value() == "2025-06-05"


@browser_only
@pytest.mark.browser
def test_saved_query_date_typed_as_hinted_reaches_the_server(page: Page, server: str) -> None:  # noqa: F811
    page.goto(f"{server}/query/who-may-investigate")
    page.select_option("#p-allegation", "welcoming-city-violation")
    page.select_option("#p-respondent", "CPD:officer")
    _type_date(page, "#p-date", "2025-06-04")
    page.get_by_role("button", name="Run").click()
    assert "date=2025-06-04" in page.url
    assert page.locator("#p-date").input_value() == "2025-06-04"


# --- item 5: no page wider than a phone -------------------------------------------------

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"
PAGES = [
    "/",
    "/law",
    "/law/mcc/2-173-020",
    "/who?" + urlencode({**WHO, "date": "2025-06-04"}),
    "/who?" + urlencode({**WHO, "date": LATE}),
    "/check",
    f"/check?example={JUNE4}",
    "/amend",
    "/amend?" + urlencode({"amend": "copa-wco-jurisdiction", "as_of": "2025-06-04"}),
    "/agency",
    "/agency/COPA",
    "/agency/OIG",
    "/incident",
    f"/incident/{JUNE4}",
    "/sparql",
    "/query",
    "/query?" + urlencode({"sparql": SELECT}),
    "/query/contested-provisions",
    "/query/competence-gaps-and-overlaps",
    "/search?q=copa",
    "/no-such-page",
]


@browser_only
@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_no_page_is_wider_than_a_phone(phone: Page, server: str, path: str) -> None:  # noqa: F811
    phone.goto(server + path)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide at 390"
    # a table wider than the screen scrolls in its own box, which the keyboard can reach
    for box in phone.locator("table").all():
        scroller = box.locator("xpath=..")
        assert scroller.evaluate("el => getComputedStyle(el).overflowX") in ("auto", "scroll")
        assert scroller.get_attribute("tabindex") == "0"


@browser_only
@pytest.mark.browser
def test_a_check_result_stays_within_a_phone(phone: Page, server: str) -> None:  # noqa: F811
    phone.goto(f"{server}/check?example={JUNE4}")
    phone.get_by_role("button", name="Check the incident").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

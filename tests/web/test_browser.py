"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium; `.ci/run`
installs it) against the app served by waitress on a free loopback port.

They walk the flows a new user would: who investigates (two clicks and a date), the
check-an-incident form (a good card and a bad one), the amendment sandbox; and they save
a screenshot of each main page in tests/web/artifacts/ (git-ignored).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import JUNE4

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "amendment-template.ttl"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

if sync_playwright is None:
    SKIP = "the playwright Python package is not installed (pip install '.[test]')"
elif not CHROMIUM.exists():
    SKIP = "Debian's Chromium is not at /usr/bin/chromium (apt-get install chromium; .ci/run does)"
else:
    SKIP = ""

pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(SKIP), reason=SKIP)]


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[str]:
    import waitress

    srv: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    thread.join(5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    problems: list[str] = []
    pg.on(
        "console",
        # a form sent back with a bad input is answered 400 on purpose
        lambda m: (
            problems.append(m.text) if m.type == "error" and "status of 400" not in m.text else None
        ),
    )
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.on(
        "request",
        lambda r: (
            problems.append(f"outside request {r.url}")
            if not r.url.startswith((server, "data:", "blob:"))
            else None
        ),
    )
    yield pg
    context.close()
    assert not problems, problems


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_who_investigates_in_two_clicks_and_a_date(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.get_by_role("link", name="A Welcoming City complaint against a CPD officer").click()
    page.get_by_label("On (date)").fill("2025-06-04")
    page.get_by_role("button", name="Answer").click()
    expect(page.locator(".answer")).to_contain_text("Contested: the readings of the law disagree")
    main = page.locator("main")
    expect(main).to_contain_text("The point in dispute: Who investigates a complaint")
    for reading in ("copa-intake-routing", "oig-general-powers", "bia-residual"):
        expect(main).to_contain_text(reading)
    change = page.locator("li", has_text="copa-wco-jurisdiction").first
    expect(change).to_contain_text("changes the answer")
    expect(change).to_contain_text("COPA investigates, under copa-wco-jurisdiction:1.")
    shot(page, "who")
    change.get_by_role("link", name="Ask with it in force").click()
    expect(page.locator(".answer")).to_contain_text("COPA investigates")
    expect(main).to_contain_text("Counterfactual")


def test_june4_incident(page: Page, server: str) -> None:
    page.goto(f"{server}/incident/{JUNE4}")
    calls = page.locator("ol.timeline > li > h3").all_inner_texts()
    assert [c.split()[1] for c in calls] == ["call1", "call2", "call3"]
    cpd = page.locator("h3", has_text="CPD's actions")
    expect(cpd).to_be_visible()
    assert [
        a.split()[0] for a in cpd.locator("xpath=following-sibling::ul[1]/li").all_inner_texts()
    ] == ["a1", "a2", "a3", "a4"]
    finding = page.locator("article.finding", has_text="a1 (CPD officer, crowd-control)").first
    expect(finding).to_contain_text("Reading effect-test")
    expect(finding).to_contain_text("Reading purpose-test")
    expect(finding).to_contain_text("Claim cl1 about a1.assists")
    shot(page, "incident")
    page.emulate_media(media="print")
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".print-only")).to_be_visible()


def test_check_an_incident_form(page: Page, server: str) -> None:
    page.goto(server + "/check")
    page.fill("#f-card-id", "my-card")
    page.fill("#f-card-title", "Crowd control near a raid")
    page.fill("#f-card-date", "2025-06-04")
    # the action's id is made for the user (a1), and shown, read-only
    expect(page.locator("#row-actions-0 > legend")).to_contain_text("(id a1)")
    page.select_option("#f-actions-0-actor-agency", "CPD")
    page.select_option("#f-actions-0-actor-role", "officer")
    page.select_option("#f-actions-0-kind", label="Crowd control")
    page.select_option("#f-actions-0-purpose", "public-safety")
    page.get_by_role("button", name="Check the incident").click()
    result = page.locator("section[aria-labelledby=result-heading]")
    expect(result).to_contain_text("Findings on the law as of 2025-06-04")
    expect(result.locator("article.finding", has_text="2-173-020(a)(6)").first).to_contain_text(
        "complies"
    )
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the card").last.click()
    card = Path(download.value.path()).read_text(encoding="utf-8")
    assert "id: my-card" in card and "kind: crowd-control" in card
    # a bad input: an action in response to a call that is empty
    page.select_option("#f-actions-0-in_response_to", "call1")
    page.get_by_role("button", name="Check the incident").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        "Action 1, in response to the call: Call 1 is empty: fill it in above, or choose another."
    )
    field = page.locator("#f-actions-0-in_response_to")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("call1")
    summary.get_by_role("link").first.click()
    expect(field).to_be_focused()
    shot(page, "check")


def test_amendment_sandbox(page: Page, server: str) -> None:
    # the sandbox runs the reasoner on the law with and without the amendment (about
    # half a minute on 2 busy cores): wait for its answer longer than a page's default
    page.set_default_navigation_timeout(120_000)
    page.set_default_timeout(120_000)
    page.goto(server + "/amend")
    page.check("#amend-copa-wco-jurisdiction")
    page.fill("#as_of", "2025-06-04")
    page.get_by_role("button", name="Show what changes").click()
    expect(page.locator("td.changed").first).to_contain_text("changed: contested → clear")
    flipped = page.locator("tr.changed", has_text=JUNE4).first
    expect(flipped).to_contain_text("copa-wco-jurisdiction:1")
    shot(page, "amend")
    page.set_input_files("#file", str(TEMPLATE))
    page.get_by_role("button", name="Upload and compare").click()
    expect(page.locator("#impact-heading")).to_contain_text("example-copa-operational")


def test_keyboard_skip_link(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


MAIN_PAGES = {
    "home": "/",
    "law": "/law",
    "provision": "/law/mcc/2-173-020/a/6",
    "agencies": "/agency",
    "agency": "/agency/COPA",
    "query": "/query/provisions-in-force?chapter=https%3A%2F%2Fw3id.org%2Fauthority-kg%2Flaw"
    "%2Fmcc%2Fch-2-173&date=2025-06-04",
    "sparql": "/sparql",
    "search": "/search?q=COPA",
}


@pytest.mark.parametrize("name", sorted(MAIN_PAGES))
def test_main_pages_render(page: Page, server: str, name: str) -> None:
    page.goto(server + MAIN_PAGES[name])
    expect(page.locator("h1")).to_be_visible()
    shot(page, name)

"""The list of incidents (/incidents, issue 17 item 4): every card of incidents/ on the
page and in its JSON twin, as a timeline by year and month in either order; each filter
(dates, agency, provision, verdict, disputed) keeps exactly the incidents the cards (and
the incident pages' findings) say it should; a bad filter is answered 400 naming the
field; every entry links to its incident page. The last tests drive Debian's Chromium:
the page fits a 390 px phone, axe-core finds nothing, and the filters work without
JavaScript.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import JUNE4, json_of, text
from tests.web.test_axe_all import AXE, NO_AXE, violations
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass

CARDS = Path(__file__).resolve().parents[2] / "incidents"
VERDICTS = ("violates", "contested", "undetermined", "complies")


# -- what the cards say, read here without the app ----------------------------------------


@cache
def cards() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(CARDS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[str(data["id"])] = data
    return out


def _agency(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("agency", ""))
    return str(value or "").split(":", 1)[0]


def agencies_of(card: dict[str, Any]) -> set[str]:
    """Actors, callers, operations' agencies, complaints' filed_with and against."""
    found = {_agency(a.get("actor")) for a in card.get("actions", [])}
    found |= {_agency(c.get("caller")) for c in card.get("calls", [])}
    found |= {str(o.get("agency", "")) for o in card.get("operations", [])}
    for c in card.get("complaints", []) + card.get("complaint_counts", []):
        found |= {str(c.get("filed_with") or ""), _agency(c.get("against"))}
    return found - {"", "unknown"}


def ids(data: dict[str, Any]) -> list[str]:
    return [e["id"] for e in data["incidents"]]


@pytest.fixture(scope="module")
def reports(app: Flask) -> dict[str, dict[str, Any]]:
    """Each incident page's findings and competence (its own path to the reasoner's answer)."""
    client = app.test_client()
    return {i: json_of(client, f"/incident/{i}.json")["report"] for i in cards()}


# -- every card, in order ----------------------------------------------------------------


def test_every_card_is_on_the_page_and_in_the_twin(client: FlaskClient) -> None:
    data = json_of(client, "/incidents.json")
    assert sorted(ids(data)) == sorted(cards()) and len(cards()) >= 30
    assert data["shown"] == data["total"] == len(cards())
    html = client.get("/incidents").get_data(as_text=True)
    for incident in cards():
        assert f'href="/incident/{incident}"' in html, incident
    plain = text(html)
    assert f"Showing {len(cards())} of the {len(cards())} incidents" in plain
    assert "not all that happened" in plain and "docs/incidents.md" in plain
    # the incidents' own path shows the same list
    assert sorted(ids(json_of(client, "/incident.json"))) == sorted(cards())


def test_each_entry_says_what_its_card_records(client: FlaskClient) -> None:
    for e in json_of(client, "/incidents.json")["incidents"]:
        card = cards()[e["id"]]
        assert (e["title"], e["date"], e["place"]) == (
            card["title"],
            str(card["date"]),
            card.get("place", ""),
        )
        assert e["disputed"] == bool(card.get("claims")) and e["claims"] == len(
            card.get("claims", [])
        )
        assert {a["code"] for a in e["agencies"]} == agencies_of(card), e["id"]


def test_counts_are_the_incident_pages(
    client: FlaskClient, reports: dict[str, dict[str, Any]]
) -> None:
    for e in json_of(client, "/incidents.json")["incidents"]:
        report = reports[e["id"]]
        assert e["findings"] == {v: report["counts"][v] for v in VERDICTS}, e["id"]
        statuses: dict[str, int] = {}
        for c in report["competence"]:
            statuses[c["status"]] = statuses.get(c["status"], 0) + 1
        assert e["competence"] == statuses, e["id"]
        assert e["determinations"] == "store"  # the stored determinations, no new run


def test_newest_first_and_oldest_first_grouped_by_year_and_month(client: FlaskClient) -> None:
    newest = json_of(client, "/incidents.json")["incidents"]
    oldest = json_of(client, "/incidents.json?order=oldest")["incidents"]
    assert [e["date"] for e in newest] == sorted((e["date"] for e in newest), reverse=True)
    assert [e["id"] for e in oldest] == [e["id"] for e in reversed(newest)]
    html = client.get("/incidents?order=oldest&agency=CPD").get_data(as_text=True)
    years = re.findall(r'<h3 id="year-(\d{4})">', html)
    assert years == sorted(set(years)) and "2012" not in years  # CPD is in none of 2012
    months = re.findall(r'<h4 id="month-(\d{4}-\d{2})">', html)
    assert months == sorted(set(months)) and "2025-10" in months
    # the toggle keeps the filters and turns the order
    assert 'href="/incidents?agency=CPD&amp;order=newest"' in html


def test_links_open_the_incident_pages(client: FlaskClient) -> None:
    html = client.get("/incidents").get_data(as_text=True)
    links = re.findall(r'<p class="incident-head">.*?<a href="(/incident/[^"]+)">', html)
    assert len(links) == len(cards())
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert cards()[link.rsplit("/", 1)[1]]["title"] in text(page.get_data(as_text=True))


# -- each filter narrows to what the cards say --------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2025-10-01", "2025-10-31"),
        ("2025-06-04", ""),
        ("", "2019-12-31"),
        ("2025-06-04", "2025-06-04"),
    ],
)
def test_date_range(client: FlaskClient, start: str, end: str) -> None:
    data = json_of(client, "/incidents.json?" + urlencode({"from": start, "to": end}))
    expected = {
        i
        for i, c in cards().items()
        if (not start or str(c["date"]) >= start) and (not end or str(c["date"]) <= end)
    }
    assert set(ids(data)) == expected and 0 < len(expected) < len(cards())
    assert (data["filters"]["from"], data["filters"]["to"]) == (start, end)
    assert data["shown"] == len(expected) and data["total"] == len(cards())


@pytest.mark.parametrize("agency", ["CPD", "OEMC", "CBP", "COPA", "ICE-CONTRACTOR", "OIG"])
def test_agency(client: FlaskClient, agency: str) -> None:
    data = json_of(client, f"/incidents.json?agency={agency}")
    assert set(ids(data)) == {i for i, c in cards().items() if agency in agencies_of(c)}
    assert data["filters"]["agency"] == agency


@pytest.mark.parametrize("disputed", ["yes", "no"])
def test_disputed(client: FlaskClient, disputed: str) -> None:
    data = json_of(client, f"/incidents.json?disputed={disputed}")
    want = disputed == "yes"
    expected = {i for i, c in cards().items() if bool(c.get("claims")) == want}
    assert set(ids(data)) == expected and 0 < len(expected) < len(cards())


def _rests_on(citation: str, provision: str) -> bool:
    return citation == provision or citation.startswith(provision + "(")


@pytest.mark.parametrize(
    ("provision", "verdict"),
    [
        ("2-173-020(a)(6)", ""),
        ("2-173-020(a)", ""),  # and its parts
        ("2-173-020(b)", ""),
        ("", "contested"),
        ("", "complies"),
        ("", "violates"),
        ("2-173-020(a)(6)", "contested"),
        ("2-173-030", ""),  # a provision of the law no finding rests on
    ],
)
def test_provision_and_verdict(
    client: FlaskClient,
    reports: dict[str, dict[str, Any]],
    provision: str,
    verdict: str,
) -> None:
    query = urlencode({"provision": provision, "verdict": verdict})
    data = json_of(client, f"/incidents.json?{query}")
    expected = {
        i
        for i, r in reports.items()
        if any(
            (not provision or _rests_on(f["provision"], provision))
            and (not verdict or f["verdict"] == verdict)
            for f in r["findings"]
        )
    }
    assert set(ids(data)) == expected
    assert (data["filters"]["provision"], data["filters"]["verdict"]) == (provision, verdict)


def test_filters_combine(client: FlaskClient) -> None:
    both = json_of(client, "/incidents.json?agency=OEMC&disputed=yes&from=2025-01-01")
    one = set(ids(json_of(client, "/incidents.json?agency=OEMC")))
    two = set(ids(json_of(client, "/incidents.json?disputed=yes&from=2025-01-01")))
    assert set(ids(both)) == one & two and both["shown"] == len(one & two)
    html = client.get("/incidents?agency=OEMC&disputed=yes&from=2025-01-01").get_data(as_text=True)
    assert f"Showing {len(one & two)} of the {len(cards())} incidents" in text(html)


def test_no_match_says_so(client: FlaskClient) -> None:
    html = client.get("/incidents?from=2013-01-01&to=2015-12-31").get_data(as_text=True)
    assert "No incident card matches these filters" in text(html)


# -- a bad filter: 400, naming the field -------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"to": "06/04/2025"}, "to"),
        ({"from": "2025-10-31", "to": "2025-10-01"}, "to"),
        ({"agency": "NOPE"}, "agency"),
        ({"provision": "2-999-999(z)"}, "provision"),
        ({"verdict": "guilty"}, "verdict"),
        ({"disputed": "maybe"}, "disputed"),
        ({"order": "sideways"}, "order"),
    ],
)
def test_bad_filter_is_a_400_naming_the_field(
    client: FlaskClient, query: dict[str, str], field: str
) -> None:
    data = json_of(client, "/incidents.json?" + urlencode(query), status=400)
    assert [e["field"] for e in data["errors"]] == [field]
    assert data["error"]["message"].startswith(f"{field}: ") and "Fix:" in data["error"]["message"]
    assert "incidents" not in data  # no list for a question that was not understood
    page = client.get("/incidents?" + urlencode(query))
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert 'class="error-summary" role="alert"' in html and f'href="#f-{field}"' in html
    if field != "order":
        assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', html), field


# -- restricted sources ------------------------------------------------------------------


def test_restricted_sources_are_left_out(restricted_app: Flask) -> None:
    client = restricted_app.test_client()
    data = json_of(client, "/incidents.json")
    assert sorted(ids(data)) == sorted(cards())
    june4 = next(e for e in data["incidents"] if e["id"] == JUNE4)
    # claims on a withheld source (cl1, cl2) or about a withheld item are left out, and the
    # findings come from the reasoner without what rests on withheld items, as on the
    # incident page
    page = json_of(client, f"/incident/{JUNE4}.json")
    assert june4["claims"] == len(page["disputes"]) <= len(cards()[JUNE4]["claims"]) - 2
    assert june4["findings"] == {v: page["report"]["counts"][v] for v in VERDICTS}
    assert JUNE4 in data["from_reasoner"]


def test_a_warm_list_answers_within_a_second(app: Flask) -> None:
    client = app.test_client()
    client.get("/incidents")  # warm: the entries are computed once per store
    for query in ("agency=CBP&order=oldest", "verdict=undetermined&disputed=no", "from=2020-01-01"):
        started = time.perf_counter()
        assert client.get(f"/incidents?{query}").status_code == 200
        assert time.perf_counter() - started < 1.0, query


# -- in a browser ------------------------------------------------------------------------

browser_only = pytest.mark.skipif(bool(SKIP), reason=SKIP)
PAGES = [
    "/incidents",
    "/incidents?" + urlencode({"from": "2025-09-01", "to": "2025-10-31", "agency": "CPD"}),
    "/incidents?" + urlencode({"provision": "2-173-020(a)(6)", "verdict": "contested"}),
    "/incidents?order=oldest&disputed=no",
    "/incidents?from=2013-01-01&to=2015-12-31",  # none
    "/incidents?" + urlencode({"from": "2025-13-01", "verdict": "guilty", "order": "x"}),  # 400
]


@pytest.fixture(params=(390, 1366), ids=("390px", "1366px"))
def sized(request: pytest.FixtureRequest, browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    yield context.new_page()
    context.close()


@browser_only
@pytest.mark.browser
@pytest.mark.skipif(bool(NO_AXE), reason=NO_AXE)
@pytest.mark.parametrize("path", PAGES)
def test_fits_the_screen_and_axe_finds_nothing(sized: Page, server: str, path: str) -> None:  # noqa: F811
    assert AXE
    sized.goto(server + path)
    width = sized.evaluate("document.documentElement.scrollWidth")
    viewport = sized.evaluate("window.innerWidth")
    assert width <= viewport, f"{path} is {width} px wide at {viewport}"
    found = violations(sized)
    assert not found, f"{path}: {found}"


@browser_only
@pytest.mark.browser
def test_filters_work_without_javascript(browser: Browser, server: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/incidents")
        page.fill("#f-from", "2025-10-01")
        page.fill("#f-to", "2025-10-31")
        page.select_option("#f-agency", "CPD")
        page.get_by_role("button", name="Show").click()
        assert "from=2025-10-01" in page.url and "agency=CPD" in page.url
        expected = {
            i
            for i, c in cards().items()
            if "2025-10-01" <= str(c["date"]) <= "2025-10-31" and "CPD" in agencies_of(c)
        }
        shown = page.locator("p.incident-head a").evaluate_all("els => els.map(e => e.href)")
        assert {h.rsplit("/", 1)[1] for h in shown} == expected
        page.get_by_role("link", name="Show the oldest first").click()
        assert "order=oldest" in page.url and "agency=CPD" in page.url
        page.locator("p.incident-head a").first.click()
        assert page.url.rsplit("/", 1)[1] == min(
            expected, key=lambda i: (str(cards()[i]["date"]), i)
        )
    finally:
        context.close()

"""The law pages over time (issue 16, items 7 and 8): a provision as it stood on a day
(`?as_of=`, echoed by the JSON twin; a bad date is a 400 naming the field), its versions
with their dates and amending ordinance, a redline of two versions, the status banners
(not yet in force, repealed, text not retrieved), the O2021-117 link that replays it on a
day where it changes something, no passed amendment offered as one that "would be" law,
search that finds a citation however written, and the law's index in the code's order.

The last tests drive Debian's Chromium: each new page fits a 390 px phone and axe-core
finds no violation on it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import json_of, text
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass

A6 = "/law/mcc/2-173-020/a/6"
SECTION = "/law/mcc/2-173-020"
REPEALED = "/law/mcc/2-173-042"  # in force 2012-09-12 to 2021-01-27 (not on that day)
TITLE_ONLY = "/law/mcc/2-173-040"


def banner_kinds(data: dict[str, Any]) -> list[str]:
    return [b["kind"] for b in data["banners"]]


# --- item 7: a provision on a day ---------------------------------------------------------


def test_the_twin_echoes_as_of_and_gives_the_version_then(client: FlaskClient) -> None:
    then = json_of(client, f"{SECTION}.json?as_of=2020-01-01")
    assert then["as_of"] == "2020-01-01"
    assert then["in_force_version"]["id"] == "v1"
    assert then["in_force_version"]["until"] == "2021-01-27"
    now = json_of(client, f"{SECTION}.json?as_of=2025-06-04")
    assert now["as_of"] == "2025-06-04" and now["in_force_version"]["id"] == "v2"
    assert json_of(client, f"{SECTION}.json")["as_of"] == datetime.date.today().isoformat()
    html = text(client.get(f"{SECTION}?as_of=2020-01-01").get_data(as_text=True))
    assert "In force on 2020-01-01 v1 2-173-020 as it stood from 2012 until O2021-117" in html


def test_before_a_provision_existed_it_is_not_yet_in_force(client: FlaskClient) -> None:
    before = json_of(client, f"{A6}.json?as_of=2020-01-01")
    assert banner_kinds(before) == ["not-yet-in-force"]
    assert not before["dates"]["in_force"]
    html = text(client.get(f"{A6}?as_of=2020-01-01").get_data(as_text=True))
    assert "Not yet in force. Not yet in force on 2020-01-01" in html
    assert "2021-01-27" in before["banners"][0]["message"]
    assert "not-yet-in-force" not in banner_kinds(json_of(client, f"{A6}.json?as_of=2021-01-27"))


def test_a_repealed_provision_after_its_end_date(client: FlaskClient) -> None:
    on_end = json_of(client, f"{REPEALED}.json?as_of=2021-01-27")
    assert "repealed" in banner_kinds(on_end)
    assert "O2021-117" in on_end["banners"][0]["message"]  # the ordinance that removed it
    assert "repealed" not in banner_kinds(json_of(client, f"{REPEALED}.json?as_of=2021-01-26"))
    html = text(client.get(f"{REPEALED}?as_of=2025-06-04").get_data(as_text=True))
    assert "Repealed or no longer in force. No longer in force on 2025-06-04" in html


def test_a_title_only_provision_says_its_text_was_not_retrieved(client: FlaskClient) -> None:
    data = json_of(client, f"{TITLE_ONLY}.json")
    assert data["status"] == "title-only" and "text-not-retrieved" in banner_kinds(data)
    assert "Text not retrieved." in text(client.get(TITLE_ONLY).get_data(as_text=True))
    assert "text-not-retrieved" not in banner_kinds(json_of(client, f"{A6}.json"))


@pytest.mark.parametrize("bad", ["2020-13-01", "01/02/2020", "2020-1-1", "tomorrow"])
def test_a_bad_date_is_a_400_naming_the_field(client: FlaskClient, bad: str) -> None:
    data = json_of(client, f"{SECTION}.json?{urlencode({'as_of': bad})}", status=400)
    assert data["error"]["field"] == "as_of" and data["error"]["value"] == bad
    assert "as_of" in data["error"]["message"] and "YYYY-MM-DD" in data["error"]["message"]
    page = client.get(f"{SECTION}?{urlencode({'as_of': bad})}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and 'role="alert"' in html
    assert re.search(r'<input id="as_of"[^>]*aria-invalid="true"', html)


def test_a_bad_comparison_is_a_400_naming_the_field(client: FlaskClient) -> None:
    data = json_of(client, f"{SECTION}.json?compare=v1,v9", status=400)
    assert data["error"]["field"] == "compare" and "v1, v2" in data["error"]["message"]


def test_the_versions_with_their_dates_and_amending_ordinance(client: FlaskClient) -> None:
    versions = json_of(client, f"{SECTION}.json")["timeline"]
    assert [(v["id"], v["from"], v["until"]) for v in versions] == [
        ("v1", "2012-09-12", "2021-01-27"),
        ("v2", "2021-01-27", ""),
    ]
    assert versions[1]["amendment"]["id"] == "o2021-117"
    html = client.get(SECTION).get_data(as_text=True)
    assert 'href="/law/amendment/o2021-117"' in html
    plain = text(html)
    assert "v1 2-173-020 as it stood from 2012 until O2021-117 in force 2012-09-12 to" in plain
    assert "Made by O2021-117: Welcoming City Ordinance amendment (2021) (passed)" in plain


def test_the_redline_marks_insertions_and_deletions(client: FlaskClient) -> None:
    data = json_of(client, f"{SECTION}.json?compare=v1,v2")
    old, new = (v["paraphrase"] for v in data["timeline"])
    parts = data["redline"]["parts"]
    assert "".join(p["text"] for p in parts if p["op"] != "insert") == old
    assert "".join(p["text"] for p in parts if p["op"] != "delete") == new
    html = client.get(f"{SECTION}?compare=v1,v2").get_data(as_text=True)
    assert '<del><span class="visually-hidden">[removed: </span>' in html
    assert '<ins><span class="visually-hidden">[added: </span>' in html
    assert 'href="/law/mcc/2-173-020?compare=v1%2Cv2#redline"' in html or (
        'href="/law/mcc/2-173-020?compare=v1,v2#redline"' in html
    )


# --- the O2021-117 link, and passed amendments -------------------------------------------


def test_the_o2021_117_link_opens_the_sandbox_where_it_changes_something(
    client: FlaskClient,
) -> None:
    amendments = json_of(client, f"{SECTION}.json")["amendments"]
    o2021 = next(a for a in amendments if a["id"] == "o2021-117")
    took_effect = datetime.date.fromisoformat(o2021["in_force_from"])
    assert o2021["passed"] and o2021["sandbox_day"] == str(took_effect - datetime.timedelta(1))
    html = client.get(SECTION).get_data(as_text=True)
    assert f'href="{o2021["sandbox_url"].replace("&", "&amp;")}"' in html
    sandbox = json_of(client, o2021["sandbox_url"].replace("/amend?", "/amend.json?", 1))
    result = sandbox["result"]["impact"]
    assert result["as_of"] == o2021["sandbox_day"]
    assert result["changes"] or any(m["changed"] for m in result["matrix"])


def test_a_passed_amendment_is_not_offered_as_if_it_were_law(client: FlaskClient) -> None:
    data = json_of(client, "/amend.json")
    assert "o2021-117" not in {a["id"] for a in data["options"]}
    assert {a["id"] for a in data["options"]} >= {"copa-wco-jurisdiction"}
    assert [a["id"] for a in data["already_law"]] == ["o2021-117"]
    html = client.get("/amend").get_data(as_text=True)
    assert 'id="amend-o2021-117"' not in html and 'id="amend-copa-wco-jurisdiction"' in html


def test_the_who_form_does_not_offer_a_passed_amendment(client: FlaskClient) -> None:
    options = json_of(client, "/who.json")["options"]["amendments"]
    assert "o2021-117" not in {a["id"] for a in options}


# --- item 8: search and the law's index --------------------------------------------------


@pytest.mark.parametrize(
    ("written", "found"),
    [
        ("2-173-020 (a)(6)", A6),
        ("Sec. 2-173-020(a)(6)", A6),
        ("MCC 2-173-020(a)(6)", A6),
        ("2-173-020(A)(6)", A6),
        ("  sec.  2-173-020 ( A ) ( 6 ) ", A6),
        ("mcc 2-173-20(a)(6)", A6),
        ("§ 2-173-020", SECTION),
        ("2-173-20", SECTION),
    ],
)
def test_search_finds_a_citation_however_written(
    client: FlaskClient, written: str, found: str
) -> None:
    data = json_of(client, f"/search.json?q={quote(written)}")
    assert data["hits"][0]["url"] == found and data["hits"][0]["exact"]
    assert data["read_as"] == {A6: "2-173-020(a)(6)", SECTION: "2-173-020"}[found]
    html = text(client.get(f"/search?q={quote(written)}").get_data(as_text=True))
    assert f"read as the citation {data['read_as']}." in html


def test_the_law_index_follows_the_code(client: FlaskClient) -> None:
    instruments = json_of(client, "/law.json")["instruments"]
    mcc = instruments[0]
    assert mcc["citation"] == "MCC"
    chapters = [c["citation"] for c in mcc["children"]]
    assert chapters[0] == "Chapter 2-173" and len(chapters) > 1
    wco = mcc["children"][0]
    sections = [s["citation"] for s in wco["children"]]
    assert sections[:3] == ["2-173-005", "2-173-010", "2-173-020"]
    assert sections.index("2-173-042") < sections.index("2-173-050")
    section = wco["children"][2]
    assert [c["citation"] for c in section["children"]] == [
        "2-173-020(a)",
        "2-173-020(b)",
        "2-173-020(c)",
    ]
    items = [c["citation"] for c in section["children"][0]["children"]]
    assert items == [f"2-173-020(a)({n})" for n in range(1, 7)]
    assert section["versions"] == 2
    plain = text(client.get("/law").get_data(as_text=True))
    order = ["Chapter 2-173", "2-173-020(a)(1)(A)", "2-173-020(a)(6)", "2-173-030", "Chapter 2-56"]
    places = [plain.index(c) for c in order]
    assert places == sorted(places)


# --- the browser ------------------------------------------------------------------------

PAGES = [
    f"{SECTION}?as_of=2020-01-01",
    f"{SECTION}?compare=v1,v2",
    f"{REPEALED}?as_of=2025-06-04",
    f"{TITLE_ONLY}",
    f"{A6}?as_of=2020-01-01",
    f"{SECTION}?as_of=2020-02-31",
    "/law",
    "/search?" + urlencode({"q": "Sec. 2-173-20 (A)(6)"}),
    "/amend",
    "/amend?" + urlencode({"amend": "o2021-117", "as_of": "2021-01-26"}),
]


@pytest.fixture()
def phone(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.mark.browser
@pytest.mark.skipif(bool(SKIP), reason=SKIP)
@pytest.mark.parametrize("path", PAGES)
def test_each_page_fits_a_phone_and_axe_finds_nothing(
    phone: Page,
    server: str,  # noqa: F811
    path: str,
) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    phone.goto(server + path)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide at 390"
    found = axe.Axe().run(phone).response["violations"]
    assert not found, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found]

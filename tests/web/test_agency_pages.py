"""Agency pages (issue 16, items 2, 10 and 11): every grant and every other power of an
agency listed with its provisions, the OIG's subpoena, oath and information powers among
them; two agencies compared over the competence matrix; the graph of relations drawn with
no box or label over another, as a figure (not an image) beside the same relations in
words; axe-core finds nothing on these pages at 390 px, and none is wider than that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from kg.law.load import law_current_to
from tests.web.conftest import json_of, text
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)

try:
    from playwright.sync_api import Browser, Page
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass

browser_only = pytest.mark.skipif(bool(SKIP), reason=SKIP)
COMPARE = "/agencies/compare?" + urlencode({"a": "COPA", "b": "OIG"})

# How many grants (akg:Grant, by grantee) and other powers (akg:Power, by holder) the graph
# holds, each counted once per named graph that states it: what the pages must list.
COUNTS = """
PREFIX akg: <https://w3id.org/authority-kg/ontology#>
SELECT ?agency ?kind (COUNT(*) AS ?n) WHERE {
  SELECT DISTINCT ?agency ?kind ?node ?g WHERE {
    { GRAPH ?g { ?node a akg:Grant ; akg:grantee ?agency } BIND("grant" AS ?kind) }
    UNION
    { GRAPH ?g { ?node a akg:Power ; akg:holder ?agency } BIND("power" AS ?kind) }
  }
} GROUP BY ?agency ?kind
"""


def sparql_counts(client: FlaskClient) -> dict[tuple[str, str], int]:
    response = client.get(
        "/sparql?" + urlencode({"query": COUNTS}),
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    rows = json.loads(response.get_data(as_text=True))["results"]["bindings"]
    return {
        (r["agency"]["value"].rsplit("/", 1)[-1], r["kind"]["value"]): int(r["n"]["value"])
        for r in rows
    }


def codes(client: FlaskClient) -> list[str]:
    return [a["code"] for a in json_of(client, "/agency.json")["agencies"]]


# --- item 2: every grant and every power ------------------------------------------------


def test_the_oig_page_lists_its_subpoena_oath_and_information_powers(
    client: FlaskClient,
) -> None:
    data = json_of(client, "/agency/OIG.json")
    cited = {c["citation"]: p for p in data["other_powers"] for c in p["provisions"]}
    assert {"2-56-030(e)", "2-56-030(g)", "2-56-030(h)(1)"} <= set(cited)
    assert "subpoena" in cited["2-56-030(h)(1)"]["label"]
    assert "oath" in cited["2-56-030(g)"]["label"]
    assert "information" in cited["2-56-030(e)"]["label"]
    for power in data["other_powers"]:  # dated and honest about what was read
        assert power["status"] and power["status_note"] and power["from"]
    # the subpoena power's limits (2-56-040) were not read: not shown as verified
    assert cited["2-56-030(h)(1)"]["status"] == "partial"
    page = text(client.get("/agency/OIG").get_data(as_text=True))
    for words in ("issues subpoenas", "administers oaths", "requests information"):
        assert words in page
    assert "2-56-030(h)(1)" in page and "2-56-030(g)" in page and "2-56-030(e)" in page


def test_every_agency_page_lists_every_grant_and_power_of_the_graph(
    client: FlaskClient,
) -> None:
    counts = sparql_counts(client)
    assert counts.get(("OIG", "power"), 0) >= 3 and counts.get(("COPA", "power"), 0) >= 1
    for code in codes(client):
        data = json_of(client, f"/agency/{code}.json")
        grants = len(data["powers"]) + len(data["proposed_powers"])
        powers = len(data["other_powers"]) + len(data["proposed_other_powers"])
        assert (grants, powers) == (
            counts.get((code, "grant"), 0),
            counts.get((code, "power"), 0),
        ), code


def test_powers_answer_no_competence_question(client: FlaskClient) -> None:
    """A power to subpoena is not a grant: who may investigate is what it was."""
    answer = json_of(
        client,
        "/who.json?"
        + urlencode(
            {
                "allegation": "misconduct-other",
                "respondent": "OEMC:dispatcher",
                "date": "2025-06-04",
            }
        ),
    )["result"]["answer"]
    assert answer["status"] == "clear"
    assert [a["agency"] for a in answer["agencies"]] == ["OIG"]


# --- item 2: the comparison --------------------------------------------------------------


def test_compare_copa_and_oig_on_the_law_currency_date(client: FlaskClient) -> None:
    data = json_of(client, "/agencies/compare.json?a=COPA&b=OIG")
    result = data["result"]
    assert result["question"] == {"a": "COPA", "b": "OIG", "date": law_current_to()}
    cells = {(r["allegation"], c["respondent"]): c for r in result["rows"] for c in r["cells"]}
    assert cells[("excessive-force", "CPD:officer")]["kind"] == "a"
    assert cells[("misconduct-other", "OEMC:dispatcher")]["kind"] == "b"
    wco = cells[("welcoming-city-violation", "CPD:officer")]
    assert wco["kind"] == "contested"
    assert wco["a"]["readings"] and wco["b"]["readings"]  # each only under a reading
    assert cells[("theft", "CPD:officer")]["kind"] == "other"  # BIA's, neither of these
    assert sum(result["counts"].values()) == len(cells)
    html = client.get(COMPARE).get_data(as_text=True)
    page = text(html)
    assert law_current_to() in page and "Contested" in page and "COPA only" in page
    assert "/who?allegation=welcoming-city-violation" in html  # each cell links its answer


def test_compare_agrees_with_who_investigates(client: FlaskClient) -> None:
    result = json_of(client, "/agencies/compare.json?a=COPA&b=CPD-BIA&date=2025-06-04")["result"]
    for row in result["rows"][:6]:
        for cell in row["cells"][:3]:
            who = json_of(
                client,
                "/who.json?"
                + urlencode(
                    {
                        "allegation": row["allegation"],
                        "respondent": cell["respondent"],
                        "date": "2025-06-04",
                    }
                ),
            )["result"]["answer"]
            named = {a["agency"] for a in who["agencies"]}
            assert ("COPA" in named) == (
                cell["kind"] in ("a", "both") or bool(cell["a"]["readings"])
            )
            assert ("CPD-BIA" in named) == (
                cell["kind"] in ("b", "both") or bool(cell["b"]["readings"])
            )


def test_compare_takes_a_date(client: FlaskClient) -> None:
    """Before COPA (2017-09-15) it investigates nothing."""
    result = json_of(client, "/agencies/compare.json?a=COPA&b=OIG&date=2016-06-01")["result"]
    assert result["question"]["date"] == "2016-06-01"
    kinds = {c["kind"] for r in result["rows"] for c in r["cells"]}
    assert not kinds & {"a", "both"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("a=NOPE&b=OIG", "a"), ("a=OIG&b=OIG", "b"), ("a=COPA&b=OIG&date=06/04/2025", "date")],
)
def test_compare_says_what_is_wrong(client: FlaskClient, query: str, field: str) -> None:
    data = json_of(client, f"/agencies/compare.json?{query}", status=400)
    assert data["error"]["field"] == field and data["result"] is None
    html = client.get(f"/agencies/compare?{query}").get_data(as_text=True)
    assert f'id="compare-{field}"' in html and 'aria-invalid="true"' in html


def test_agency_pages_link_the_comparison(client: FlaskClient) -> None:
    html = client.get("/agency/OIG").get_data(as_text=True)
    assert 'action="/agencies/compare"' in html and 'name="a" value="OIG"' in html
    assert "/agencies/compare?a=COPA" in client.get("/agency").get_data(as_text=True)


# --- item 10: the graph ------------------------------------------------------------------


def _overlaps(boxes: list[tuple[str, float, float, float, float]]) -> list[tuple[str, str]]:
    out = []
    for i, (n1, l1, t1, r1, b1) in enumerate(boxes):
        for n2, l2, t2, r2, b2 in boxes[i + 1 :]:
            if min(r1, r2) > max(l1, l2) and min(b1, b2) > max(t1, t2):
                out.append((n1, n2))
    return out


def test_the_graph_is_a_figure_with_links_not_an_image(client: FlaskClient) -> None:
    for path in ("/agency", "/agency/COPA"):
        html = client.get(path).get_data(as_text=True)
        svg = html[html.index("<svg id=") : html.index("</svg>")]
        assert 'role="img"' not in svg and '<a class="node' in svg
        assert '<figure class="agency-graph"' in html and "<figcaption" in html
    data = json_of(client, "/agency.json")
    for node in data["graph"]["nodes"]:  # every drawn relation is also listed in words
        assert node["code"] in {r["from"] for r in data["relations"]} | {
            r["to"] for r in data["relations"]
        }


@pytest.fixture()
def phone(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(str(e)))
    yield pg
    context.close()
    assert not problems, problems


BOXES = """() => {
  const box = (el, name) => { const r = el.getBoundingClientRect();
    return [name, r.left, r.top, r.right, r.bottom]; };
  const nodes = [...document.querySelectorAll("svg a.node rect")].map(
    (el, i) => box(el, "node " + el.parentNode.getAttribute("href")));
  const labels = [...document.querySelectorAll("svg text.edge-label")].map(
    (el, i) => box(el, "label " + el.textContent));
  return {nodes, labels};
}"""


def _pages(client: FlaskClient) -> list[str]:
    return ["/agency", COMPARE, *(f"/agency/{code}" for code in codes(client))]


@browser_only
@pytest.mark.browser
def test_no_box_or_label_of_the_graph_overlaps_another(
    phone: Page,
    server: str,  # noqa: F811
    client: FlaskClient,
) -> None:
    for path in _pages(client):
        if path == COMPARE:
            continue
        phone.goto(server + path)
        found: dict[str, Any] = phone.evaluate(BOXES)
        assert not _overlaps(found["nodes"]), (path, _overlaps(found["nodes"]))
        assert not _overlaps(found["nodes"] + found["labels"]), path


@browser_only
@pytest.mark.browser
def test_axe_finds_nothing_and_no_page_is_wider_than_a_phone(
    phone: Page,
    server: str,  # noqa: F811
    client: FlaskClient,
) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    problems = {}
    for path in _pages(client) + ["/agencies/compare", "/agencies/compare?a=OIG&b=OIG"]:
        phone.goto(server + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide at 390"
        found = axe.run(phone).response["violations"]
        if found:
            problems[path] = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found
            ]
    assert not problems, problems


@browser_only
@pytest.mark.browser
def test_the_graph_links_work_by_keyboard(phone: Page, server: str) -> None:  # noqa: F811
    phone.goto(server + "/agency/OIG")
    link = phone.locator('svg a.node[href="/agency/COPA"], svg a.node[href="/agency/CPD"]').first
    link.focus()
    assert phone.evaluate("document.activeElement.getAttribute('href')").startswith("/agency/")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/agency/C*")

"""Every page and its JSON twin, through the Flask test client; what the June 4 incident,
the who-investigates answer, a provision and an agency page show; the safety rules."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph
from werkzeug.datastructures import MultiDict

from kg.store import queries
from tests.web.conftest import JUNE4, csrf, json_of, text

WHO = "/who?allegation=welcoming-city-violation&respondent=CPD:officer&date=2025-06-04"
PAGES = [
    ("/", "Who may act, and was the rule broken?"),
    ("/search?q=crowd", "results for"),
    ("/who", "Who investigates?"),
    (WHO, "Contested"),
    ("/law", "The law in the graph"),
    ("/law/mcc/2-173-020/a/6", "2-173-020(a)(6)"),
    ("/law/mcc/2-173-020", "Versions in force over time"),
    ("/law/norm/2-173-020-a-6", "What the graph says about it"),
    ("/agency", "Agencies and how they relate"),
    ("/agency/COPA", "Civilian Office of Police Accountability"),
    ("/incident", "Incidents in the graph"),
    (f"/incident/{JUNE4}", "Timeline of calls, dispatches and actions"),
    (f"/incident/{JUNE4}/a1", "What the graph says about it"),
    ("/check", "Check an incident"),
    (f"/check?example={JUNE4}", "Check an incident"),
    ("/amend", "Amendment sandbox"),
    ("/amend?amend=copa-wco-jurisdiction&as_of=2025-06-04", "What changes if"),
    ("/query", "Saved questions"),
    ("/resource?iri=" + quote("https://w3id.org/authority-kg/ontology#Grant"), "Grant"),
    ("/-/health", "Health: ok"),
    ("/-/version", "Version"),
]


def twin(path: str) -> str:
    base, _, query = path.partition("?")
    base = "/index" if base == "/" else base
    return f"{base}.json" + (f"?{query}" if query else "")


@pytest.mark.parametrize(("path", "expected"), PAGES)
def test_page_and_its_json_twin(client: FlaskClient, path: str, expected: str) -> None:
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:800]
    html = page.get_data(as_text=True)
    assert expected in text(html)
    assert '<html lang="en">' in html and 'class="skip-link" href="#main"' in html
    assert html.count("<h1") == 1
    assert "Content-Security-Policy" in page.headers
    data = json_of(client, twin(path))
    assert data["version"] and data["law_current_to"] and "not legal advice" in data["notice"]


def test_every_saved_query_has_a_page_and_a_twin(client: FlaskClient) -> None:
    for name, saved in queries.catalog().items():
        page = client.get(f"/query/{name}")
        assert page.status_code == 200, name
        assert saved.title in text(page.get_data(as_text=True))
        assert json_of(client, f"/query/{name}.json")["name"] == name


# -- the June 4 incident -------------------------------------------------------------------


def test_june4_incident_page(client: FlaskClient) -> None:
    plain = text(client.get(f"/incident/{JUNE4}").get_data(as_text=True))
    calls = [plain.index(f"Call call{i}") for i in (1, 2, 3)]
    assert calls == sorted(calls), "the three calls are in order"
    assert "at 14:06" in plain and "at 14:15" not in plain  # the sources say "about 2:15"
    cpd = plain[plain.index("CPD's actions") :]
    for action in (  # in words; the codes stay in the JSON
        "a1 CPD officer: crowd control",
        "a2 CPD officer: traffic control",
        "a3 CPD officer: respond to a call",
    ):
        assert action in cpd
    finding = plain[
        plain.index("contested The CPD officer's crowd control under 2-173-020(a)(6)") :
    ]
    finding = finding[: finding.index("How this was decided")]
    assert "Reading effect-test" in finding and "Reading purpose-test" in finding
    assert "Held by: CPD (Glen Brooks" in finding
    assert "Disputed: which operation, if any, the CPD officer's crowd control in fact" in finding
    assert "As the card states: unknown" in finding
    assert "The account of activists: the civil immigration enforcement operation" in finding
    assert "Asserted by: Activists" in finding
    assert "Claim cl1 about a1.assists" in finding  # the codes, in their own details line
    assert "Disputed facts, side by side" in plain


def test_june4_incident_twin(client: FlaskClient) -> None:
    data = json_of(client, f"/incident/{JUNE4}.json")
    assert [c["id"] for c in data["timeline"]["calls"]] == ["call1", "call2", "call3"]
    assert [a["id"] for a in data["timeline"]["by_agency"]["CPD"]] == ["a1", "a2", "a3", "a4"]
    (a1,) = [
        f
        for f in data["report"]["findings"]
        if f["subject"] == "a1" and f["provision"] == "2-173-020(a)(6)"
    ]
    assert a1["verdict"] == "contested"
    assert {r["id"] for r in a1["readings"]} == {"purpose-test", "effect-test"}
    assert [c["id"] for c in a1["claims"]] == ["cl1", "cl9"]
    assert a1["claims"][0]["claimed"]["value"] == "op1"
    assert {c["status"] for c in data["report"]["competence"]} == {"contested"}


# -- who investigates ------------------------------------------------------------------------


def test_who_answer_says_why_and_what_an_amendment_would_change(client: FlaskClient) -> None:
    data = json_of(client, twin(WHO))
    result = data["result"]
    assert result["answer"]["status"] == "contested"
    assert {a["agency"] for a in result["agencies"]} == {"COPA", "OIG", "CPD-BIA"}
    assert "Who investigates a complaint that a CPD member violated" in result["answer"]["why"]
    assert result["answered_by"].startswith("the competence matrix stored")
    (alt,) = [a for a in result["alternatives"] if a["id"] == "copa-wco-jurisdiction"]
    assert alt["changes"] and alt["answer"]["status"] == "clear"
    assert alt["answer"]["message"] == "COPA investigates, under copa-wco-jurisdiction:1."
    assert data["sparql"].startswith("/query")


def test_who_with_an_amendment(client: FlaskClient) -> None:
    data = json_of(client, twin(WHO) + "&amend=copa-wco-jurisdiction")
    assert data["result"]["answer"]["status"] == "clear"
    assert data["result"]["counterfactual"] is True
    assert data["result"]["answered_by"].startswith("the reasoner")


def test_who_bad_date_gives_the_cli_message(client: FlaskClient) -> None:
    response = client.get(WHO.replace("2025-06-04", "2025-13-45"))
    assert response.status_code == 400
    assert "'2025-13-45' is not a date. Fix: write YYYY-MM-DD" in text(
        response.get_data(as_text=True)
    )


def test_who_from_the_matrix_needs_no_reasoner(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    services = app.extensions["kg"]

    def refuse(*args: object) -> None:
        raise AssertionError("the reasoner was asked a question the stored matrix answers")

    monkeypatch.setattr(services, "who", refuse)
    monkeypatch.setattr(services, "memo", type(services.memo)())
    from webapp.data import who as answers

    answer, _, where = answers.competence(
        services, "excessive-force", "CPD:officer", "2024-05-01", ()
    )
    assert answer.status == "clear" and where.startswith("the competence matrix")


# -- provisions and agencies -------------------------------------------------------------


def test_provision_page(client: FlaskClient) -> None:
    data = json_of(client, "/law/mcc/2-173-020/a/6.json")
    assert data["citation"] == "2-173-020(a)(6)"
    assert data["official_url"].startswith("https://codelibrary.amlegal.com/")
    assert [b["citation"] for b in data["breadcrumb"]][-2:] == ["2-173-020", "2-173-020(a)"]
    kinds = {n["kind"]: n for n in data["norms"]}
    assert set(kinds) == {"prohibition", "exception"}  # (a)(6) and the exception of (a)
    assert "/law/norm/2-173-020-a-6" in kinds["exception"]["overrides"]
    assert {r["id"] for r in data["readings"]} == {"purpose-test", "effect-test"}
    assert all(r["held_by"] for r in data["readings"])
    assert "2" in {q["number"] for q in data["questions"]}
    assert {(i["incident"], i["outcome"]) for i in data["incidents"]} >= {(JUNE4, "contested")}
    section = json_of(client, "/law/mcc/2-173-020.json")
    assert len(section["timeline"]) == 2 and section["timeline"][0]["until"] == "2021-01-27"
    assert [c["citation"] for c in section["children"]][:1] == ["2-173-020(a)"]
    copa = json_of(client, "/law/mcc/2-78-120.json")
    assert "copa-wco-jurisdiction" in {a["id"] for a in copa["amendments"]}


def test_agency_page(client: FlaskClient) -> None:
    data = json_of(client, "/agency/COPA.json")
    provisions = {c["citation"] for p in data["powers"] for c in p["provisions"]}
    assert "2-78-120(b)" in provisions
    assert [p["label"] for p in data["proposed_powers"]]  # the copa-wco-jurisdiction grant
    assert "2-173-020(a)(6)" in {n["stated_in"]["citation"] for n in data["norms"]}
    assert {"from": "OIG-PS", "to": "COPA", "label": "audits, reviews"} in data["relations"]
    assert next(n for n in data["graph"]["nodes"] if n["code"] == "COPA")["focus"] is True
    html = client.get("/agency/COPA").get_data(as_text=True)
    # a figure with links, not an image (axe: nested-interactive); its relations in words too
    assert "<svg" in html and 'role="img"' not in html and "stroke-dasharray" in html
    assert client.get("/agency/NOPE").status_code == 404


def test_search_finds_each_kind(client: FlaskClient) -> None:
    def first(q: str) -> dict[str, str]:
        hits = json_of(client, f"/search.json?q={quote(q)}")["hits"]
        assert hits, q
        return hits[0]  # type: ignore[no-any-return]

    assert first("2-173-020(a)(6)")["url"] == "/law/mcc/2-173-020/a/6"
    assert first("copa")["kind"] == "agency"
    assert first("purpose-test")["kind"] == "reading"
    assert first("copa-wco-jurisdiction")["kind"] == "amendment"
    assert first(JUNE4)["kind"] == "incident"


# -- check an incident -------------------------------------------------------------------


def _example_form(client: FlaskClient) -> list[tuple[str, str]]:
    from webapp.data import card_form
    from webapp.data import incidents as incident_data

    app = client.application
    with app.app_context():
        card = incident_data.card_of(app.extensions["kg"], JUNE4)
        values = card_form.from_card(card.data)
    out = [("csrf_token", csrf(client))]
    for name, value in values.items():
        for v in value if isinstance(value, list) else [value]:
            out.append((name, str(v)))
    return out


def test_check_form_builds_validates_and_checks_a_card(client: FlaskClient) -> None:
    form = _example_form(client)
    response = client.post("/check", data=MultiDict([*form, ("action", "check")]))
    assert response.status_code == 200
    plain = text(response.get_data(as_text=True))
    assert "Findings on the law as of 2025-06-04: 2 contested" in plain
    assert "card: '1'" in plain and "id: south-loop-2025-06-04" in plain


def test_check_form_bad_input_gets_the_cli_message(client: FlaskClient) -> None:
    form = [
        (k, "call9" if k == "actions-1-in_response_to" else v) for k, v in _example_form(client)
    ]
    response = client.post("/check", data=MultiDict([*form, ("action", "check")]))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(
        r"south-loop-2025-06-04\.yaml:\d+: field 'actions\[d3\]\.in_response_to': 'call9' is "
        r"not the id of an item of calls in this card\. Fix: use the id of one of the card's calls",
        text(html),
    )
    field = re.search(r'<select id="f-actions-1-in_response_to"[^>]*>', html)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'href="#f-actions-1-in_response_to"' in html


def test_check_form_download_and_add_row(client: FlaskClient) -> None:
    form = _example_form(client)
    download = client.post("/check", data=MultiDict([*form, ("action", "download")]))
    assert download.headers["Content-Disposition"] == f'attachment; filename="{JUNE4}.yaml"'
    assert f"id: {JUNE4}" in download.get_data(as_text=True)
    added = client.post("/check", data=MultiDict([*form, ("action", "add:claims")]))
    assert added.status_code == 200 and 'name="claims-5-id"' in added.get_data(as_text=True)


def test_check_form_needs_its_csrf_token(client: FlaskClient) -> None:
    response = client.post("/check", data={"card-id": "x", "action": "check"})
    assert response.status_code == 400
    assert "security token" in text(response.get_data(as_text=True))


def test_check_json_twin(client: FlaskClient) -> None:
    bad = client.post(
        "/check.json", json={"card": {"card": 1, "id": "x", "title": "t", "date": "2025-13-45"}}
    )
    assert bad.status_code == 400
    assert bad.get_json()["error"]["message"] == (
        "x.yaml:3: field 'date': '2025-13-45' is not a valid value for 'date'. Fix: write a "
        "real date as YYYY-MM-DD (e.g. 2025-06-04)"
    )
    card = {
        "card": 1,
        "id": "x",
        "title": "t",
        "date": "2025-06-04",
        "actions": [
            {
                "id": "a1",
                "actor": "CPD:officer",
                "kind": "crowd-control",
                "purpose": "public-safety",
            }
        ],
    }
    good = client.post("/check.json", json={"card": card})
    assert good.status_code == 200
    verdicts = {f["provision"]: f["verdict"] for f in good.get_json()["result"]["findings"]}
    assert verdicts["2-173-020(a)(6)"] == "complies"


def test_check_form_takes_unknown_actors_persons_and_events(client: FlaskClient) -> None:
    """Every part of a card can be entered in the form: an actor not known at all, a
    member of an agency whose role is not known, persons and events."""
    page = client.get("/check").get_data(as_text=True)
    assert 'name="persons-0-description"' in page and 'name="events-0-title"' in page
    response = client.post(
        "/check.json",
        data={
            "csrf_token": csrf(client),
            "card-id": "form-unknowns",
            "card-title": "t",
            "card-date": "2025-06-04",
            "calls-0-id": "call1",
            "calls-0-caller-agency": "unknown",
            "calls-0-caller-role": "officer",
            "actions-0-id": "a1",
            "actions-0-actor-agency": "CPD",
            "actions-0-actor-role": "unknown",
            "actions-0-kind": "crowd-control",
            "events-0-id": "e1",
            "events-0-title": "a hearing",
            "events-0-date": "2025-06-10",
        },
    )
    body = response.get_json()
    assert response.status_code == 200, body
    assert "caller: unknown" in body["yaml"] and "actor: CPD:unknown" in body["yaml"]
    assert "events:" in body["yaml"]


# -- the amendment sandbox ------------------------------------------------------------------


def test_amendment_sandbox_marks_changes_and_causes(client: FlaskClient) -> None:
    data = json_of(client, "/amend.json?amend=copa-wco-jurisdiction&as_of=2025-06-04")
    result = data["result"]
    wco = next(r for r in result["grid"] if r["allegation"] == "welcoming-city-violation")
    officer = wco["cells"][result["respondents"].index("CPD:officer")]
    assert officer["changed"] and (officer["before"], officer["after"]) == ("contested", "clear")
    flipped = [c for c in result["changes"] if c["incident"] == JUNE4]
    assert flipped and all(
        b["clause"] == "copa-wco-jurisdiction:1" and b["label"]
        for c in flipped
        for b in c["because"]
    )
    html = client.get("/amend?amend=copa-wco-jurisdiction&as_of=2025-06-04").get_data(as_text=True)
    assert '<td class="changed"' in html and "changed: contested → clear" in text(html)


def test_amendment_upload(client: FlaskClient) -> None:
    from io import BytesIO
    from pathlib import Path

    template = Path(__file__).resolve().parents[2] / "docs" / "amendment-template.ttl"
    token = csrf(client, "/amend")
    ok = client.post(
        "/amend",
        data={
            "csrf_token": token,
            "as_of": "2025-06-04",
            "file": (BytesIO(template.read_bytes()), "my-draft.ttl"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 200, text(ok.get_data(as_text=True))[:600]
    assert "What changes if example-copa-operational is law" in text(ok.get_data(as_text=True))
    bad = client.post(
        "/amend",
        data={"csrf_token": token, "file": (BytesIO(b"this is not turtle ."), "broken.ttl")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "broken.ttl" in text(bad.get_data(as_text=True))
    assert "not valid Turtle" in text(bad.get_data(as_text=True))
    big = client.post(
        "/amend",
        data={"csrf_token": token, "file": (BytesIO(b"#" * 200_000), "big.ttl")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 413
    assert "larger than the limit" in text(big.get_data(as_text=True))


# -- query ----------------------------------------------------------------------------------


def test_saved_query_with_params_table_and_downloads(client: FlaskClient) -> None:
    params = (
        "chapter=" + quote("https://w3id.org/authority-kg/law/mcc/ch-2-173") + "&date=2025-06-04"
    )
    data = json_of(client, f"/query/provisions-in-force.json?{params}")
    table = data["result"]["table"]
    assert table["columns"][:2] == ["provision", "citation"]
    assert ["2-173-020(a)(6)"] == [
        r[1]["text"] for r in table["rows"] if r[1]["text"].endswith("(a)(6)")
    ]
    csv = client.get(f"/query/provisions-in-force.csv?{params}")
    assert csv.mimetype == "text/csv" and "2-173-020(a)(6)" in csv.get_data(as_text=True)
    bad = client.get("/query/provisions-in-force?chapter=x&date=2025-06-04")
    assert bad.status_code == 400
    assert "is not a valid iri for parameter 'chapter'" in text(bad.get_data(as_text=True))


def test_query_editor_runs_with_limits_and_stays_read_only(client: FlaskClient) -> None:
    data = json_of(
        client,
        "/query.json?sparql="
        + quote(
            "PREFIX akg: <https://w3id.org/authority-kg/ontology#> "
            "SELECT ?id WHERE { GRAPH ?g { ?r akg:readingId ?id } } ORDER BY ?id"
        ),
    )
    ids = [row[0]["text"] for row in data["result"]["table"]["rows"]]
    assert "purpose-test" in ids
    refused = client.get("/query?sparql=" + quote("INSERT DATA { <a:b> <a:b> <a:b> }"))
    assert refused.status_code == 403
    assert "read-only" in text(refused.get_data(as_text=True))


# -- resources ---------------------------------------------------------------------------


def test_resource_iris_dereference(client: FlaskClient) -> None:
    turtle = client.get("/law/mcc/2-173-020/a/6", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle"
    g = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert any(str(o) == "2-173-020(a)(6)" for o in g.objects())
    jsonld = client.get("/agency/COPA", headers={"Accept": "application/ld+json"})
    assert jsonld.mimetype == "application/ld+json"
    assert len(Graph().parse(data=jsonld.get_data(as_text=True), format="json-ld")) > 3
    assert client.get(f"/incident/{JUNE4}.nt").mimetype == "application/n-triples"
    html = client.get("/law/mcc/2-173-020/a/6", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html"
    moved = client.get("/resource?iri=" + quote("https://w3id.org/authority-kg/law/mcc/2-78-120"))
    assert moved.status_code == 303 and moved.headers["Location"].endswith("/law/mcc/2-78-120")
    assert client.get("/law/mcc/9-999-999").status_code == 404
    assert client.get("/incident/../../etc/passwd").status_code == 404


# -- safety -------------------------------------------------------------------------------


def test_autoescape_and_errors(client: FlaskClient) -> None:
    html = client.get("/search?q=" + quote("<script>alert(1)</script>")).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    missing = client.get("/nowhere.json")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404
    assert client.put("/who").status_code == 405


def test_pages_are_fast(client: FlaskClient) -> None:
    import time

    for path in ("/law/mcc/2-173-020/a/6", "/agency/COPA", WHO, f"/incident/{JUNE4}", "/law"):
        client.get(path)  # warm the caches
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        assert time.perf_counter() - start < 1.0, path


# -- restricted sources ------------------------------------------------------------------


def test_restricted_sources_are_withheld_from_pages(
    restricted_app: Flask, allowing_app: Flask
) -> None:
    data = json_of(restricted_app.test_client(), f"/incident/{JUNE4}.json")
    assert data["withheld_items"] == 5  # complaints c1, c2 and claims cl1, cl2, cl9
    assert not [c for c in data["complaints"] if c["id"] in ("c1", "c2")]
    assert {d["id"] for d in data["disputes"]} == {"cl3", "cl4", "cl5", "cl6", "cl7", "cl8"}
    claims = {d for f in data["report"]["findings"] for d in f["depends_on"]}
    assert not claims & {"claim:cl1", "claim:cl2", "claim:cl9"}
    assert not [
        f
        for f in data["report"]["findings"]
        if f["provision"] == "2-173-020(a)(6)" and f["subject"] in ("a1", "a2")
    ]
    assert data["report"]["competence"] == [] and data["report"]["withheld"] > 0
    html = text(restricted_app.test_client().get(f"/incident/{JUNE4}").get_data(as_text=True))
    assert "rest only on restricted sources" in html and "Claim cl1" not in html
    allowed = json_of(allowing_app.test_client(), f"/incident/{JUNE4}.json")
    assert allowed["withheld_items"] == 0 and len(allowed["disputes"]) == 9


def test_a_summary_is_withheld_with_the_restricted_sources_it_counts(
    client: FlaskClient, restricted_app: Flask, allowing_app: Flask
) -> None:
    """incidents-by-month reads graph:summary/incidents-by-month, computed over every
    incident: where restricted sources are withheld, its counts would tell of them."""
    rows = json_of(client, "/query/incidents-by-month.json")["result"]["table"]["rows"]
    assert rows
    withheld = json_of(restricted_app.test_client(), "/query/incidents-by-month.json", 503)
    assert "restricted sources" in withheld["error"] and not withheld["result"]
    assert restricted_app.test_client().get("/query/incidents-by-month.csv").status_code == 503
    sparql = (
        "SELECT ?g WHERE { GRAPH ?g "
        "{ ?s a <https://w3id.org/authority-kg/ontology#MonthSummary> } }"
    )
    answer = restricted_app.test_client().get(
        "/sparql",
        query_string={"query": sparql},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200 and not answer.get_json()["results"]["bindings"]
    allowed = json_of(allowing_app.test_client(), "/query/incidents-by-month.json")
    assert allowed["result"]["table"]["rows"] == rows


def test_store_can_mark_a_source_restricted() -> None:
    from webapp.restricted import Restricted, SourceRow

    rows = [
        SourceRow("https://x/s1", "inc", "s1", "https://g/s1", flagged=True),
        SourceRow("https://x/s2", "inc", "s2", "https://g/s2", flagged=False),
    ]
    r = Restricted.build(rows, (), allow=False)
    assert r.sources == {"https://x/s1"}
    assert (
        "https://g/s1" in r.graphs
        and "https://w3id.org/authority-kg/graph/determinations/inc" in r.graphs
    )
    assert Restricted.build(rows, (), allow=True).graphs == frozenset()

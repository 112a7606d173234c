"""Answers speak in words (issue 16, items 6 and 11): the who-answer and the incident page
put the card's ids, keys and codes in words built from the card and the ontology; the codes
stay in the JSON twin and in a small "In the graph's codes" details; every verdict and status
links to the glossary, whose entries are the ontology's own definitions. The amendment's
effect sits beside the current answer at the top, and the 404 page offers a search.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from rdflib import URIRef
from rdflib.namespace import SKOS

from tests.web.conftest import JUNE4, json_of, text

WHO = {"allegation": "welcoming-city-violation", "respondent": "CPD:officer", "date": "2025-06-04"}
# an item's field (a1.purpose), a respondent kind (CPD:officer), an amendment's clause
# (copa-wco-jurisdiction:1), a claim by its id (Claim cl1), a bare encoding status
CODES = re.compile(
    r"\b[a-z]+[0-9]+\.(?!com\b)[a-z_]+\b|\b[A-Z][A-Z-]+:[a-z]+\b|\b[a-z]+(?:-[a-z]+)+:[0-9]+\b"
    r"|\b[Cc]laim cl[0-9]+\b|\((?:secondary|inferred|verified|partial)\)"
)


def words_only(html: str) -> str:
    """The page's text less its codes lines, its item tags and the form (which keeps codes
    as the values it sends)."""
    html = re.sub(r'<details class="codes">.*?</details>', " ", html, flags=re.S)
    html = re.sub(r"<code>[^<]*</code>", " ", html)
    html = re.sub(r"<form.*?</form>", " ", html, flags=re.S)
    html = re.sub(r"<footer.*?</footer>", " ", html, flags=re.S)
    return text(html)


def test_who_answer_is_in_words_and_keeps_its_codes_aside(client: FlaskClient) -> None:
    query = urlencode({**WHO, "amend": "copa-wco-jurisdiction"})
    html = client.get(f"/who?{query}").get_data(as_text=True)
    plain = words_only(html)
    assert not CODES.findall(plain), CODES.findall(plain)
    assert "clause 1 of the amendment “COPA jurisdiction over" in plain
    # the codes are still there for whoever needs them, and in the twin
    assert "copa-wco-jurisdiction:1" in text(html)
    twin = json_of(client, f"/who.json?{query}")["result"]
    assert twin["answer"]["message"] == "COPA investigates, under copa-wco-jurisdiction:1."
    assert twin["said"].startswith("COPA investigates, under clause 1 of the amendment")


def test_incident_page_is_in_words(client: FlaskClient) -> None:
    html = client.get(f"/incident/{JUNE4}").get_data(as_text=True)
    # the card's own prose (an operation's description) is quoted as the card has it
    plain = words_only(re.sub(r'<h2 id="operations">.*?</ul>', " ", html, flags=re.S))
    assert not CODES.findall(plain), sorted(set(CODES.findall(plain)))
    assert "The CPD officer's crowd control under 2-173-020(a)(6)" in plain
    # the disputed fact, and whose account the claim is, from the card's own fields
    assert "Disputed: which operation, if any, the CPD officer's crowd control in fact" in plain
    assert "The account of activists: the civil immigration enforcement operation by ICE" in plain
    assert "Disputed: the purpose of the CPD officer's crowd control" in plain
    assert "Asserted by: Activists, e.g. Organized Communities Against Deportations" in plain
    assert "against a CPD officer" in plain
    # and in codes, aside
    assert "Claim cl1 about a1.assists: stated unknown, claimed op1" in text(html)


def test_incident_twin_keeps_the_codes(client: FlaskClient) -> None:
    data = json_of(client, f"/incident/{JUNE4}.json")
    (cl1,) = [d for d in data["disputes"] if d["id"] == "cl1"]
    assert cl1["about"] == "a1.assists" and cl1["claimed"]["value"] == "op1"
    assert cl1["about_words"].startswith("which operation, if any, the CPD officer's")
    finding = data["report"]["findings"][0]
    assert finding["subject"] == "a1" and "claim cl1" in finding["message"]
    assert "claim cl1" not in finding["said"]
    assert len(finding["steps"]) == len(finding["explanation"])


def test_every_status_links_to_its_glossary_entry(client: FlaskClient) -> None:
    glossary = client.get("/glossary").get_data(as_text=True)
    anchors = set(re.findall(r'<dt id="([^"]+)"', glossary))
    for path in ("/who?" + urlencode(WHO), f"/incident/{JUNE4}"):
        html = client.get(path).get_data(as_text=True)
        links = re.findall(r'href="/glossary#([^"]+)"', html)
        assert links, f"{path} links to no glossary entry"
        assert set(links) <= anchors, set(links) - anchors
    incident = client.get(f"/incident/{JUNE4}").get_data(as_text=True)
    for anchor in ("verdict-contested", "verdict-undetermined", "competence-contested"):
        assert f'href="/glossary#{anchor}"' in incident
    assert 'href="/glossary#status-secondary"' in client.get("/who?" + urlencode(WHO)).get_data(
        as_text=True
    )


def test_glossary_is_the_ontologys_words(app: Flask, client: FlaskClient) -> None:
    data = json_of(client, "/glossary.json")
    law = app.extensions["kg"].ctx.law
    entries = [e for s in data["sections"] for e in s["entries"]]
    assert {s["id"] for s in data["sections"]} >= {"verdict", "competence", "status", "bill"}
    for e in entries:
        assert e["definition"], f"{e['id']} has no definition"
        node = URIRef(e["iri"])
        own = {str(o) for o in law.objects(node, SKOS.definition)}
        own |= {str(o) for o in law.objects(node, SKOS.scopeNote)}
        assert e["definition"] in own, e["id"]
    words = {e["id"] for e in entries}
    for word in ("violates", "complies", "undetermined", "contested"):
        assert f"verdict-{word}" in words
    for word in ("clear", "gap", "overlap", "contested", "undetermined", "secondary"):
        assert f"competence-{word}" in words or f"status-{word}" in words


def test_amendment_effect_is_at_the_top_beside_the_answer(client: FlaskClient) -> None:
    html = client.get("/who?" + urlencode(WHO)).get_data(as_text=True)
    plain = text(html)
    assert plain.index("What an amendment would change") < plain.index("Why")
    effect = plain[plain.index("What an amendment would change") : plain.index("Why")]
    assert "Now contested" in effect and "With it in force clear COPA investigates" in effect


def test_amended_answer_restates_the_current_one(client: FlaskClient) -> None:
    query = urlencode({**WHO, "amend": "copa-wco-jurisdiction"})
    result = json_of(client, f"/who.json?{query}")["result"]
    assert result["current"]["status"] == "contested"
    plain = text(client.get(f"/who?{query}").get_data(as_text=True))
    now = plain.index("The law as it is on 2025-06-04 contested")
    after = "If COPA jurisdiction over Welcoming City Ordinance complaints (proposed) were law"
    assert now < plain.index(f"{after} clear COPA investigates")
    assert json_of(client, "/who.json?" + urlencode(WHO))["result"]["current"] is None


def test_not_found_page_offers_a_search(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    form = re.search(r'<main.*?<form[^>]*role="search"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'name="q"' in form.group(1)
    assert re.search(r'<label for="error-q">[^<]+</label>', form.group(1))


def test_words_never_describe_what_is_withheld(restricted_app: Flask) -> None:
    """The accounts that rest only on restricted sources are neither shown nor named."""
    html = restricted_app.test_client().get(f"/incident/{JUNE4}").get_data(as_text=True)
    plain = text(html)
    assert "rest only on restricted sources" in plain
    assert "account of activists" not in plain.lower()

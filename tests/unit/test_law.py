"""The encoded law: complete nodes, typed dates, and the law as of any date."""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.law import load
from kg.namespaces import AKG, LAW
from kg.paths import folder

PROVISION_TYPES = (AKG.Chapter, AKG.Section, AKG.Subdivision)


def in_force(store: Any, chapter: str, date: str) -> set[str]:
    """The saved query, run on the store as an analyst would."""
    query = (folder("queries") / "provisions-in-force.rq").read_text()
    bindings = {"chapter": LAW[chapter], "date": Literal(date, datatype=XSD.date)}
    return {str(row["citation"]) for row in store.query(query, bindings).rows}


def test_2_173_differs_between_2019_and_2024_as_o2021_117_says(analyst_store: Any) -> None:
    before = in_force(analyst_store, "mcc/ch-2-173", "2019-06-01")
    after = in_force(analyst_store, "mcc/ch-2-173", "2024-06-01")
    added, removed = after - before, before - after
    assert {"2-173-020(a)(6)", "2-173-020(b)", "2-173-070"} <= added
    assert "2-173-042" in removed
    assert {"2-173-020(a)(1)(C)", "2-173-030(a)(1)"} <= before & after


def test_every_provision_has_citation_paraphrase_url_dates_status() -> None:
    g = load.shared_law_graph()
    provisions = {s for t in PROVISION_TYPES for s in g.subjects(RDF.type, t)}
    assert len(provisions) > 60
    problems = []
    for p in provisions:
        for prop in (AKG.citation, AKG.paraphrase, AKG.officialUrl, AKG.encodingStatus):
            if g.value(p, prop) is None:
                problems.append(f"{p} lacks {prop}")
        if g.value(p, AKG.validFrom) is None and g.value(p, AKG.statusNote) is None:
            problems.append(f"{p} has no start date and no note saying why")
    assert problems == []


def test_every_date_is_typed() -> None:
    untyped = []
    for s, p, o in load.shared_law_graph():
        if (
            isinstance(o, Literal)
            and o.datatype is None
            and len(str(o)) == 10
            and str(o)[4] == "-"
            and str(o)[7] == "-"
            and str(o)[:4].isdigit()
        ):
            untyped.append((s, p, o))
    assert untyped == []


def test_every_norm_and_grant_cites_a_provision_with_a_status() -> None:
    g = load.shared_law_graph()
    for cls, link in (
        (AKG.Prohibition, AKG.statedIn),
        (AKG.Obligation, AKG.statedIn),
        (AKG.Exception, AKG.statedIn),
        (AKG.Grant, AKG.grantedBy),
    ):
        for node in g.subjects(RDF.type, cls):
            provision = g.value(node, link)
            assert isinstance(provision, URIRef), f"{node} has no {link}"
            assert g.value(provision, AKG.citation) is not None, f"{provision} has no citation"
            assert g.value(node, AKG.encodingStatus) is not None, f"{node} has no status"


def test_law_current_to_is_recorded() -> None:
    assert load.law_current_to() >= "2026-01-01"


def test_no_norm_answers_more_than_two_contested_points() -> None:
    """The evaluation rule weighs every combination of readings of at most two points."""
    g = Graph()
    g += load.shared_law_graph()
    for amendment in load.amendment_files():  # amendments add norms and conditions too
        load.parse_turtle(amendment, g)
    too_many = {}
    for cls in (AKG.Prohibition, AKG.Obligation):
        for norm in g.subjects(RDF.type, cls):
            conditions = set(g.objects(norm, AKG.condition))
            for exc in g.subjects(AKG.overrides, norm):
                conditions |= set(g.objects(exc, AKG.condition))
            points = {
                g.value(r, AKG.onPoint) for c in conditions for r in g.objects(c, AKG.underReading)
            }
            if len(points) > 2:
                too_many[str(norm)] = sorted(map(str, points))
    assert too_many == {}


def test_every_norm_exception_and_condition_has_a_start_date() -> None:
    """Every date has a start (issue 12): norms, exceptions and their conditions."""
    g = load.shared_law_graph()
    undated = [
        str(n)
        for cls in (AKG.Prohibition, AKG.Obligation, AKG.Exception, AKG.Condition)
        for n in g.subjects(RDF.type, cls)
        if g.value(n, AKG.validFrom) is None
    ]
    assert undated == []

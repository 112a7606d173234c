"""The fast path's shortcuts give what the plain way gives: rules added by INSERT as by
CONSTRUCT, facts looked up in `Facts` as in an rdflib graph of the facts and the law, and
reports written by orjson as by json.dumps.

(That the fast engine's reports equal pyshacl's is tests/unit/test_parity.py.)
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF

from kg import api
from kg.cards.rdf import card_quads, item_iri
from kg.cli.check import _json
from kg.decide.check import run_facts
from kg.decide.worlds import worlds
from kg.namespaces import AKG
from kg.reasoning import fast
from kg.reasoning.compile import CompiledShapes, Rule, compile_shapes
from kg.reasoning.results import Facts
from tests.conftest import JUNE4
from tests.unit.test_parity import DIFFERENTIAL_CARDS, drawn

CTX = api.context()


def _run_of(tmp_path: Path) -> list[tuple[Any, Any, Any]]:
    """The facts of one run over random cards (sub-units, unknowns, claims), each card in
    its first world."""
    cards = drawn(DIFFERENTIAL_CARDS // 2, 7, tmp_path)
    read = compile_shapes(CTX.shapes).reads(CTX.law)
    facts = [
        q
        for c in cards
        for q in card_quads(c, CTX.codes, claim_values=worlds(c, read, ())[0].claim_values(c))
    ]
    as_of = {item_iri(c.id): str(c.data["date"]) for c in cards}
    return run_facts(facts, as_of=as_of, fixed_as_of=False, readings=())


def _everything(law: Graph, data: list[Any], shapes: Graph) -> tuple[set[str], set[Any]]:
    validation, derived = fast.validate(law, data, shapes)
    assert derived._store is not None
    return {str(q) for q in derived._store}, set(validation.results)


def test_rules_added_by_insert_are_those_of_their_construct(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _run_of(tmp_path)
    program = compile_shapes(CTX.shapes)
    assert all(r.insert is not None for r in program.rules)  # every rule takes the shortcut
    inserted = _everything(CTX.law, data, CTX.shapes)
    as_constructs = CompiledShapes(
        tuple(replace(r, construct="# no template first\n" + r.construct) for r in program.rules),
        program.constraints,
        program.iris,
    )
    assert all(r.insert is None for r in as_constructs.rules)
    monkeypatch.setattr(fast, "compiled", lambda shapes: as_constructs)
    constructed = _everything(CTX.law, data, CTX.shapes)
    assert len(inserted[0]) > 10_000 and inserted[1]
    assert inserted == constructed


@pytest.mark.parametrize(
    ("text", "insert"),
    [
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
        (
            "PREFIX a: <urn:a#>\nPREFIX b-c: <urn:b>\n\n  construct{ ?s a:p 'CONSTRUCT' } WHERE {}",
            "PREFIX a: <urn:a#>\nPREFIX b-c: <urn:b>\n\n  INSERT{ ?s a:p 'CONSTRUCT' } WHERE {}",
        ),
        ("CONSTRUCT WHERE { ?s ?p ?o }", None),  # no template: it stays a CONSTRUCT
        ("# a note\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", None),
        ("BASE <urn:x>\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", None),
    ],
)
def test_a_rule_becomes_an_insert_only_where_its_text_opens_with_a_template(
    text: str, insert: str | None
) -> None:
    rule = Rule(URIRef("urn:x:shape"), "urn:x:rule", Decimal(0), Decimal(0), text)
    assert rule.insert == insert


def test_facts_are_found_as_in_an_rdflib_graph_of_the_facts_and_the_law(tmp_path: Path) -> None:
    data = _run_of(tmp_path)
    # a second value where the first stands (rdflib gives the first given)
    data += [(s, p, Literal(f"second {o}")) for s, p, o in data[:400]]
    graph = Graph()
    for t in data:
        graph.add(t)
    aggregate = ReadOnlyGraphAggregate([graph, CTX.law])
    facts = Facts(data, CTX.law)
    subjects = {s for s, _, _ in data} | set(list(CTX.law.subjects())[:300]) | {None}
    predicates = [AKG.itemId, AKG.actorAgency, AKG.actorRole, AKG.kind, AKG.cardKey, RDF.type]
    predicates += [AKG.againstAgency, AKG.againstRole, AKG.asOf, RDF.value]
    for s in subjects:
        for p in predicates:
            assert facts.value(s, p) == aggregate.value(s, p), (s, p)
    held = data[:2000] + list(CTX.law)[:2000]
    absent = [(s, p, Literal("no such value")) for s, p, _ in held[:500]]
    for t in held:
        assert t in facts
    for t in absent:
        assert t not in facts and t not in aggregate


@pytest.mark.parametrize(
    "value",
    [
        {"a": "plain", "b": ["x", {"c": None, "d": True, "e": 3}], "f": {}, "g": []},
        {"text": '\x00\x1f\x7f é 日本 \u2028 \t\n\r\b\f "\\ /', "n": -12},
        {"lone surrogate": "a \ud800 b"},  # orjson refuses it; json writes it
    ],
)
def test_reports_are_written_as_json_dumps_writes_them(value: dict[str, Any]) -> None:
    assert _json(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_checked_report_is_written_as_json_dumps_writes_it() -> None:
    report = api.check_cards_read([api.resolve_card(str(JUNE4), CTX)])[0]
    doc = report.to_json()
    assert _json(doc) == json.dumps(doc, indent=2, ensure_ascii=False)

"""A condition read on a field of the subject is read once for the subject (0.6.6).

Its outcome turns on the subject and the condition only, never on the reading an
evaluation takes, so the one- and two-hop condition rules derive one
`akg:ConditionResult` for each (subject, condition) and link it to every evaluation of
the subject that weighs the condition (one for each reading, or of another norm with the
same condition); before 0.6.6 each evaluation had its own copy. The findings are the
same (parity, golden and scenario tests); these tests hold the shape of what the rules
derive, on both engines, and that the reader gives every evaluation each condition it
weighs once.
"""

from __future__ import annotations

import pytest

from kg import api
from kg.cards.rdf import item_iri
from kg.cards.read import read_card
from kg.decide.derived import read_evaluations
from kg.decide.worlds import World
from kg.reasoning.results import Derived, Validation
from tests.conftest import JUNE4
from tests.unit.test_exception_dates import june4_run

CTX = api.context()
PREFIXES = "PREFIX akg: <https://w3id.org/authority-kg/ontology#>\n"


@pytest.fixture(scope="module", params=["fast", "pyshacl"])
def run(request: pytest.FixtureRequest) -> tuple[Validation, Derived]:
    return june4_run(CTX.law, request.param)


def _pairs(derived: Derived, where: str) -> set[tuple[str, ...]]:
    rows = derived.select(PREFIXES + f"SELECT DISTINCT ?a ?b ?c WHERE {{ {where} }}")
    return {tuple(str(r[k]) for k in ("a", "b", "c") if k in r) for r in rows}


def test_one_result_for_each_subject_and_condition(run: tuple[Validation, Derived]) -> None:
    derived = run[1]
    rows = derived.select(
        PREFIXES
        + """SELECT ?s ?c (COUNT(DISTINCT ?res) AS ?n) (COUNT(DISTINCT ?e) AS ?evals) WHERE {
  ?res a akg:ConditionResult ; akg:condition ?c ; akg:observedField ?p ;
       akg:observedItem ?s ; akg:forEvaluation ?e .
} GROUP BY ?s ?c"""
    )
    assert rows, "June 4 has conditions read on a field of the subject"
    assert {int(r["n"]) for r in rows} == {1}  # type: ignore[arg-type]
    # the card has norms weighed under several readings: some result is shared
    assert max(int(r["evals"]) for r in rows) > 1  # type: ignore[arg-type]


def test_each_evaluation_is_linked_to_the_result_of_each_condition_it_weighs(
    run: tuple[Validation, Derived],
) -> None:
    derived = run[1]
    weighed = _pairs(derived, "?a akg:weighsCondition ?b ; akg:evalSubject ?c . ?b akg:field ?p .")
    linked = _pairs(
        derived,
        "?res a akg:ConditionResult ; akg:forEvaluation ?a ; akg:condition ?b ; "
        "akg:observedItem ?c ; akg:observedField ?p .",
    )
    assert weighed and linked == weighed


def test_the_reader_gives_each_evaluation_each_weighed_condition_once(
    run: tuple[Validation, Derived],
) -> None:
    validation, derived = run
    card = read_card(JUNE4, CTX.codes)
    evaluations = read_evaluations(
        derived, validation.results, {item_iri(card.id): World(())}, CTX.codes
    )
    readings: dict[str, set[str]] = {}
    for e, r in _pairs(derived, "?a akg:evalReading ?b ."):
        readings.setdefault(e, set()).add(r)
    weighed: dict[tuple[str, str, tuple[str, ...]], set[str]] = {}
    for e, c, s, n in (
        (str(r["e"]), str(r["c"]), str(r["s"]), str(r["n"]))
        for r in derived.select(
            PREFIXES
            + "SELECT ?e ?c ?s ?n WHERE { ?e akg:weighsCondition ?c ; akg:evalSubject ?s ; "
            "akg:evaluates ?n }"
        )
    ):
        weighed.setdefault((s, n, tuple(sorted(readings.get(e, ())))), set()).add(c)
    assert evaluations
    for ev in evaluations:
        nodes = [str(o.node) for o in ev.conditions]
        key = (str(ev.subject), str(ev.norm), tuple(sorted(map(str, ev.readings))))
        assert len(nodes) == len(set(nodes)) and set(nodes) == weighed.get(key, set()), key

"""An exception's conditions are weighed only on a date the exception is in force.

Before 0.6.5 the condition rules compared the exception's dates inside a branch of a
`UNION`, where the evaluation's date is not in scope, so the comparison never excluded
anything, on either engine. `WeighedConditionRule` compares them where the date is bound.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from kg import api
from kg.cards.rdf import card_quads, item_iri
from kg.cards.read import read_card
from kg.decide.check import run_facts
from kg.decide.worlds import World
from kg.reasoning.dispatch import validate
from kg.reasoning.results import Derived, Validation
from tests.conftest import JUNE4

CTX = api.context()
EXCEPTION = URIRef("urn:test:exception")
CONDITION = URIRef("urn:test:condition")
PREFIXES = "PREFIX akg: <https://w3id.org/authority-kg/ontology#>\n"


def june4_run(law: Graph, engine: str) -> tuple[Validation, Derived]:
    """June 4's card (its first world, no option) checked under `law` by `engine`."""
    card = read_card(JUNE4, CTX.codes)
    facts = card_quads(card, CTX.codes, claim_values=World(()).claim_values(card))
    data = run_facts(
        facts, as_of={item_iri(card.id): str(card.data["date"])}, fixed_as_of=False, readings=[]
    )
    return validate(law, data, CTX.shapes, engine)


def _law_with_exception(norm: URIRef, dates: str) -> Graph:
    law = Graph()
    law += CTX.law
    law.parse(
        data=f"""
@prefix akg: <https://w3id.org/authority-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{EXCEPTION}> a akg:Exception ; akg:overrides <{norm}> ; akg:condition <{CONDITION}> {dates} .
<{CONDITION}> akg:field akg:kind ; akg:value <urn:test:kind> .
""",
        format="turtle",
    )
    return law


def _weighed(run: Derived) -> list[object]:
    where = f"?res a akg:ConditionResult ; akg:condition <{CONDITION}>"
    rows = run.select(PREFIXES + f"SELECT ?res WHERE {{ {where} }}")
    return [r["res"] for r in rows]


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_exception_not_in_force_has_no_condition_weighed(engine: str) -> None:
    rows = june4_run(CTX.law, engine)[1].select(
        PREFIXES + "SELECT ?n WHERE { ?e a akg:Evaluation ; akg:evaluates ?n } ORDER BY ?n LIMIT 1"
    )
    norm = rows[0]["n"]
    assert isinstance(norm, URIRef)
    repealed = '; akg:validFrom "2000-01-01"^^xsd:date ; akg:validUntil "2001-01-01"^^xsd:date'
    not_yet = '; akg:validFrom "2100-01-01"^^xsd:date'
    in_force = '; akg:validFrom "2000-01-01"^^xsd:date'
    assert _weighed(june4_run(_law_with_exception(norm, repealed), engine)[1]) == []
    assert _weighed(june4_run(_law_with_exception(norm, not_yet), engine)[1]) == []
    assert _weighed(june4_run(_law_with_exception(norm, in_force), engine)[1]) != []
    assert _weighed(june4_run(_law_with_exception(norm, ""), engine)[1]) != []

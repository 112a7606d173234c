"""The shape compiler: what it reads, what it refuses, the order it runs rules in.

(That the two engines give the same reports is tests/unit/test_parity.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg import api
from kg.decide.check import Options, check_cards
from kg.namespaces import AKG
from kg.reasoning import fast
from kg.reasoning.compile import UnsupportedShapes, compile_shapes
from kg.reasoning.results import RUN
from tests.unit.test_parity import answers

ORG = "http://www.w3.org/ns/org#"
PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix akg: <https://w3id.org/authority-kg/ontology#> .
"""


def _with(extra: str) -> Graph:
    shapes = Graph()
    shapes += api.context().shapes
    shapes.parse(data=PREFIXES + extra, format="turtle")
    return shapes


def test_the_compiler_reads_inside_property_paths() -> None:
    """org:subOrganizationOf+ (a sub-unit's parent binds it) is read, so the law filter
    keeps it (issue 11: CPD-BIA officers were missed by the fast engine)."""
    compiled = compile_shapes(api.context().shapes)
    assert URIRef(ORG + "subOrganizationOf") in compiled.iris
    assert URIRef(ORG + "subOrganizationOf") in compiled.reads(api.context().law)


def test_rules_run_in_pyshacls_order() -> None:
    """Shapes by sh:order, then each shape's rules by theirs."""
    rules = compile_shapes(api.context().shapes).rules
    names = [r.node.rsplit("#", 1)[-1] for r in rules]
    order = ["ReviewedRule", "PointsRule", "EvaluationRule", "VerdictRule", "ComplaintQuestionRule"]
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    assert names[-1] == "CompetenceStatusRule"
    assert [(r.shape_order, r.order) for r in rules] == sorted(
        (r.shape_order, r.order) for r in rules
    )


@pytest.mark.parametrize(
    ("extra", "feature"),
    [
        (
            "<urn:x:shape> a sh:NodeShape ; sh:targetClass <urn:x:C> ;"
            " sh:property [ sh:path <urn:x:p> ; sh:minCount 1 ] .",
            "property",
        ),
        (
            "<urn:x:shape> a sh:NodeShape ; sh:targetClass akg:Run ; sh:deactivated true .",
            "deactivated",
        ),
        (
            "<urn:x:shape> a sh:NodeShape ; sh:targetClass akg:Run ; sh:order 9 ;"
            ' sh:rule [ a sh:SPARQLRule ; sh:construct "CONSTRUCT {} WHERE {}" ;'
            " sh:condition <urn:x:other> ] .",
            "condition",
        ),
        (
            "<urn:x:shape> a sh:NodeShape ; sh:targetNode <urn:x:n> .",
            "targetNode",
        ),
        (
            "<urn:x:shape> a sh:NodeShape ; sh:targetClass akg:Run ; sh:order 9 ;"
            " sh:rule [ a sh:TripleRule ; sh:subject sh:this ] .",
            "",
        ),
        (
            "<urn:x:shape> a sh:NodeShape ; sh:targetClass akg:Evaluation ; sh:sparql [ a"
            ' sh:SPARQLConstraint ; sh:select "SELECT $this WHERE { $this ?p $currentShape }" ] .',
            "currentShape",
        ),
        (
            "<urn:x:shape> a sh:NodeShape ; sh:targetClass akg:Run ; sh:order 1 ;"
            " sh:rule [ a sh:SPARQLRule ; sh:prefixes <https://w3id.org/authority-kg/shapes> ;"
            ' sh:construct'
            ' "CONSTRUCT { ?e akg:verdict akg:Violates } WHERE { ?e a akg:Evaluation }" ] .',
            "same sh:order",
        ),
    ],
    ids=["property-shape", "deactivated", "rule-condition", "target-node", "triple-rule",
         "prebound-variable", "order-tie"],
)  # fmt: skip
def test_the_compiler_refuses_what_it_does_not_implement(extra: str, feature: str) -> None:
    with pytest.raises(UnsupportedShapes, match="urn:x:shape|" + feature) as info:
        compile_shapes(_with(extra))
    assert feature in str(info.value)


@pytest.mark.slow
def test_same_findings_as_stock_pyshacl_over_the_whole_graph_on_generated_data() -> None:
    """The bulk check (batches, fast engine) against pyshacl as a user runs it: once over
    the law and every incident, rdflib's own SPARQL processor."""
    from bench.generate import as_cards, generate_cards
    from kg.bulk import check_many
    from kg.reasoning.reference import stock_sparql

    ctx = api.context()
    cards = list(as_cards(generate_cards(40, seed=7)))
    with stock_sparql():
        reference = check_cards(
            cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, Options(engine="pyshacl")
        )
    bulk = [r for b in check_many(cards, ctx, Options(), batch=9, workers=2) for r in b.reports]

    def key(reports: list[Any]) -> list[Any]:
        return sorted(answers(reports), key=lambda d: d["incident"])

    assert key(bulk) == key(reference)
    assert sum(len(r.findings) for r in bulk) > 80
    assert {f.verdict for r in bulk for f in r.findings} >= {"violates", "complies", "undetermined"}


@pytest.mark.parametrize("runs", [0, 2])
def test_the_fast_engine_refuses_data_without_exactly_one_run_node(runs: int) -> None:
    """The rules bind `$this` to the one `akg:Run` node: data with none, or with a second
    one (a card cannot make one, but the check is the engine's), is an internal error."""
    ctx = api.context()
    one = [(RUN, RDF.type, AKG.Run)]
    data = [(n, RDF.type, AKG.Run) for n in (RUN, URIRef("urn:test:second-run"))][:runs]
    with pytest.raises(fast.EngineError, match="exactly one run node"):
        fast.validate(ctx.law, data, ctx.shapes)
    assert fast.validate(ctx.law, one, ctx.shapes)[0].results == []

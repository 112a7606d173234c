"""The set-at-a-time engine gives the same answers as pyshacl, the reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import api
from kg.check import Options, check_cards
from kg.fast_engine import UnsupportedShapes, compile_shapes
from tests.conftest import CARDS, JUNE4
from tests.scenarios import runner


def _library(tmp_path: Path) -> list[Any]:
    ctx = api.context()
    paths = [JUNE4, *sorted(CARDS.glob("*.yaml")), *sorted((CARDS / "amend").glob("*.yaml"))]
    for i, (_, s) in enumerate(runner.all_scenarios()):
        if "card" in s:
            p = tmp_path / f"{i}.yaml"
            p.write_text(yaml.safe_dump(s["card"], sort_keys=False))
            paths.append(p)
    return [api.resolve_card(str(p), ctx) for p in paths]


def _answers(reports: list[Any]) -> list[Any]:
    return [r.to_json() | {"version": "", "law_current_to": ""} for r in reports]


@pytest.mark.slow
def test_same_findings_as_pyshacl_on_the_scenario_library(tmp_path: Path) -> None:
    ctx = api.context()
    cards = _library(tmp_path)
    assert len(cards) > 100

    def run(engine: str) -> list[Any]:
        return check_cards(
            cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, Options(engine=engine)
        )

    fast, reference = run("fast"), run("pyshacl")
    assert _answers(fast) == _answers(reference)
    assert sum(len(r.findings) for r in fast) > 200


def test_same_competence_matrix_as_pyshacl() -> None:
    import os

    from kg.competence import matrix

    ctx = api.context()
    fast = matrix(ctx.law, ctx.shapes, ctx.codes, ctx.info, date="2025-06-04")
    os.environ["KG_ENGINE"] = "pyshacl"
    try:
        reference = matrix(ctx.law, ctx.shapes, ctx.codes, ctx.info, date="2025-06-04")
    finally:
        del os.environ["KG_ENGINE"]
    assert [c.to_json() for c in fast] == [c.to_json() for c in reference]


def test_the_fast_engine_refuses_shapes_it_does_not_implement() -> None:
    from rdflib import Graph

    shapes = Graph()
    shapes += api.context().shapes
    shapes.parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:shape> a sh:NodeShape ; sh:targetClass <urn:x:C> ;
            sh:property [ sh:path <urn:x:p> ; sh:minCount 1 ] .
    """,
        format="turtle",
    )
    with pytest.raises(UnsupportedShapes, match="urn:x:shape"):
        compile_shapes(shapes)


@pytest.mark.slow
def test_same_findings_as_stock_pyshacl_over_the_whole_graph_on_generated_data() -> None:
    """The bulk check (batches, fast engine) against pyshacl as a user runs it: once over
    the law and every incident, rdflib's own SPARQL processor."""
    from bench.generate import as_cards, generate_cards
    from kg.bulk import check_many
    from kg.engine import stock_sparql

    ctx = api.context()
    cards = list(as_cards(generate_cards(80, seed=7)))
    with stock_sparql():
        reference = check_cards(
            cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, Options(engine="pyshacl")
        )
    bulk = [r for b in check_many(cards, ctx, Options(), batch=9, workers=2) for r in b.reports]
    key = lambda reports: sorted(_answers(reports), key=lambda d: d["incident"])  # noqa: E731
    assert key(bulk) == key(reference)
    assert sum(len(r.findings) for r in bulk) > 80

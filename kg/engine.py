"""Run the SHACL shapes (pyshacl, the reference engine) over a data graph.

`run(data, shapes)` applies the SHACL-AF rules to `data` in place, validates it, and
returns the validation results as small records. The rules' derived triples stay in
`data`, so callers read evaluations, condition results and candidates from it.

rdflib parses a SPARQL text again for every focus node; pyshacl sends the same few
texts thousands of times. `CachedSPARQLProcessor` keeps the parsed and translated
query keyed by its text (the effect of a prepared query) and is registered as rdflib's
`sparql` processor plugin. Results are unchanged: only parsing is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyshacl
import rdflib.plugin
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor


@lru_cache(maxsize=512)
def _translated(text: str, base: str | None, ns: tuple[tuple[str, str], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(ns) if ns else None)


class CachedSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor with parsed queries cached by their text."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803 (rdflib's signature)
        initBindings: Any = None,  # noqa: N803
        initNs: Any = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Any:
        if isinstance(strOrQuery, str):
            ns = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _translated(strOrQuery, base, ns)
        return evalQuery(self.graph, strOrQuery, initBindings, base)


rdflib.plugin.register("sparql", Processor, "kg.engine", "CachedSPARQLProcessor")


@contextmanager
def stock_sparql() -> Iterator[None]:
    """rdflib's own SPARQL processor for a while (what pyshacl uses out of the box): the
    baseline of the benchmarks."""
    rdflib.plugin.register(
        "sparql", Processor, "rdflib.plugins.sparql.processor", "SPARQLProcessor"
    )
    try:
        yield
    finally:
        rdflib.plugin.register("sparql", Processor, "kg.engine", "CachedSPARQLProcessor")


RUN = URIRef("urn:authority-kg:run")  # the one akg:Run node of a data graph


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, reduced to what findings are built from."""

    focus: URIRef
    shape: URIRef
    severity: URIRef
    message: str
    value: Any


@dataclass(frozen=True)
class Validation:
    results: list[Result]
    report: Graph

    @property
    def report_node(self) -> object:
        return self.report.value(predicate=RDF.type, object=SH.ValidationReport)


def validate(data: Graph, shapes: Graph) -> Validation:
    """Apply the rules to `data` (in place) and validate it; keep the report graph."""
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        advanced=True,
        inplace=True,
        allow_infos=True,
        allow_warnings=True,
    )
    assert isinstance(report, Graph)
    out: list[Result] = []
    for res in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(res, SH.sourceShape)
        focus = report.value(res, SH.focusNode)
        if not isinstance(shape, URIRef) or not isinstance(focus, URIRef):
            continue
        severity = report.value(res, SH.resultSeverity)
        out.append(
            Result(
                focus=focus,
                shape=shape,
                severity=severity if isinstance(severity, URIRef) else SH.Violation,
                message=str(report.value(res, SH.resultMessage) or ""),
                value=report.value(res, SH.value),
            )
        )
    return Validation(out, report)


def run(data: Graph, shapes: Graph) -> list[Result]:
    """Apply the rules to `data` (in place) and validate it; return every result."""
    return validate(data, shapes).results

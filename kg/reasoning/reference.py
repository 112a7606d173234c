"""The reference engine: pyshacl runs the shapes (SHACL-AF rules, then validation).

`validate(data, shapes)` applies the rules to `data` in place and validates it. The
rules' derived triples stay in `data`, so callers read evaluations, condition results
and candidates from it.

rdflib parses a SPARQL text again for every focus node; pyshacl sends the same few texts
thousands of times. `CachedSPARQLProcessor` keeps the parsed and translated query keyed
by its text (the effect of a prepared query) and is registered as rdflib's `sparql`
processor plugin. Results are unchanged: only parsing is skipped. Parsing holds the
compiler's lock: rdflib's parser is not thread-safe (a Dask worker runs several threads).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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
from rdflib.term import Identifier

from kg.rdflib_sparql import PARSE_LOCK
from kg.reasoning.results import Result, Validation

NAME = "pyshacl"


@lru_cache(maxsize=512)
def _translated(text: str, base: str | None, ns: tuple[tuple[str, str], ...]) -> Query:
    with PARSE_LOCK:
        return translateQuery(parseQuery(text), base, dict(ns) if ns else None)


class CachedSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor with parsed queries cached by their text."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803 (rdflib's signature)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        initNs: Mapping[str, str] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            ns = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            strOrQuery = _translated(strOrQuery, base, ns)
        return evalQuery(self.graph, strOrQuery, initBindings or {}, base)


rdflib.plugin.register("sparql", Processor, "kg.reasoning.reference", "CachedSPARQLProcessor")


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
        rdflib.plugin.register(
            "sparql", Processor, "kg.reasoning.reference", "CachedSPARQLProcessor"
        )


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
    return Validation(out, NAME, report)

"""What an engine returns: SHACL validation results, reduced to what findings are built
from, and what the run derived, to be read with SELECT queries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.terms import Term, from_ox, ox_triples

RUN = URIRef("urn:authority-kg:run")  # the one akg:Run node of a data graph


@dataclass(frozen=True)
class Result:
    """One SHACL validation result."""

    focus: URIRef
    shape: URIRef
    severity: URIRef
    message: str
    value: Node | None


@dataclass(frozen=True)
class Validation:
    """The results of one run and the engine's name; the SHACL report graph is built from
    the results when first read (a bulk run never reads it), unless the engine gave its
    own (pyshacl's)."""

    results: list[Result]
    engine: str
    given: Graph | None = None

    @cached_property
    def report(self) -> Graph:
        return self.given if self.given is not None else report_graph(self.results)

    @property
    def report_node(self) -> Node | None:
        return self.report.value(predicate=RDF.type, object=SH.ValidationReport)


def report_graph(results: list[Result]) -> Graph:
    """The results as a SHACL validation report (sh:conforms as SHACL defines it)."""
    g = Graph()
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    violations = any(r.severity == SH.Violation for r in results)
    g.add((report, SH.conforms, Literal(not violations)))
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        g.add((node, SH.resultMessage, Literal(r.message)))
        if r.value is not None:
            g.add((node, SH.value, r.value))
    return g


Row = dict[str, Term]


class Derived:
    """What one run leaves to read.

    `graph` holds the facts and the law as rdflib terms, for looking up a fact or a term's
    label; `select` runs a SELECT query over everything the run holds, the triples the
    rules derived included. The fast engine passes the pyoxigraph store it ran in, so
    what the rules derived is never copied into rdflib; the reference engine's graph is
    copied into a store the first time it is queried. Terms are converted once a run."""

    def __init__(self, graph: Graph, store: ox.Store | None = None) -> None:
        self.graph = graph
        self._store = store
        self._terms: dict[object, Term] = {}

    def term(self, t: object) -> Term:
        found = self._terms.get(t)
        if found is None:
            found = self._terms[t] = from_ox(t)
        return found

    def select(self, query: str) -> list[Row]:
        if self._store is None:
            self._store = ox.Store()
            self._store.extend(ox_triples(self.graph))
        solutions = self._store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        term = self.term
        return [
            {n: term(v) for n, v in zip(names, sol, strict=True) if v is not None}
            for sol in solutions
        ]

"""What an engine returns: SHACL validation results, reduced to what findings are built
from, and what the run derived, to be read with SELECT queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.terms import Lookup, Term, Triple, from_ox, ox_triples, select_rows

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


class Facts:
    """A run's facts (its cards' triples and settings) over the law, indexed for lookups
    without building an rdflib graph of them: a fact of the run is found before the
    law's, as in an rdflib aggregate of the two, and `value` gives the first value given,
    as rdflib does."""

    def __init__(self, triples: Iterable[Triple], law: Graph) -> None:
        self.law = law
        self._values: dict[tuple[Node, Node], dict[Node, None]] = {}
        self._law_values: dict[tuple[Node, Node], Node | None] = {}
        for s, p, o in triples:
            self._values.setdefault((s, p), {})[o] = None

    def value(self, subject: Node | None = None, predicate: Node | None = RDF.value) -> Node | None:
        if subject is None or predicate is None:
            return None
        key = (subject, predicate)
        found = self._values.get(key)
        if found:
            return next(iter(found))
        if key not in self._law_values:  # the law's terms recur in every finding
            self._law_values[key] = self.law.value(subject, predicate)
        return self._law_values[key]

    def __contains__(self, triple: Triple) -> bool:
        s, p, o = triple
        return o in self._values.get((s, p), ()) or triple in self.law


class Derived:
    """What one run leaves to read.

    `graph` holds the facts and the law as rdflib terms (an rdflib graph, or `Facts`),
    for looking up a fact or a term's label; `select` runs a SELECT query over everything
    the run holds, the triples the rules derived included. The fast engine passes the
    pyoxigraph store it ran in, so what the rules derived is never copied into rdflib; the
    reference engine's graph is copied into a store the first time it is queried. Terms
    are converted once a run."""

    def __init__(self, graph: Lookup, store: ox.Store | None = None) -> None:
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
            if not isinstance(self.graph, Graph):
                raise TypeError("a run without a store must be given its graph whole")
            self._store = ox.Store()
            self._store.extend(ox_triples(self.graph))
        names, rows = select_rows(self._store, query)
        term = self.term
        return [
            {n: term(v) for n, v in zip(names, sol, strict=True) if v is not None} for sol in rows
        ]

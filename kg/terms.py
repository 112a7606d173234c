"""RDF terms between rdflib and pyoxigraph: the one conversion both engines and the store use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

Term = URIRef | Literal | BNode

Triple = tuple[Node, Node, Node]


class Lookup(Protocol):
    """What findings look up in a run's facts and the law: a value, or whether a triple
    is held (an rdflib graph is one; `Facts` another)."""

    def value(self, subject: Node | None = ..., predicate: Node | None = ...) -> Node | None: ...

    def __contains__(self, triple: Triple) -> bool: ...


def to_ox(term: Node) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise TypeError(f"not an RDF term: {term!r}")


def ox_triples(triples: Iterable[tuple[Node, Node, Node]]) -> list[Any]:
    """rdflib triples as pyoxigraph quads in the default graph; a term that recurs (a
    predicate, a code) is converted once."""
    made: dict[Node, Any] = {}

    def ox_term(t: Node) -> Any:
        found = made.get(t)
        if found is None:
            found = made[t] = to_ox(t)
        return found

    default = ox.DefaultGraph()
    return [ox.Quad(ox_term(s), ox_term(p), ox_term(o), default) for s, p, o in triples]


# pyoxigraph's query results (`QuerySolutions`, `QueryTriples`, `parse_query_results`'s)
# and its store iterators (`Store.quads_for_pattern`, `Store.named_graphs`, `iter(store)`)
# may be dropped only on the thread that made them: dropped on another, pyoxigraph
# prints an error (not raised) and leaks the object. A frame object held by another
# thread (Dask's worker profiler samples every running frame) takes over its locals when
# the function returns, and keeps its caller's frame, which takes over the caller's
# locals in turn; they are dropped when that thread lets go. So a result is read whole
# and released in the function that asked for it, never left in a returning frame's
# locals, nor iterated by a comprehension (whose own frame would hold it). Its rows and
# triples may go anywhere.


def select_rows(store: ox.Store, query: str) -> tuple[list[str], list[Any]]:
    """A SELECT query's variable names and its rows (`pyoxigraph.QuerySolution`)."""
    answer = store.query(query)
    try:
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError(f"not a SELECT query: {query[:80]!r}")
        names = [v.value for v in answer.variables]
        rows = list(answer)
    finally:
        del answer
    return names, rows


def constructed(store: ox.Store, query: str) -> list[Any]:
    """A CONSTRUCT query's triples, as quads in the default graph."""
    answer = store.query(query)
    try:
        if not isinstance(answer, ox.QueryTriples):
            raise TypeError(f"not a CONSTRUCT query: {query[:80]!r}")
        triples = list(answer)
    finally:
        del answer
    default = ox.DefaultGraph()
    return [ox.Quad(t.subject, t.predicate, t.object, default) for t in triples]

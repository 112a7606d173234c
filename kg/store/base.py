"""What every store offers: the `Store` protocol and a query's `Result`.

Every fact lives in a named graph; queries name their graphs, because servers differ on
what the default graph is. Writes are `replace_all` (an atomic rebuild of every named
graph) and `replace_graphs` (some named graphs in one step).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, TypeVar

from rdflib import Dataset, URIRef
from rdflib.term import Node

from kg.errors import StoreError
from kg.terms import Term

Row = dict[str, Term]


@dataclass(frozen=True)
class Result:
    """A query's answer: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: str  # select, ask, graph
    variables: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    boolean: bool | None = None
    triples: tuple[tuple[Node, Node, Node], ...] = ()


class Store(Protocol):
    name: str

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        graphs: Iterable[URIRef] | None = None,
    ) -> Result: ...

    def replace_all(self, dataset: Dataset) -> None: ...

    def replace_graphs(self, dataset: Dataset) -> None: ...

    def is_empty(self) -> bool: ...


T = TypeVar("T")


def serialized(write: Callable[[], T], graph: str = "") -> T:
    """Write RDF text; a term no syntax can carry (rdflib raises a bare Exception for an
    IRI with a space) fails the load before anything changes."""
    try:
        return write()
    except Exception as exc:  # noqa: BLE001 - rdflib's serializers raise Exception itself
        where = f"graph <{graph}> holds" if graph else "the graphs hold"
        raise StoreError(
            f"loading failed, nothing was changed: {where} a term that is not valid RDF: {exc}"
        ) from None


def named_graphs(dataset: Dataset) -> Iterator[tuple[URIRef, list[tuple[Node, Node, Node]]]]:
    for g in dataset.graphs():
        if (
            len(g)
            and isinstance(g.identifier, URIRef)
            and str(g.identifier) != "urn:x-rdflib:default"
        ):
            yield g.identifier, list(g)

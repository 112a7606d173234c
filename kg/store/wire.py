"""What travels to and from a SPARQL server: terms read back from SPARQL JSON and
N-Triples (normalised as the embedded store would hold them), triples written as
N-Triples, and graphs cut into requests that keep blank nodes together."""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.terms import Term, to_ox

_XSD = "http://www.w3.org/2001/XMLSchema#"


_DURATIONS = {_XSD + "dayTimeDuration", _XSD + "duration"}


def remote_literal(value: str, datatype: str | None = None, lang: str | None = None) -> Literal:
    """A literal from a server, written as the embedded store writes it: servers store
    some values in their own way (Virtuoso keeps a duration as seconds, a decimal with
    trailing zeros, an explicit xsd:string), so that a query gives the same terms on
    every store."""
    if lang:
        return Literal(value, lang=lang.lower())
    if not datatype or datatype == _XSD + "string":
        return Literal(value)
    if datatype in _DURATIONS:
        try:
            seconds = float(value)
        except ValueError:
            pass
        else:
            return Literal(datetime.timedelta(seconds=seconds), datatype=URIRef(datatype))
    elif datatype == _XSD + "decimal":
        try:
            number = decimal.Decimal(value)
        except decimal.InvalidOperation:
            pass
        else:
            if number.is_finite():
                text = "0" if number.is_zero() else format(number.normalize(), "f")
                return Literal(text, datatype=URIRef(datatype))
    return Literal(value, datatype=URIRef(datatype))


def remote_bnode(label: str) -> BNode:
    # Virtuoso names blank nodes `nodeID://b10001`, which is no blank node label
    return BNode(re.sub(r"[^A-Za-z0-9_]", "", label.rpartition("/")[2]) or "b")


def sparql_json_term(cell: Mapping[str, str]) -> Term:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return remote_bnode(cell["value"])
    return remote_literal(cell["value"], cell.get("datatype"), cell.get("xml:lang"))


def remote_term(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return remote_bnode(term.value)
    if isinstance(term, ox.Literal):
        return remote_literal(term.value, term.datatype.value, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


def ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """The triples as N-Triples (UTF-8), written by pyoxigraph; a term that is not valid
    RDF is a ValueError naming it (pyoxigraph's message does not)."""

    def term(t: Node) -> Any:
        try:
            return to_ox(t)
        except ValueError as exc:
            raise ValueError(f"{str(t)!r}: {exc}") from None

    body = ox.serialize(
        (ox.Triple(term(s), term(p), term(o)) for s, p, o in triples),
        format=ox.RdfFormat.N_TRIPLES,
    )
    return bytes(body or b"")


def chunked(
    triples: list[tuple[Node, Node, Node]], size: int
) -> list[list[tuple[Node, Node, Node]]]:
    """The triples in chunks of about `size`, keeping the triples that share a blank node
    in one chunk (a server reads each request's blank nodes as new ones)."""
    if len(triples) <= size:
        return [triples]
    parent: dict[BNode, BNode] = {}

    def find(b: BNode) -> BNode:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for s, _, o in triples:
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent[find(s)] = find(o)
    groups: dict[object, list[tuple[Node, Node, Node]]] = {}
    for i, t in enumerate(triples):
        node = t[0] if isinstance(t[0], BNode) else t[2] if isinstance(t[2], BNode) else None
        groups.setdefault(find(node) if node is not None else i, []).append(t)
    out: list[list[tuple[Node, Node, Node]]] = [[]]
    for group in groups.values():
        if out[-1] and len(out[-1]) + len(group) > size:
            out.append([])
        out[-1].extend(group)
    return out

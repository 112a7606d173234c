"""The SPARQL 1.1 Protocol, read-only: what a request asks, and what may be answered.

A query is looked at before it runs: whether it is an update (refused), whether it
calls SERVICE (refused: no query reaches another host), which graphs its FROM and FROM
NAMED clauses name, and which format to answer in: the one ?format= (or ?output=)
names when it fits the query's form, else the best the Accept header takes (406 when
none fits). The graphs a query may see are always the app's allowed graphs (restricted
sources left out), whatever the query or the request names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept

UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
}
QUERY_WORDS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}

_TOKEN = re.compile(
    r"(?P<comment>\#[^\n]*)"
    r"|(?P<string>'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.%:-]*)"
    r"|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<other>\S)",
    re.UNICODE,
)


class Refused(Exception):
    """The request cannot be answered: `status` and a message saying why and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


READ_ONLY = (
    "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, "
    "CREATE, ADD, MOVE, COPY) is refused, and nothing was changed"
)


@dataclass(frozen=True)
class Inspection:
    operation: str  # query, update, or unknown (the engine will report the syntax error)
    form: str  # select, ask, graph (construct/describe), or ""
    service: bool
    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]


def inspect(text: str) -> Inspection:
    prefixes: dict[str, str] = {}
    tokens = [
        (m.lastgroup or "", m.group())
        for m in _TOKEN.finditer(text)
        if m.lastgroup not in ("comment", "string")
    ]
    operation, form, service = "unknown", "", False
    from_graphs: list[str] = []
    from_named: list[str] = []
    for i, (kind, value) in enumerate(tokens):
        word = value.upper() if kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens):
            prefixes[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1].strip("<>")
        elif operation == "unknown" and word in QUERY_WORDS:
            operation = "query"
            form = {"SELECT": "select", "ASK": "ask"}.get(word, "graph")
        elif operation == "unknown" and word in UPDATE_WORDS:
            operation = "update"
        elif word == "SERVICE":
            service = True
        elif word == "FROM" and i + 1 < len(tokens):
            named = tokens[i + 1][1].upper() == "NAMED"
            target = tokens[i + 2] if named and i + 2 < len(tokens) else tokens[i + 1]
            iri = _iri(target, prefixes)
            if iri:
                (from_named if named else from_graphs).append(iri)
    return Inspection(operation, form, service, tuple(from_graphs), tuple(from_named))


def _iri(token: tuple[str, str], prefixes: dict[str, str]) -> str | None:
    kind, value = token
    if kind == "iri":
        return value[1:-1]
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def check(inspection: Inspection) -> None:
    if inspection.operation == "update":
        raise Refused(403, READ_ONLY)
    if inspection.service:
        raise Refused(
            403,
            "SERVICE is refused: this endpoint does not send queries to other hosts; "
            "query each endpoint yourself",
        )


def dataset(
    inspection: Inspection,
    allowed: Sequence[str],
    default_uris: Sequence[str],
    named_uris: Sequence[str],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(default graphs, named graphs). The protocol's parameters win over the query's
    FROM clauses; with neither, the default graph is the union of every allowed graph.
    A graph that is not allowed (or not in the store) is simply empty."""
    ok = set(allowed)

    def keep(uris: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for u in uris if u in ok))

    if default_uris or named_uris:
        return keep(default_uris), keep(named_uris)
    if inspection.from_graphs or inspection.from_named:
        return keep(inspection.from_graphs), keep(inspection.from_named)
    return tuple(allowed), tuple(allowed)


RESULT_TYPES = {  # media type: format; the first is the default for */*
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
BOOLEAN_FORMATS = ("json", "xml")  # SPARQL 1.1 CSV and TSV have no form for ASK's answer
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/n3": "n3",
    "application/x-turtle": "turtle",
    "text/plain": "nt",
    "application/json": "jsonld",
    "text/rdf+n3": "n3",
}
MEDIA_TYPE = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "n3": "text/n3; charset=utf-8",
}
# the names ?format= and ?output= may give (besides a media type), by kind of answer
RESULT_NAMES = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
}
GRAPH_NAMES = {
    "turtle": "turtle",
    "ttl": "turtle",
    "nt": "nt",
    "ntriples": "nt",
    "n-triples": "nt",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
    "rdf+xml": "rdfxml",
    "rdf/xml": "rdfxml",
    "rdf": "rdfxml",
    "xml": "rdfxml",
    "n3": "n3",
}


def offers(form: str) -> dict[str, str]:
    """The media types an answer of this form may take, each with its format."""
    if form == "graph":
        return GRAPH_TYPES
    if form == "ask":
        return {k: v for k, v in RESULT_TYPES.items() if v in BOOLEAN_FORMATS}
    return RESULT_TYPES


def named(values: Iterable[str], form: str) -> str | None:
    """The first format named in `values` (?format=, ?output=: short names or media
    types, each maybe a comma-separated list) that an answer of `form` can take. Names
    not known, and names of formats that do not fit the form, are passed over."""
    names = GRAPH_NAMES if form == "graph" else RESULT_NAMES
    types = offers(form)
    for value in values:
        for part in value.split(","):
            # a '+' in a URL that was not escaped arrives as a space (rdf+xml)
            key = part.split(";")[0].strip().lower().replace(" ", "+")
            found = names.get(key) or types.get(key)
            if found in types.values():
                return found
    return None


def negotiate(accept: MIMEAccept, form: str, asked: Sequence[str] = ()) -> tuple[str, str]:
    """(format for solutions and booleans, format for graphs). A format `asked` for by
    name (?format=, ?output=) wins when it fits the query's form; otherwise Accept
    decides, and 406 when nothing it accepts fits."""
    explicit = named(asked, form) if form else None
    if explicit:
        return (explicit, "turtle") if form != "graph" else ("json", explicit)
    if not accept:
        return "json", "turtle"
    kinds = offers(form)
    best = accept.best_match(list(kinds))
    if form and best is None:
        available = ", ".join(kinds)
        if form == "ask" and accept.best_match(["text/csv", "text/tab-separated-values"]):
            raise Refused(
                406,
                "an ASK query's answer (true or false) has no CSV or TSV form in SPARQL "
                f"1.1; ask for one of {available}",
            )
        raise Refused(
            406,
            f"none of the requested media types can be produced; this query's answer is "
            f"available as {available}",
        )
    if form == "graph":
        return "json", GRAPH_TYPES[best or "text/turtle"]
    if form:
        return RESULT_TYPES[best or "application/sparql-results+json"], "turtle"
    return (
        RESULT_TYPES.get(accept.best_match(list(RESULT_TYPES)) or "", "json"),
        GRAPH_TYPES.get(accept.best_match(list(GRAPH_TYPES)) or "", "turtle"),
    )

"""Where the graph lives: an embedded on-disk pyoxigraph store, or any SPARQL 1.1 server.

Both offer the same operations: `query` (with values bound as RDF terms, never pasted
as text), `replace_all` (an atomic rebuild of every named graph) and `replace_graphs`
(replace some named graphs in one step). Every fact lives in a named graph; queries
name their graphs, because servers differ on what the default graph is.

The embedded store's folder is `$KG_STORE`, else `$XDG_DATA_HOME/authority-kg/store`
(`~/.local/share/authority-kg/store`). A remote server is chosen with `--endpoint URL`
or `$KG_ENDPOINT`; graphs are written to it with the Graph Store Protocol (`$KG_GSP`,
default: the endpoint's Virtuoso-style `sparql-graph-crud` sibling).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from kg.errors import InputError

Term = URIRef | Literal | BNode
Row = dict[str, Term]

ENV_STORE = "KG_STORE"
ENV_ENDPOINT = "KG_ENDPOINT"
ENV_GSP = "KG_GSP"


class StoreError(Exception):
    """The store could not do what was asked; the message says why."""


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

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Result: ...

    def replace_all(self, dataset: Dataset) -> None: ...

    def replace_graphs(self, dataset: Dataset) -> None: ...

    def is_empty(self) -> bool: ...


def default_location() -> Path:
    if os.environ.get(ENV_STORE):
        return Path(os.environ[ENV_STORE]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "authority-kg" / "store"


# -- terms ---------------------------------------------------------------------------


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


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def syntax_error(exc: Exception, where: str) -> InputError:
    """A SPARQL syntax error as one message with the line and column."""
    text = str(exc)
    m = _POSITION.search(text)
    if m:
        line, col, rest = int(m.group(1)), int(m.group(2)), m.group(3)
        expected = " ".join(rest.split())
        if len(expected) > 160:
            expected = expected[:157] + "..."
        return InputError(
            where,
            f"SPARQL syntax error at column {col}: {expected}",
            "correct the query at that line and column",
            line=line,
        )
    return InputError(
        where, f"SPARQL syntax error: {' '.join(text.split())[:200]}", "correct the query"
    )


# -- embedded --------------------------------------------------------------------------


class EmbeddedStore:
    """An on-disk pyoxigraph store (or an in-memory one, with no path)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.name = str(path) if path else "memory"
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            if self.path is not None:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
            else:
                self._store = ox.Store()
        return self._store

    def close(self) -> None:
        self._store = None

    def is_empty(self) -> bool:
        if self.path is not None and not self.path.exists():
            return True
        return len(self.store) == 0

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Result:
        try:
            answer = self.store.query(bind_values(sparql, bindings or {}))
        except SyntaxError as exc:
            raise syntax_error(exc, "query") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"the embedded store could not run the query: {exc}") from None
        return _oxigraph_result(answer)

    def replace_all(self, dataset: Dataset) -> None:
        """Rebuild the store from scratch; if anything fails, the old store stays."""
        data = dataset.serialize(format="nquads").encode("utf-8")
        if self.path is None:
            fresh = ox.Store()
            fresh.load(data, format=ox.RdfFormat.N_QUADS)
            self._store = fresh
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=self.path.name + ".new-", dir=self.path.parent))
        try:
            fresh = ox.Store(str(tmp))
            fresh.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            fresh.flush()
            del fresh
        except (OSError, ValueError, SyntaxError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise StoreError(f"loading failed, the previous store is unchanged: {exc}") from None
        self.close()
        old = self.path.with_name(self.path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.path.exists():
            self.path.rename(old)
        tmp.rename(self.path)
        shutil.rmtree(old, ignore_errors=True)

    def replace_graphs(self, dataset: Dataset) -> None:
        """Replace the named graphs the dataset holds, in one transaction."""
        update = _replace_update(dataset)
        if update:
            self.store.update(update)


def _oxigraph_result(answer: Any) -> Result:
    if isinstance(answer, bool):
        return Result("ask", boolean=answer)
    if isinstance(answer, ox.QuerySolutions):
        names = tuple(v.value for v in answer.variables)
        rows = []
        for solution in answer:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = from_ox(value)
            rows.append(row)
        return Result("select", variables=names, rows=tuple(rows))
    triples = tuple((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in answer)
    return Result("graph", triples=triples)


def _graphs(dataset: Dataset) -> Iterator[tuple[URIRef, list[tuple[Node, Node, Node]]]]:
    for g in dataset.graphs():
        if (
            len(g)
            and isinstance(g.identifier, URIRef)
            and str(g.identifier) != "urn:x-rdflib:default"
        ):
            yield g.identifier, list(g)


def _replace_update(dataset: Dataset) -> str:
    parts = []
    for name, triples in _graphs(dataset):
        body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)
        parts.append(
            f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}"
        )
    return " ;\n".join(parts)


# -- remote ----------------------------------------------------------------------------


def values_block(bindings: Mapping[str, Term]) -> str:
    """Bindings as a VALUES block, each value written as an escaped RDF term."""
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(v.n3() for v in bindings.values())
    return f" VALUES ({names}) {{ ({terms}) }} "


_TOKEN = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<string>'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<where>\bWHERE\b)"
    r"|(?P<brace>\{)",
    re.I,
)


def bind_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with the bindings as a VALUES block opening its WHERE clause, so that
    every pattern and filter of the clause sees them (like pre-bound variables)."""
    if not bindings:
        return sparql
    after_where = False
    first_brace = None
    for m in _TOKEN.finditer(sparql):
        if m.group("where"):
            after_where = True
        elif m.group("brace"):
            if first_brace is None:
                first_brace = m.end()
            if after_where:
                return sparql[: m.end()] + values_block(bindings) + sparql[m.end() :]
    if first_brace is None:
        raise InputError(
            "query",
            "the query has no group pattern ({ ... }) to bind values in",
            "write a WHERE clause",
        )
    return sparql[:first_brace] + values_block(bindings) + sparql[first_brace:]


def _sparql_json_term(cell: Mapping[str, str]) -> Term:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return BNode(cell["value"])
    if "xml:lang" in cell:
        return Literal(cell["value"], lang=cell["xml:lang"])
    if cell.get("datatype"):
        return Literal(cell["value"], datatype=URIRef(cell["datatype"]))
    return Literal(cell["value"])


class RemoteStore:
    """Any SPARQL 1.1 server: queries by the Protocol, graphs by the Graph Store Protocol."""

    def __init__(self, endpoint: str, gsp: str | None = None, *, timeout: float = 60) -> None:
        self.endpoint = endpoint
        self.gsp = gsp or os.environ.get(ENV_GSP) or _default_gsp(endpoint)
        self.timeout = timeout
        self.name = endpoint

    def _post(
        self,
        url: str,
        data: bytes,
        headers: dict[str, str],
        method: str = "POST",
    ) -> bytes:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            if exc.code == 400 and "syntax" in detail.lower():
                raise InputError(
                    "query", f"the server rejected the query: {detail}", "correct the query"
                ) from None
            raise StoreError(f"{url} answered {exc.code}: {' '.join(detail.split())}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(f"cannot reach {url}: {exc}") from None

    def raw(self, sparql: str, accept: str) -> bytes:
        form = urllib.parse.urlencode({"query": sparql}).encode()
        return self._post(
            self.endpoint,
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Result:
        text = bind_values(sparql, bindings or {})
        kind = query_kind(sparql)
        if kind == "graph":
            from rdflib import Graph

            body = self.raw(text, "application/n-triples")
            g = Graph().parse(data=body.decode("utf-8"), format="nt")
            return Result("graph", triples=tuple(g))
        doc = json.loads(self.raw(text, "application/sparql-results+json"))
        if "boolean" in doc:
            return Result("ask", boolean=bool(doc["boolean"]))
        names = tuple(doc["head"]["vars"])
        rows = tuple(
            {k: _sparql_json_term(v) for k, v in b.items()} for b in doc["results"]["bindings"]
        )
        return Result("select", variables=names, rows=rows)

    def update(self, sparql: str) -> None:
        form = urllib.parse.urlencode({"update": sparql}).encode()
        self._post(self.endpoint, form, {"Content-Type": "application/x-www-form-urlencoded"})

    def is_empty(self) -> bool:
        return not self.query("ASK { GRAPH ?g { ?s ?p ?o } }").boolean

    def _put_graph(self, name: URIRef, triples: list[tuple[Node, Node, Node]]) -> None:
        from rdflib import Graph

        g = Graph()
        for t in triples:
            g.add(t)
        body = g.serialize(format="nt").encode("utf-8")
        url = f"{self.gsp}?{urllib.parse.urlencode({'graph': str(name)})}"
        self._post(url, body, {"Content-Type": "application/n-triples"}, method="PUT")

    def replace_graphs(self, dataset: Dataset) -> None:
        for name, triples in _graphs(dataset):
            self._put_graph(name, triples)

    def replace_all(self, dataset: Dataset) -> None:
        """Write every graph under a staging name first; only then replace the live ones,
        so a failure while writing leaves the previous graphs queryable."""
        staged = []
        for name, triples in _graphs(dataset):
            staging = URIRef(f"{name}#staging")
            self._put_graph(staging, triples)
            staged.append((staging, name))
        current = {
            str(r["g"])
            for r in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        }
        ours = [
            g
            for g in current
            if g.startswith("https://w3id.org/authority-kg/graph/") and not g.endswith("#staging")
        ]
        wanted = {str(n) for _, n in staged}
        ops = [f"MOVE SILENT GRAPH <{s}> TO GRAPH <{n}>" for s, n in staged]
        ops += [f"DROP SILENT GRAPH <{g}>" for g in ours if g not in wanted]
        for op in ops:
            self.update(op)


def _default_gsp(endpoint: str) -> str:
    if endpoint.rstrip("/").endswith("/sparql"):
        return endpoint.rstrip("/") + "-graph-crud"
    return endpoint


def query_kind(sparql: str) -> str:
    text = re.sub(r"#[^\n]*", " ", sparql)
    text = re.sub(r"(?is)\b(PREFIX|BASE)\s+\S*\s*<[^>]*>", " ", text)
    m = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text)
    if not m:
        return "select"
    word = m.group(1).upper()
    return {"SELECT": "select", "ASK": "ask"}.get(word, "graph")


def open_store(*, location: str | None = None, endpoint: str | None = None) -> Store:
    """The store commands use: --endpoint/$KG_ENDPOINT, else the embedded one."""
    url = endpoint or os.environ.get(ENV_ENDPOINT)
    if url:
        return RemoteStore(url)
    return EmbeddedStore(Path(location).expanduser() if location else default_location())


def union_of(rows: Iterable[Row], key: str) -> list[Term]:
    return [r[key] for r in rows if key in r]

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

import datetime
import decimal
import functools
import glob
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

from kg.errors import InputError, StoreUnreachable
from kg.errors import StoreError as StoreError  # raised here; kg.store.StoreError
from kg.terms import Term as Term
from kg.terms import from_ox as from_ox
from kg.terms import to_ox as to_ox

Row = dict[str, Term]

ENV_STORE = "KG_STORE"
ENV_ENDPOINT = "KG_ENDPOINT"
ENV_GSP = "KG_GSP"


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


def default_location() -> Path:
    if os.environ.get(ENV_STORE):
        return Path(os.environ[ENV_STORE]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "authority-kg" / "store"


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

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.name = str(path) if path else "memory"
        self.read_only = read_only  # opened without the write lock (e.g. by the web app)
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None:
            if self.path is not None and self.read_only:
                self._store = ox.Store.read_only(str(self.path))
            elif self.path is not None:
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

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        graphs: Iterable[URIRef] | None = None,
    ) -> Result:
        """`graphs`: the only named graphs the query may see (default: all of them)."""
        named = None if graphs is None else [ox.NamedNode(str(g)) for g in graphs]
        try:
            answer = self.store.query(bind_values(sparql, bindings or {}), named_graphs=named)
        except SyntaxError as exc:
            raise syntax_error(exc, "query") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"the embedded store could not run the query: {exc}") from None
        return _oxigraph_result(answer)

    def replace_all(self, dataset: Dataset) -> None:
        """Rebuild the store from scratch; if anything fails, the old store stays."""
        self.replace_all_from(
            _serialized(lambda: dataset.serialize(format="nquads").encode("utf-8"))
        )

    def replace_all_from(self, data: bytes | Path, rdf_format: Any = ox.RdfFormat.N_QUADS) -> None:
        """Rebuild the store from RDF with named graphs (N-Quads or TriG; bytes, or a
        file read as it streams in); if anything fails, the old store stays."""
        source: dict[str, Any] = {"path": str(data)} if isinstance(data, Path) else {"input": data}
        if self.path is None:
            fresh = ox.Store()
            try:
                fresh.load(format=rdf_format, **source)
            except (OSError, ValueError, SyntaxError) as exc:
                raise StoreError(
                    f"loading failed, the previous store is unchanged: {exc}"
                ) from None
            self._store = fresh
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._clear_leftovers()
        prefix = f"{self.path.name}.new-{os.getpid()}-"
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=self.path.parent))
        try:
            fresh = ox.Store(str(tmp))
            fresh.bulk_load(format=rdf_format, **source)
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

    def _clear_leftovers(self) -> None:
        """What loads killed half-way left: their `<store>.new-<pid>-*` folders (those of
        a load still running are kept), and a `<store>.old` folder. A load killed between
        its two renames left no store but the previous one as `.old`: it comes back."""
        assert self.path is not None
        running = False
        for tmp in self.path.parent.glob(glob.escape(self.path.name) + ".new-*"):
            pid = tmp.name[len(self.path.name) + 5 :].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                running = True
                continue
            shutil.rmtree(tmp, ignore_errors=True)
        old = self.path.with_name(self.path.name + ".old")
        if old.is_dir() and not running:
            if self.path.exists():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.rename(self.path)

    def replace_graphs(self, dataset: Dataset) -> None:
        """Replace the named graphs the dataset holds, in one transaction."""
        update = _serialized(lambda: _replace_update(dataset))
        if update:
            try:
                self.store.update(update)
            except (OSError, ValueError, SyntaxError) as exc:
                raise StoreError(
                    f"storing failed, the previous graphs are unchanged: {exc}"
                ) from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


T = TypeVar("T")


def _serialized(write: Callable[[], T], graph: str = "") -> T:
    """Write RDF text; a term no syntax can carry (rdflib raises a bare Exception for an
    IRI with a space) fails the load before anything changes."""
    try:
        return write()
    except Exception as exc:  # noqa: BLE001 - rdflib's serializers raise Exception itself
        where = f"graph <{graph}> holds" if graph else "the graphs hold"
        raise StoreError(
            f"loading failed, nothing was changed: {where} a term that is not valid RDF: {exc}"
        ) from None


def _oxigraph_result(answer: Any) -> Result:
    # ASK: a bool (pyoxigraph 0.4), a QueryBoolean (0.5)
    if isinstance(answer, bool) or type(answer).__name__ == "QueryBoolean":
        return Result("ask", boolean=bool(answer))
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


def _sparql_json_term(cell: Mapping[str, str]) -> Term:
    kind = cell["type"]
    if kind == "uri":
        return URIRef(cell["value"])
    if kind == "bnode":
        return remote_bnode(cell["value"])
    return remote_literal(cell["value"], cell.get("datatype"), cell.get("xml:lang"))


def _remote_term(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return remote_bnode(term.value)
    if isinstance(term, ox.Literal):
        return remote_literal(term.value, term.datatype.value, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


def _ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    from rdflib.plugins.serializers.nt import _nt_row

    return "".join(_nt_row(t) for t in triples).encode("utf-8")


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


STAGING = "#staging"  # a graph being written, not yet live
PREVIOUS = "#previous"  # a live graph being replaced, kept until the swap is done
_WORKING = (STAGING, PREVIOUS)


class RemoteStore:
    """Any SPARQL 1.1 server: queries and updates by the SPARQL 1.1 Protocol (POST, form
    encoded), graphs written by the Graph Store Protocol (PUT, then POST for the further
    chunks of a large graph).

    Loading is atomic: every graph is first checked and written under a staging name
    (`<graph>#staging`); only when all are written do the live graphs change, by one
    update request of MOVEs, which is undone should it fail. A load that fails leaves the
    previous graphs queryable, and its StoreError says why."""

    def __init__(
        self,
        endpoint: str,
        gsp: str | None = None,
        *,
        timeout: float = 120,
        chunk: int = 20000,
    ) -> None:
        self.endpoint = endpoint
        self.gsp = gsp or os.environ.get(ENV_GSP) or _default_gsp(endpoint)
        self.timeout = timeout
        self.chunk = chunk
        self.name = endpoint

    def _request(
        self,
        url: str,
        data: bytes,
        headers: dict[str, str],
        method: str = "POST",
    ) -> bytes:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = bytes(response.read())
                state = response.headers.get("X-SQL-State")
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read().decode("utf-8", "replace").split())
            detail = re.sub(r"<[^>]+>", " ", detail)
            detail = " ".join(detail.split())[:400]
            if exc.code == 400 and "syntax" in detail.lower():
                raise InputError(
                    "query", f"the server rejected the query: {detail}", "correct the query"
                ) from None
            raise StoreError(f"{url} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreUnreachable(
                f"cannot reach {url}: {exc}; check that the server runs and the address is right"
            ) from None
        if state:
            # Virtuoso's "anytime" answer: the query ran out of time and the server sent
            # what it had, which would pass for a whole answer
            raise StoreError(
                f"{url} gave a partial answer ({state}: "
                f"{response.headers.get('X-SQL-Message', 'timeout')}); raise the server's "
                "query time limit"
            )
        return body

    def raw(self, sparql: str, accept: str, graphs: Iterable[URIRef] | None = None) -> bytes:
        fields = [("query", sparql)]
        if graphs is not None:  # the Protocol's dataset: only these named graphs
            fields += [("named-graph-uri", str(g)) for g in graphs] or [
                ("named-graph-uri", "urn:x-authority-kg:no-graph")
            ]
        form = urllib.parse.urlencode(fields).encode()
        return self._request(
            self.endpoint,
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        graphs: Iterable[URIRef] | None = None,
    ) -> Result:
        """`graphs`: the only named graphs the query may see (default: all of them)."""
        text = bind_values(sparql, bindings or {})
        kind = query_kind(sparql)
        if kind == "graph":
            body = self.raw(text, "application/n-triples, text/plain;q=0.5", graphs)
            try:
                parsed = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            except (SyntaxError, ValueError) as exc:
                raise StoreError(f"{self.endpoint} sent unreadable N-Triples: {exc}") from None
            triples = tuple(
                (_remote_term(t.subject), _remote_term(t.predicate), _remote_term(t.object))
                for t in parsed
            )
            return Result("graph", triples=triples)
        try:
            doc = json.loads(self.raw(text, "application/sparql-results+json", graphs))
            if "boolean" in doc:
                return Result("ask", boolean=bool(doc["boolean"]))
            names = tuple(doc["head"]["vars"])
            rows = tuple(
                {k: _sparql_json_term(v) for k, v in b.items()} for b in doc["results"]["bindings"]
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{self.endpoint} sent an unreadable answer: {exc!r}") from None
        return Result("select", variables=names, rows=rows)

    def update(self, sparql: str) -> None:
        form = urllib.parse.urlencode({"update": sparql}).encode()
        self._request(
            self.endpoint,
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"},
        )

    def project_graphs(self) -> set[str]:
        """The project's named graphs on the server (those under graph:), staged ones too."""
        from kg.namespaces import GRAPH

        # Virtuoso takes seconds to list every graph it has: ask only for ours
        rows = self.query(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
        ).rows
        return {str(r["g"]) for r in rows if "g" in r}

    def is_empty(self) -> bool:
        # A server has graphs of its own (Virtuoso: its system graphs); ours are under graph:
        return not any(not g.endswith(_WORKING) for g in self.project_graphs())

    def _bodies(self, dataset: Dataset) -> list[tuple[str, list[bytes]]]:
        """Each graph as N-Triples request bodies, checked here first: a server's answer
        to a bad term is often no help (Virtuoso calls any parse error an "unsupported
        type text/plain")."""
        out = []
        for name, triples in _graphs(dataset):
            bodies = _serialized(functools.partial(self._chunk_bodies, triples), name)
            for body in bodies:
                try:
                    for _ in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                        pass
                except (SyntaxError, ValueError) as exc:
                    raise StoreError(
                        f"loading failed, nothing was changed: graph <{name}> holds a term "
                        f"that is not valid RDF: {' '.join(str(exc).split())}"
                    ) from None
            out.append((str(name), bodies))
        return out

    def _chunk_bodies(self, triples: list[tuple[Node, Node, Node]]) -> list[bytes]:
        return [_ntriples(part) for part in chunked(triples, self.chunk)]

    def _stage(self, dataset: Dataset) -> list[tuple[str, str]]:
        """Write every graph of the dataset under its staging name."""
        staged: list[tuple[str, str]] = []
        try:
            for name, bodies in self._bodies(dataset):
                staging = f"{name}{STAGING}"
                staged.append((staging, name))
                url = f"{self.gsp}?{urllib.parse.urlencode({'graph': staging})}"
                headers = {"Content-Type": "application/n-triples"}
                for i, body in enumerate(bodies):
                    try:
                        self._request(url, body, headers, method="PUT" if i == 0 else "POST")
                    except StoreError as exc:
                        raise StoreError(f"writing graph <{name}> failed: {exc}") from None
        except StoreError as exc:
            self._drop_quietly(s for s, _ in staged)
            if str(exc).startswith("loading failed"):
                raise
            raise StoreError(f"loading failed, the previous graphs are unchanged: {exc}") from None
        return staged

    def _drop_quietly(self, names: Iterable[str]) -> None:
        ops = [f"DROP SILENT GRAPH <{n}>" for n in sorted(names)]
        if ops:
            try:
                self.update(" ;\n".join(ops))
            except StoreError:
                pass

    def _begin(self) -> set[str]:
        """The project's live graphs; what a failed load left behind goes first, so that
        a `#previous` graph after a failed swap is surely from this swap."""
        names = self.project_graphs()
        leftovers = {g for g in names if g.endswith(_WORKING)}
        if leftovers:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(leftovers)))
        return names - leftovers

    def _swap(self, staged: list[tuple[str, str]], live: set[str], drop: set[str]) -> None:
        """Make the staged graphs live and drop the `drop` ones, in one update request.

        Servers need not run a request of several operations as one transaction
        (Virtuoso does not: the operations before a failing one stay done), so each live
        graph is first moved aside to `<graph>#previous`; if the request fails, whatever
        it did is undone from those, and only then are they dropped."""
        ops = []
        for s, n in staged:
            if n in live:
                ops.append(f"MOVE SILENT GRAPH <{n}> TO GRAPH <{n}{PREVIOUS}>")
            ops.append(f"MOVE SILENT GRAPH <{s}> TO GRAPH <{n}>")
        ops += [f"MOVE SILENT GRAPH <{g}> TO GRAPH <{g}{PREVIOUS}>" for g in sorted(drop)]
        if not ops:
            return
        try:
            self.update(" ;\n".join(ops))
        except StoreError as exc:
            self._undo(staged, live, exc)
        self._drop_quietly(g + PREVIOUS for g in live & ({n for _, n in staged} | drop))

    def _undo(self, staged: list[tuple[str, str]], live: set[str], exc: StoreError) -> NoReturn:
        ops = []
        try:
            now = self.project_graphs()
            for g in sorted(now):
                if g.endswith(PREVIOUS):  # moved aside by the failed request: back it goes
                    ops.append(f"MOVE SILENT GRAPH <{g}> TO GRAPH <{g[: -len(PREVIOUS)]}>")
            for s, n in staged:
                if n not in live and n in now:  # a new graph the request made live
                    ops.append(f"DROP SILENT GRAPH <{n}>")
                if s in now:
                    ops.append(f"DROP SILENT GRAPH <{s}>")
            if ops:
                self.update(" ;\n".join(ops))
        except StoreError as again:
            raise StoreError(
                f"replacing the graphs failed ({exc}), and so did putting the previous "
                f"graphs back ({again}): graphs named <...{PREVIOUS}> hold them; "
                "run the load again"
            ) from None
        raise StoreError(
            f"replacing the graphs failed, the previous graphs are unchanged: {exc}"
        ) from None

    def replace_graphs(self, dataset: Dataset) -> None:
        """Replace the named graphs the dataset holds; the others stay."""
        live = self._begin()
        self._swap(self._stage(dataset), live, set())

    def replace_all(self, dataset: Dataset) -> None:
        """Replace every graph of the project: the dataset's graphs replace theirs, and the
        project's graphs the dataset does not hold are dropped."""
        live = self._begin()
        staged = self._stage(dataset)
        self._swap(staged, live, live - {n for _, n in staged})


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

"""Any SPARQL 1.1 server as the store: queries by the Protocol, graphs written by the Graph
Store Protocol (`$KG_GSP`, default: the endpoint's Virtuoso-style `sparql-graph-crud`
sibling; `sparql-graph-crud-auth` for `sparql-auth`).

Credentials for a server that asks for them (HTTP digest or basic authentication, as
Virtuoso's `/sparql-auth` does) come from `$KG_ENDPOINT_USER` and
`$KG_ENDPOINT_PASSWORD`, never from the command line. An answer the server cut short (a
time limit: `X-SQL-State`; a row limit: `X-SPARQL-MaxRows`) is an error, never taken
for the whole answer.
"""

from __future__ import annotations

import functools
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.term import Node

from kg.errors import InputError, StoreError, StoreUnreachable
from kg.store.base import Result, named_graphs, serialized
from kg.store.sparql import bind_values, query_kind
from kg.store.wire import chunked, ntriples, remote_term, sparql_json_term
from kg.terms import Term

ENV_GSP = "KG_GSP"
ENV_USER = "KG_ENDPOINT_USER"
ENV_PASSWORD = "KG_ENDPOINT_PASSWORD"


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
        self._open = _opener(
            [self.endpoint, self.gsp], os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
        )
        self.max_rows: int | None = None  # the row limit the server said it applied last

    def _request(
        self,
        url: str,
        data: bytes,
        headers: dict[str, str],
        method: str = "POST",
    ) -> bytes:
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._open(request, timeout=self.timeout) as response:
                body = bytes(response.read())
                state = response.headers.get("X-SQL-State")
                limit = response.headers.get("X-SPARQL-MaxRows", "")
                self.max_rows = int(limit) if limit.isdigit() else None
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
                (remote_term(t.subject), remote_term(t.predicate), remote_term(t.object))
                for t in parsed
            )
            self._whole(len(triples), "triples")
            return Result("graph", triples=triples)
        try:
            doc = json.loads(self.raw(text, "application/sparql-results+json", graphs))
            if "boolean" in doc:
                return Result("ask", boolean=bool(doc["boolean"]))
            names = tuple(doc["head"]["vars"])
            rows = tuple(
                {k: sparql_json_term(v) for k, v in b.items()} for b in doc["results"]["bindings"]
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{self.endpoint} sent an unreadable answer: {exc!r}") from None
        self._whole(len(rows), "rows")
        return Result("select", variables=names, rows=rows)

    def _whole(self, count: int, what: str) -> None:
        """Refuse an answer the server cut at its row limit (Virtuoso: ResultSetMaxRows,
        10,000 by default, said only in the X-SPARQL-MaxRows header)."""
        if self.max_rows is not None and count >= self.max_rows:
            raise StoreError(
                f"{self.endpoint} cut its answer at {self.max_rows} {what} (X-SPARQL-MaxRows):"
                " the answer may be incomplete; raise ResultSetMaxRows in the server's"
                " configuration (virtuoso.ini, [SPARQL])"
            )

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
        for name, triples in named_graphs(dataset):
            bodies = serialized(functools.partial(self._chunk_bodies, triples), name)
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
        return [ntriples(part) for part in chunked(triples, self.chunk)]

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


def _opener(urls: list[str], user: str | None, password: str | None) -> Callable[..., Any]:
    """urlopen, with digest and basic authentication for these URLs when a user is set."""
    if not user:
        return urllib.request.urlopen
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    for url in urls:
        passwords.add_password(None, url, user, password or "")
    return urllib.request.build_opener(
        urllib.request.HTTPDigestAuthHandler(passwords),
        urllib.request.HTTPBasicAuthHandler(passwords),
    ).open


def _default_gsp(endpoint: str) -> str:
    if endpoint.rstrip("/").endswith("/sparql-auth"):
        return endpoint.rstrip("/")[: -len("-auth")] + "-graph-crud-auth"
    if endpoint.rstrip("/").endswith("/sparql"):
        return endpoint.rstrip("/") + "-graph-crud"
    return endpoint

"""What the app holds once: the law (kg.api.Context), the store handle, the SPARQL
runner, what is restricted, and small caches of answers that need the reasoner.

The store is opened read-only. If it is empty it is built first, exactly as `kg load`
builds it (kg.store.build.store_dataset), and if it holds no determinations they are added
as `kg check --all --store` adds them, so the provision pages can say where a
provision decided something.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app
from rdflib import Literal, URIRef
from werkzeug.exceptions import NotFound

from kg import api
from kg.context import Context
from kg.decide.impact import ImpactReport
from kg.errors import StoreError
from kg.law import amend as kg_amend
from kg.law.amend import Amendment
from kg.results import AnswerWarning, CheckReport, Competence
from kg.store import build, summary
from kg.store.base import Result
from kg.store.embedded import EmbeddedStore, default_location
from kg.terms import Term
from webapp import rq
from webapp.cache import Answers, Generation, generation
from webapp.links import iri_problem
from webapp.restricted import Restricted, SourceRow
from webapp.sparql.runner import Limits, SparqlRunner

log = logging.getLogger(__name__)
T = TypeVar("T")


class Memo:
    """A small thread-safe cache of computed answers (oldest dropped first)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


def _prepare(path: Path, ctx: Context) -> list[CheckReport]:
    """Build the store if it is empty; add the determinations if it has none."""
    empty = True
    if path.exists():
        try:
            probe = EmbeddedStore(path, read_only=True)
            empty = probe.is_empty()
            has_runs = not empty and bool(probe.query(rq.text("has-determinations")).rows)
            probe.close()
            del probe
        except (OSError, StoreError):
            empty, has_runs = True, False
    if not empty and has_runs:
        return []
    store = EmbeddedStore(path)
    try:
        if empty:
            log.warning("building the store at %s (first use)", path)
            store.replace_all(build.store_dataset(ctx))
        ids = list(api.incident_cards(ctx))
        reports = api.check(ids, ctx=ctx) if ids else []
        store.replace_graphs(build.determinations(reports, ctx))
        summary.refresh(store, written=None if empty else ["determinations"])
        return reports
    except OSError as exc:  # another process holds the write lock
        log.warning("could not write the store at %s: %s", path, exc)
        return []
    finally:
        store.close()


@dataclass
class Services:
    ctx: Context
    path: Path
    store: EmbeddedStore
    restricted: Restricted
    graphs: tuple[URIRef, ...]  # the named graphs pages and /sparql may see
    runner: SparqlRunner
    allow_restricted: bool
    memo: Memo = field(default_factory=Memo)
    reasoning: threading.Lock = field(default_factory=threading.Lock)
    # what the store held when it was opened (webapp.cache), and the pages' answers kept
    # until it changes; how often (seconds) a request looks whether it changed
    generation: Generation | None = None
    answers: Answers = field(default_factory=lambda: Answers(0))
    restricted_names: tuple[str, ...] = ()
    check_interval: float = 1.0
    _checked: float = 0.0
    _refreshing: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, config: Mapping[str, Any]) -> Services:
        ctx = api.context()
        path = Path(config["STORE_DIR"]).expanduser() if config.get("STORE_DIR") else None
        path = path or default_location()
        reports = _prepare(path, ctx)
        allow = bool(config.get("ALLOW_RESTRICTED"))
        names = tuple(config.get("RESTRICTED_SOURCES") or ())
        marker = generation(path)
        store, restricted, graphs = _open(path, names, allow=allow)
        services = cls(
            ctx=ctx,
            path=path,
            store=store,
            restricted=restricted,
            graphs=graphs,
            runner=SparqlRunner(str(path), _limits(config), marker.marker if marker else ""),
            allow_restricted=allow,
            generation=marker,
            answers=Answers(int(config.get("ANSWER_CACHE_BYTES") or 0) // 2),
            restricted_names=names,
            check_interval=float(config.get("STORE_CHECK_INTERVAL", 1.0)),
        )
        for r in reports:
            services.memo.get(("report", r.incident), lambda r=r: r)  # type: ignore[misc]
        return services

    def refresh(self) -> bool:
        """Serve what `kg load` (or `kg check --store`) wrote since the store was opened:
        open it anew and forget every answer computed from the one before. A stat of the
        store folder when nothing changed (at most every `check_interval` seconds). True
        when the store was opened anew."""
        now = time.monotonic()
        if now - self._checked < self.check_interval:
            return False
        self._checked = now
        marker = generation(self.path)
        if marker is None or marker == self.generation:
            return False  # no folder: a load is swapping it in; look again later
        with self._refreshing:
            if marker == self.generation:
                return False
            try:
                store, restricted, graphs = _open(
                    self.path, self.restricted_names, allow=self.allow_restricted
                )
            except (OSError, StoreError) as exc:
                log.warning("the store changed but could not be opened again: %s", exc)
                return False
            self.store, self.restricted, self.graphs = store, restricted, graphs
            self.memo = Memo(self.memo.size)
            self.answers.clear()
            self.generation = marker
            self.runner.renew(marker.marker)
            log.warning("the store changed (a new load): serving it from now on")
        return True

    # -- the store ------------------------------------------------------------------

    def result(self, name: str, **bindings: Term) -> Result:
        """Run a view's query (webapp/page_queries/<name>.rq) with values bound as RDF terms.
        A value that cannot be an IRI of the graph (it came from a URL) names nothing: 404."""
        for value in bindings.values():
            if isinstance(value, URIRef) and iri_problem(str(value)):
                raise NotFound("the graph has no resource of that name")
        return self.store.query(rq.text(name), bindings, graphs=self.graphs)

    def rows(self, name: str, **bindings: Term) -> list[dict[str, str]]:
        return [{k: str(v) for k, v in row.items()} for row in self.result(name, **bindings).rows]

    # -- answers that need the reasoner (cached) -------------------------------------

    def report(self, incident: str) -> CheckReport:
        def compute() -> CheckReport:
            with self.reasoning:
                return api.check([incident], ctx=self.ctx)[0]

        return self.memo.get(("report", incident), compute)

    def amendments(self, ids: tuple[str, ...]) -> tuple[Amendment, ...]:
        """The amendments of the knowledge graph with these ids. Only ids: no request
        names a file the server opens (a drafter's own text comes as an upload)."""
        return tuple(self._amendment(aid) for aid in ids)

    def _amendment(self, aid: str) -> Amendment:
        return self.memo.get(("amendment", aid), lambda: kg_amend.resolve_id(aid))

    def amended(
        self, ids: tuple[str, ...], on: str, upload: Amendment | None = None
    ) -> tuple[Context, list[AnswerWarning]]:
        targets = self.amendments(ids) + ((upload,) if upload else ())

        def compute() -> tuple[Context, list[AnswerWarning]]:
            with self.reasoning:
                return api.amended(self.ctx, targets, on)

        return self.memo.get(("amended", ids, _key(upload), on), compute)

    def who(
        self, allegation: str, respondent: str, date: str, amendments: tuple[str, ...]
    ) -> tuple[Competence, list[AnswerWarning]]:
        def compute() -> tuple[Competence, list[AnswerWarning]]:
            ctx, warnings = self.amended(amendments, date)
            with self.reasoning:
                answer = api.who(allegation=allegation, respondent=respondent, date=date, ctx=ctx)
            return answer, warnings + list(answer.warnings)

        return self.memo.get(("who", allegation, respondent, date, amendments), compute)

    def impact(
        self, ids: tuple[str, ...], as_of: str, upload: Amendment | None = None
    ) -> ImpactReport:
        targets = self.amendments(ids) + ((upload,) if upload else ())

        def compute() -> ImpactReport:
            with self.reasoning:
                return api.amend_impact(targets, as_of=as_of, ctx=self.ctx)

        return self.memo.get(("impact", ids, _key(upload), as_of), compute)

    def warm(self) -> None:
        """Compute what the first visitors would otherwise wait for."""
        for incident in api.incident_cards(self.ctx):
            self.report(incident)
        self.runner.warm()


def _open(
    path: Path, names: tuple[str, ...], *, allow: bool
) -> tuple[EmbeddedStore, Restricted, tuple[URIRef, ...]]:
    """The store, read-only; what it restricts; the named graphs pages may see."""
    store = EmbeddedStore(path, read_only=True)
    named = [URIRef(str(g.value)) for g in store.store.named_graphs()]
    rows = [
        SourceRow(
            iri=str(r["source"]),
            incident=str(r["incidentId"]),
            source_id=str(r["sourceId"]),
            graph=str(r.get("graph", "")),
            flagged=bool(r.get("flag") == Literal(True)),
        )
        for r in store.query(rq.text("sources")).rows
    ]
    restricted = Restricted.build(rows, names, allow=allow)
    withheld = set(restricted.graphs)
    if withheld:  # a summary counts every graph, the withheld ones too
        withheld |= {str(g) for g in named if str(g).startswith(summary.PREFIX)}
    graphs = tuple(sorted(g for g in named if str(g) not in withheld))
    return store, restricted, graphs


def _limits(config: Mapping[str, Any]) -> Limits:
    workers = int(config["SPARQL_WORKERS"])
    per_client = config.get("SPARQL_PER_CLIENT")
    return Limits(
        timeout=float(config["SPARQL_TIMEOUT"]),
        cap=int(config["SPARQL_RESULT_CAP"]),
        workers=workers,
        max_bytes=int(config["SPARQL_RESULT_BYTES"]),
        memory=int(config.get("SPARQL_MEMORY") or 0),
        queue=int(config["SPARQL_QUEUE"]),
        queue_wait=float(config["SPARQL_QUEUE_WAIT"]),
        per_client=int(per_client) if per_client else max(1, workers // 2),
        cache_bytes=int(config.get("ANSWER_CACHE_BYTES") or 0) // 2,
    )


def _key(upload: Amendment | None) -> str:
    """An upload is cached by its content (the graph's canonical N-Triples hash)."""
    if upload is None:
        return ""
    return hashlib.sha256(upload.graph.serialize(format="nt").encode()).hexdigest()


def services() -> Services:
    found = current_app.extensions["kg"]
    assert isinstance(found, Services)
    return found

"""What the app holds once: the law (kg.api.Context), the store handle, the SPARQL
runner, what is restricted, and small caches of answers that need the reasoner.

The store is opened read-only. If it is empty it is built first, exactly as `kg load`
builds it (kg.build.store_dataset), and if it holds no determinations they are added
as `kg check --all --store` adds them, so the provision pages can say where a
provision decided something.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app
from rdflib import Literal, URIRef

from kg import api, build
from kg.context import Context
from kg.impact import ImpactReport
from kg.results import AnswerWarning, CheckReport, Competence
from kg.store import EmbeddedStore, Result, StoreError, Term, default_location
from webapp import rq
from webapp.restricted import Restricted, SourceRow
from webapp.sparql_runner import Limits, SparqlRunner

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
            has_runs = not empty and bool(probe.query(rq.text("has-determinations")).boolean)
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

    @classmethod
    def start(cls, config: Mapping[str, Any]) -> Services:
        ctx = api.context()
        path = Path(config["STORE_DIR"]).expanduser() if config.get("STORE_DIR") else None
        path = path or default_location()
        reports = _prepare(path, ctx)
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
        allow = bool(config.get("ALLOW_RESTRICTED"))
        restricted = Restricted.build(rows, config.get("RESTRICTED_SOURCES") or (), allow=allow)
        graphs = tuple(sorted(g for g in named if str(g) not in restricted.graphs))
        limits = Limits(
            timeout=float(config["SPARQL_TIMEOUT"]),
            cap=int(config["SPARQL_RESULT_CAP"]),
            workers=int(config["SPARQL_WORKERS"]),
        )
        services = cls(
            ctx=ctx,
            path=path,
            store=store,
            restricted=restricted,
            graphs=graphs,
            runner=SparqlRunner(str(path), limits),
            allow_restricted=allow,
        )
        for r in reports:
            services.memo.get(("report", r.incident), lambda r=r: r)  # type: ignore[misc]
        return services

    # -- the store ------------------------------------------------------------------

    def result(self, name: str, **bindings: Term) -> Result:
        """Run a view's query (webapp/queries/<name>.rq) with values bound as RDF terms."""
        return self.store.query(rq.text(name), bindings, graphs=self.graphs)

    def rows(self, name: str, **bindings: Term) -> list[dict[str, str]]:
        return [{k: str(v) for k, v in row.items()} for row in self.result(name, **bindings).rows]

    # -- answers that need the reasoner (cached) -------------------------------------

    def report(self, incident: str) -> CheckReport:
        def compute() -> CheckReport:
            with self.reasoning:
                return api.check([incident], ctx=self.ctx)[0]

        return self.memo.get(("report", incident), compute)

    def amended(self, amendments: tuple[str, ...], on: str) -> tuple[Context, list[AnswerWarning]]:
        def compute() -> tuple[Context, list[AnswerWarning]]:
            with self.reasoning:
                return api.amended(self.ctx, amendments, on)

        return self.memo.get(("amended", amendments, on), compute)

    def who(
        self, allegation: str, respondent: str, date: str, amendments: tuple[str, ...]
    ) -> tuple[Competence, list[AnswerWarning]]:
        def compute() -> tuple[Competence, list[AnswerWarning]]:
            ctx, warnings = self.amended(amendments, date)
            with self.reasoning:
                answer = api.who(allegation=allegation, respondent=respondent, date=date, ctx=ctx)
            return answer, warnings + list(answer.warnings)

        return self.memo.get(("who", allegation, respondent, date, amendments), compute)

    def impact(self, amendments: tuple[str, ...], as_of: str) -> ImpactReport:
        def compute() -> ImpactReport:
            with self.reasoning:
                return api.amend_impact(amendments, as_of=as_of, ctx=self.ctx)

        return self.memo.get(("impact", amendments, as_of), compute)

    def warm(self) -> None:
        """Compute what the first visitors would otherwise wait for."""
        for incident in api.incident_cards(self.ctx):
            self.report(incident)
        self.runner.warm()


def services() -> Services:
    found = current_app.extensions["kg"]
    assert isinstance(found, Services)
    return found

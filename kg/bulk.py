"""Checking many incidents: in batches, on every core, or on a Dask cluster.

The unit of work is a batch of cards (`BATCH` by default). A batch is checked with
`kg.check.check_cards` exactly as a single card would be (the rules only join within
an incident, so a card's findings do not depend on its batch: a test proves it), so
time grows linearly with the number of incidents and memory is bounded by a batch.

Cards are given as files (read and validated where the batch runs) or as `Card`
objects. A card that cannot be read, or whose check fails, is reported with its file
and the reason and the rest go on (`BulkResult.errors`; `kg check` exits 3).

- `workers=1`: in this process; `workers=N`: a pool of N processes, each loading the
  law once;
- `dask=True` or `scheduler=ADDRESS`: the law and the shapes are shipped once to every
  Dask worker (scattered with broadcast), the batches are mapped over the cluster and
  the results gathered back.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.cards import Card, read_card
from kg.check import Options, check_cards
from kg.errors import InputError
from kg.results import CheckReport

BATCH = 100
EARLIEST = "1900-01-01"  # amendments in a bulk check are in force from here on

Item = Card | Path | str


@dataclass(frozen=True)
class BadCard:
    where: str
    reason: str

    def __str__(self) -> str:
        return self.reason if self.reason.startswith(self.where) else f"{self.where}: {self.reason}"


@dataclass
class BatchResult:
    reports: list[CheckReport]
    errors: list[BadCard]


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _name(item: Item) -> str:
    return item.path if isinstance(item, Card) else str(item)


def _check(items: Sequence[Item], ctx: Any, options: Options) -> BatchResult:
    cards: list[Card] = []
    errors: list[BadCard] = []
    for item in items:
        if isinstance(item, Card):
            cards.append(item)
            continue
        try:
            cards.append(read_card(Path(item), ctx.codes))
        except InputError as err:
            errors.append(BadCard(str(item), str(err)))
    try:
        reports = _run(cards, ctx, options)
    except InputError:
        raise
    except Exception:  # noqa: BLE001 - isolate the card that fails, check the rest
        reports = []
        for card in cards:
            try:
                reports += _run([card], ctx, options)
            except Exception as exc:  # noqa: BLE001
                errors.append(BadCard(card.path, f"the check failed: {exc!r}"))
    return BatchResult(reports, errors)


def _run(cards: list[Card], ctx: Any, options: Options) -> list[CheckReport]:
    reports = check_cards(cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, options)
    return [replace(r, shacl_report=None, shacl_report_node=None) for r in reports]


# -- local processes ---------------------------------------------------------------

_OPTIONS: Options | None = None


def _init_worker(options: Options) -> None:
    global _OPTIONS
    _OPTIONS = options
    from kg import api

    api.context()  # load the law once in each worker


def _pool_task(items: list[Item]) -> BatchResult:
    from kg import api

    assert _OPTIONS is not None
    return _check(items, api.context(), _OPTIONS)


# -- Dask --------------------------------------------------------------------------

_SHIPPED: dict[str, Any] = {}


def _law_payload(ctx: Any) -> tuple[str, str, str, str]:
    law = ctx.law.serialize(format="nt")
    shapes = ctx.shapes.serialize(format="nt")
    key = hashlib.sha256((law + shapes).encode()).hexdigest()
    return key, law, shapes, ctx.info.shapes_text


def _context_from(payload: tuple[str, str, str, str], law_current_to: str) -> Any:
    key, law_text, shapes_text, source = payload
    if key not in _SHIPPED:
        from kg.api import Context
        from kg.codes import CodeIndex
        from kg.lawinfo import LawInfo
        from kg.results import Header
        from kg.version import __version__

        law = Graph().parse(data=law_text, format="nt")
        shapes = Graph().parse(data=shapes_text, format="nt")
        _SHIPPED[key] = Context(
            law=law,
            shapes=shapes,
            codes=CodeIndex.from_graph(law),
            info=LawInfo(law, source),
            header=Header(version=__version__, law_current_to=law_current_to),
        )
    return _SHIPPED[key]


def _dask_task(
    items: list[Item], payload: tuple[str, str, str, str], law_current_to: str, options: Options
) -> BatchResult:
    return _check(items, _context_from(payload, law_current_to), options)


# -- the entry point ----------------------------------------------------------------


def check_many(
    items: Iterable[Item],
    ctx: Any,
    options: Options,
    *,
    batch: int = BATCH,
    workers: int = 1,
    dask: bool = False,
    scheduler: str | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Iterator[BatchResult]:
    """Check every item, yielding each batch's reports and errors in order. At most a few
    batches per worker are in flight, so memory stays bounded whatever the total."""
    chunks = batches(items, batch)
    if dask or scheduler:
        yield from _dask(chunks, ctx, options, scheduler, on_batch)
        return
    if workers <= 1:
        for chunk in chunks:
            result = _check(chunk, ctx, options)
            if on_batch:
                on_batch(len(chunk))
            yield result
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(
        workers, initializer=_init_worker, initargs=(options,)
    ) as pool:
        yield from _windowed(
            chunks,
            lambda c: pool.apply_async(_pool_task, (c,)),
            lambda f: f.get(),
            2 * workers,
            on_batch,
        )


def _windowed(
    chunks: Iterator[list[Item]],
    submit: Callable[[list[Item]], Any],
    wait: Callable[[Any], BatchResult],
    window: int,
    on_batch: Callable[[int], None] | None,
) -> Iterator[BatchResult]:
    """Submit chunks with at most `window` in flight; yield results in submission order."""
    pending: deque[tuple[Any, int]] = deque()
    for chunk in chunks:
        pending.append((submit(chunk), len(chunk)))
        if len(pending) >= window:
            future, size = pending.popleft()
            result = wait(future)
            if on_batch:
                on_batch(size)
            yield result
    while pending:
        future, size = pending.popleft()
        result = wait(future)
        if on_batch:
            on_batch(size)
        yield result


def _dask(
    chunks: Iterator[list[Item]],
    ctx: Any,
    options: Options,
    scheduler: str | None,
    on_batch: Callable[[int], None] | None,
) -> Iterator[BatchResult]:
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=max(1, min(os.cpu_count() or 1, 4)),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        payload = client.scatter(_law_payload(ctx), broadcast=True)
        window = 4 * max(1, len(client.scheduler_info().get("workers", {})))
        yield from _windowed(
            chunks,
            lambda c: client.submit(
                _dask_task, c, payload, ctx.header.law_current_to, options, pure=False
            ),
            lambda f: f.result(),
            window,
            on_batch,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

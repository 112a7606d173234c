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

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kg.cards import Card, read_card
from kg.check import Options, check_cards
from kg.context import Context, Payload, from_payload, payload
from kg.errors import InputError, InternalError
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


def _check(items: Sequence[Item], ctx: Context, options: Options) -> BatchResult:
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
    except (InputError, InternalError):
        raise
    except Exception:  # noqa: BLE001 - isolate the card that fails, check the rest
        reports = []
        for card in cards:
            try:
                reports += _run([card], ctx, options)
            except Exception as exc:  # noqa: BLE001
                errors.append(BadCard(card.path, f"the check failed: {exc!r}"))
    return BatchResult(reports, errors)


def _run(cards: list[Card], ctx: Context, options: Options) -> list[CheckReport]:
    reports = check_cards(cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, options)
    return [replace(r, shacl_report=None, shacl_report_node=None) for r in reports]


# -- local processes and Dask workers ---------------------------------------------------
# Each worker receives the context it must use (the amended law included) as a payload,
# builds it once, and never falls back on a default context of its own.

_OPTIONS: Options | None = None
_PAYLOAD: Payload | None = None


def _init_worker(p: Payload, options: Options) -> None:
    global _OPTIONS, _PAYLOAD
    _OPTIONS, _PAYLOAD = options, p
    from_payload(p)  # load the law once in each worker


def _pool_task(items: list[Item]) -> BatchResult:
    assert _OPTIONS is not None and _PAYLOAD is not None
    return _check(items, from_payload(_PAYLOAD), _OPTIONS)


def _dask_task(items: list[Item], p: Payload, options: Options) -> BatchResult:
    return _check(items, from_payload(p), options)


# -- the entry point ----------------------------------------------------------------


def check_many(
    items: Iterable[Item],
    ctx: Context,
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
        workers, initializer=_init_worker, initargs=(payload(ctx), options)
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
    ctx: Context,
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
        shipped = client.scatter(payload(ctx), broadcast=True)
        window = 4 * max(1, len(client.scheduler_info().get("workers", {})))
        yield from _windowed(
            chunks,
            lambda c: client.submit(_dask_task, c, shipped, options, pure=False),
            lambda f: f.result(),
            window,
            on_batch,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

"""Checking many incidents: in batches, on every core, or on a Dask cluster.

The unit of work is a batch of cards (`BATCH` by default). A batch is checked with
`kg.decide.check.check_cards` exactly as a single card would be (the rules only join within
an incident, so a card's findings do not depend on its batch: a test proves it), so
time grows linearly with the number of incidents and memory is bounded by a batch.

Cards are given as files, as JSON Lines inputs (a `*.jsonl` file or a `Stream`, one
card a line, read a line at a time as the batches need them) or as `Card` objects. A file
is read here, within the card reader's limits, and its text travels with its name (`Text`,
or `JsonLine` with its line) to where the batch runs, which parses and validates it: a
worker never opens a card file, so a cluster's workers need not see the client's files. A
card that cannot be read, or whose check fails, is reported with its file (and line) and
the reason and the rest go on (`BatchResult.errors`; `kg check` exits 3).

- `workers=1`: in this process; `workers=N`: a pool of N processes, each loading the
  law once;
- `dask=True` or `scheduler=ADDRESS`: the law and the shapes are shipped once to every
  Dask worker (scattered with broadcast), the batches are mapped over the cluster and
  the results gathered back.

A lost worker process, a Dask scheduler that does not answer (within `CONNECT_TIMEOUT`),
a cluster without workers or a batch lost with its worker raise InternalError (`kg`
exits 4): the batches yielded before stand, nothing after them is made up.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from kg.cards import jsonl
from kg.cards.jsonl import JsonLine, Stream
from kg.cards.read import Card, parse_card
from kg.cards.yaml_reader import read_text
from kg.context import Context, Payload, from_payload, payload, set_aside
from kg.decide.check import Options, check_cards
from kg.errors import InputError, InternalError
from kg.results import CheckReport

BATCH = 100
EARLIEST = "1900-01-01"  # amendments in a bulk check are in force from here on

Item = Card | Path | str | Stream  # a card, the path of its file (or of a .jsonl), a stream
T = TypeVar("T")


@dataclass(frozen=True)
class Text:
    """A card file's text, read by the client, and the path it was given as (errors name it)."""

    name: str
    text: str


@dataclass(frozen=True)
class BadCard:
    where: str
    reason: str

    def __str__(self) -> str:
        return self.reason if self.reason.startswith(self.where) else f"{self.where}: {self.reason}"


Sent = Card | Text | JsonLine | BadCard  # what a batch carries to where it runs


def expand(items: Iterable[Item | Sent]) -> Iterator[Sent]:
    """Each item as a batch carries it, read lazily: a card file's text (or why it cannot
    be read), so that no worker opens a file; a JSON Lines input's cards, a line at a time."""
    for item in items:
        if isinstance(item, (Card, Text, JsonLine, BadCard)):
            yield item
        elif isinstance(item, Stream) or jsonl.is_jsonl(item):
            for line in jsonl.read(item if isinstance(item, Stream) else Path(item)):
                yield BadCard(line.file, str(line)) if isinstance(line, InputError) else line
        else:
            yield _or_bad(str(item), partial(_text, Path(item)))


def _text(path: Path) -> Text:
    return Text(str(path), read_text(path))


def _or_bad(name: str, read: Callable[[], T]) -> T | BadCard:
    """What `read` gives, or the card `name` as a bad card: the rest of the run goes on."""
    try:
        return read()
    except InputError as err:
        return BadCard(name, str(err))
    except Exception as exc:  # noqa: BLE001 - one card that breaks the reader is one bad card
        return BadCard(name, f"the card could not be read: {exc!r}")


@dataclass
class BatchResult:
    reports: list[CheckReport]
    errors: list[BadCard]


def batches(items: Iterable[Sent], size: int) -> Iterator[list[Sent]]:
    batch: list[Sent] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check(items: Sequence[Sent], ctx: Context, options: Options) -> BatchResult:
    cards: list[Card] = []
    where: list[str] = []  # each card's file, and line in a JSON Lines input
    errors: list[BadCard] = []
    for item in items:
        if isinstance(item, BadCard):  # its file (or line) could not be read
            errors.append(item)
            continue
        if isinstance(item, Card):
            card: Card | BadCard = item
        elif isinstance(item, JsonLine):
            card = _or_bad(item.where, partial(jsonl.parse, item, ctx.codes))
        else:
            card = _or_bad(item.name, partial(parse_card, item.text, Path(item.name), ctx.codes))
        if isinstance(card, BadCard):
            errors.append(card)
        else:
            cards.append(card)
            where.append(item.where if isinstance(item, JsonLine) else card.path)
    try:
        reports = _run(cards, ctx, options)
    except (InputError, InternalError):
        raise
    except Exception:  # noqa: BLE001 - isolate the card that fails, check the rest
        reports = []
        for card, at in zip(cards, where, strict=True):
            try:
                reports += _run([card], ctx, options)
            except Exception as exc:  # noqa: BLE001
                errors.append(BadCard(at, f"the check failed: {exc!r}"))
    return BatchResult(reports, errors)


def _run(cards: list[Card], ctx: Context, options: Options) -> list[CheckReport]:
    reports = check_cards(cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, options)
    return [replace(r, shacl=None) for r in reports]


# -- local processes and Dask workers ---------------------------------------------------
# Each worker receives the context it must use (the amended law included) as a payload,
# builds it once, and never falls back on a default context of its own.

_OPTIONS: Options | None = None
_PAYLOAD: Payload | None = None


def _init_worker(p: Payload, options: Options) -> None:
    global _OPTIONS, _PAYLOAD
    _OPTIONS, _PAYLOAD = options, p
    set_aside(from_payload(p))  # the law loaded once in each worker, for its life


def _pool_task(items: list[Sent]) -> BatchResult:
    assert _OPTIONS is not None and _PAYLOAD is not None
    return _check(items, from_payload(_PAYLOAD), _OPTIONS)


def _dask_task(items: list[Sent], p: Payload, options: Options) -> BatchResult:
    return _check(items, from_payload(p), options)


# -- the entry point ----------------------------------------------------------------


def check_many(
    items: Iterable[Item | Sent],
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
    chunks = batches(expand(items), batch)  # read here, a batch at a time
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
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(payload(ctx), options),
    )
    try:
        yield from _windowed(
            chunks, lambda c: pool.submit(_pool_task, c), _pool_result, 2 * workers, on_batch
        )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool_result(future: Future[BatchResult]) -> BatchResult:
    """A batch's result; an InternalError if a worker process died (killed, out of memory):
    unlike multiprocessing.Pool, which would wait for the lost batch for ever."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise InternalError(
            f"a worker process was lost ({_why(exc)}): killed, or out of memory? The run "
            "stopped and its output is incomplete: run it again, with fewer --workers"
        ) from None


def _windowed(
    chunks: Iterator[list[Sent]],
    submit: Callable[[list[Sent]], Any],
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


CONNECT_TIMEOUT = 5.0  # seconds to reach a scheduler, and for a cluster to have a worker
LOST_AFTER = 20.0  # seconds a cluster may have no worker before the run is given up
_POLL = 1.0
_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?"
    r"(?P<host>\[[0-9a-fA-F:.]+\]|[^\s:/\[\]]+):(?P<port>[0-9]{1,5})/?$"
)


def scheduler_address(address: str) -> str:
    """`[tcp://]host:port` (or another scheme Dask knows), checked before anything runs:
    a malformed address is bad input; one where nothing answers is an internal error."""
    from distributed.comm import registry

    m = _ADDRESS.match(address.strip())
    schemes = sorted(registry.backends)
    if not m or not 0 < int(m["port"]) < 65536 or (m["scheme"] or "tcp") not in schemes:
        raise InputError(
            "--scheduler",
            f"'{address[:100]}' is not the address of a Dask scheduler",
            "write tcp://HOST:PORT (e.g. tcp://127.0.0.1:8786, as the scheduler prints it); "
            f"schemes: {', '.join(schemes)}",
            field="--scheduler",
        )
    return f"{m['scheme'] or 'tcp'}://{m['host']}:{int(m['port'])}"


def _dask(
    chunks: Iterator[list[Sent]],
    ctx: Context,
    options: Options,
    scheduler: str | None,
    on_batch: Callable[[int], None] | None,
) -> Iterator[BatchResult]:
    """Batches on a Dask cluster. A scheduler that does not answer, a cluster left without
    workers or a batch lost with its worker stops the run with an InternalError (exit 4):
    the batches done so far have been yielded, nothing after them is."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        address = scheduler_address(scheduler)
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise InternalError(
                f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT:g} s "
                f"({' '.join(str(exc).split())}); start the scheduler and its workers, "
                "check the address, or run without --scheduler"
            ) from None
    else:
        cluster = LocalCluster(
            n_workers=max(1, min(os.cpu_count() or 1, 4)),
            threads_per_worker=1,
            processes=True,
            # Dask's HTTP servers (health, metrics) start whatever is asked: `None` still
            # binds the fixed port 8787, which a second run on the machine then meets.
            # Loopback, a free port, for the scheduler and every worker.
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0",
        )
        client = Client(cluster)
    done = [0]  # cards checked so far, for the message should the cluster fail
    try:
        where = scheduler or "the local Dask cluster"
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            shipped = client.scatter(payload(ctx), broadcast=True)
            window = 4 * max(1, len(client.nthreads()))
        except (OSError, TimeoutError) as exc:
            raise InternalError(
                f"{where} has no worker to run the checks ({_why(exc)}); start workers "
                "for it, or run without --scheduler"
            ) from None

        for result in _windowed(
            chunks,
            lambda c: client.submit(_dask_task, c, shipped, options, pure=False),
            lambda f: _wait(client, f, where, done[0]),
            window,
            on_batch,
        ):
            done[0] += len(result.reports) + len(result.errors)
            yield result
    finally:
        _quietly(client.close, CONNECT_TIMEOUT)
        if cluster is not None:
            _quietly(cluster.close, CONNECT_TIMEOUT)


def _wait(client: Any, future: Any, where: str, done: int) -> BatchResult:
    """A batch's result; an InternalError if its worker, or every worker, is lost."""
    alone_since: float | None = None
    while True:
        try:
            result: BatchResult = future.result(timeout=_POLL)
            return result
        except (InputError, InternalError):
            raise
        except TimeoutError:
            pass
        except Exception as exc:  # noqa: BLE001 - lost worker, cancelled batch, lost scheduler
            raise InternalError(
                f"{where} lost a batch of cards ({_why(exc)}) after {done} cards were "
                "checked; the run stopped and its output is incomplete: run it again"
            ) from None
        try:
            workers = len(client.nthreads())
        except (OSError, TimeoutError) as exc:
            raise InternalError(
                f"lost the connection to {where} ({_why(exc)}) after {done} cards were "
                "checked; the run stopped and its output is incomplete"
            ) from None
        now = time.monotonic()
        if workers:
            alone_since = None
        elif alone_since is None:
            alone_since = now
        elif now - alone_since > LOST_AFTER:
            raise InternalError(
                f"{where} has had no worker for {LOST_AFTER:g} s (the last one was lost) "
                f"after {done} cards were checked; the run stopped and its output is "
                "incomplete: start workers and run it again"
            )


def _why(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _quietly(close: Callable[..., Any], timeout: float) -> None:
    try:
        close(timeout=timeout)
    except Exception:  # noqa: BLE001 - closing a cluster that is already gone
        pass

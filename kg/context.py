"""The context of a run: the law (amended or not), the shapes, the code lists, the law
look-ups and the answer header. Every function that needs the law takes a `Context`.

`baseline()` is the packaged law, loaded once per process. `amended()` gives a new
context whose law has amendments in force. `payload()` / `from_payload()` carry a
context to another process (a pool worker, a Dask worker) as text, so a worker checks
with exactly the law it was given, never a default it builds itself; the shapes travel
compiled, so that no worker compiles them again. `settled()` sets a loaded context aside
from Python's garbage collector while a run lasts.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Graph

from kg.decide import warnings as warns
from kg.law import amend, load
from kg.law.codes import CodeIndex
from kg.law.info import LawInfo
from kg.reasoning.compile import CompiledShapes, adopt, compiled
from kg.results import AnswerWarning, Header
from kg.version import __version__


@dataclass(frozen=True)
class Context:
    law: Graph
    shapes: Graph
    codes: CodeIndex
    info: LawInfo
    header: Header
    amendments: tuple[str, ...] = ()  # the amendments in force in `law` (ids or files)


@dataclass(frozen=True)
class Payload:
    """A context as text, with a key that names its content."""

    key: str
    law: str
    shapes: str
    law_current_to: str
    amendments: tuple[str, ...]
    program: CompiledShapes | None = None  # the shapes as compiled by the sender


def make(
    law: Graph, shapes: Graph, law_current_to: str, amendments: tuple[str, ...] = ()
) -> Context:
    return Context(
        law=law,
        shapes=shapes,
        codes=CodeIndex.from_graph(law),
        info=LawInfo(law),
        header=Header(version=__version__, law_current_to=law_current_to),
        amendments=amendments,
    )


@lru_cache(maxsize=1)
def baseline() -> Context:
    """The packaged law and shapes (loaded once per process)."""
    return make(load.shared_law_graph(), load.shapes_graph(), load.law_current_to())


def amended(
    ctx: Context, amendments: tuple[amend.Target, ...], on: str
) -> tuple[Context, list[AnswerWarning]]:
    """A context whose law has the amendments in force from `on` (the baseline is kept),
    and the warnings: the amendments' own, and the encoding choices their effect rests on."""
    if not amendments:
        return ctx, []
    resolved = [amend.resolve(a) for a in amendments]
    law, messages = amend.apply(ctx.law, resolved, on=on)
    info = LawInfo(law)
    warnings = warns.from_amending(messages) + warns.amendment_assumptions(
        law, info, [a.id for a in resolved]
    )
    out = Context(
        law=law,
        shapes=ctx.shapes,
        codes=ctx.codes,
        info=info,
        header=ctx.header,
        amendments=ctx.amendments + tuple(amend.label(a) for a in amendments),
    )
    return out, warnings


def payload(ctx: Context) -> Payload:
    law = ctx.law.serialize(format="nt")
    shapes = ctx.shapes.serialize(format="nt")
    key = hashlib.sha256((law + "\n" + shapes).encode()).hexdigest()
    return Payload(
        key, law, shapes, ctx.header.law_current_to, ctx.amendments, compiled(ctx.shapes)
    )


_RECEIVED: dict[str, Context] = {}
_LOCK = threading.Lock()


def from_payload(p: Payload) -> Context:
    """The context a payload carries, built once per process and key (thread-safe)."""
    with _LOCK:
        if p.key not in _RECEIVED:
            law = Graph().parse(data=p.law, format="nt")
            shapes = Graph().parse(data=p.shapes, format="nt")
            if p.program is not None:  # compiled once, by the sender, from the same text
                adopt(shapes, p.program)
            _RECEIVED.clear()  # a worker keeps the last context it was sent
            _RECEIVED[p.key] = make(law, shapes, p.law_current_to, p.amendments)
        return _RECEIVED[p.key]


def set_aside(ctx: Context) -> tuple[int, int, int]:
    """Set what the process holds now (the context loaded, its shapes compiled) aside
    from the garbage collector for the rest of the process (see `settled`): for a process
    that lives for one run (a pool's worker). Gives the collector's thresholds as they were."""
    compiled(ctx.shapes)
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(10_000, 20, 20)
    return before


@contextmanager
def settled(ctx: Context) -> Iterator[None]:
    """For a run, set what it loads once (the law, the shapes, compiled) aside from
    Python's cyclic garbage collector, and make collections rarer; as they were after.
    A check makes many short-lived objects, and each full collection walked every object
    of the law: about a tenth of a bulk check's time (3,000 cards in one process: 2.5 s of
    19.8 s in collections, 0.5 s with this). A pool forked within it shares the parent's
    frozen pages untouched. What was frozen is collectable again after (`gc.unfreeze`)."""
    before = set_aside(ctx)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

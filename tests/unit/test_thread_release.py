"""pyoxigraph's query results are released on the thread that made them.

`QuerySolutions` and `QueryTriples` may be dropped only on the thread that made them:
dropped on another, pyoxigraph prints an error and leaks the object. On a Dask worker
the check runs on a task thread while the worker's profiler samples its frames from
another thread; a frame that returns while the profiler holds it hands its locals to
the profiler's thread (the bench's 10,000 cards on `daddce9` printed the error three
times). Here a tracer plays the profiler at its worst: it keeps every frame of a check
as it returns and drops them all on the main thread.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import pyoxigraph as ox

from kg import api
from kg.cards.rdf import item_iri
from kg.cards.read import read_card
from kg.decide.derived import read_evaluations
from kg.decide.worlds import World
from kg.reasoning.results import RUN
from tests.conftest import JUNE4
from tests.unit.test_exception_dates import june4_run

CTX = api.context()


def _dropped_elsewhere(work: Callable[[], object]) -> list[str]:
    """What could not be dropped when every frame `work` returned from, on its thread,
    was dropped on this one."""
    held: list[FrameType] = []

    def keep(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call":
            frame.f_trace_lines = False  # returns only: a traced line costs much
        elif event == "return":
            held.append(frame)
        return keep

    def traced() -> None:
        sys.settrace(keep)
        try:
            work()
        finally:
            sys.settrace(None)

    gc.collect()  # what earlier tests left is not this test's
    errors: list[str] = []
    before = sys.unraisablehook

    def hook(u: Any) -> None:
        if "unsendable" in str(u.exc_value):
            errors.append(f"{u.exc_type.__name__}: {u.exc_value}")
        else:
            before(u)

    sys.unraisablehook = hook
    try:
        thread = threading.Thread(target=traced)
        thread.start()
        thread.join()
        assert held, "the tracer kept no frame"
        held.clear()  # the frames, and the locals they took over, dropped here
        gc.collect()
    finally:
        sys.unraisablehook = before
    return errors


def test_a_check_leaves_no_query_result_to_another_thread() -> None:
    def work() -> None:
        validation, derived = june4_run(CTX.law, "fast")
        world = {item_iri(read_card(JUNE4, CTX.codes).id): World(())}
        assert read_evaluations(derived, validation.results, world, CTX.codes)

    assert _dropped_elsewhere(work) == []


def test_a_constructed_result_is_released_where_it_was_made() -> None:
    store = ox.Store()
    query = f"CONSTRUCT {{ <{RUN}> a <urn:test:Run> }} WHERE {{}}"

    from kg.terms import constructed  # here, so the other tests also run on code without it

    def work() -> None:
        assert len(constructed(store, query)) == 1

    assert _dropped_elsewhere(work) == []


def test_the_tracer_finds_a_result_left_in_a_frame() -> None:
    """The test can fail: a function that returns with a result in its locals."""
    store = ox.Store()

    def leaves_it() -> int:
        answer = store.query("SELECT ?x WHERE { VALUES ?x { 1 } }")
        assert isinstance(answer, ox.QuerySolutions)
        return len(list(answer))

    errors = _dropped_elsewhere(leaves_it)
    assert errors and "unsendable" in errors[0]

"""What a run ships to its workers, and what it does to the process it runs in (issue 18):
the shapes travel compiled, and the garbage collector is set back as it was."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import context
from kg.cli import main
from kg.reasoning import compile as compile_module


@pytest.fixture
def fresh_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a new worker process: no context received yet."""
    monkeypatch.setattr(context, "_RECEIVED", {})


def _no_compiling(shapes: object) -> object:
    raise AssertionError("the worker compiled the shapes again")


def test_a_worker_takes_the_shapes_compiled_by_the_sender(
    fresh_worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = context.payload(context.baseline())
    assert sent.program is not None
    monkeypatch.setattr(compile_module, "compile_shapes", _no_compiling)
    got = context.from_payload(sent)
    assert got.shapes is not context.baseline().shapes  # parsed from the text it was sent
    assert compile_module.compiled(got.shapes) is sent.program


def test_a_payload_without_them_is_compiled_where_it_arrives(
    fresh_worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = replace(context.payload(context.baseline()), program=None)
    got = context.from_payload(sent)
    made = compile_module.compiled(got.shapes)
    here = context.payload(context.baseline()).program
    assert here is not None
    # the same program (its queries' PREFIX lines may come in another order)
    assert [(r.node, r.order) for r in made.rules] == [(r.node, r.order) for r in here.rules]
    assert [(c.shape, c.message) for c in made.constraints] == [
        (c.shape, c.message) for c in here.constraints
    ]
    monkeypatch.setattr(compile_module, "compile_shapes", _no_compiling)
    assert compile_module.compiled(got.shapes) is made  # and only once


def test_a_run_sets_the_law_aside_from_the_collector_and_back_after() -> None:
    threshold = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with context.settled(context.baseline()):
        assert gc.get_freeze_count() > frozen + 10_000  # the law's objects, at least
        assert gc.get_threshold() != threshold
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold


def test_kg_check_of_many_cards_leaves_the_collector_as_it_was() -> None:
    cards = sorted((Path(__file__).parents[2] / "incidents").glob("*.yaml"))[:3]
    threshold = gc.get_threshold()
    result = CliRunner().invoke(main, ["check", *map(str, cards), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold

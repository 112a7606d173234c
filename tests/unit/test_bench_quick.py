"""`bench.run --quick`: stock pyshacl runs in a child process with a time limit, and a
baseline stopped there gives a lower bound, never a ratio that looks measured (issue 18)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench import run


def _slow() -> int:
    time.sleep(30)
    return 1


def test_a_baseline_within_its_limit_gives_its_time_and_value() -> None:
    got = run.within(lambda: [os.getpid(), "answers"], limit=30)
    assert got is not None
    seconds, value = got
    assert 0 <= seconds < 30
    assert value[1] == "answers" and value[0] != os.getpid()  # it ran in a child process


def test_a_baseline_past_its_limit_is_stopped() -> None:
    start = time.perf_counter()
    assert run.within(_slow, limit=0.5) is None
    assert time.perf_counter() - start < 10  # stopped, not waited for


def _q(stopped: bool) -> dict[str, object]:
    return {
        "speedup": 1234.56,
        "identical": True,
        "engine_only_speedup": 30.04,
        "pyshacl_stopped": stopped,
    }


def test_the_last_line_marks_a_lower_bound() -> None:
    assert run._last_line(_q(False)) == "speedup 1234.6x identical yes engine-only 30.0x"
    assert run._last_line(_q(True)) == "speedup >1234.6x identical yes engine-only 30.0x"


def test_identical_needs_a_finished_pyshacl_run_and_no_difference() -> None:
    base = {"one_worker": True, "pyshacl_engine": None, "stock": None, "stock_sample": None}
    assert not run.identical(base)  # nothing from pyshacl finished: not shown
    assert run.identical({**base, "stock_sample": True})
    assert run.identical({**base, "pyshacl_engine": True, "stock_sample": True})
    assert not run.identical({**base, "pyshacl_engine": True, "stock_sample": False})
    assert not run.identical({**base, "one_worker": False, "stock": True})


def test_a_stopped_engine_baseline_is_marked_as_a_lower_bound_too() -> None:
    q = {**_q(True), "bulk_pyshacl_engine_stopped": True}
    assert run._last_line(q) == "speedup >1234.6x identical yes engine-only >30.0x"


def test_the_reference_engine_in_small_batches_finds_what_the_bulk_check_finds() -> None:
    """What --quick compares at 200 incidents, on 6 cards: the pyshacl engine in batches
    of 2 and the bulk check in one batch give the same JSON but for the engine's name."""
    cards = run._cards(6)
    fast = run.bulk(cards, 1)
    reference = run.bulk(cards, 1, engine="pyshacl", batch=2)
    assert run._answers(fast) == run._answers(reference)
    assert {r.to_json()["engine"] for r in reference} != {r.to_json()["engine"] for r in fast}


def _fails() -> int:
    raise ValueError("broken baseline")


def _with_children() -> list[int]:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        return list(pool.map(abs, [-1, -2]))


def test_a_failing_baseline_is_an_error_not_a_stopped_one() -> None:
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="broken baseline"):
        run.within(_fails, limit=60)
    assert time.perf_counter() - start < 30  # not waited for until its limit


def test_a_baseline_may_start_processes_of_its_own() -> None:
    assert run.within(_with_children, limit=60) == (pytest.approx(0, abs=30), [1, 2])


def _starts_a_sleeper(pidfile: str) -> None:
    import subprocess

    sleeper = subprocess.Popen(["sleep", "60"])
    with open(pidfile, "w", encoding="ascii") as f:
        f.write(str(sleeper.pid))
    time.sleep(60)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return "\nState:\tZ" not in f.read()
    except FileNotFoundError:
        return False


def test_stopping_a_baseline_stops_what_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    assert run.within(lambda: _starts_a_sleeper(str(pidfile)), limit=3) is None
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 10
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pid)


def test_a_saved_query_that_fails_is_not_reported_as_slow(tmp_path: Path) -> None:
    """bench.latency times each query with `within`: a query whose child fails (here, no
    store in the folder) raises at once instead of waiting out the timeout as a stopped
    one (it returned (None, None), shown as "> timeout")."""
    from bench import latency

    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="failed"):
        latency.timed(str(tmp_path / "no-store"), "SELECT * WHERE { ?s ?p ?o }", timeout=60)
    assert time.perf_counter() - start < 30

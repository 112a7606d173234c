"""`bench.run --quick`: stock pyshacl runs in a child process with a time limit, and a
baseline stopped there gives a lower bound, never a ratio that looks measured (issue 18)."""

from __future__ import annotations

import os
import time

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

"""The growth benchmark's arithmetic and its runs without the bench extras (issue 18)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import run


def _row(n: int, fmt: str, seconds: float) -> dict[str, Any]:
    return {
        "incidents": n,
        "format": fmt,
        "seconds": seconds,
        "peak_mb": 1.0,
        "largest_process_mb": 1.0,
    }


def test_ratios_and_the_marginal_cost_are_per_format() -> None:
    rows = run.growth_rows(
        [_row(1000, "yaml", 10.0), _row(1000, "jsonl", 8.0), _row(3000, "yaml", 14.0)]
    )
    yaml = [r for r in rows if r["format"] == "yaml"]
    assert [r["time_ratio"] for r in yaml] == [1.0, 1.4]
    assert yaml[1]["size_ratio"] == 3.0
    assert yaml[1]["marginal_ms"] == pytest.approx(2.0)  # 4 s for 2,000 more incidents
    assert "marginal_ms" not in yaml[0]
    assert [r["ms_per_incident"] for r in rows if r["format"] == "jsonl"] == [8.0]


def test_memory_is_read_from_proc_without_psutil(monkeypatch: pytest.MonkeyPatch) -> None:
    with_psutil = run.tree_memory(os.getpid())
    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil now fails
    without = run.tree_memory(os.getpid())
    assert (
        without.rss_mb > 10 and abs(without.rss_mb - with_psutil.rss_mb) < 0.5 * with_psutil.rss_mb
    )
    assert 10 < without.largest_mb <= without.rss_mb  # this process, and any children


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="Linux's /proc only")
def test_memory_shared_by_forked_workers_is_counted_once_in_the_proportional_sum() -> None:
    """The page a forked worker shares with its parent counts in each resident size, once
    in the proportional sizes: a tree of two processes sharing 200 MB."""
    import subprocess
    import textwrap

    script = textwrap.dedent(
        """
        import os, sys, time
        block = bytearray(200 * 2**20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        print("ready", flush=True)
        time.sleep(30)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        tree = [proc.pid]
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            tree = run._tree_pids(proc.pid)
            assert len(tree) == 2
            now = run.tree_memory(proc.pid)
            assert now.rss_mb > 400  # the shared 200 MB counted in each of the two
            assert now.pss_mb is not None and 200 < now.pss_mb < 300
            assert 200 < now.largest_mb < 300
        finally:
            for pid in tree:
                os.kill(pid, 9)


def test_a_process_that_has_ended_weighs_nothing() -> None:
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert run.tree_memory(proc.pid).rss_mb == 0


def test_figures_are_saved_and_the_plot_skipped_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    monkeypatch.setattr(run, "_commit", lambda: "abc1234")
    monkeypatch.setattr(
        run,
        "growth",
        lambda sizes, formats, **_: iter(
            [run.growth_rows([_row(n, "yaml", n / 100) for n in sizes])]
        ),
    )
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    run.run_growth([100, 200], ["yaml"])
    saved = json.loads((tmp_path / "results.json").read_text())["growth"]
    assert saved["commit"] == "abc1234" and len(saved["rows"]) == 2
    assert not (tmp_path / "growth.png").exists()
    assert "plot is skipped" in capsys.readouterr().out


def test_yaml_folders_stop_at_their_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[tuple[int, str]] = []

    def fake(n: int, fmt: str, workdir: Path) -> dict[str, Any]:
        ran.append((n, fmt))
        return _row(n, fmt, n / 100)

    monkeypatch.setattr(run, "kg_check_run", fake)
    rows = list(run.growth([100, 1000, 10000], ["yaml", "jsonl"], yaml_up_to=1000))[-1]
    assert ran == [(100, "yaml"), (100, "jsonl"), (1000, "yaml"), (1000, "jsonl"), (10000, "jsonl")]
    assert [(r["incidents"], r["format"]) for r in rows] == sorted(
        ran, key=lambda x: x[1] == "jsonl"
    )


def test_each_run_is_reported_as_it_ends(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows come grouped by format; the line printed after a run names that run."""
    monkeypatch.setattr(run, "RESULTS", tmp_path)
    monkeypatch.setattr(run, "_commit", lambda: "abc1234")
    order = [(100, "yaml"), (100, "jsonl"), (200, "yaml"), (200, "jsonl")]
    so_far = [[_row(n, f, n / 100) for n, f in order[: i + 1]] for i in range(len(order))]
    monkeypatch.setattr(
        run, "growth", lambda sizes, formats, **_: (run.growth_rows(r) for r in so_far)
    )
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    run.run_growth([100, 200], ["yaml", "jsonl"])
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("growth: ")]
    assert lines[:4] == [f"growth: {n} {f} cards in {n / 100:.1f} s" for n, f in order]

"""Benchmarks: ratios measured in one run against baselines run in the same process.

    python -m bench.run --quick   # about ten minutes; last line:
                                  # speedup <r>x identical <yes|no> engine-only <r2>x
    python -m bench.run           # 1k/10k checks, growth to 100k, store load and queries
    python -m bench.run --full    # also pyshacl at 10k and growth to 1M

Every figure compares two things measured in the same run on the same machine, never
an absolute time against another run (this machine is noisy). Sizes are generated
incidents (bench/generate.py, seed 0). Results go to bench/results/ as JSON and a PNG
of the growth curves.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _cards(n: int, seed: int = 0) -> list[Any]:
    from bench.generate import as_cards, generate_cards

    return list(as_cards(generate_cards(n, seed=seed)))


def _answers(reports: list[Any]) -> list[Any]:
    """Every field of the JSON contract but the name of the engine that produced it."""
    docs = [{k: v for k, v in r.to_json().items() if k != "engine"} for r in reports]
    return sorted(json.dumps(d, sort_keys=True) for d in docs)


def stock_pyshacl(cards: list[Any]) -> list[Any]:
    """The baseline: pyshacl as a user runs these shapes (advanced=True, rdflib's own
    SPARQL processor), once over the whole graph (law and every incident), with the
    project's step from SHACL results to findings."""
    from kg import api
    from kg.decide.check import Options, check_cards
    from kg.reasoning.reference import stock_sparql

    ctx = api.context()
    with stock_sparql():
        return check_cards(
            cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, Options(engine="pyshacl")
        )


def bulk(cards: list[Any], workers: int, engine: str | None = None) -> list[Any]:
    from kg import api
    from kg.bulk import check_many
    from kg.decide.check import Options

    ctx = api.context()
    return [
        r
        for batch in check_many(cards, ctx, Options(engine=engine), workers=workers)
        for r in batch.reports
    ]


def compare_with_pyshacl(n: int) -> dict[str, Any]:
    """The bulk check against two baselines, in one run: stock pyshacl over the whole
    graph (what a user would run without this project), and the reference engine over
    the same batches on the same number of processes (the engine alone). The law is
    loaded and the shapes compiled before anything is timed."""
    from kg import api
    from kg.reasoning.compile import compiled

    commit = _commit()  # before anything is loaded: the code and law measured
    ctx = api.context()
    compiled(ctx.shapes)
    cards = _cards(n)
    workers = os.cpu_count() or 1
    t_base, base = timed(lambda: stock_pyshacl(cards))
    t_bulk, fast = timed(lambda: bulk(cards, workers))
    t_one, one = timed(lambda: bulk(cards, 1))
    t_ref, ref = timed(lambda: bulk(cards, workers, engine="pyshacl"))
    return {
        "incidents": n,
        "pyshacl_s": t_base,
        "bulk_s": t_bulk,
        "bulk_1_worker_s": t_one,
        "bulk_pyshacl_engine_s": t_ref,
        "workers": workers,
        "speedup": t_base / t_bulk,
        "engine_only_speedup": t_ref / t_bulk,
        "speedup_over_one_worker": t_one / t_bulk,
        "identical": _answers(base) == _answers(fast) == _answers(one) == _answers(ref),
        "commit": commit,
    }


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE.parent
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    return out.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


class TreeMemory:
    """The peak of the summed resident memory of this process and all its descendants
    (the worker processes), sampled every `every` seconds in a thread."""

    def __init__(self, every: float = 0.2) -> None:
        import psutil

        self._me = psutil.Process()
        self._every = every
        self._stop = threading.Event()
        self.peak_mb = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float:
        import psutil

        total = 0
        for proc in [self._me, *self._me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass  # a worker that ended between the listing and the reading
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.peak_mb = max(self.peak_mb, self._sample())

    def __enter__(self) -> TreeMemory:
        self.peak_mb = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _child_growth(n: int) -> None:
    """In a child process: check n generated incidents on every core; print figures."""
    from kg import api

    api.context()
    from bench.generate import as_cards, generate_cards
    from kg.bulk import check_many
    from kg.decide.check import Options

    workers = os.cpu_count() or 1
    with TreeMemory() as memory:
        start = time.perf_counter()
        count = 0
        cards = as_cards(generate_cards(n, seed=0))
        for batch in check_many(cards, api.context(), Options(), workers=workers):
            count += len(batch.reports)
        elapsed = time.perf_counter() - start
    largest = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    print(
        json.dumps(
            {
                "incidents": n,
                "checked": count,
                "workers": workers,
                "seconds": elapsed,
                "peak_mb": memory.peak_mb,
                "largest_process_mb": largest,
            }
        )
    )


def growth(sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        out = subprocess.run(
            [sys.executable, "-m", "bench.run", "--child-growth", str(n)],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE.parent,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = rows[0]
    for r in rows:
        r["time_ratio"] = r["seconds"] / base["seconds"]
        r["size_ratio"] = r["incidents"] / base["incidents"]
        r["ms_per_incident"] = 1000 * r["seconds"] / r["incidents"]
    return rows


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    xs = [r["incidents"] for r in rows]
    a.loglog(xs, [r["seconds"] for r in rows], "o-", label="bulk check")
    a.loglog(xs, [rows[0]["seconds"] * x / xs[0] for x in xs], "--", label="linear")
    a.set_xlabel("incidents")
    a.set_ylabel("seconds")
    a.legend()
    a.set_title("time")
    b.semilogx(xs, [r["peak_mb"] for r in rows], "s-", label="all processes")
    b.semilogx(xs, [r["largest_process_mb"] for r in rows], "^-", label="largest process")
    b.set_xlabel("incidents")
    b.set_ylabel("peak resident memory (MB)")
    b.set_ylim(bottom=0)
    b.legend()
    b.set_title("memory")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _table(title: str, rows: list[dict[str, Any]], keys: list[str]) -> str:
    def cell(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    lines = [title, "  ".join(f"{k:>16}" for k in keys)]
    lines += ["  ".join(f"{cell(r.get(k, '')):>16}" for k in keys) for r in rows]
    return "\n".join(lines)


def _save(part: str, rows: Any) -> None:
    """Merge one part's figures into results.json, so parts can be run one at a time."""
    path = RESULTS / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[part] = rows
    path.write_text(json.dumps(results, indent=2))


def _sizes(given: str | None, default: list[int]) -> list[int]:
    return [int(x) for x in given.split(",")] if given else default


def run_pyshacl(sizes: list[int]) -> dict[str, Any]:
    rows = [compare_with_pyshacl(n) for n in sizes]
    print(
        _table(
            "bulk check vs stock pyshacl over the whole graph (and vs one worker)",
            rows,
            [
                "incidents",
                "pyshacl_s",
                "bulk_s",
                "bulk_1_worker_s",
                "speedup",
                "speedup_over_one_worker",
                "identical",
            ],
        ),
        flush=True,
    )
    _save("pyshacl", rows)
    return rows[0]


def run_growth(sizes: list[int]) -> None:
    rows = growth(sizes)
    print(
        _table(
            f"growth of the bulk check on {os.cpu_count()} workers (ratios against the first size)",
            rows,
            [
                "incidents",
                "seconds",
                "time_ratio",
                "size_ratio",
                "ms_per_incident",
                "peak_mb",
                "largest_process_mb",
            ],
        ),
        flush=True,
    )
    plot(rows, RESULTS / "growth.png")
    _save("growth", rows)


def run_store(sizes: list[int], repeat: int, cap: float) -> None:
    from bench.store import figures

    summary: list[dict[str, Any]] = []
    per_query: list[dict[str, Any]] = []
    for row, queries in figures(sizes, repeat, cap):  # saved after each size
        summary.append(row)
        per_query += queries
        _save("store", {"summary": summary, "queries": per_query})
        print(
            _table(
                f"saved-query latency at {row['incidents']} incidents (median of runs after "
                f"a warm-up; rdflib stopped at {cap:g} s)",
                queries,
                ["query", "rdflib_ms", "oxigraph_ms", "speedup", "same_rows"],
            ),
            flush=True,
        )
    print(
        _table(
            "store: embedded pyoxigraph vs rdflib in memory (load, memory, saved queries)",
            summary,
            [
                "incidents",
                "quads",
                "load_rdflib_s",
                "load_oxigraph_s",
                "load_speedup",
                "load_trig_rdflib_s",
                "load_trig_oxigraph_s",
                "load_trig_speedup",
                "mem_rdflib_mb",
                "mem_oxigraph_mb",
                "query_speedup_geomean",
                "rdflib_stopped",
                "same_rows",
            ],
        ),
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument(
        "--only", choices=["pyshacl", "growth", "store"], help="Run one part of the full benchmark."
    )
    parser.add_argument(
        "--sizes", help="Comma-separated incident counts for the part(s) run, e.g. 1000,10000."
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="Timed runs of each saved query (median kept)."
    )
    parser.add_argument(
        "--cap",
        type=float,
        default=30,
        help="Seconds a saved query may run on rdflib (store part).",
    )
    parser.add_argument("--child-growth", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_growth:
        _child_growth(args.child_growth)
        return
    if args.child_store:
        from bench.store import child

        child(args.child_store, args.repeat, args.cap)
        return
    RESULTS.mkdir(exist_ok=True)
    if args.quick:
        q = compare_with_pyshacl(200)
        print(
            _table(
                "bulk check vs stock pyshacl over the whole graph, and vs the pyshacl engine"
                " on the same batches and processes",
                [q],
                [
                    "incidents",
                    "pyshacl_s",
                    "bulk_pyshacl_engine_s",
                    "bulk_s",
                    "speedup",
                    "engine_only_speedup",
                    "identical",
                ],
            )
        )
        (RESULTS / "quick.json").write_text(json.dumps(q, indent=2))
        print(_last_line(q))
        return
    parts = [args.only] if args.only else ["pyshacl", "growth", "store"]
    first = None
    if "pyshacl" in parts:
        first = run_pyshacl(_sizes(args.sizes, [1000, 10000] if args.full else [1000]))
    if "growth" in parts:
        default = [1000, 10000, 100000] + ([1000000] if args.full else [])
        run_growth(_sizes(args.sizes, default))
    if "store" in parts:
        run_store(_sizes(args.sizes, [1000, 10000, 100000]), args.repeat, args.cap)
    if first is not None:
        print(_last_line(first))


def _last_line(q: dict[str, Any]) -> str:
    """The parseable summary: `speedup <r>x identical <yes|no> engine-only <r2>x`."""
    same = "yes" if q["identical"] else "no"
    return (
        f"speedup {q['speedup']:.1f}x identical {same} engine-only {q['engine_only_speedup']:.1f}x"
    )


if __name__ == "__main__":
    main()

"""Benchmarks: ratios measured in one run against baselines run in the same process.

    python -m bench.run --quick   # under two minutes; last line: speedup <r>x identical <yes|no>
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
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _cards(n: int, seed: int = 0) -> list[Any]:
    from bench.generate import as_cards, generate_cards

    return list(as_cards(generate_cards(n, seed=seed)))


def _answers(reports: list[Any]) -> list[Any]:
    return sorted(json.dumps(r.to_json(), sort_keys=True) for r in reports)


def stock_pyshacl(cards: list[Any]) -> list[Any]:
    """The baseline: pyshacl as a user runs these shapes (advanced=True, rdflib's own
    SPARQL processor), once over the whole graph (law and every incident), with the
    project's step from SHACL results to findings."""
    from kg import api
    from kg.check import Options, check_cards
    from kg.engine import stock_sparql

    ctx = api.context()
    with stock_sparql():
        return check_cards(
            cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, Options(engine="pyshacl")
        )


def bulk(cards: list[Any], workers: int) -> list[Any]:
    from kg import api
    from kg.bulk import check_many
    from kg.check import Options

    ctx = api.context()
    return [
        r for batch in check_many(cards, ctx, Options(), workers=workers) for r in batch.reports
    ]


def compare_with_pyshacl(n: int) -> dict[str, Any]:
    cards = _cards(n)
    workers = os.cpu_count() or 1
    t_base, base = _timed(lambda: stock_pyshacl(cards))
    t_bulk, fast = _timed(lambda: bulk(cards, workers))
    t_one, one = _timed(lambda: bulk(cards, 1))
    return {
        "incidents": n,
        "pyshacl_s": t_base,
        "bulk_s": t_bulk,
        "bulk_1_worker_s": t_one,
        "workers": workers,
        "speedup": t_base / t_bulk,
        "speedup_over_one_worker": t_one / t_bulk,
        "identical": _answers(base) == _answers(fast) == _answers(one),
    }


def _child_growth(n: int) -> None:
    """In a child process: check n generated incidents on every core; print figures."""
    from kg import api

    api.context()
    from bench.generate import as_cards, generate_cards
    from kg.bulk import check_many
    from kg.check import Options

    start = time.perf_counter()
    count = 0
    for batch in check_many(
        as_cards(generate_cards(n, seed=0)), api.context(), Options(), workers=os.cpu_count() or 1
    ):
        count += len(batch.reports)
    elapsed = time.perf_counter() - start
    peak = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    print(json.dumps({"incidents": n, "checked": count, "seconds": elapsed, "peak_mb": peak}))


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


def store_figures(sizes: list[int]) -> list[dict[str, Any]]:
    """Load time and saved-query latency: embedded pyoxigraph store vs rdflib in memory."""
    from rdflib import Dataset

    from kg import api, build
    from kg.cards import card_quads
    from kg.queries import catalog
    from kg.store import EmbeddedStore

    ctx = api.context()
    base = build.store_dataset(ctx)
    rows = []
    query = catalog()["federal-calls-answered-by-cpd"].text
    for n in sizes:
        ds = Dataset()
        for g in base.graphs():
            target = ds.graph(g.identifier)
            for t in g:
                target.add(t)
        for card in _cards(n, seed=1):
            for s, p, o, g in card_quads(card, ctx.codes):
                ds.graph(g).add((s, p, o))
        data = ds.serialize(format="nquads")
        t_rdflib, rd = _timed(lambda d=data: Dataset().parse(data=d, format="nquads"))
        store = EmbeddedStore(None)
        t_ox, _ = _timed(lambda s=store, d=ds: s.replace_all(d))
        q_ox, res = _timed(lambda s=store: s.query(query))
        q_rd, rows_rd = _timed(lambda g=rd: list(g.query(query)))
        rows.append(
            {
                "incidents": n,
                "triples": len(data.splitlines()),
                "load_rdflib_s": t_rdflib,
                "load_oxigraph_s": t_ox,
                "load_speedup": t_rdflib / t_ox,
                "query_rdflib_s": q_rd,
                "query_oxigraph_s": q_ox,
                "query_speedup": q_rd / max(q_ox, 1e-9),
                "same_rows": len(res.rows) == len(rows_rd),
            }
        )
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
    b.semilogx(xs, [r["peak_mb"] for r in rows], "s-")
    b.set_xlabel("incidents")
    b.set_ylabel("peak memory (MB)")
    b.set_title("memory")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _table(title: str, rows: list[dict[str, Any]], keys: list[str]) -> str:
    def cell(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    lines = [title, "  ".join(f"{k:>16}" for k in keys)]
    lines += ["  ".join(f"{cell(r.get(k, '')):>16}" for k in keys) for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument(
        "--only", choices=["pyshacl", "growth", "store"], help="Run one part of the full benchmark."
    )
    parser.add_argument("--child-growth", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_growth:
        _child_growth(args.child_growth)
        return
    RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {}
    if args.quick:
        q = compare_with_pyshacl(200)
        print(
            _table(
                "bulk check vs stock pyshacl over the whole graph",
                [q],
                ["incidents", "pyshacl_s", "bulk_s", "speedup", "identical"],
            )
        )
        (RESULTS / "quick.json").write_text(json.dumps(q, indent=2))
        print(f"speedup {q['speedup']:.1f}x identical {'yes' if q['identical'] else 'no'}")
        return
    sizes = [1000, 10000] if args.full else [1000]
    results["pyshacl"] = [compare_with_pyshacl(n) for n in sizes]
    print(
        _table(
            "bulk check vs stock pyshacl (and vs one worker)",
            results["pyshacl"],
            [
                "incidents",
                "pyshacl_s",
                "bulk_s",
                "bulk_1_worker_s",
                "speedup",
                "speedup_over_one_worker",
                "identical",
            ],
        )
    )
    grow = [1000, 10000, 100000] + ([1000000] if args.full else [])
    results["growth"] = growth(grow)
    print(
        _table(
            "growth (ratios against 1k)",
            results["growth"],
            ["incidents", "seconds", "time_ratio", "size_ratio", "ms_per_incident", "peak_mb"],
        )
    )
    plot(results["growth"], RESULTS / "growth.png")
    results["store"] = store_figures([1000, 10000, 100000])
    print(
        _table(
            "store: embedded pyoxigraph vs rdflib in memory",
            results["store"],
            ["incidents", "triples", "load_speedup", "query_speedup", "same_rows"],
        )
    )
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2))
    q = results["pyshacl"][0]
    print(f"speedup {q['speedup']:.1f}x identical {'yes' if q['identical'] else 'no'}")


if __name__ == "__main__":
    main()

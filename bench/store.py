"""Store benchmark: load time, memory and saved-query latency, the embedded pyoxigraph
store (on disk, as `kg load` builds it) against rdflib's in-memory Dataset, over what
the store holds after `kg load` and `kg check --all --store` on n generated incidents.

Both stores load the same data, as N-Quads and as TriG (the format of `kg export`), and
answer the same saved queries (each bound to the example values its header gives) in
the same process, one after the other, so each ratio compares two figures from one run.
Memory is the rise in the process's peak resident set while a store loads the N-Quads
(Linux: /proc/self/status VmHWM, reset through /proc/self/clear_refs), so it counts
what Rust and C allocate too.
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.run import timed

HERE = Path(__file__).resolve().parent
_EXAMPLE = re.compile(r"e\.g\.\s+(\S+)")


def write_nquads(n: int, path: Path, seed: int = 1) -> int:
    """What the store holds after `kg load` and `kg check --all --store` over n generated
    incidents (their facts and their determinations), as N-Quads; returns the count."""
    import pyoxigraph as ox

    from bench.generate import as_cards, generate_cards
    from kg import api
    from kg.bulk import check_many
    from kg.cards.rdf import card_quads
    from kg.decide.check import Options
    from kg.store import build
    from kg.terms import to_ox

    ctx = api.context()

    def rdflib_quads() -> Iterator[Any]:
        yield from build.store_dataset(ctx).quads()
        for card in as_cards(generate_cards(n, seed=seed)):
            yield from card_quads(card, ctx.codes)
        cards = as_cards(generate_cards(n, seed=seed))  # the same again: seeded
        for batch in check_many(cards, ctx, Options(), workers=os.cpu_count() or 1):
            yield from build.determinations(batch.reports, ctx).quads()

    count = 0

    def quads() -> Iterator[Any]:
        nonlocal count
        for s, p, o, g in rdflib_quads():
            count += 1
            yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g))

    ox.serialize(quads(), str(path), format=ox.RdfFormat.N_QUADS)
    return count


def saved_queries_text() -> dict[str, str]:
    """Every saved query's text as written (its header says which summaries it reads)."""
    from kg.store.queries import catalog

    return {name: q.text for name, q in catalog().items()}


def saved_queries() -> dict[str, str]:
    """Every saved query, its parameters bound to the examples in its header."""
    from kg import api
    from kg.store.queries import bind, catalog
    from kg.store.sparql import bind_values

    codes = api.context().codes
    out = {}
    for name, q in catalog().items():
        given = {}
        for p in q.params:
            m = _EXAMPLE.search(p.doc)
            if m and not p.optional:
                given[p.name] = m.group(1)
        out[name] = bind_values(q.text, bind(q, given, codes))
    return out


def _peak_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def _answers(result: Any) -> int:
    """Rows of a SELECT, triples of a CONSTRUCT."""
    return len(result.rows) + len(result.triples)


class _PastCap(Exception):
    pass


def _stop(signum: int, frame: Any) -> None:
    raise _PastCap


def _latency(
    run: Callable[[], int], repeat: int, cap: float | None
) -> tuple[float | None, int | None]:
    """Median seconds over `repeat` runs after a warm-up (the warm-up alone when it took
    over a second), and the row count; (None, None) if a run passed `cap` seconds. Only
    rdflib is capped (cap None for pyoxigraph): a signal interrupts it, as it evaluates
    in Python."""

    def arm() -> None:
        if cap is not None:
            signal.setitimer(signal.ITIMER_REAL, cap)

    signal.signal(signal.SIGALRM, _stop)
    try:
        arm()
        first, rows = timed(run)
        times = [first] if first > 1 or repeat == 0 else []
        for _ in range(0 if times else repeat):
            arm()
            times.append(timed(run)[0])
    except _PastCap:
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return statistics.median(times), rows


def write_trig(nquads: Path, path: Path) -> None:
    """The same dataset as TriG with the project's prefixes (what `kg export` writes)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.namespaces import bind_prefixes

    g = Graph()
    bind_prefixes(g)
    prefixes = {p: str(ns) for p, ns in g.namespaces() if p}
    quads = ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    ox.serialize(quads, str(path), format=ox.RdfFormat.TRIG, prefixes=prefixes)


def _measured(load: Callable[[], Any]) -> tuple[float, float]:
    """Seconds a load took, and the rise in peak memory (MB) it caused."""
    _reset_peak()
    before = _peak_kb()
    seconds, _ = timed(load)
    return seconds, (_peak_kb() - before) / 1024


def measure(nquads: Path, trig: Path, repeat: int = 3, cap: float = 30) -> dict[str, Any]:
    """Load the same data (N-Quads, then TriG) into each store, and run every saved query
    on the N-Quads load; figures for both stores."""
    import pyoxigraph as ox
    from rdflib import Dataset

    from kg.store import summary
    from kg.store.embedded import EmbeddedStore

    queries = saved_queries()
    out: dict[str, Any] = {}

    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        other = EmbeddedStore(tmp / "trig")
        trig_s, trig_mb = _measured(lambda: other.replace_all_from(trig, ox.RdfFormat.TRIG))
        other.close()
        store = EmbeddedStore(tmp / "store")
        load_s, load_mb = _measured(lambda: store.replace_all_from(nquads))
        summary_s, _ = timed(lambda: summary.refresh(store))  # as kg load does after
        lat = {
            n: _latency(lambda q=q: _answers(store.query(q)), repeat, None)
            for n, q in queries.items()
        }
        out["oxigraph"] = {
            "load_s": load_s,
            "summary_s": summary_s,
            "peak_mb": load_mb,
            "load_trig_s": trig_s,
            "queries": lat,
        }
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ds = Dataset()
    trig_s, _ = _measured(lambda: ds.parse(str(trig), format="trig"))
    del ds
    ds = Dataset()
    load_s, load_mb = _measured(lambda: ds.parse(str(nquads), format="nquads"))
    rd_summary_s, done = _latency(lambda: _rdflib_summaries(ds), 0, cap)
    lat = {
        n: _latency(lambda q=q: len(list(ds.query(q))), repeat, cap)
        if done is not None or not summary.needed(q)
        else (None, None)  # its summary was not computed within the cap
        for n, q in queries.items()
    }
    out["rdflib"] = {
        "load_s": load_s,
        "summary_s": rd_summary_s,
        "peak_mb": load_mb,
        "load_trig_s": trig_s,
        "queries": lat,
    }
    return out


def _rdflib_summaries(ds: Any) -> int:
    """What `summary.refresh` does, on rdflib's Dataset; the triples added."""
    from kg.store import summary

    added = 0
    for name, text in summary.catalog().items():
        g = ds.graph(summary.graph_name(name))
        key = summary.order_key(text)
        if key is not None:  # an order: its keys in blocks, as summary.dataset writes them
            summary.blocks(g, [{key: row[0]} for row in ds.query(text)], key)
            added += len(g)
            continue
        for t in ds.query(text):
            g.add(t)
            added += 1
    return added


def child(path: str, repeat: int, cap: float) -> None:
    """`path`: the N-Quads file; the TriG file is beside it."""
    nquads = Path(path)
    print(json.dumps(measure(nquads, nquads.with_suffix(".trig"), repeat, cap)))


def figures(
    sizes: list[int], repeat: int = 3, cap: float = 30
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Per size, a summary row and a latency row per saved query. Each size runs in a
    fresh process, so one size's memory does not count against the next."""
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-nq-") as tmp:
            path = Path(tmp) / f"{n}.nq"
            quads = write_nquads(n, path)
            write_trig(path, path.with_suffix(".trig"))
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.run",
                    "--child-store",
                    str(path),
                    "--repeat",
                    str(repeat),
                    "--cap",
                    str(cap),
                ],
                capture_output=True,
                text=True,
                check=True,
                cwd=HERE.parent,
            )
        m = json.loads(out.stdout.strip().splitlines()[-1])
        yield _rows(n, quads, m["oxigraph"], m["rdflib"], cap)


def _rows(
    n: int, quads: int, ox: dict[str, Any], rd: dict[str, Any], cap: float
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from kg.store import summary as summaries

    reads = {q: " ".join(summaries.needed(text)) for q, text in saved_queries_text().items()}
    ratios, per_query = [], []
    for name, (ox_s, ox_rows) in ox["queries"].items():
        rd_s, rd_rows = rd["queries"][name]
        capped = rd_s is None
        ratio = (cap if capped else rd_s) / max(ox_s, 1e-6)
        ratios.append(ratio)
        per_query.append(
            {
                "incidents": n,
                "query": name,
                "summary": reads[name],
                "rdflib_ms": f">{1000 * cap:.0f}" if capped else 1000 * rd_s,
                "oxigraph_ms": 1000 * ox_s,
                "speedup": f">{ratio:.3g}" if capped else ratio,
                "same_rows": "rdflib stopped" if capped else ox_rows == rd_rows,
            }
        )
    summary = {
        "incidents": n,
        "quads": quads,
        "load_rdflib_s": rd["load_s"],
        "load_oxigraph_s": ox["load_s"],
        "load_speedup": rd["load_s"] / ox["load_s"],
        "summary_oxigraph_s": ox["summary_s"],
        "summary_rdflib_s": rd["summary_s"] if rd["summary_s"] is not None else f">{cap:.0f}",
        "load_trig_rdflib_s": rd["load_trig_s"],
        "load_trig_oxigraph_s": ox["load_trig_s"],
        "load_trig_speedup": rd["load_trig_s"] / ox["load_trig_s"],
        "mem_rdflib_mb": rd["peak_mb"],
        "mem_oxigraph_mb": ox["peak_mb"],
        "query_speedup_geomean": statistics.geometric_mean(ratios),
        "query_speedup_min": min(ratios),
        "rdflib_stopped": sum(1 for r in per_query if r["same_rows"] == "rdflib stopped"),
        "same_rows": all(r["same_rows"] is not False for r in per_query),
    }
    return summary, per_query

"""Benchmarks: ratios measured in one run against baselines run in the same process.

    python -m bench.run --quick   # about 16 minutes (up to 45); last line:
                                  # speedup <r>x identical <yes|no> engine-only <r2>x
                                  # (><r>x: a baseline stopped at --stock-limit)
    python -m bench.run           # 1k check vs pyshacl; kg check on files to 100k; store
                                  # load and queries; Dask on 1 and 2 workers at 10k
    python -m bench.run --full    # also pyshacl at 10k and growth to 1M

Every figure compares two things measured in the same run on the same machine, never
an absolute time against another run (this machine is noisy). Sizes are generated
incidents (bench/generate.py, seed 0). Results go to bench/results/ as JSON and a PNG
of the growth curves.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


def bulk(
    cards: list[Any], workers: int, engine: str | None = None, batch: int | None = None
) -> list[Any]:
    from kg import api
    from kg.bulk import BATCH, check_many
    from kg.decide.check import Options

    ctx = api.context()
    return [
        r
        for chunk in check_many(
            cards, ctx, Options(engine=engine), workers=workers, batch=batch or BATCH
        )
        for r in chunk.reports
    ]


def _child(fn: Callable[[], Any], out: Any) -> None:
    os.setpgid(0, 0)  # its own group: stopping it stops the processes it started
    start = time.perf_counter()
    try:
        value = fn()
    except BaseException:
        import traceback

        out.put(("failed", traceback.format_exc()))
        raise
    out.put(("done", (time.perf_counter() - start, value)))


def within(fn: Callable[[], Any], limit: float) -> tuple[float, Any] | None:
    """(seconds, value) of `fn()` run in a forked child process (its value must pickle;
    it may start processes of its own), or None if it had not returned after `limit`
    seconds: the child and every process it started are then stopped. A child that
    fails raises RuntimeError with its traceback, never passes for a stopped one."""
    import multiprocessing as mp
    import queue
    import signal

    ctx = mp.get_context("fork")
    out: Any = ctx.Queue()
    child = ctx.Process(target=_child, args=(fn, out))
    child.start()
    deadline = time.monotonic() + limit
    try:
        while True:
            try:
                state, value = out.get(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    return None
                if not child.is_alive() and out.empty():
                    raise RuntimeError(
                        f"the child process ended ({child.exitcode}), no answer"
                    ) from None
                continue
            if state == "failed":
                raise RuntimeError(f"the child process failed:\n{value}")
            return value  # type: ignore[no-any-return]
    finally:
        if child.pid is not None:  # its group, if it had made it (never 0: ours)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        child.kill()
        child.join()


STOCK_LIMIT = 900.0  # seconds stock pyshacl may run (it takes hours at 200 incidents)
REFERENCE_BATCH = 10  # cards a batch for the pyshacl engine: its time grows fast with a batch
STOCK_SAMPLE = 20  # incidents stock pyshacl checks over the whole graph when stopped on all


def identical(compared: dict[str, bool | None]) -> bool:
    """Every comparison that ran agreed (None: its baseline was stopped), and at least
    one of them was with pyshacl (stock, its sample, or the pyshacl engine)."""
    ran = [v for v in compared.values() if v is not None]
    with_pyshacl = any(compared.get(k) for k in ("stock", "stock_sample", "pyshacl_engine"))
    return all(ran) and with_pyshacl


def compare_with_pyshacl(
    n: int,
    limit: float = STOCK_LIMIT,
    reference_batch: int = REFERENCE_BATCH,
    sample: int = STOCK_SAMPLE,
) -> dict[str, Any]:
    """The bulk check against two baselines, in one run: stock pyshacl over the whole
    graph (what a user would run without this project; in a child process, stopped after
    `limit` seconds: the speedup is then a lower bound, and stock pyshacl is run again on
    the first `sample` incidents alone, whose findings are compared with the bulk check's
    for them), and the reference engine (pyshacl on the project's pipeline) on the same
    processes in batches of `reference_batch` cards (its time grows much faster than a
    batch; a card's findings do not depend on its batch, which a test proves), also
    stopped after `limit` seconds. The law is loaded and the shapes compiled before
    anything is timed. `identical`: every finding of every run that finished is the same,
    every field of the JSON but the engine's name."""
    from kg import api
    from kg.reasoning.compile import compiled

    commit = _commit()  # before anything is loaded: the code and law measured
    ctx = api.context()
    compiled(ctx.shapes)
    cards = _cards(n)
    workers = os.cpu_count() or 1
    stock = within(lambda: _answers(stock_pyshacl(cards)), limit)
    t_bulk, fast = timed(lambda: bulk(cards, workers))
    t_one, one = timed(lambda: bulk(cards, 1))
    ref = within(lambda: _answers(bulk(cards, workers, "pyshacl", reference_batch)), limit)
    answers = _answers(fast)
    partial = None
    if stock is None:  # the whole was stopped: a sample stock pyshacl can finish
        partial = within(lambda: _answers(stock_pyshacl(cards[:sample])), limit)
    compared = {
        "one_worker": answers == _answers(one),
        "pyshacl_engine": None if ref is None else answers == ref[1],
        "stock": None if stock is None else answers == stock[1],
        "stock_sample": None if partial is None else _answers(fast[:sample]) == partial[1],
    }
    t_base = stock[0] if stock is not None else limit
    t_ref = ref[0] if ref is not None else limit
    return {
        "incidents": n,
        "pyshacl_s": t_base,
        "pyshacl_stopped": stock is None,
        "bulk_s": t_bulk,
        "bulk_1_worker_s": t_one,
        "bulk_pyshacl_engine_s": t_ref,
        "bulk_pyshacl_engine_stopped": ref is None,
        "reference_batch": reference_batch,
        "workers": workers,
        "speedup": t_base / t_bulk,  # a lower bound where pyshacl_stopped
        "engine_only_speedup": t_ref / t_bulk,  # a lower bound where its engine stopped
        "speedup_over_one_worker": t_one / t_bulk,
        "stock_sample": None if stock is not None else sample,
        "stock_sample_s": None if partial is None else partial[0],
        "compared": compared,
        "identical": identical(compared),
        "identical_to_stock": compared["stock"],
        "commit": commit,
    }


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE.parent
    )
    dirty = subprocess.run(
        # the figures this bench writes are not a change of what it measures
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    return out.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


@dataclass(frozen=True)
class TreeSample:
    """The memory of a process and its descendants at one moment, in MB: resident sizes
    summed (a page shared by forked workers counted in each), proportional sizes summed
    (each shared page split among the processes that share it: the memory all of them
    use; None where the system cannot tell), and the largest process's resident size."""

    rss_mb: float
    pss_mb: float | None
    largest_mb: float


def _pss_kb(pid: int) -> int | None:
    """Linux's proportional set size of a process (kB), or None where it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return None


def _tree_pids(root: int) -> list[int]:
    """A process and all its descendants, from Linux's /proc ([root] where it cannot tell)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # a process that ended while the table was read
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _rss_kb(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return None  # a process that ended between the listing and the reading


def tree_memory(root: int) -> TreeSample:
    """The memory of a process and all its descendants now (psutil where it is installed,
    else Linux's /proc; zeros where neither can tell)."""
    try:
        import psutil  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        psutil = None
    sizes: list[tuple[int, int | None]] = []  # (rss, pss) in kB, a process each
    with_pss = Path("/proc/self/smaps_rollup").exists()  # else pss is None: unknown
    if psutil is not None:
        try:
            me = psutil.Process(root)
            procs = [me, *me.children(recursive=True)]
        except psutil.Error:
            return TreeSample(0.0, 0.0, 0.0)  # it has ended
        for proc in procs:
            try:
                rss = proc.memory_info().rss // 1024
            except psutil.Error:
                continue  # a worker that ended between the listing and the reading
            pss = _pss_kb(proc.pid)
            if pss is None and with_pss:
                continue  # it ended between the two readings
            sizes.append((rss, pss))
    else:
        for pid in _tree_pids(root):
            rss, pss = _rss_kb(pid), _pss_kb(pid)
            if rss is not None and (pss is not None or not with_pss):
                sizes.append((rss, pss))  # else it ended while it was read
    shares = [p for _, p in sizes]
    return TreeSample(
        rss_mb=sum(r for r, _ in sizes) / 1024,
        pss_mb=None if None in shares else sum(p for p in shares if p is not None) / 1024,
        largest_mb=max((r for r, _ in sizes), default=0) / 1024,
    )


class TreeMemory:
    """The peaks of a process and all its descendants (a command and its worker
    processes), sampled every `every` seconds in a thread: summed resident memory,
    summed proportional memory (None where the system cannot tell), and the largest
    process."""

    def __init__(self, root: int, every: float = 0.2) -> None:
        self._root = root
        self._every = every
        self._stop = threading.Event()
        self.peak_mb = 0.0
        self.peak_pss_mb: float | None = 0.0
        self.largest_mb = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        now = tree_memory(self._root)
        self.peak_mb = max(self.peak_mb, now.rss_mb)
        self.largest_mb = max(self.largest_mb, now.largest_mb)
        if now.pss_mb is None or self.peak_pss_mb is None:
            self.peak_pss_mb = None
        else:
            self.peak_pss_mb = max(self.peak_pss_mb, now.pss_mb)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._sample()

    def __enter__(self) -> TreeMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def kg_check_run(n: int, fmt: str, workdir: Path) -> dict[str, Any]:
    """`kg check` as a user runs it, on n generated incidents written as files (a folder
    of YAML cards, or one JSON Lines file): reading, validation and the JSON written out
    are all counted, the process's start and the shapes' compilation too. The cards are
    written before the clock starts."""
    folder = workdir / f"{fmt}-{n}"
    subprocess.run(
        [sys.executable, "-m", "bench.generate", str(n), "--out", str(folder), "--format", fmt],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=HERE.parent,
    )
    target = folder / "incidents.jsonl" if fmt == "jsonl" else folder
    command = [sys.executable, "-m", "kg", "check", str(target), "--format", "json"]
    out_bytes = 0
    with (workdir / "stderr.txt").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, cwd=HERE.parent)
        assert proc.stdout is not None
        with TreeMemory(proc.pid) as memory:  # kg check and its workers, nothing else
            while chunk := proc.stdout.read(1 << 20):
                out_bytes += len(chunk)
            code = proc.wait()
            elapsed = time.perf_counter() - start
    if code not in (0, 1):  # 1: a violation found, which generated incidents hold
        why = (workdir / "stderr.txt").read_text("utf-8", "replace")[-2000:]
        raise SystemExit(f"kg check on {n} {fmt} cards ended with {code}: {why}")
    shutil.rmtree(folder)
    return {
        "incidents": n,
        "format": fmt,
        "workers": os.cpu_count() or 1,
        "seconds": elapsed,
        "exit_code": code,
        "output_mb": out_bytes / 2**20,
        "peak_mb": memory.peak_mb,
        "peak_pss_mb": memory.peak_pss_mb,
        "largest_process_mb": memory.largest_mb,
    }


def growth_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ratios against the first size of the same format, and the marginal cost of an
    incident between one size and the next (what the fixed costs do not hide)."""
    out = []
    for fmt in dict.fromkeys(r["format"] for r in rows):
        mine = sorted((r for r in rows if r["format"] == fmt), key=lambda r: r["incidents"])
        base = mine[0]
        for before, r in zip([None, *mine], mine, strict=False):
            r = dict(r)
            r["time_ratio"] = r["seconds"] / base["seconds"]
            r["size_ratio"] = r["incidents"] / base["incidents"]
            r["ms_per_incident"] = 1000 * r["seconds"] / r["incidents"]
            if before is not None:
                added = r["incidents"] - before["incidents"]
                r["marginal_ms"] = 1000 * (r["seconds"] - before["seconds"]) / added
            out.append(r)
    return out


def growth(
    sizes: list[int], formats: list[str], yaml_up_to: int | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The rows so far, after each run (so that a long run keeps what it measured).
    YAML folders only up to `yaml_up_to` incidents, where given (a folder of a million
    files is slow to write and is not how a city's year of dispatches arrives)."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="kg-growth-") as tmp:
        for n in sizes:
            for fmt in formats:
                if fmt == "yaml" and yaml_up_to is not None and n > yaml_up_to:
                    continue
                rows.append(kg_check_run(n, fmt, Path(tmp)))
                yield growth_rows(rows)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Time and memory against the incidents, one line per input format; raises
    ImportError without matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for fmt in dict.fromkeys(r["format"] for r in rows):
        mine = [r for r in rows if r["format"] == fmt]
        xs = [r["incidents"] for r in mine]
        a.loglog(xs, [r["seconds"] for r in mine], "o-", label=f"kg check ({fmt})")
        if fmt == rows[0]["format"]:
            a.loglog(xs, [mine[0]["seconds"] * x / xs[0] for x in xs], "--", label="linear")
        b.semilogx(xs, [r["peak_mb"] for r in mine], "s-", label=f"all processes ({fmt})")
        b.semilogx(xs, [r["largest_process_mb"] for r in mine], "^-", label=f"largest ({fmt})")
    a.set_xlabel("incidents")
    a.set_ylabel("seconds")
    a.legend()
    a.set_title("time")
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


def run_pyshacl(
    sizes: list[int],
    limit: float = STOCK_LIMIT,
    reference_batch: int = REFERENCE_BATCH,
    sample: int = STOCK_SAMPLE,
) -> dict[str, Any]:
    rows = [compare_with_pyshacl(n, limit, reference_batch, sample) for n in sizes]
    print(
        _table(
            "bulk check vs stock pyshacl over the whole graph (and vs one worker)",
            rows,
            [
                "incidents",
                "pyshacl_s",
                "pyshacl_stopped",
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


def run_growth(sizes: list[int], formats: list[str], yaml_up_to: int | None = None) -> None:
    rows: list[dict[str, Any]] = []
    done: set[tuple[int, str]] = set()
    commit = _commit()  # the code at the start, which every run measures
    for rows in growth(sizes, formats, yaml_up_to=yaml_up_to):
        _save("growth", {"commit": commit, "rows": rows})  # after each run
        # the run just measured (rows are grouped by format, not in the order run)
        last = next(r for r in rows if (r["incidents"], r["format"]) not in done)
        done.add((last["incidents"], last["format"]))
        print(
            f"growth: {last['incidents']} {last['format']} cards in {last['seconds']:.1f} s",
            flush=True,
        )
    print(
        _table(
            f"kg check end to end on files, {os.cpu_count()} workers "
            "(ratios against the first size of each format)",
            rows,
            [
                "incidents",
                "format",
                "seconds",
                "time_ratio",
                "size_ratio",
                "ms_per_incident",
                "marginal_ms",
                "peak_mb",
                "peak_pss_mb",
                "largest_process_mb",
            ],
        ),
        flush=True,
    )
    try:
        plot(rows, RESULTS / "growth.png")
    except ImportError:
        print(
            "growth: the plot is skipped (matplotlib is not installed: pip install "
            "'.[bench]'); the figures are in bench/results/results.json",
            flush=True,
        )


def dask_run(cards: list[Any], workers: int) -> tuple[float, list[Any]]:
    """The bulk check of `cards` on a local Dask cluster of `workers` worker processes
    (one thread each), reached by its address as a remote cluster would be; the cluster's
    start is not timed, the law's shipping to the workers is."""
    from dask.distributed import Client, LocalCluster

    from kg import api
    from kg.bulk import check_many
    from kg.decide.check import Options

    ctx = api.context()
    with (
        LocalCluster(  # type: ignore[no-untyped-call,unused-ignore]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            worker_dashboard_address="127.0.0.1:0",
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call,unused-ignore]
    ):
        client.wait_for_workers(workers)
        start = time.perf_counter()
        reports = [
            r
            for batch in check_many(cards, ctx, Options(), scheduler=cluster.scheduler_address)
            for r in batch.reports
        ]
        return time.perf_counter() - start, reports


def run_dask(n: int) -> dict[str, Any]:
    """The same n cards on a Dask cluster of one worker process and of two: the scaling
    ratio, and that both give the same reports."""
    cards = _cards(n)
    t_one, one = dask_run(cards, 1)
    t_two, two = dask_run(cards, 2)
    row = {
        "incidents": n,
        "one_worker_s": t_one,
        "two_workers_s": t_two,
        "scaling": t_one / t_two,
        "identical": _answers(one) == _answers(two),
        "cores": os.cpu_count() or 1,
        "commit": _commit(),
    }
    _save("dask", row)
    print(
        _table(
            "Dask: the same cards on a local cluster of 1 and 2 worker processes",
            [row],
            ["incidents", "one_worker_s", "two_workers_s", "scaling", "identical", "cores"],
        ),
        flush=True,
    )
    return row


def run_store(sizes: list[int], repeat: int, cap: float) -> None:
    from bench.store import figures

    commit = _commit()  # before anything runs: the code measured
    summary: list[dict[str, Any]] = []
    per_query: list[dict[str, Any]] = []
    for row, queries in figures(sizes, repeat, cap):  # saved after each size
        summary.append(row)
        per_query += queries
        _save("store", {"commit": commit, "summary": summary, "queries": per_query})
        print(
            _table(
                f"saved-query latency at {row['incidents']} incidents (median of runs after "
                f"a warm-up; rdflib stopped at {cap:g} s)",
                queries,
                ["query", "summary", "rdflib_ms", "oxigraph_ms", "speedup", "same_rows"],
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
                "summary_oxigraph_s",
                "summary_rdflib_s",
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
    parser.add_argument(
        "--stock-limit",
        type=float,
        default=STOCK_LIMIT,
        help="Seconds stock pyshacl may run before it is stopped (the speedup is then a "
        "lower bound).",
    )
    parser.add_argument(
        "--reference-batch",
        type=int,
        default=REFERENCE_BATCH,
        help="Cards a batch for the pyshacl engine (its time grows fast with a batch).",
    )
    parser.add_argument(
        "--stock-sample",
        type=int,
        default=STOCK_SAMPLE,
        help="Incidents stock pyshacl checks alone, findings compared, when stopped on all.",
    )
    parser.add_argument("--full", action="store_true")
    parser.add_argument(
        "--only",
        choices=["pyshacl", "growth", "store", "dask"],
        help="Run one part of the full benchmark.",
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
    parser.add_argument(
        "--formats",
        default="yaml,jsonl",
        help="Input formats of the growth part: yaml (a folder of cards), jsonl (one file).",
    )
    parser.add_argument(
        "--yaml-up-to",
        type=int,
        default=100_000,
        help="Largest size the growth part writes as a folder of YAML cards (JSON Lines: all).",
    )
    parser.add_argument("--child-store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_store:
        from bench.store import child

        child(args.child_store, args.repeat, args.cap)
        return
    RESULTS.mkdir(exist_ok=True)
    if args.quick:
        q = compare_with_pyshacl(200, args.stock_limit, args.reference_batch, args.stock_sample)
        print(
            _table(
                "bulk check vs stock pyshacl over the whole graph, and vs the pyshacl engine"
                " on the same processes",
                [q],
                [
                    "incidents",
                    "pyshacl_s",
                    "pyshacl_stopped",
                    "stock_sample_s",
                    "bulk_pyshacl_engine_s",
                    "reference_batch",
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
    parts = [args.only] if args.only else ["pyshacl", "growth", "store", "dask"]
    first = None
    if "pyshacl" in parts:
        sizes = _sizes(args.sizes, [1000, 10000] if args.full else [1000])
        first = run_pyshacl(sizes, args.stock_limit, args.reference_batch, args.stock_sample)
    if "growth" in parts:
        default = [1000, 10000, 100000] + ([1000000] if args.full else [])
        run_growth(_sizes(args.sizes, default), args.formats.split(","), args.yaml_up_to)
    if "store" in parts:
        run_store(_sizes(args.sizes, [1000, 10000, 100000]), args.repeat, args.cap)
    if "dask" in parts:
        for n in _sizes(args.sizes, [10000]):
            run_dask(n)
    if first is not None:
        print(_last_line(first))


def _last_line(q: dict[str, Any]) -> str:
    """The parseable summary: `speedup <r>x identical <yes|no> engine-only <r2>x`, with
    `><r>x` where a baseline was stopped (a lower bound, its findings not compared)."""
    same = "yes" if q["identical"] else "no"
    bound = ">" if q.get("pyshacl_stopped") else ""
    engine = ">" if q.get("bulk_pyshacl_engine_stopped") else ""
    return (
        f"speedup {bound}{q['speedup']:.1f}x identical {same} "
        f"engine-only {engine}{q['engine_only_speedup']:.1f}x"
    )


if __name__ == "__main__":
    main()

"""A bounded load test of `kg serve`: many clients at once on a mix of pages, their JSON
twins and small SPARQL queries, on loopback.

    python -m bench.load                      # 50 clients, 20000 requests or 60 s
    python -m bench.load --clients 10 --requests 200 --store-dir /tmp/store

It starts `kg serve` as `kg serve` runs it (waitress, the default threads) on a free
loopback port, over the default store or `--store-dir` (built on first use), waits for
/-/health, asks every address of the mix once in turn (the warm-up, timed apart: what
the first visitor after a load waits for), then lets `--clients` clients, each on its
own keep-alive connection, ask the mix in random order until `--requests` answers or
`--seconds` have passed, and stops the server. An error is any answer but 200, or no
answer within `--timeout`.

It prints the warm-up, the latency by address, and the totals; the last line is

    load clients=<n> requests=<n> errors=<n> p50_ms=<x> p95_ms=<x> p99_ms=<x>
         max_ms=<x> rps=<x> ok=<yes|no>

(on one line). `ok` is yes when there was no error and the p95 is under `--target-p95` seconds; the
exit status is 0 then, 1 otherwise, 2 when the server did not start. The clients run on
the same machine as the server and share its cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

JUNE4 = "south-loop-2025-06-04"
WHO = "allegation=excessive-force&respondent=CPD:officer&date=2024-05-01"
RESULTS_JSON = "application/sparql-results+json"
SMALL_QUERY = (
    "PREFIX akg: <https://w3id.org/authority-kg/ontology#> "
    "SELECT ?reading WHERE { GRAPH ?g { ?reading a akg:Reading } } ORDER BY ?reading LIMIT 20"
)
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


# (path, Accept): the pages legal staff open, their JSON twins, the endpoint's small
# queries, and two answers that are never kept (the check form, health)
MIX: tuple[tuple[str, str], ...] = (
    ("/", "text/html"),
    ("/index.json", ""),
    ("/law", "text/html"),
    ("/law.json", ""),
    ("/law/mcc/2-173-020/a/6", "text/html"),
    ("/law/mcc/2-173-020/a/6.json", ""),
    ("/agency", "text/html"),
    ("/agency/COPA", "text/html"),
    ("/agency/COPA.json", ""),
    ("/incident", "text/html"),
    (f"/incident/{JUNE4}", "text/html"),
    (f"/incident/{JUNE4}.json", ""),
    (f"/who?{WHO}", "text/html"),
    (f"/who.json?{WHO}", ""),
    ("/search?q=COPA", "text/html"),
    ("/query", "text/html"),
    ("/check", "text/html"),
    (_sparql(SMALL_QUERY), RESULTS_JSON),
    (_sparql(COUNT_QUERY), RESULTS_JSON),
    ("/sparql.json", ""),
    ("/-/health.json", ""),
)


@dataclass
class Tally:
    """What the clients saw: (address, seconds, status) per answer; 0 status: none."""

    seen: list[tuple[str, float, int]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, seconds: float, status: int, why: str = "") -> None:
        with self.lock:
            self.seen.append((path, seconds, status))
            if status != 200 and len(self.failures) < 10:
                self.failures.append(f"{status or 'no answer'} {path[:80]} {why}".strip())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ask(conn: http.client.HTTPConnection, path: str, accept: str) -> tuple[int, bytes]:
    headers = {"Accept": accept} if accept else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def start_server(port: int, store_dir: str | None, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "kg"]
    if store_dir:
        command += ["--store-dir", store_dir]
    command += ["serve", "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(proc: subprocess.Popen[bytes], port: int, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            status, body = ask(conn, "/-/health.json", "")
            if status == 200 and json.loads(body)["status"] == "ok":
                return True
        except (OSError, http.client.HTTPException, ValueError):
            pass
        finally:
            conn.close()
        time.sleep(0.3)
    return False


def warm_up(port: int, timeout: float) -> list[tuple[str, float, int]]:
    """Each address of the mix once, one after the other."""
    out = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        for path, accept in MIX:
            start = time.perf_counter()
            try:
                status, _ = ask(conn, path, accept)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                status = 0
            out.append((path, time.perf_counter() - start, status))
    finally:
        conn.close()
    return out


def client(
    port: int, seed: int, budget: list[int], deadline: float, timeout: float, tally: Tally
) -> None:
    """Ask the mix in random order until the shared budget is spent or time is up."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        while time.monotonic() < deadline:
            with tally.lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            path, accept = rng.choice(MIX)
            start = time.perf_counter()
            try:
                status, _ = ask(conn, path, accept)
                tally.add(path, time.perf_counter() - start, status)
            except (OSError, http.client.HTTPException) as exc:
                tally.add(path, time.perf_counter() - start, 0, type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    finally:
        conn.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _label(path: str) -> str:
    if path.startswith("/sparql?"):
        query = urllib.parse.parse_qs(path.partition("?")[2])["query"][0]
        return "/sparql?query=" + ("COUNT" if "COUNT" in query else "SELECT ...LIMIT 20")
    return path


def report(
    args: argparse.Namespace, warm: list[tuple[str, float, int]], tally: Tally, elapsed: float
) -> bool:
    print(f"warm-up (each address once, {sum(t for _, t, _ in warm):.2f} s in all):")
    for path, seconds, status in warm:
        print(f"  {seconds * 1000:8.1f} ms  {status or 'no answer'}  {_label(path)}")
    by_path: dict[str, list[float]] = {}
    for path, seconds, _ in tally.seen:
        by_path.setdefault(_label(path), []).append(seconds)
    print(f"under load ({args.clients} clients), by address: n, p50, p95 (ms)")
    for path, times in sorted(by_path.items()):
        p50, p95 = percentile(times, 50) * 1000, percentile(times, 95) * 1000
        print(f"  {len(times):5d} {p50:8.1f} {p95:8.1f}  {path}")
    times = [t for _, t, _ in tally.seen]
    errors = sum(1 for _, _, s in tally.seen if s != 200)
    errors += sum(1 for _, _, s in warm if s != 200)
    for failure in tally.failures:
        print(f"  error: {failure}")
    p50, p95, p99 = (percentile(times, q) for q in (50, 95, 99))
    rps = len(times) / elapsed if elapsed else 0.0
    ok = errors == 0 and bool(times) and p95 < args.target_p95
    print(
        f"{len(times)} requests in {elapsed:.1f} s: {rps:.0f} req/s, p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {max(times, default=0) * 1000:.0f}"
        f" ms, {errors} errors (goal: no error, p95 under {args.target_p95:g} s)"
    )
    print(
        f"load clients={args.clients} requests={len(times)} errors={errors} "
        f"p50_ms={p50 * 1000:.1f} p95_ms={p95 * 1000:.1f} p99_ms={p99 * 1000:.1f} "
        f"max_ms={max(times, default=0) * 1000:.1f} rps={rps:.1f} ok={'yes' if ok else 'no'}"
    )
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--clients", type=int, default=50, help="clients at once (50)")
    parser.add_argument("--requests", type=int, default=20000, help="answers in all (20000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="longest run (60 s)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request (30 s)")
    parser.add_argument("--startup", type=float, default=300.0, help="for the server (300 s)")
    parser.add_argument("--store-dir", help="the store (default: kg's default location)")
    parser.add_argument("--target-p95", type=float, default=1.0, help="seconds (1.0)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        log = Path(tmp) / "serve.log"
        proc = start_server(port, args.store_dir or os.environ.get("KG_STORE"), log)
        try:
            if not wait_ready(proc, port, args.startup):
                print(log.read_text(errors="replace")[-2000:], file=sys.stderr)
                print(f"kg serve did not answer /-/health within {args.startup:g} s")
                return 2
            warm = warm_up(port, args.timeout)
            tally = Tally()
            budget = [args.requests]
            start = time.monotonic()
            deadline = start + args.seconds
            threads = [
                threading.Thread(
                    target=client,
                    args=(port, args.seed * 1000 + i, budget, deadline, args.timeout, tally),
                    daemon=True,
                )
                for i in range(args.clients)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(args.seconds + args.timeout + 10)
            elapsed = time.monotonic() - start
        finally:
            stop(proc)
    return 0 if report(args, warm, tally, elapsed) else 1


if __name__ == "__main__":
    sys.exit(main())

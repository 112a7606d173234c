"""Saved-query latency on a store as it is: `python -m bench.latency STORE_DIR`.

Each saved query, bound to the examples its header gives (as `bench.run --only store`
binds them), is asked of the embedded store in STORE_DIR (built by `kg load`, or from
`bench.store.write_nquads` and `summary.refresh`), twice: for its whole answer, and for
its first page of 100 rows as `kg query --limit 100` asks for it (block by block of
its order summary where it names one: `# page-by:`). Each is timed in a child process:
the median of 5 runs after a warm-up (the warm-up alone when it took over 2 s), and
stopped after `--timeout` seconds. The last column names the summary a query reads.
Figures go to standard output and to `--output` (JSON).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from functools import partial
from pathlib import Path
from typing import Any

PAGE = 100


def _measure(path: str, text: str, paged: bool) -> tuple[float, int]:
    """The median seconds of the query (or its first page) and its number of answers."""
    from kg.store.embedded import EmbeddedStore
    from kg.store.paging import by_blocks, page

    store = EmbeddedStore(Path(path), read_only=True)
    asked = page(text, PAGE, 0, "bench") if paged else None  # read once, as kg query does

    def ask() -> Any:
        if asked is None:
            return store.query(text)
        blocks = by_blocks(store, text, {}, asked)
        return store.query(asked.text) if blocks is None else blocks

    start = time.perf_counter()
    answer = ask()
    first = time.perf_counter() - start
    times = []
    if first < 2:
        for _ in range(5):
            start = time.perf_counter()
            ask()
            times.append(time.perf_counter() - start)
    return statistics.median(times) if times else first, len(answer.rows) + len(answer.triples)


def timed(
    path: str, text: str, timeout: float, paged: bool = False
) -> tuple[float | None, int | None]:
    """Seconds and answers, or (None, None) past the timeout; measured in a child process
    (`bench.run.within`: stopped at the timeout, and a query that fails raises)."""
    from bench.run import within

    done = within(partial(_measure, path, text, paged), timeout)
    if done is None:
        return None, None
    seconds, rows = done[1]
    return seconds, rows


def main() -> None:
    from bench.store import saved_queries, saved_queries_text
    from kg.errors import InputError
    from kg.store import summary
    from kg.store.paging import page

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="an embedded store's folder")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    texts = saved_queries_text()
    rows = []
    for name, text in sorted(saved_queries().items()):
        whole = timed(args.store, text, args.timeout)
        try:
            page(text, PAGE, 0, name)  # a query that cannot be paged says so here
            first = timed(args.store, text, args.timeout, paged=True)
        except InputError:  # ASK, or a query that pages itself
            first = (None, None)
        row = {
            "query": name,
            "whole_ms": None if whole[0] is None else round(1000 * whole[0], 1),
            "rows": whole[1],
            "first_page_ms": None if first[0] is None else round(1000 * first[0], 1),
            "summary": " ".join(summary.needed(texts[name])),
            "pages_by": summary.needed_order(texts[name]),
        }
        rows.append(row)
        shown = {
            k: (f">{args.timeout:g} s" if v is None and k.endswith("ms") else v)
            for k, v in row.items()
        }
        print(json.dumps(shown), flush=True)
    if args.output:
        args.output.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

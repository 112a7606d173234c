"""The SPARQL worker: a separate process (`python -m webapp.sparql.worker STORE MEMORY`)
that runs one query at a time on a read-only handle of the embedded store, stops at the
result cap (rows or triples, and bytes), and sends back the serialized answer. The
parent kills it when a query runs past the time limit, so a runaway query never holds a
server thread or a CPU for longer than that.

The worker limits its own address space to MEMORY bytes (RLIMIT_AS; 0: no limit) and
runs at a lower CPU priority than the pages. A query that needs more memory stops the
worker: a MemoryError is answered with EXIT_MEMORY, an allocation that fails in the
query engine (Rust) aborts the process; the parent reports either as the memory limit
and starts a new worker.

Jobs and answers travel over the worker's standard input and output as length-prefixed
pickles of plain dicts. Only pyoxigraph and the standard library are imported here: the
worker starts fast, and it never imports the program that started it.
"""

from __future__ import annotations

import os
import pickle
import resource
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import IO, Any

import pyoxigraph as ox

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,  # plain triples: the Turtle that N3 also is
}
WITH_PREFIXES = ("turtle", "n3")
EXIT_MEMORY = 3  # the worker's exit status after a MemoryError
NICENESS = 5  # below the pages: a busy worker leaves them the CPU
CELL_OVERHEAD = 16  # bytes counted per cell besides its value (the JSON around it)


@dataclass(frozen=True)
class Job:
    query: str
    default_graphs: tuple[str, ...]  # the graphs merged into the default graph
    named_graphs: tuple[str, ...]  # the graphs GRAPH may see
    result_format: str = "json"  # for SELECT and ASK
    graph_format: str = "turtle"  # for CONSTRUCT and DESCRIBE
    cap: int = 10000  # rows or triples
    max_bytes: int = 16 * 1024 * 1024  # bytes of the serialized answer
    prefixes: dict[str, str] = field(default_factory=dict)
    # the graphs are every graph of the store: the query runs over the store's union
    # without listing them (a list of named graphs makes pyoxigraph 0.5 20-30x slower)
    whole_store: bool = False


@dataclass(frozen=True)
class Outcome:
    kind: str  # select, ask, graph, or error
    body: bytes = b""
    format: str = ""
    count: int = 0
    status: int = 200  # for errors: the HTTP status to answer with
    message: str = ""


def _bytes(value: bytes | None) -> bytes:
    assert value is not None  # serializing without an output gives the bytes
    return value


class TooLarge(Exception):
    """The answer passed the size cap while it was being written."""


class CappedBuffer:
    """Where pyoxigraph's serializer writes an answer as it reads it from the query: it
    stops the query (by raising from `write`) once the answer passes `limit` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _over_cap(cap: int, what: str) -> Outcome:
    return Outcome(
        "error",
        status=422,
        message=(
            f"the query returns more than {cap} {what}, the result cap of this endpoint; "
            "add a LIMIT or narrow the query"
        ),
    )


def size_text(n: int) -> str:
    """A byte count as people write it: 512 KB, 16 MB, 1.5 GB."""
    if n < 1024 * 1024:
        return f"{n / 1024:.3g} KB"
    if n < 1024**3:
        return f"{n / 1024**2:.3g} MB"
    return f"{n / 1024**3:.3g} GB"


def _over_bytes(limit: int) -> Outcome:
    return Outcome(
        "error",
        status=422,
        message=(
            f"the answer is larger than {size_text(limit)}, the result size cap of this "
            "endpoint; select fewer or shorter values (SUBSTR, STRLEN) or add a LIMIT"
        ),
    )


def _size(t: Any) -> int:
    """Roughly the bytes a term takes in an answer (never fewer than its value has
    characters), counted before anything is serialized."""
    if isinstance(t, ox.Triple):
        return _size(t.subject) + _size(t.predicate) + _size(t.object)
    n = len(t.value) + CELL_OVERHEAD
    if isinstance(t, ox.Literal):
        n += len(t.language or "") + len(t.datatype.value)
    return n


def _solutions(answer: Any, job: Job) -> Outcome:
    """pyoxigraph's own serializer writes the rows as the query yields them (one run of
    the query), into a buffer that stops it at the size cap; its parser then counts them
    against the row cap and, for another format than JSON, its serializer rewrites them."""
    out = CappedBuffer(job.max_bytes)
    try:
        answer.serialize(output=out, format=ox.QueryResultsFormat.JSON)
    except TooLarge:
        return _over_bytes(job.max_bytes)
    except OSError:  # should the serializer report the writer's exception as an I/O error
        if out.size > job.max_bytes:
            return _over_bytes(job.max_bytes)
        raise
    body = out.getvalue()
    counted = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(counted, ox.QuerySolutions)  # a SELECT's answer, parsed back
    rows = sum(1 for _ in counted)
    if rows > job.cap:
        return _over_cap(job.cap, "rows")
    if job.result_format != "json":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        body = _bytes(parsed.serialize(format=RESULT_FORMATS[job.result_format]))
    if len(body) > job.max_bytes:
        return _over_bytes(job.max_bytes)
    return Outcome("select", body, job.result_format, rows)


def _triples(answer: Any, job: Job) -> Outcome:
    triples = []
    size = 0
    for i, triple in enumerate(answer):
        if i >= job.cap:
            return _over_cap(job.cap, "triples")
        size += _size(triple.subject) + _size(triple.predicate) + _size(triple.object)
        if size > job.max_bytes:
            return _over_bytes(job.max_bytes)
        triples.append(triple)
    fmt = GRAPH_FORMATS[job.graph_format]
    prefixes = job.prefixes if job.graph_format in WITH_PREFIXES else None
    body = _bytes(ox.serialize(triples, format=fmt, prefixes=prefixes))
    if len(body) > job.max_bytes:
        return _over_bytes(job.max_bytes)
    return Outcome("graph", body, job.graph_format, len(triples))


def run(store: Any, job: Job) -> Outcome:
    """Run one job on the store; every failure becomes an Outcome with a message."""
    try:
        if job.whole_store:
            answer = store.query(job.query, use_default_graph_as_union=True)
        else:
            answer = store.query(
                job.query,
                default_graph=[ox.NamedNode(g) for g in job.default_graphs],
                named_graphs=[ox.NamedNode(g) for g in job.named_graphs],
            )
        if isinstance(answer, ox.QuerySolutions):
            return _solutions(answer, job)
        if isinstance(answer, ox.QueryTriples):
            return _triples(answer, job)
        fmt = job.result_format if job.result_format in ("json", "xml") else "json"
        doc = _bytes(answer.serialize(format=RESULT_FORMATS[fmt]))
        return Outcome("ask", doc, fmt, 1)
    except SyntaxError as exc:
        return Outcome("error", status=400, message=f"SPARQL syntax error: {exc}")
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        return Outcome("error", status=500, message=f"the query failed: {exc}")


def send(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "big") + data)
    stream.flush()


def _exactly(stream: IO[bytes], n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(stream: IO[bytes]) -> Any:
    size = int.from_bytes(_exactly(stream, 8), "big")
    return pickle.loads(_exactly(stream, size))


def limit_memory(limit: int) -> None:
    """Cap this process's address space at `limit` bytes (0: leave it as it is)."""
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        os.nice(NICENESS)
    except OSError:
        pass


def serve(path: str, inbox: IO[bytes], outbox: IO[bytes], memory: int = 0) -> None:
    """The worker's loop: open the store read-only, then answer jobs until told to stop.
    The messages name no path: they reach the client."""
    try:
        limit_memory(memory)
        store = ox.Store.read_only(path)
    except (OSError, ValueError, MemoryError) as exc:
        print(f"SPARQL worker: cannot open the store at {path}: {exc}", file=sys.stderr)
        message = "the SPARQL worker could not open the store"
        if memory:
            message += f" within its memory limit of {size_text(memory)} (SPARQL_MEMORY)"
        send(outbox, {"state": "failed", "message": message + "; see the server's log"})
        return
    send(outbox, {"state": "ready", "message": ""})
    while True:
        try:
            job = receive(inbox)
        except EOFError:
            return
        if job is None:
            return
        try:
            outcome = run(store, Job(**job))
        except MemoryError:
            os._exit(EXIT_MEMORY)  # the parent says why; a new worker takes this one's place
        send(outbox, asdict(outcome))


def _watch(parent: int) -> None:
    """Stop when the app that started this worker is gone, even in the middle of a query."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(1)


if __name__ == "__main__":
    threading.Thread(target=_watch, args=(os.getppid(),), daemon=True).start()
    _out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers goes to the parent's pipe
    serve(sys.argv[1], sys.stdin.buffer, _out, int(sys.argv[2]) if len(sys.argv) > 2 else 0)

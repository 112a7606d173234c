"""Run user-written SPARQL with a time limit, a result cap and a memory limit, in worker
processes, behind a bounded queue; keep the answers until the next load.

A query runs in a separate process (`python -m webapp.sparql.worker`, a fresh
interpreter that imports only pyoxigraph) that holds a read-only handle on the store
and limits its own memory. The parent waits at most the time limit for the answer; past
it, the process is killed (a thread could not be stopped). A worker that is killed, or
that dies at its memory limit, is replaced at once in the background. Who may run a
query, and how long one may wait for a worker, is the gate's (webapp.sparql.gate).

An answer depends only on the store and the job, so it is kept (webapp.cache) under the
store's generation: the same query is answered again without a worker until the next
`kg load`. Errors are not kept.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from typing import IO, Any

from webapp.cache import Answers
from webapp.sparql.gate import Gate, QueryStopped
from webapp.sparql.worker import EXIT_MEMORY, Job, Outcome, receive, send, size_text

__all__ = ["Limits", "QueryStopped", "SparqlRunner"]

START_TIMEOUT = 60.0  # seconds a new worker may take to open the store


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds per query
    cap: int = 10000  # rows or triples per answer
    workers: int = 2  # queries at once
    max_bytes: int = 16 * 1024 * 1024  # bytes per answer
    memory: int = 2 * 1024**3  # address space of a worker, bytes (0: no limit)
    queue: int = 4  # queries that may wait for a worker
    queue_wait: float = 1.0  # seconds a query may wait for one
    per_client: int = 1  # queries one remote address may have running or waiting
    cache_bytes: int = 32 * 1024 * 1024  # answers kept until the next load


class _Worker:
    """One worker process, started with the same Python and import path as the app."""

    def __init__(self, path: str, memory: int, generation: str) -> None:
        self.generation = generation
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env["RUST_BACKTRACE"] = "0"  # a failed allocation logs one line, not a backtrace
        # few malloc arenas: each reserves 64 MB of the address space the limit counts
        env.setdefault("MALLOC_ARENA_MAX", "2")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "webapp.sparql.worker", path, str(memory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.inbox: IO[bytes] = self.process.stdin
        self.outbox: IO[bytes] = self.process.stdout
        if not self.ready(START_TIMEOUT):
            self.kill()
            raise QueryStopped(503, "the SPARQL worker did not start in time", retry_after=5)
        try:
            hello = receive(self.outbox)
        except EOFError:
            self.kill()
            hint = f" within its memory limit of {size_text(memory)}" if memory else ""
            raise QueryStopped(
                503, f"the SPARQL worker could not start{hint}; see the server's log"
            ) from None
        if hello["state"] != "ready":
            self.kill()
            raise QueryStopped(503, str(hello["message"]))

    def ready(self, timeout: float) -> bool:
        """Whether an answer is waiting (at most `timeout` seconds)."""
        readable, _, _ = select.select([self.outbox], [], [], timeout)
        return bool(readable)

    def ask(self, job: Job, timeout: float) -> Outcome | None:
        """The answer, or None past the time limit."""
        send(self.inbox, asdict(job))
        if not self.ready(timeout):
            return None
        answer: dict[str, Any] = receive(self.outbox)
        return Outcome(**answer)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> int | None:
        """Stop the process; its exit status (negative: the signal that ended it)."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        for stream in (self.inbox, self.outbox):
            try:
                stream.close()
            except OSError:
                pass
        return code

    def ended(self) -> int | None:
        """The exit status of a worker whose pipe closed (it may take a moment to exit)."""
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            pass
        return self.kill()  # and close its pipes


class SparqlRunner:
    def __init__(self, path: str, limits: Limits, generation: str = "") -> None:
        self.path = path
        self.limits = limits
        self.generation = generation  # the store's marker; answers are kept under it
        self.gate = Gate(
            workers=limits.workers,
            queue=limits.queue,
            wait=limits.queue_wait,
            per_client=limits.per_client,
            timeout=limits.timeout,
        )
        self.answers = Answers(limits.cache_bytes)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = False
        self.killed = 0  # how many workers were stopped at the time limit
        self.out_of_memory = 0  # how many stopped at the memory limit
        atexit.register(self.close)

    # -- workers -----------------------------------------------------------------------

    def _start(self) -> _Worker:
        return _Worker(self.path, self.limits.memory, self.generation)

    def _take(self) -> _Worker:
        found, stale = None, []
        with self._lock:
            while self._idle and found is None:
                worker = self._idle.pop()
                if worker.generation == self.generation and worker.alive():
                    found = worker
                else:
                    stale.append(worker)
        for w in stale:
            w.kill()
        return found or self._start()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            keep = not self._closed and worker.generation == self.generation and worker.alive()
            if keep:
                self._idle.append(worker)
        if not keep:
            worker.kill()

    def _replace_soon(self) -> None:
        """Start a worker in the background, in place of one that was stopped."""

        def start() -> None:
            with self._lock:
                if self._closed or len(self._idle) >= self.limits.workers:
                    return
            try:
                self._give_back(self._start())
            except QueryStopped:
                pass  # the next query starts one, and says why if it cannot

        threading.Thread(target=start, name="sparql-worker-start", daemon=True).start()

    def warm(self, n: int = 1) -> None:
        """Start workers now (up to `n` idle), so the first queries do not wait for them."""
        for _ in range(min(n, self.limits.workers)):
            with self._lock:
                if len(self._idle) >= n:
                    return
            self._give_back(self._start())

    def renew(self, generation: str) -> None:
        """The store changed (a new load): forget the answers, and let workers open it anew
        (the idle ones now; the busy ones when their query is done)."""
        with self._lock:
            self.generation = generation
            stale, self._idle = self._idle, []
        self.answers.clear()
        for w in stale:
            w.kill()

    # -- queries -----------------------------------------------------------------------

    def run(self, job: Job, client: str | None = None) -> Outcome:
        """The answer, or QueryStopped (busy, the client's share, the time or memory
        limit, or a worker that died). `client`: the remote address (default: the
        current request's)."""
        key = (
            self.generation,
            job.query,
            job.default_graphs,
            job.named_graphs,
            job.whole_store,
            job.result_format,
            job.graph_format,
            job.cap,
            job.max_bytes,
            tuple(sorted(job.prefixes.items())),
        )
        kept = self.answers.get(key)
        if kept is not None:
            return kept  # type: ignore[no-any-return]
        with self.gate.enter(_client() if client is None else client):
            outcome = self._ask(job)
        if outcome.kind != "error":
            self.answers.put(key, outcome, len(outcome.body) + 256)
        return outcome

    def _ask(self, job: Job) -> Outcome:
        limit = self.limits.timeout
        worker = self._take()
        try:
            outcome = worker.ask(job, limit)
        except (EOFError, OSError):
            raise self._lost(worker) from None
        if outcome is None:
            worker.kill()
            self.killed += 1
            self._replace_soon()
            raise QueryStopped(
                503,
                f"the query ran past the time limit of {limit:g} s and was stopped; "
                "narrow it or add a LIMIT",
                retry_after=max(1, round(limit)),
            )
        self._give_back(worker)
        return outcome

    def _lost(self, worker: _Worker) -> QueryStopped:
        """Why a worker closed its pipe in the middle of a query."""
        code = worker.ended()
        self._replace_soon()
        if code in (EXIT_MEMORY, -signal.SIGABRT) and self.limits.memory:
            self.out_of_memory += 1
            return QueryStopped(
                422,
                f"the query needed more memory than the {size_text(self.limits.memory)} a "
                "query may use here, and was stopped; narrow it, select shorter values or "
                "add a LIMIT",
            )
        return QueryStopped(500, "the SPARQL worker stopped unexpectedly; try again")

    def state(self) -> dict[str, Any]:
        """What /-/health shows: the limits, what is running and waiting, what was
        refused or stopped, and the answers kept."""
        with self._lock:
            idle = len(self._idle)
        lim = self.limits
        return {
            "timeout_seconds": lim.timeout,
            "result_cap": lim.cap,
            "result_bytes": lim.max_bytes,
            "memory_per_worker_bytes": lim.memory,
            "workers": lim.workers,
            "workers_idle": idle,
            "queue": lim.queue,
            "queue_wait_seconds": lim.queue_wait,
            "per_client": lim.per_client,
            **self.gate.state(),
            "stopped_at_time_limit": self.killed,
            "stopped_at_memory_limit": self.out_of_memory,
            "answers_kept": self.answers.state(),
        }

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
        for w in workers:
            w.kill()


def _client() -> str:
    """The current request's remote address ("" outside a request)."""
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else ""

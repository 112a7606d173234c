"""Run user-written SPARQL with a time limit and a result cap, in worker processes.

A query runs in a separate process (`python -m webapp._sparql_worker`, a fresh
interpreter that imports only pyoxigraph) that holds a read-only handle on the store.
The parent waits at most the time limit for the answer; past it, the process is killed
(a thread could not be stopped) and a new one takes its place on the next query. At
most `workers` queries run at once; a request that finds every worker busy for the whole
time limit is told so.
"""

from __future__ import annotations

import atexit
import os
import select
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from typing import IO, Any

from webapp._sparql_worker import Job, Outcome, receive, send

START_TIMEOUT = 60.0  # seconds a new worker may take to open the store


class QueryStopped(Exception):
    """The query did not complete: the message says why; `status` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds per query
    cap: int = 10000  # rows or triples per answer
    workers: int = 2  # queries at once


class _Worker:
    """One worker process, started with the same Python and import path as the app."""

    def __init__(self, path: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "webapp._sparql_worker", path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.inbox: IO[bytes] = self.process.stdin
        self.outbox: IO[bytes] = self.process.stdout
        if not self.ready(START_TIMEOUT):
            self.kill()
            raise QueryStopped(503, "the SPARQL worker did not start in time")
        try:
            hello = receive(self.outbox)
        except EOFError:
            self.kill()
            raise QueryStopped(503, "the SPARQL worker could not start") from None
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

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5)
        for stream in (self.inbox, self.outbox):
            try:
                stream.close()
            except OSError:
                pass


class SparqlRunner:
    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self._slots = threading.BoundedSemaphore(max(1, limits.workers))
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self.killed = 0  # how many workers were stopped at the time limit
        atexit.register(self.close)

    def _take(self) -> _Worker:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return _Worker(self.path)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def warm(self) -> None:
        """Start one worker now, so the first query does not wait for it."""
        with self._lock:
            if self._idle:
                return
        self._give_back(_Worker(self.path))

    def run(self, job: Job) -> Outcome:
        """The answer, or QueryStopped (time limit, busy, or a worker that died)."""
        limit = self.limits.timeout
        if not self._slots.acquire(timeout=limit):
            raise QueryStopped(503, f"every SPARQL worker stayed busy for {limit:g} s; try again")
        try:
            worker = self._take()
            try:
                outcome = worker.ask(job, limit)
            except (EOFError, OSError):
                worker.kill()
                raise QueryStopped(500, "the SPARQL worker stopped unexpectedly") from None
            if outcome is None:
                worker.kill()
                self.killed += 1
                raise QueryStopped(
                    503,
                    f"the query ran past the time limit of {limit:g} s and was stopped; "
                    "narrow it or add a LIMIT",
                )
            self._give_back(worker)
            return outcome
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for w in workers:
            w.kill()

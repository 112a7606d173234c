"""Who may run a SPARQL query now: a bounded queue in front of the workers.

At most `workers` queries run at once and at most `queue` more wait, each for at most
`wait` seconds; one client (a remote address) may have at most `per_client` queries
running or waiting. A request past any of these bounds is refused at once (503, or 429
for the client's share) with a Retry-After, so /sparql never holds more than
`workers + queue` of the server's threads, and the pages keep the rest.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class QueryStopped(Exception):
    """The query did not complete: the message says why; `status` is the HTTP status,
    `retry_after` the seconds a client should wait before it tries again (0: not said)."""

    def __init__(self, status: int, message: str, *, retry_after: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class Gate:
    def __init__(
        self, *, workers: int, queue: int, wait: float, per_client: int, timeout: float
    ) -> None:
        self.workers = max(1, workers)
        self.queue = max(0, queue)
        self.wait = max(0.0, wait)
        self.per_client = max(1, per_client)
        self.timeout = timeout  # how long a running query may take: the client's wait
        self.running = 0
        self.waiting = 0
        self.refused = Counter[str]()  # why requests were turned away, by reason
        self._clients = Counter[str]()  # queries running or waiting, by remote address
        self._turn = threading.Condition()

    @contextmanager
    def enter(self, client: str) -> Iterator[None]:
        """Hold a worker's place for the duration of the block, or raise QueryStopped."""
        with self._turn:
            self._admit(client)
            self._clients[client] += 1
            if self.running >= self.workers:
                self.waiting += 1
                try:
                    free = self._turn.wait_for(lambda: self.running < self.workers, self.wait)
                finally:
                    self.waiting -= 1
                if not free:
                    self._leave(client)
                    self.refused["busy"] += 1
                    raise QueryStopped(
                        503,
                        f"every SPARQL worker stayed busy for {self.wait:g} s; "
                        "try again in a moment",
                        retry_after=max(1, math.ceil(self.wait)),
                    )
            self.running += 1
        try:
            yield
        finally:
            with self._turn:
                self.running -= 1
                self._leave(client)
                self._turn.notify()

    def _admit(self, client: str) -> None:
        if self._clients[client] >= self.per_client:
            self.refused["per_client"] += 1
            n = self._clients[client]
            raise QueryStopped(
                429,
                f"{n} {'query' if n == 1 else 'queries'} from your address "
                f"{'is' if n == 1 else 'are'} already running or waiting, your share of "
                f"this endpoint ({self.per_client} at once); wait for "
                f"{'it' if n == 1 else 'them'} to finish",
                retry_after=max(1, math.ceil(min(self.timeout, 10.0))),
            )
        if self.running + self.waiting >= self.workers + self.queue:
            self.refused["queue_full"] += 1
            raise QueryStopped(
                503,
                f"the SPARQL queue is full ({self.running} running, {self.waiting} waiting); "
                "try again in a moment",
                retry_after=max(1, math.ceil(self.wait)),
            )

    def _leave(self, client: str) -> None:
        self._clients[client] -= 1
        if self._clients[client] <= 0:
            del self._clients[client]

    def state(self) -> dict[str, Any]:
        with self._turn:
            return {
                "running": self.running,
                "waiting": self.waiting,
                "clients": len(self._clients),
                "refused_queue_full": self.refused["queue_full"],
                "refused_after_waiting": self.refused["busy"],
                "refused_over_client_share": self.refused["per_client"],
            }

"""Answers kept until the next load: the law changes only when `kg load` (or `kg check
--store`) writes the store, so an answer computed from the store stays right until then.

`generation(path)` is a marker of what the store folder holds: the folder itself (`kg
load` swaps in a new one) and the name, size and time of each of its files (a write in
place adds and rewrites files). Every cached answer is keyed by the marker it was
computed under, so a new load makes every older answer unreachable; `Answers` is a
thread-safe LRU bounded by entries and by bytes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Generation:
    marker: str  # changes whenever the folder's content changes
    changed: str  # when the folder last changed (UTC, ISO 8601)


def generation(path: Path) -> Generation | None:
    """The store folder's marker, or None while there is no folder (mid-swap)."""
    try:
        top = os.stat(path)
        entries = []
        latest = top.st_mtime_ns
        with os.scandir(path) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                entries.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
                latest = max(latest, st.st_mtime_ns)
    except OSError:
        return None
    digest = hashlib.sha256(
        "\n".join([f"{top.st_dev}:{top.st_ino}:{top.st_mtime_ns}", *sorted(entries)]).encode()
    ).hexdigest()
    when = datetime.fromtimestamp(latest / 1e9, UTC).isoformat(timespec="seconds")
    return Generation(digest[:16], when)


class Answers:
    """Computed answers by key, least recently used dropped first. An answer larger than
    `entry_bytes` is not kept; 0 `max_bytes` keeps nothing."""

    def __init__(self, max_bytes: int, *, entries: int = 4096, entry_bytes: int = 0) -> None:
        self.max_bytes = max(0, max_bytes)
        self.entries = entries
        self.entry_bytes = entry_bytes or max(1, self.max_bytes // 8)
        self.hits = 0
        self.misses = 0
        self._bytes = 0
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if not self.max_bytes or size > self.entry_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while self._data and (len(self._data) > self.entries or self._bytes > self.max_bytes):
                _, (_, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def state(self) -> dict[str, int]:
        with self._lock:
            return {
                "answers": len(self._data),
                "bytes": self._bytes,
                "hits": self.hits,
                "misses": self.misses,
            }

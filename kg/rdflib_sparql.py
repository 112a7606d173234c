"""rdflib's SPARQL parser (pyparsing) is not thread-safe: every parse in the project goes
through this one lock, whichever room it is in."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

PARSE_LOCK = threading.RLock()


@cache
def prepared(path: Path) -> Query:
    """A .rq file of the package, parsed once (under the lock) and kept."""
    text = path.read_text(encoding="utf-8")
    with PARSE_LOCK:
        return prepareQuery(text)

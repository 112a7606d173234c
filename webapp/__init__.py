"""The lookup page for legal staff, and the SPARQL 1.1 Protocol endpoint (`kg serve`).

`create_app(config)` opens the embedded store once (building it on first use, as `kg
load` does), loads the law once, and registers one blueprint per page family. Every
page has a JSON twin at the same path plus `.json`. Nothing a request does changes the
graph: the store is opened read-only.

Configuration (all optional):

- `STORE_DIR`: the embedded store's folder (default: `$KG_STORE`, else the documented
  default location);
- `ALLOW_RESTRICTED`: serve facts that rest only on restricted sources (default False);
- `RESTRICTED_SOURCES`: source IRIs, or `<incident>/<source>` ids, to treat as
  restricted (also `$KG_RESTRICTED_SOURCES`, comma-separated; and any source the store
  marks `akg:restricted true`);
- `SPARQL_TIMEOUT` (seconds, default 10), `SPARQL_RESULT_CAP` (rows or triples,
  default 10000), `SPARQL_RESULT_BYTES` (bytes of one answer, default 16 MB; past
  either cap the answer is 422), `SPARQL_WORKERS` (processes, default 2),
  `SPARQL_MEMORY` (address space of a worker process in bytes, default 2 GB; 0: no
  limit; a query that needs more is stopped with a 422 and the worker replaced);
- `SPARQL_QUEUE` (queries that may wait for a worker, default 4), `SPARQL_QUEUE_WAIT`
  (the longest wait, seconds, default 1), `SPARQL_PER_CLIENT` (queries one remote
  address may have running or waiting, default half the workers, at least 1): past
  them a query is refused at once, 503 (or 429) with a Retry-After;
- `SPARQL_CORS_ORIGINS` (default `*`): the origins whose scripts may read /sparql and
  /sparql.json (CORS, preflight included, never with credentials): `*` for any, a list
  of origins (or one string of them, separated by commas or spaces), or empty for none;
  no other path is ever opened to other origins;
- `PAGE_THREADS` (default 4): the server's threads kept for the pages; `kg serve` runs
  `SERVER_THREADS` threads, these plus the most /sparql may hold (`SPARQL_WORKERS +
  SPARQL_QUEUE`), so the pages and /-/health never wait behind slow queries;
- `ANSWER_CACHE_BYTES` (default 64 MB, half for pages and half for SPARQL results; 0:
  none): answers that depend only on the store (pages and their JSON twins that use no
  session, SPARQL results) are kept until the store changes (`kg load`, `kg check
  --store`), which a request notices within `STORE_CHECK_INTERVAL` seconds (default 1):
  the app then opens the new store and forgets the answers of the old one;
- `SECRET_KEY` (default `$KG_SECRET_KEY`, else random per process), and
  `MAX_CONTENT_LENGTH` (default 1 MB: the largest form or upload accepted).

This module imports nothing heavy at import time: the SPARQL worker processes import
`webapp.sparql.worker` and should not pay for Flask and the reasoner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

DEFAULTS: dict[str, Any] = {
    "STORE_DIR": None,
    "ALLOW_RESTRICTED": False,
    "RESTRICTED_SOURCES": (),
    "SPARQL_TIMEOUT": 10.0,
    "SPARQL_RESULT_CAP": 10000,
    "SPARQL_WORKERS": 2,
    "SPARQL_RESULT_BYTES": 16 * 1024 * 1024,
    "SPARQL_MEMORY": 2 * 1024**3,
    "SPARQL_QUEUE": 4,
    "SPARQL_QUEUE_WAIT": 1.0,
    "SPARQL_PER_CLIENT": None,
    "SPARQL_CORS_ORIGINS": "*",
    "PAGE_THREADS": 4,
    "ANSWER_CACHE_BYTES": 64 * 1024 * 1024,
    "STORE_CHECK_INTERVAL": 1.0,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "JSON_SORT_KEYS": False,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The web app: the graph loaded once, one blueprint per page family."""
    import os
    import secrets

    from flask import Flask

    from webapp.http import hooks
    from webapp.services import Services
    from webapp.views import (
        agencies,
        amend,
        check,
        glossary,
        home,
        incidents,
        provisions,
        query,
        resources,
        sparql,
        system,
        who,
    )

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config["SECRET_KEY"] = os.environ.get("KG_SECRET_KEY") or secrets.token_hex(32)
    if os.environ.get("KG_RESTRICTED_SOURCES"):
        app.config["RESTRICTED_SOURCES"] = tuple(
            s.strip() for s in os.environ["KG_RESTRICTED_SOURCES"].split(",") if s.strip()
        )
    app.config.update(dict(config or {}))
    app.config["SERVER_THREADS"] = (
        int(app.config["PAGE_THREADS"])
        + int(app.config["SPARQL_WORKERS"])
        + int(app.config["SPARQL_QUEUE"])
    )
    app.extensions["kg"] = Services.start(app.config)
    hooks.install(app)
    for module in (
        home,
        who,
        provisions,
        agencies,
        incidents,
        check,
        glossary,
        amend,
        query,
        sparql,
        system,
        resources,
    ):
        app.register_blueprint(module.bp)
    return app

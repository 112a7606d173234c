"""System pages under /-/: health (the state of the store and of the SPARQL workers, no
paths) and version."""

from __future__ import annotations

import logging
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint

from webapp.http.pages import page
from webapp.services import services

bp = Blueprint("system", __name__)
log = logging.getLogger(__name__)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


@page(bp, "/-/health", "system.html")
def health() -> Any:
    """The state of the store and of the SPARQL workers; no path, no message of an
    exception (those go to the server's log). It never waits for /sparql: it asks the
    app's own read-only handle, and the gate's counts are read under a short lock."""
    s = services()
    try:
        graphs = len(s.rows("incidents")) >= 0 and len(s.graphs)
        ok = True
        detail = "the store answers queries"
    except Exception:  # noqa: BLE001 - any failure is what health reports
        log.exception("health: the store does not answer")
        graphs, ok, detail = 0, False, "the store does not answer (the server's log says why)"
    data = {
        "title": "Health",
        "status": "ok" if ok else "failing",
        "detail": detail,
        "store": {
            "state": "open, read-only" if ok else "not answering",
            "generation": s.generation.marker if s.generation else "",
            "changed": s.generation.changed if s.generation else "",
            "named_graphs_served": graphs,
            "named_graphs_withheld": len(s.restricted.graphs),
            "answers_kept": s.answers.state(),
        },
        "sparql": s.runner.state(),
        "restricted_sources_allowed": s.allow_restricted,
    }
    return data if ok else (data, 503)


@page(bp, "/-/version", "system.html")
def about() -> dict[str, Any]:
    s = services()
    return {
        "title": "Version",
        "status": "ok",
        "detail": f"authority-kg {s.ctx.header.version}",
        "components": {
            "authority-kg": s.ctx.header.version,
            "law_current_to": s.ctx.header.law_current_to,
            "python": platform.python_version(),
            "flask": _version("flask"),
            "pyoxigraph": _version("pyoxigraph"),
            "rdflib": _version("rdflib"),
            "pyshacl": _version("pyshacl"),
            "waitress": _version("waitress"),
        },
    }

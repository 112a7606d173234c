"""System pages under /-/: health (the store answers, the SPARQL workers) and version."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint

from webapp.pages import page
from webapp.services import services

bp = Blueprint("system", __name__)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


@page(bp, "/-/health", "system.html")
def health() -> Any:
    s = services()
    try:
        graphs = len(s.rows("incidents")) >= 0 and len(s.graphs)
        ok = True
        detail = "the store answers queries"
    except Exception as exc:  # noqa: BLE001 - any failure is what health reports
        graphs, ok, detail = 0, False, f"the store does not answer: {exc}"
    data = {
        "title": "Health",
        "status": "ok" if ok else "failing",
        "detail": detail,
        "store": {
            "path": str(s.path),
            "named_graphs_served": graphs,
            "named_graphs_withheld": len(s.restricted.graphs),
        },
        "sparql": {
            "timeout_seconds": s.runner.limits.timeout,
            "result_cap": s.runner.limits.cap,
            "workers": s.runner.limits.workers,
            "stopped_at_time_limit": s.runner.killed,
        },
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

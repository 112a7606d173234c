"""A page and its JSON twin: `page(bp, rule, template)` registers a view at `rule` and at
`rule + ".json"`. The view returns a dict of plain data (or a Response); the HTML page
renders that dict with the template, and the JSON twin is that same dict, with the
version, the date the law was last checked and the notice added. Views with a path in
their rule (`/law/<path:rest>`) get their twin by the same suffix: `twin()` says which
was asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, render_template, request

from kg.results import NOTICE
from kg.version import __version__
from webapp.services import services

View = Callable[..., Any]


def twin() -> bool:
    """True when the JSON twin of the page was asked for."""
    return request.path.endswith(".json")


def wants_json() -> bool:
    """True when the client asked for JSON: the twin, or an Accept whose first choice is
    JSON (application/json, or any +json type such as SPARQL results)."""
    if twin():
        return True
    best = request.accept_mimetypes.best or ""
    return best == "application/json" or best.endswith("+json")


def header() -> dict[str, Any]:
    return {
        "version": __version__,
        "law_current_to": services().ctx.header.law_current_to,
        "notice": NOTICE,
    }


def as_json(data: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps({**header(), **data}, ensure_ascii=False, indent=2, default=str)
    return Response(body + "\n", status=status, mimetype="application/json")


def respond(template: str, data: dict[str, Any], status: int = 200) -> Response:
    if twin():
        return as_json(data, status)
    return Response(render_template(template, **data), status=status, mimetype="text/html")


def page(bp: Blueprint, rule: str, template: str, **options: Any) -> Callable[[View], View]:
    """Register a page and its JSON twin (`rule.json`)."""

    def deco(fn: View) -> View:
        @wraps(fn)
        def view(**kwargs: Any) -> Response:
            data = fn(**kwargs)
            if isinstance(data, Response):
                return data
            if isinstance(data, tuple):  # (data, HTTP status)
                return respond(template, data[0], data[1])
            return respond(template, data)

        bp.add_url_rule(rule, fn.__name__, view, **options)
        if not rule.endswith(">"):
            twin_rule = "/index.json" if rule == "/" else rule.rstrip("/") + ".json"
            bp.add_url_rule(twin_rule, fn.__name__ + "_json", view, **options)
        return view

    return deco

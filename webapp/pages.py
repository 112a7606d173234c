"""What every page shares: the JSON twin, CSRF tokens, safety headers and error pages.

`page(bp, rule, template)` registers a view at `rule` and at `rule + ".json"`. The view
returns a dict of plain data (or a Response); the HTML page renders that dict with the
template, and the JSON twin is that same dict, with the version, the date the law was
last checked and the notice added. Views with a path in their rule (`/law/<path:rest>`)
get their twin by the same suffix: `twin()` says which was asked for.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request, session
from werkzeug.exceptions import HTTPException

from kg.results import NOTICE
from kg.version import __version__
from webapp.links import global_iri
from webapp.services import services

View = Callable[..., Any]
CSRF_EXEMPT = {"sparql.endpoint"}


def twin() -> bool:
    """True when the JSON twin of the page was asked for."""
    return request.path.endswith(".json")


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


# -- CSRF: a random token in the signed session, echoed by every POST form ----------------


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _check_csrf() -> None:
    if request.method != "POST" or request.endpoint in CSRF_EXEMPT:
        return
    if request.mimetype == "application/json":
        return  # a cross-site page cannot send this type without a preflight we never allow
    sent = request.form.get("csrf_token", "")
    known = session.get("csrf")
    if not isinstance(known, str) or not hmac.compare_digest(sent, known):
        abort(400, "the form's security token is missing or out of date; reload the page")


def _headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.vary.add("Accept")  # resource pages answer HTML, Turtle or JSON-LD by Accept
    return response


def _error(exc: HTTPException) -> Response:
    code = exc.code or 500
    detail = exc.description or exc.name
    if code == 413:
        limit = services_limit()
        detail = f"the upload or form is larger than the limit of {limit}; send a smaller file"
    data = {"error": {"status": code, "title": exc.name, "detail": detail}}
    if twin() or request.accept_mimetypes.best == "application/json":
        return as_json(data, code)
    return Response(render_template("error.html", **data), status=code, mimetype="text/html")


def services_limit() -> str:
    from flask import current_app

    size = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    return f"{size // 1024} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):g} MB"


def install(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _error)
    app.jinja_env.filters["iri"] = global_iri

    @app.context_processor
    def _shared() -> dict[str, Any]:
        return {**header(), "csrf_token": csrf_token, "restricted_on": not _allowing()}


def _allowing() -> bool:
    s = services()
    return s.allow_restricted or not s.restricted.sources

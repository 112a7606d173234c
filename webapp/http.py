"""What every page shares: the JSON twin, CSRF tokens, safety and caching headers, error
pages, and the answers kept until the next load.

`page(bp, rule, template)` registers a view at `rule` and at `rule + ".json"`. The view
returns a dict of plain data (or a Response); the HTML page renders that dict with the
template, and the JSON twin is that same dict, with the version, the date the law was
last checked and the notice added. Views with a path in their rule (`/law/<path:rest>`)
get their twin by the same suffix: `twin()` says which was asked for.

Every request first looks whether the store changed (`Services.refresh`). A GET whose
answer depends only on the store, the law and the request (not on the session: no form
with a CSRF token) is kept, under the store's generation, and served again until the
store changes; /-/ pages and /sparql (which keeps its results itself) are not.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, cast

from flask import Blueprint, Flask, Response, abort, g, render_template, request, session
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from kg.results import NOTICE
from kg.version import __version__
from webapp.links import global_iri
from webapp.services import services

View = Callable[..., Any]
CSRF_EXEMPT = {"sparql.endpoint"}
NOT_KEPT = {"system", "sparql"}  # blueprints whose answers are never kept (nor static files)
KEPT_ENDPOINTS = {"sparql.endpoint_json"}  # ...except these
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


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


# -- CSRF: a random token in the signed session, echoed by every POST form ----------------


def session_used() -> bool:
    """Whether this request read or wrote the session (then its answer is this client's
    own: never kept, never shared). Looked up without touching the session, which
    Flask would count as a use."""
    if g.get("session_used"):
        return True
    ctx = cast(Any, request_ctx)._get_current_object()  # the context, not the proxy
    # Flask >= 3.1.3 keeps the session in `_session` (its `session` marks it used);
    # before, `session` was a plain attribute
    opened = ctx._session if hasattr(ctx, "_session") else getattr(ctx, "session", None)
    return bool(getattr(opened, "accessed", False))


def csrf_token() -> str:
    g.session_used = True
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
    response.headers.setdefault("Permissions-Policy", PERMISSIONS)
    if "Cache-Control" not in response.headers:
        # an answer of the store may be kept by a browser, which asks again each time;
        # errors, POST answers, system pages and anything tied to the session may not
        shared = (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and request.blueprint != "system"
            and not session_used()
        )
        response.headers["Cache-Control"] = "no-cache" if shared else "no-store"
    response.vary.add("Accept")  # resource pages answer HTML, Turtle or JSON-LD by Accept
    return response


def error_response(code: int, title: str, detail: str) -> Response:
    """An error as JSON when the client asked for JSON, else as a page."""
    data = {"error": {"status": code, "title": title, "detail": detail}}
    if wants_json():
        return as_json(data, code)
    return Response(render_template("error.html", **data), status=code, mimetype="text/html")


def _error(exc: HTTPException) -> Response:
    code = exc.code or 500
    detail = exc.description or exc.name
    if code == 413:
        limit = services_limit()
        what = "query" if request.blueprint == "sparql" else "upload or form"
        fix = "send a shorter query" if what == "query" else "send a smaller file"
        detail = f"the {what} is larger than the limit of {limit}; {fix}"
    return error_response(code, exc.name, detail)


# -- answers kept until the next load --------------------------------------------------------


def _key() -> tuple[Any, ...] | None:
    """The key of this request's answer, or None when it is not one to keep."""
    if request.method != "GET":
        return None
    if request.endpoint == "static" or (
        request.blueprint in NOT_KEPT and request.endpoint not in KEPT_ENDPOINTS
    ):
        return None
    s = services()
    marker = s.generation.marker if s.generation else ""
    return (
        marker,
        request.host_url,
        request.full_path,
        request.headers.get("Accept", ""),
        date.today().isoformat(),  # a page may default to "today"
    )


def _serve_kept() -> Response | None:
    s = services()
    s.refresh()
    key = _key()
    if key is None:
        return None
    kept = s.answers.get(key)
    if kept is not None:
        status, headers, body = kept
        return Response(body, status=status, headers=headers)
    g.answer_key = key
    return None


def _keep(response: Response) -> Response:
    key = g.pop("answer_key", None)
    if (
        key is None
        or response.status_code != 200
        or session_used()
        or response.direct_passthrough
        or response.is_streamed
        or "Set-Cookie" in response.headers
    ):
        return response
    body = response.get_data()
    headers = list(response.headers.items())
    services().answers.put(key, (200, headers, body), len(body) + 512)
    return response


def services_limit() -> str:
    from flask import current_app

    size = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    return f"{size // 1024} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):g} MB"


def install(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.before_request(_serve_kept)
    app.after_request(_keep)  # after_request functions run last-registered first:
    app.after_request(_headers)  # _keep sees the headers _headers set
    app.register_error_handler(HTTPException, _error)
    app.jinja_env.filters["iri"] = global_iri

    @app.context_processor
    def _shared() -> dict[str, Any]:
        return {**header(), "csrf_token": csrf_token, "restricted_on": not _allowing()}


def _allowing() -> bool:
    s = services()
    return s.allow_restricted or not s.restricted.sources

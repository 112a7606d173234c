"""What every request goes through, registered by `install(app)`: the CSRF check, kept
answers, safety and caching headers, and error pages (JSON for a client that asked for
JSON)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from webapp.http.csrf import check_csrf, csrf_token, session_used
from webapp.http.kept import keep, serve_kept
from webapp.http.pages import as_json, header, wants_json
from webapp.links import global_iri
from webapp.services import services

PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# The SPARQL editor on /sparql (YASGUI, vendored in static/vendor/yasgui) sets inline
# styles (style attributes, and a <style> element for resizable table columns): that
# page alone may use them. Scripts and every other directive stay as strict.
CSP_INLINE_STYLES = CSP.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';")
INLINE_STYLE_PATHS = frozenset({"/sparql"})


def _headers(response: Response) -> Response:
    inline = request.path in INLINE_STYLE_PATHS
    response.headers.setdefault("Content-Security-Policy", CSP_INLINE_STYLES if inline else CSP)
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


def services_limit() -> str:
    from flask import current_app

    size = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
    return f"{size // 1024} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):g} MB"


def install(app: Flask) -> None:
    app.before_request(check_csrf)
    app.before_request(serve_kept)
    app.after_request(keep)  # after_request functions run last-registered first:
    app.after_request(_headers)  # keep sees the headers _headers set
    app.register_error_handler(HTTPException, _error)
    app.jinja_env.filters["iri"] = global_iri

    @app.context_processor
    def _shared() -> dict[str, Any]:
        return {**header(), "csrf_token": csrf_token, "restricted_on": not _allowing()}


def _allowing() -> bool:
    s = services()
    return s.allow_restricted or not s.restricted.sources

"""Answers kept until the next load. Every request first looks whether the store changed
(`Services.refresh`). A GET whose answer depends only on the store, the law and the
request (not on the session: no form with a CSRF token) is kept, under the store's
generation, and served again until the store changes; /-/ pages and /sparql (which keeps
its results itself) are not.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, g, request

from webapp.http.csrf import session_used
from webapp.services import services

NOT_KEPT = {"system", "sparql"}  # blueprints whose answers are never kept (nor static files)


KEPT_ENDPOINTS = {"sparql.endpoint_json"}  # ...except these


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


def serve_kept() -> Response | None:
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


def keep(response: Response) -> Response:
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

"""CSRF: a random token in the signed session, echoed by every POST form; and whether a
request used the session (its answer is then this client's own)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any, cast

from flask import abort, g, request, session
from flask.globals import request_ctx

CSRF_EXEMPT = {"sparql.endpoint"}


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


def check_csrf() -> None:
    if request.method != "POST" or request.endpoint in CSRF_EXEMPT:
        return
    if request.mimetype == "application/json":
        return  # a cross-site page cannot send this type without a preflight we never allow
    sent = request.form.get("csrf_token", "")
    known = session.get("csrf")
    if not isinstance(known, str) or not hmac.compare_digest(sent, known):
        abort(400, "the form's security token is missing or out of date; reload the page")

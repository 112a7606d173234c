"""Provisions: the law's index, and one page per provision (citation, paraphrase,
official text, versions over time, norms and exceptions, readings and who holds them,
open questions, amendments that touch it, incidents where it decided something). Other
resources under /law/ (norms, grants, readings, questions) get the generic page.

A provision page takes `?as_of=YYYY-MM-DD` (the provision as it stood that day) and
`?compare=v1,v2` (a redline of two of its versions); a bad value is answered 400 with
the page, the field named and how to fix it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from kg.errors import InputError
from webapp.data import provisions as lookup
from webapp.data.provision_versions import valid_day
from webapp.http.pages import page, respond
from webapp.links import iri_of
from webapp.services import services
from webapp.views import resources

bp = Blueprint("provisions", __name__)


@page(bp, "/law", "law.html")
def index() -> dict[str, Any]:
    return lookup.law_index(services())


@bp.route("/law/<path:rest>")
def provision(rest: str) -> Response:
    path, explicit = resources.split(rest)
    iri = iri_of("law/" + path)
    fmt = resources.wanted(explicit)
    if fmt:
        return resources.rdf(iri, fmt)
    s = services()
    if not lookup.provision_exists(s, iri):
        return resources.describe_page(iri)
    as_of = request.args.get("as_of", "").strip()
    compare = request.args.get("compare", "").strip()
    day = None
    try:
        day = valid_day(as_of, "as_of") if as_of else None
        return respond("provision.html", lookup.provision(s, iri, as_of=day, compare=compare))
    except InputError as err:
        data = lookup.provision(s, iri, as_of=day)
        data["error"] = {"message": f"{err.field}: {err.problem}. Fix: {err.fix}.", **_asked(err)}
        return respond("provision.html", data, 400)


def _asked(err: InputError) -> dict[str, Any]:
    """The field at fault and the value given for it (cut to 40 characters)."""
    field = err.field or ""
    return {"field": field, "value": request.args.get(field, "")[:40]}

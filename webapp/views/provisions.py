"""Provisions: the law's index, and one page per provision (citation, paraphrase,
official text, versions over time, norms and exceptions, readings and who holds them,
open questions, amendments that touch it, incidents where it decided something). Other
resources under /law/ (norms, grants, readings, questions) get the generic page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from webapp.data import provisions as lookup
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
    return respond("provision.html", lookup.provision(s, iri))

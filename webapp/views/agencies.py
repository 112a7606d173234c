"""Agencies: each with its powers and the provisions that grant them, the norms that
bind it (what it may not do), and its relations with other agencies as a drawn graph."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort

from webapp.data import agencies as agency_data
from webapp.http.pages import page, respond
from webapp.links import iri_of
from webapp.services import services
from webapp.views import resources

bp = Blueprint("agencies", __name__)


@page(bp, "/agency", "agencies.html")
def index() -> dict[str, Any]:
    s = services()
    return {"agencies": agency_data.agencies(s), **agency_data.network(s)}


@bp.route("/agency/<path:rest>")
def agency(rest: str) -> Response:
    code, explicit = resources.split(rest)
    fmt = resources.wanted(explicit)
    if fmt:
        return resources.rdf(iri_of("agency/" + code), fmt)
    s = services()
    if not agency_data.exists(s, code):
        abort(404, f"there is no agency with the code '{code}'; see the list at /agency")
    return respond("agency.html", agency_data.agency(s, code))

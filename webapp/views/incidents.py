"""Incidents: the list, and one page per incident. Items of an incident
(/incident/<id>/<item>) get the generic resource page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from webapp.data import incidents as incident_data
from webapp.http.pages import page, respond
from webapp.links import iri_of
from webapp.services import services
from webapp.views import resources

bp = Blueprint("incidents", __name__)


@page(bp, "/incident", "incidents.html")
def index() -> dict[str, Any]:
    return {"incidents": incident_data.incidents(services())}


@bp.route("/incident/<path:rest>")
def incident(rest: str) -> Response:
    path, explicit = resources.split(rest)
    fmt = resources.wanted(explicit)
    if fmt:
        return resources.rdf(iri_of("incident/" + path), fmt)
    if "/" in path:
        return resources.describe_page(iri_of("incident/" + path))
    try:
        data = incident_data.incident(services(), path)
    except KeyError:
        return resources.describe_page(iri_of("incident/" + path))
    return respond("incident.html", data)

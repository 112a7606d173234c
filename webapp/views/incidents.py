"""Incidents: the list (a timeline by year and month, with filters), and one page per
incident. Items of an incident (/incident/<id>/<item>) get the generic resource page.

The list takes `from`, `to` (YYYY-MM-DD), `agency`, `provision`, `verdict`, `disputed`
(yes, no) and `order` (newest, oldest) as GET parameters, its JSON twin the same; a bad
value is answered 400 with the form, the field named and how to fix it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from webapp.data import incident_list
from webapp.data import incidents as incident_data
from webapp.http.pages import page, respond, twin
from webapp.links import iri_of
from webapp.services import services
from webapp.views import resources

bp = Blueprint("incidents", __name__)


Page = dict[str, Any] | tuple[dict[str, Any], int]


def _list() -> Page:
    s = services()
    filters, problems = incident_list.parse(s, request.args)
    data: dict[str, Any] = {
        "filters": filters.to_json(),
        "filtered": filters.any(),
        "options": incident_list.options(s),
        "errors": problems,
        "error": problems[0] if problems else None,
    }
    if not problems:
        data.update(incident_list.listing(s, filters))
    if not twin():  # what only the page needs: the timeline, each bad field, the toggle
        data = {
            **data,
            "timeline": incident_list.timeline(data.get("incidents", [])),
            "bad": {p["field"]: p for p in problems},
            "order_args": {k: v for k, v in filters.to_json().items() if v and k != "order"},
        }
    return (data, 400) if problems else data


@page(bp, "/incidents", "incidents.html")
def index() -> Page:
    return _list()


@page(bp, "/incident", "incidents.html")
def index_at_incident() -> Page:
    """The incidents' own path (/incident/<id> is one of them) shows the list too."""
    return _list()


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

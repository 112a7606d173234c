"""Agencies: each with its grants of power and its other powers and the provisions that
give them, the norms that bind it (what it may not do), its relations with other agencies
as a drawn graph, and two agencies compared over the competence matrix."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from webapp.data import agencies as agency_data
from webapp.data import agency_compare
from webapp.http.pages import page, respond
from webapp.links import iri_of
from webapp.services import services
from webapp.views import resources

bp = Blueprint("agencies", __name__)


@page(bp, "/agency", "agencies.html")
def index() -> dict[str, Any]:
    s = services()
    return {"agencies": agency_data.agencies(s), **agency_data.network(s)}


@bp.route("/agencies")
def agencies() -> Response:
    return redirect(url_for("agencies.index"), 301)  # type: ignore[return-value]


@page(bp, "/agencies/compare", "agency_compare.html")
def compare() -> dict[str, Any] | tuple[dict[str, Any], int]:
    s = services()
    args = request.args
    a, b = args.get("a", "").strip(), args.get("b", "").strip()
    date = args.get("date", "").strip()
    data: dict[str, Any] = {
        "question": {"a": a, "b": b, "date": date or s.ctx.header.law_current_to},
        "options": agency_data.names(s),
        "result": None,
        "error": None,
    }
    if not (a or b):
        return data
    try:
        a, b, date = agency_compare.question(s, a, b, date)
    except agency_compare.CompareError as err:
        data["error"] = {"message": str(err), "field": err.field}
        return data, 400
    data["result"] = agency_compare.compare(s, a, b, date)
    return data


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

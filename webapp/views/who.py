"""Who investigates? A form (allegation, respondent, date, optional amendments) whose
answer is a sentence, with the provisions, the readings where contested, and what an
amendment would change."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, request
from rdflib import Literal
from rdflib.namespace import XSD

from kg.errors import InputError
from kg.store import queries
from kg.store.sparql import bind_values
from webapp import rq
from webapp.data import provisions as lookup
from webapp.data import who as answers
from webapp.http.pages import page
from webapp.services import services

bp = Blueprint("who", __name__)


def sparql_link(allegation: str, respondent: str, date: str) -> str:
    """The same question as SPARQL: the saved query where there is one."""
    if "who-may-investigate" in queries.catalog():
        params = {"allegation": allegation, "respondent": respondent, "date": date}
        return "/query/who-may-investigate?" + urlencode(params)
    codes = services().ctx.codes
    text = bind_values(
        rq.text("who-matrix"),
        {
            "allegation": codes.iri("allegation", allegation),
            "respondent": codes.iri("respondent", respondent),
            "date": Literal(date, datatype=XSD.date),
        },
    )
    return "/query?" + urlencode({"sparql": text})


@page(bp, "/who", "who.html")
def ask() -> dict[str, Any] | tuple[dict[str, Any], int]:
    s = services()
    args = request.args
    allegation = args.get("allegation", "")
    respondent = args.get("respondent", "")
    date = args.get("date", "")
    chosen = tuple(dict.fromkeys(a for a in args.getlist("amend") if a))
    data: dict[str, Any] = {
        "question": {
            "allegation": allegation,
            "respondent": respondent,
            "date": date,
            "amendments": list(chosen),
        },
        "options": {
            "allegation": answers.code_names(s, "allegation"),
            "respondent": answers.code_names(s, "respondent"),
            "amendments": [
                {"id": a["id"], "label": a["label"], "status": a["status"]}
                for a in lookup.proposals(s)
            ],
        },
        "today": datetime.date.today().isoformat(),
        "result": None,
        "error": None,
    }
    if allegation and respondent and date:
        try:
            data["result"] = answers.page(s, allegation, respondent, date, chosen)
            data["sparql"] = sparql_link(allegation, respondent, date)
        except InputError as err:
            data["error"] = {"message": str(err), "field": err.field or ""}
            return data, 400
    return data

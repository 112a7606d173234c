"""Home: one search box, and the questions legal staff ask as entry points."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, request

from kg.law import citation
from webapp.data import provisions as lookup
from webapp.http.pages import page
from webapp.services import services

bp = Blueprint("home", __name__)

# Questions asked often: (allegation, respondent kind, in words).
COMMON = (
    ("welcoming-city-violation", "CPD:officer", "A Welcoming City complaint against a CPD officer"),
    (
        "welcoming-city-violation",
        "OEMC:dispatcher",
        "A Welcoming City complaint against an OEMC dispatcher",
    ),
    ("excessive-force", "CPD:officer", "Excessive force by a CPD officer"),
    ("firearm-discharge", "CPD:officer", "A firearm discharge by a CPD officer"),
    (
        "improper-search-or-seizure",
        "CPD:supervisor",
        "An improper search or seizure by a CPD supervisor",
    ),
    ("misconduct-other", "CITY-DEPT:employee", "Other misconduct by a City employee"),
)


def common_questions() -> list[dict[str, str]]:
    return [
        {
            "allegation": a,
            "respondent": r,
            "text": text,
            "url": "/who?" + urlencode({"allegation": a, "respondent": r}),
        }
        for a, r, text in COMMON
    ]


@page(bp, "/", "home.html")
def index() -> dict[str, Any]:
    s = services()
    return {
        "questions": common_questions(),
        "incidents": [
            {
                "id": r["incidentId"],
                "title": r.get("title", ""),
                "date": r.get("date", ""),
                "url": f"/incident/{r['incidentId']}",
            }
            for r in s.rows("incidents")
        ],
        "amendments": lookup.amendments(s),
    }


@page(bp, "/search", "search.html")
def search() -> dict[str, Any]:
    """Search; a Municipal Code citation however written is also read as the graph writes
    it (`read_as`), so `Sec. 2-173-20 (A)(6)` finds 2-173-020(a)(6)."""
    q = request.args.get("q", "")[:200]
    hits = lookup.search(services(), q)
    read_as = citation.canonical(q) or ""
    return {
        "q": q,
        "read_as": read_as if read_as != q.strip() else "",
        "hits": hits,
        "count": len(hits),
    }

"""Amendment sandbox: pick amendments of the graph (or upload a draft .ttl) and see what
changes: the competence matrix before and after, with the changed cells marked, and
every finding or competence answer of the incidents that flips, with its cause.

Known amendments are asked for by GET (/amend?amend=copa-wco-jurisdiction&as_of=...),
so the answer has a URL to cite; an upload is a POST with the form's CSRF token. An
amendment already law is not offered as one that "would be" law: it is listed apart, each
with a link that replays it on the last day before it took effect.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from flask import Blueprint, request

from kg import api
from kg.decide.impact import ImpactReport
from kg.errors import InputError
from kg.law import amend as kg_amend
from kg.report import impact as render_impact
from webapp.data import provisions as lookup
from webapp.data.who import code_names
from webapp.http.pages import page
from webapp.services import Services, services

bp = Blueprint("amend", __name__)


def _state(state: dict[str, Any] | None) -> str:
    if state is None:
        return "—"
    names = ", ".join(
        a["agency"] + (f" (reading {', '.join(a['readings'])})" if a.get("readings") else "")
        for a in state["agencies"]
    )
    return f"{state['status']}: {names or 'no agency'}"


def view(s: Services, report: ImpactReport, clause_labels: dict[str, str]) -> dict[str, Any]:
    allegations = s.ctx.codes.notations("allegation")
    respondents = s.ctx.codes.notations("respondent")
    cells = {(m["allegation"], m["respondent"]): m for m in report.matrix}
    grid = []
    for allegation in allegations:
        row: list[dict[str, Any] | None] = []
        for respondent in respondents:
            m = cells.get((allegation, respondent))
            if m is None:
                row.append(None)
                continue
            row.append(
                {
                    "before": m["before"]["status"],
                    "after": m["after"]["status"],
                    "changed": m["changed"],
                    "before_text": _state(m["before"]),
                    "after_text": _state(m["after"]),
                }
            )
        grid.append({"allegation": allegation, "cells": row})
    changes = []
    for raw, shown in zip(report.changes, render_impact.rows(report), strict=True):
        changes.append(
            {
                **shown,
                "kind": raw["kind"],
                "incident_url": f"/incident/{raw['incident']}",
                "because": [
                    {"clause": c, "label": clause_labels.get(c, "")} for c in raw["because"]
                ],
            }
        )
    changed_rows = [
        {
            "allegation": m["allegation"],
            "respondent": m["respondent"],
            "before": _state(m["before"]),
            "after": _state(m["after"]),
            "because": [
                {"clause": c, "label": clause_labels.get(c, "")} for c in m.get("because", [])
            ],
        }
        for m in report.matrix
        if m["changed"]
    ]
    return {
        "impact": report.to_json(),
        "summary": render_impact.summary(report),
        "respondents": respondents,
        "respondent_names": code_names(s, "respondent"),
        "allegation_names": code_names(s, "allegation"),
        "grid": grid,
        "changes": changes,
        "changed_rows": changed_rows,
        "flags": report.flags,
        "warnings": [w.to_json() for w in report.warnings],
    }


def _labels(amendments: tuple[kg_amend.Amendment, ...]) -> dict[str, str]:
    out = {}
    for a in amendments:
        out.update({a.clause_id(c): c.label for c in a.changes})
    return out


def _upload(s: Services, chosen: tuple[str, ...], as_of: str) -> dict[str, Any]:
    """A drafter's own amendment: read from the upload in memory, never from a path."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InputError(
            "file", "no file was uploaded", "choose a .ttl amendment file", field="file"
        )
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(upload.filename).name)[:100]
    if not name.endswith(".ttl"):
        raise InputError(
            name,
            "an amendment is a Turtle file",
            "upload a .ttl file (start from docs/amendment-template.ttl)",
            field="file",
        )
    drafted = kg_amend.read_bytes(upload.read(), name)
    report = s.impact(chosen, as_of, upload=drafted)
    return view(s, report, _labels((*s.amendments(chosen), drafted)))


@page(bp, "/amend", "amend.html", methods=["GET", "POST"])
def sandbox() -> Any:
    s = services()
    source = request.form if request.method == "POST" else request.args
    chosen = tuple(dict.fromkeys(a for a in source.getlist("amend") if a))
    as_of = source.get("as_of", "").strip()
    known = lookup.amendments(s)
    data: dict[str, Any] = {
        "options": [a for a in known if not a["passed"]],
        "already_law": [a for a in known if a["passed"]],
        "chosen": list(chosen),
        "as_of": as_of or datetime.date.today().isoformat(),
        "result": None,
        "error": None,
        "uploaded": "",
    }
    if request.method == "GET" and not chosen:
        return data
    try:
        day = api.valid_date(data["as_of"], "as_of")
        if request.method == "POST":
            data["result"] = _upload(s, chosen, day)
            data["uploaded"] = data["result"]["impact"]["amendments"][-1]
        else:
            data["result"] = view(s, s.impact(chosen, day), _labels(s.amendments(chosen)))
    except InputError as err:
        data["error"] = {"message": str(err), "field": err.field or ""}
        return data, 400
    return data

"""Two agencies side by side: for each allegation and kind of respondent, which of them may
investigate on a date, read from the competence matrix that `kg load` stores (the same
answers as /who), marking where both may (overlap), where a reading of the law decides
(contested), and where neither may (a gap, another agency, or not known).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from webapp.data.agencies import code_of, names
from webapp.data.who import STATUS, code_names
from webapp.services import Services

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# what a cell says, in words, by its kind (the JSON keeps the kind)
WORDS = {
    "both": "Both (overlap)",
    "a": "{a} only",
    "b": "{b} only",
    "contested": "Contested",
    "other": "Neither: {others}",
    "gap": "Neither: no agency (gap)",
    "unknown": "Not known",
}


class CompareError(ValueError):
    """A question the comparison cannot answer: which field, and why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass
class _Cell:
    status: str = ""
    grants: dict[str, dict[str, set[str]]] = field(
        default_factory=dict
    )  # agency -> grant -> readings


def question(s: Services, a: str, b: str, date: str) -> tuple[str, str, str]:
    """The question checked: two different agencies of the code list and a real date."""
    known = names(s)
    for name, code in (("a", a), ("b", b)):
        if code not in known:
            raise CompareError(name, f"there is no agency with the code '{code}'; choose one")
    if a == b:
        raise CompareError("b", "choose two different agencies to compare")
    date = date or s.ctx.header.law_current_to
    try:
        if not DATE.fullmatch(date):
            raise ValueError(date)
        datetime.date.fromisoformat(date)
    except ValueError:
        raise CompareError("date", f"'{date}' is not a date: write it as YYYY-MM-DD") from None
    return a, b, date


def _cells(s: Services, date: str) -> dict[tuple[str, str], _Cell]:
    codes, info = s.ctx.codes, s.ctx.info
    out: dict[tuple[str, str], _Cell] = {}
    for r in s.rows("agency-matrix", date=Literal(date, datatype=XSD.date)):
        key = (codes.notation(URIRef(r["allegation"])), codes.notation(URIRef(r["respondent"])))
        cell = out.setdefault(key, _Cell(STATUS.get(r["status"], "")))
        if r.get("agency"):
            grants = cell.grants.setdefault(code_of(r["agency"]), {})
            readings = grants.setdefault(r["grant"], set())
            if r.get("reading"):
                readings.add(info.reading_id(URIRef(r["reading"])))
    return out


def _holds(cell: _Cell, agency: str) -> tuple[bool, list[str]]:
    """(holds the power under every reading, the readings under which it does otherwise)."""
    grants = cell.grants.get(agency, {})
    if any(not readings for readings in grants.values()):
        return True, []
    return False, sorted({r for readings in grants.values() for r in readings})


def verdict(cell: _Cell, a: str, b: str) -> dict[str, Any]:
    a_all, a_readings = _holds(cell, a)
    b_all, b_readings = _holds(cell, b)
    has_a, has_b = a_all or bool(a_readings), b_all or bool(b_readings)
    if has_a and has_b:
        kind = "both" if a_all and b_all else "contested"
    elif has_a:
        kind = "a" if a_all else "contested"
    elif has_b:
        kind = "b" if b_all else "contested"
    elif cell.status == "gap":
        kind = "gap"
    elif cell.status == "undetermined" or not cell.status:
        kind = "unknown"
    else:
        kind = "other"
    others = sorted(set(cell.grants) - {a, b})
    return {
        "kind": kind,
        "status": cell.status or "no entry",
        "a": {"under_every_reading": a_all, "readings": a_readings},
        "b": {"under_every_reading": b_all, "readings": b_readings},
        "others": others,
        "words": WORDS[kind].format(a=a, b=b, others=", ".join(others)),
    }


def _why(v: dict[str, Any], a: str, b: str) -> str:
    """The conditions behind a contested cell, in words."""
    parts = []
    for side, agency in (("a", a), ("b", b)):
        if v[side]["under_every_reading"]:
            parts.append(f"{agency} under every reading")
        elif v[side]["readings"]:
            parts.append(f"{agency} only if one follows {' or '.join(v[side]['readings'])}")
    return "; ".join(parts)


def compare(s: Services, a: str, b: str, date: str) -> dict[str, Any]:
    cells = _cells(s, date)
    allegations = code_names(s, "allegation")
    respondents = code_names(s, "respondent")
    rows = []
    tally: dict[str, list[str]] = {k: [] for k in WORDS}
    for al, al_name in allegations.items():
        row = []
        for rk, rk_name in respondents.items():
            v = verdict(cells.get((al, rk), _Cell()), a, b)
            v |= {"respondent": rk, "why": _why(v, a, b) if v["kind"] == "contested" else ""}
            v["who"] = "/who?" + urlencode({"allegation": al, "respondent": rk, "date": date})
            tally[v["kind"]].append(f"{al_name} against a {rk_name}")
            row.append(v)
        rows.append({"allegation": al, "name": al_name, "cells": row})
    everyone = names(s)
    current = s.ctx.header.law_current_to
    return {
        "question": {"a": a, "b": b, "date": date},
        "agencies": {code: everyone.get(code, code) for code in (a, b)},
        "respondents": [{"code": rk, "name": name} for rk, name in respondents.items()],
        "rows": rows,
        "counts": {k: len(v) for k, v in tally.items()},
        "matters": tally,
        "has_entries": bool(cells),
        "warnings": (
            [f"The law is encoded to {current}: on {date} later changes to it may be missing."]
            if date > current
            else []
        ),
        "legend": {k: w.format(a=a, b=b, others="the agencies named") for k, w in WORDS.items()},
    }

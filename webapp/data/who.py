"""Who investigates? Answered from the competence matrix that `kg load` stores, or, when
amendments are chosen, by the reasoner (kg.api.who on the amended law).

The stored matrix gives the status and each candidate (agency, grant, readings); the
provisions and the status of their encoding on the date come from the law, as the
reasoner's own answer gives them, so both paths return the same Competence.
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg import api
from kg.decide.competence import STATUS_OF_NODE, agency_power, message
from kg.namespaces import BASE
from kg.results import AgencyPower, AnswerWarning, Competence
from webapp.data.provisions import amendments as all_amendments
from webapp.data.provisions import readings as all_readings
from webapp.links import local
from webapp.services import Services

STATUS = {str(node): status for node, status in STATUS_OF_NODE.items()}  # one list, kg's


def code_names(s: Services, scheme: str) -> dict[str, str]:
    def compute() -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for r in s.rows("code-labels"):
            name = r["scheme"].rsplit("/", 1)[-1]
            out.setdefault(name, {})[r["code"]] = r.get("name", "") or r["code"]
        return out

    return s.memo.get(("code-names",), compute).get(scheme, {})


def from_matrix(s: Services, allegation: str, respondent: str, date: str) -> Competence | None:
    """The stored answer, or None where the matrix has no entry for the date."""
    codes, info = s.ctx.codes, s.ctx.info
    rows = s.rows(
        "who-matrix",
        allegation=codes.iri("allegation", allegation),
        respondent=codes.iri("respondent", respondent),
        date=Literal(date, datatype=XSD.date),
    )
    if not rows:
        return None
    status = STATUS[rows[0]["status"]]
    by_grant: dict[str, set[str]] = {}
    for r in rows:
        if r.get("grant"):
            readings = by_grant.setdefault(r["grant"], set())
            if r.get("reading"):
                readings.add(info.reading_id(URIRef(r["reading"])))
    agencies = [
        agency_power(URIRef(grant), readings, date, codes, info)
        for grant, readings in by_grant.items()
    ]
    merged = tuple(sorted(agencies, key=lambda a: (a.agency, a.provision)))
    return Competence(
        allegation=allegation,
        respondent=respondent,
        as_of=date,
        status=status,
        agencies=merged,
        message=message(status, merged),
    )


def matrix_entry(s: Services, allegation: str, respondent: str, date: str) -> str:
    """The IRI of the stored matrix entry that answers the question ("" if none): what a
    printed answer cites."""
    codes = s.ctx.codes
    rows = s.rows(
        "who-matrix",
        allegation=codes.iri("allegation", allegation),
        respondent=codes.iri("respondent", respondent),
        date=Literal(date, datatype=XSD.date),
    )
    return str(rows[0]["entry"]) if rows else ""


def competence(
    s: Services, allegation: str, respondent: str, date: str, amendments: tuple[str, ...]
) -> tuple[Competence, list[AnswerWarning], str]:
    """(answer, warnings, where it came from)."""
    api.valid_question(s.ctx, allegation, respondent, date, prefix="")
    if not amendments:
        stored = from_matrix(s, allegation, respondent, date)
        if stored is not None:
            with s.reasoning:
                warned = api.who_warnings(stored, s.ctx)
            return stored, warned, "the competence matrix stored in the graph"
    answer, warnings = s.who(allegation, respondent, date, amendments)
    where = (
        "the reasoner, on the law with the amendments in force" if amendments else ("the reasoner")
    )
    return answer, warnings, where


def cite(s: Services, provision: str) -> str:
    """A citation in words: an amendment's clause (`copa-wco-jurisdiction:1`) by the
    amendment's title; a Municipal Code citation as it is."""
    amendment, colon, clause = provision.partition(":")
    titles = {a["id"]: a["label"] for a in all_amendments(s)}
    if colon and amendment in titles:
        return f"clause {clause} of the amendment “{titles[amendment]}”"
    return provision


def reading_words(r: str, readings: dict[str, dict[str, str]]) -> str:
    label = readings.get(r, {}).get("label", "")
    return f"the reading “{label}”" if label else f"the reading {r}"


def said(s: Services, c: Competence, readings: dict[str, dict[str, str]]) -> str:
    """The answer's message in words: the same sentence as kg's `message`, with agencies,
    amendment clauses and readings named instead of coded."""

    def one(a: AgencyPower) -> str:
        under = ", ".join(cite(s, p) for p in a.provision.split(", "))
        only = f", if you follow {reading_words(a.readings[0], readings)}" if a.readings else ""
        more = "".join(f" or {reading_words(r, readings)}" for r in a.readings[1:])
        return f"{a.agency} under {under}{only}{more}"

    if c.status == "clear" and c.agencies:
        a = c.agencies[0]
        under = ", ".join(cite(s, p) for p in a.provision.split(", "))
        return f"{a.agency} investigates, under {under}."
    if c.status in ("overlap", "contested") and c.agencies:
        lead = {
            "contested": "Contested: the readings of the law disagree on who investigates",
            "overlap": "More than one agency may investigate",
        }[c.status]
        return f"{lead}: {'; '.join(one(a) for a in c.agencies)}."
    return c.message


def why(c: Competence, readings: dict[str, dict[str, str]]) -> str:
    """Why the answer is what it is, in a sentence or two."""
    if c.status == "clear":
        return "Exactly one agency has the power, under every reading of the law."
    if c.status == "gap":
        return (
            "No grant of power in force on the date covers this allegation against this "
            "kind of respondent, under any reading of the law."
        )
    if c.status == "overlap":
        return "More than one agency has the power at once (concurrent powers)."
    if c.status == "undetermined":
        return (
            "No grant of power encoded in the graph covers this, but the graph does not "
            "encode every investigative power over this respondent on this date, so "
            "silence here is not a gap in the law."
        )
    points = sorted({readings[r]["point"] for a in c.agencies for r in a.readings if r in readings})
    held = [
        f"{a.agency} if you follow {reading_words(r, readings)} "
        f"(held by {readings[r]['held_by'] or 'no one on record'})"
        for a in c.agencies
        for r in a.readings
        if r in readings
    ]
    point = f"The point in dispute: {'; '.join(points)}. " if points else ""
    return (
        f"{point}No provision in force expressly settles it, and the readings of the law "
        f"name different agencies: {'; '.join(held)}."
    )


def page(
    s: Services, allegation: str, respondent: str, date: str, amendments: tuple[str, ...]
) -> dict[str, Any]:
    answer, warnings, where = competence(s, allegation, respondent, date, amendments)
    readings = all_readings(s)
    agencies = [
        {
            "agency": a.agency,
            "name": code_names(s, "agency").get(a.agency, a.agency),
            "url": local(f"{BASE}agency/{a.agency}"),
            "power": a.power,
            "provision": a.provision,
            "grounds": [
                {
                    "provision": g.provision,
                    "words": cite(s, g.provision),
                    "status": g.status,
                    "url": local(g.iri),
                }
                for g in a.grounds
            ],
            "readings": [readings.get(r, {"id": r}) for r in a.readings],
        }
        for a in answer.agencies
    ]
    current = None
    if amendments:  # the answer on the law as it is, restated beside the amended one
        base, _, _ = competence(s, allegation, respondent, date, ())
        current = {"status": base.status, "message": base.message}
        current["said"] = said(s, base, readings)
    stored = not amendments and where.startswith("the competence matrix")
    return {
        "iri": matrix_entry(s, allegation, respondent, date) if stored else "",
        "answer": {**answer.to_json(), "why": why(answer, readings)},
        "said": said(s, answer, readings),
        "current": current,
        "agencies": agencies,
        "answered_by": where,
        "engine": answer.engine or None,  # None: read from the matrix stored at `kg load`
        "warnings": [w.to_json() for w in warnings],
        "counterfactual": bool(amendments),
        "alternatives": [] if amendments else alternatives(s, answer),
    }


def alternatives(s: Services, base: Competence) -> list[dict[str, Any]]:
    """What each amendment that changes powers would make of the same question."""
    out = []
    for a in all_amendments(s):
        if not a["changes_powers"] or a["passed"]:  # a passed amendment is the law already
            continue
        c, warnings, _ = competence(
            s, base.allegation or "", base.respondent, base.as_of, (a["id"],)
        )
        out.append(
            {
                "id": a["id"],
                "label": a["label"],
                "status": a["status"],
                "url": a["url"],
                "answer": {"status": c.status, "message": c.message},
                "said": said(s, c, all_readings(s)),
                "changes": (c.status, c.agencies) != (base.status, base.agencies),
                "warnings": [w.to_json() for w in warnings],
            }
        )
    return sorted(out, key=lambda x: (not x["changes"], x["id"]))

"""Agency pages: each agency's grants of power and its other powers with the provisions that
give them, the norms that bind it (what it may not do), and its relations with other
agencies, drawn as a graph.

What the law graph says about agencies is read once per process (and again only when the
store changes: the app's memo is renewed then), by one query per kind of fact for every
agency at once; a page only picks its agency's rows and dates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from kg.namespaces import AGENCY
from webapp.data import agency_graph
from webapp.data.provisions import in_force, label_index, today
from webapp.data.who import code_names
from webapp.links import is_amendment_graph, local, tail
from webapp.services import Services

Row = dict[str, str]


@dataclass(frozen=True)
class AgencyLaw:
    """Every agency's rows of each page query, by agency code."""

    agencies: list[Row]
    details: dict[str, list[Row]]
    grants: dict[str, list[Row]]
    powers: dict[str, list[Row]]
    norms: dict[str, list[Row]]
    relations: list[Row]


def code_of(iri: str) -> str:
    """agency:<CODE> -> CODE (the code list mints agency IRIs so)."""
    return iri[len(str(AGENCY)) :] if iri.startswith(str(AGENCY)) else tail(iri)


def _by_agency(rows: list[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        out.setdefault(code_of(r["agency"]), []).append(r)
    return out


def _binding(norms: list[Row], details: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """The norms that bind each agency: named for it or for an agency it is part of (at any
    remove), or for a kind of agency it is."""
    parent = {code: _first(rows, "parentCode") for code, rows in details.items()}
    out: dict[str, list[Row]] = {}
    for code, rows in details.items():
        chain, at = set(), code
        while at and at not in chain:
            chain.add(at)
            at = parent.get(at, "")
        kinds = {r["type"] for r in rows if r.get("type")}
        seen: set[tuple[str, str]] = set()
        for n in norms:
            named = n.get("bound") and code_of(n["bound"]) in chain
            if (named or n.get("boundKind") in kinds) and (n["norm"], n["g"]) not in seen:
                seen.add((n["norm"], n["g"]))
                out.setdefault(code, []).append(n)
    return out


def law(s: Services) -> AgencyLaw:
    def compute() -> AgencyLaw:
        details = _by_agency(s.rows("agency"))
        return AgencyLaw(
            agencies=s.rows("agencies"),
            details=details,
            grants=_by_agency(s.rows("agency-grants")),
            powers=_by_agency(s.rows("agency-powers")),
            norms=_binding(s.rows("agency-norms"), details),
            relations=s.rows("agency-relations"),
        )

    return s.memo.get(("agency-law",), compute)


def agencies(s: Services) -> list[dict[str, str]]:
    return [
        {
            "code": r["code"],
            "name": r.get("name", ""),
            "definition": r.get("definition", ""),
            "part_of": r.get("parentCode", ""),
            "url": local(r["agency"]),
        }
        for r in law(s).agencies
    ]


def exists(s: Services, code: str) -> bool:
    return code in law(s).details


def names(s: Services) -> dict[str, str]:
    return {a["code"]: a["name"] for a in agencies(s)}


def relations(s: Services, day: str | None = None) -> list[agency_graph.Relation]:
    """Relations in force on the day (default today; proposed ones left out)."""
    day = day or today()
    rows = [
        (r["fromCode"], r["toCode"], r["kind"])
        for r in law(s).relations
        if not is_amendment_graph(r["g"]) and not (r.get("until") and r["until"] <= day)
    ]
    return agency_graph.merge(rows)


def network(s: Services) -> dict[str, Any]:
    rels = relations(s)
    return {
        "relations": [{"from": r.source, "to": r.target, "label": r.label} for r in rels],
        "graph": s.memo.get(
            ("agency-graph", None, today()),
            lambda: agency_graph.drawing(rels, None, names(s)),
        ),
        "legend": agency_graph.legend(),
    }


def _cites(r: Row, labels: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"citation": labels.get(p, tail(p)), "url": local(p)}
        for p in sorted(r.get("provisions", "").split())
    ]


def _dated(r: Row) -> dict[str, Any]:
    start, until = r.get("from", ""), r.get("until", "")
    return {
        "from": start,
        "until": until,
        "start_uncertain": r.get("startUncertain", "") == "true",
        "in_force": in_force(start, until, today()),
        "status": tail(r.get("status", "")),
        "status_note": r.get("note", ""),
        "proposed": is_amendment_graph(r["g"]),
    }


def _codes(s: Services, iris: str) -> list[str]:
    return sorted(s.ctx.codes.notation(URIRef(i)) for i in iris.split())


def grant(s: Services, r: Row, labels: dict[str, str]) -> dict[str, Any]:
    """A grant of power (a competence): what it covers and what it rests on."""
    return {
        "label": r.get("label", ""),
        "paraphrase": r.get("paraphrase", ""),
        "power": tail(r.get("power", "")),
        "provisions": _cites(r, labels),
        "allegations": _codes(s, r.get("allegations", "")),
        "any_allegation": r.get("anyAllegation", "") == "true",
        "respondents": _codes(s, r.get("respondents", "")),
        "over_agencies": sorted(code_of(i) for i in r.get("overAgencies", "").split()),
        "readings": sorted(s.ctx.info.reading_id(URIRef(i)) for i in r.get("readings", "").split()),
        "residual": r.get("residual", "") == "true",
        "fills_silence": r.get("fillsSilence", "") == "true",
        **_dated(r),
        "url": local(r["grant"]),
    }


def power(r: Row, labels: dict[str, str]) -> dict[str, Any]:
    """A power that is not a competence (subpoena, oath, request for information ...)."""
    return {
        "label": r.get("label", ""),
        "paraphrase": r.get("paraphrase", ""),
        "provisions": _cites(r, labels),
        **_dated(r),
        "url": local(r["power"]),
    }


def _norm(r: Row, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "label": r.get("label", ""),
        "paraphrase": r.get("paraphrase", ""),
        "kind": tail(r["type"]).lower(),
        "url": local(r["norm"]),
        "stated_in": {
            "citation": labels.get(r["statedIn"], tail(r["statedIn"])),
            "url": local(r["statedIn"]),
        },
        "from": r.get("from", ""),
        "until": r.get("until", ""),
        "in_force": in_force(r.get("from", ""), r.get("until", ""), today()),
        "status": tail(r.get("status", "")),
        "proposed": is_amendment_graph(r["g"]),
    }


def _first(rows: list[Row], key: str) -> str:
    return next((r[key] for r in rows if r.get(key)), "")


def agency(s: Services, code: str) -> dict[str, Any]:
    node = URIRef(AGENCY[code])
    data = law(s)
    rows = data.details.get(code, [])
    labels = label_index(s)
    grants = [grant(s, r, labels) for r in data.grants.get(code, [])]
    powers = [power(r, labels) for r in data.powers.get(code, [])]
    norms = [_norm(r, labels) for r in data.norms.get(code, [])]
    everyone = names(s)
    rels = agency_graph.around(relations(s), code)
    return {
        "code": code,
        "iri": str(node),
        "name": _first(rows, "name") or code,
        "definition": _first(rows, "definition"),
        "kinds": sorted({r["typeLabel"] for r in rows if r.get("typeLabel")}),
        "part_of": _first(rows, "parentCode"),
        "contractor_of": _first(rows, "contractorCode"),
        "powers": [p for p in grants if not p["proposed"]],
        "proposed_powers": [p for p in grants if p["proposed"]],
        "other_powers": [p for p in powers if not p["proposed"]],
        "proposed_other_powers": [p for p in powers if p["proposed"]],
        "norms": [n for n in norms if not n["proposed"]],
        "proposed_norms": [n for n in norms if n["proposed"]],
        "relations": [{"from": r.source, "to": r.target, "label": r.label} for r in rels],
        "graph": s.memo.get(
            ("agency-graph", code, today()),
            lambda: agency_graph.drawing(rels, code, everyone),
        ),
        "legend": agency_graph.legend(),
        "names": {
            "allegation": code_names(s, "allegation"),
            "respondent": code_names(s, "respondent"),
        },
        "compare_with": sorted(c for c in everyone if c != code),
    }

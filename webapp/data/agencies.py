"""Agency pages: powers with their provisions, the norms that bind the agency (what it
may not do), and its relations with other agencies, drawn as a graph."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from kg.namespaces import AGENCY
from webapp.data import agency_graph
from webapp.data.provisions import in_force, label_index, today
from webapp.links import is_amendment_graph, local, tail
from webapp.services import Services


def agencies(s: Services) -> list[dict[str, str]]:
    return [
        {
            "code": r["code"],
            "name": r.get("name", ""),
            "definition": r.get("definition", ""),
            "part_of": r.get("parentCode", ""),
            "url": local(r["agency"]),
        }
        for r in s.rows("agencies")
    ]


def exists(s: Services, code: str) -> bool:
    return bool(s.rows("agency", agency=URIRef(AGENCY[code])))


def relations(s: Services) -> list[agency_graph.Relation]:
    """Relations in force today (proposed ones left out)."""
    day = today()
    rows = [
        (r["fromCode"], r["toCode"], r["kind"])
        for r in s.rows("agency-relations")
        if not is_amendment_graph(r["g"]) and not (r.get("until") and r["until"] <= day)
    ]
    return agency_graph.merge(rows)


def _names(s: Services) -> dict[str, str]:
    return {a["code"]: a["name"] for a in agencies(s)}


def network(s: Services) -> dict[str, Any]:
    rels = relations(s)
    return {
        "relations": [{"from": r.source, "to": r.target, "label": r.label} for r in rels],
        "graph": agency_graph.drawing(rels, None, _names(s)),
        "legend": agency_graph.legend(),
    }


def _power(r: dict[str, str], labels: dict[str, str]) -> dict[str, Any]:
    start, until = r.get("from", ""), r.get("until", "")
    return {
        "label": r.get("label", ""),
        "paraphrase": r.get("paraphrase", ""),
        "power": tail(r.get("power", "")),
        "provisions": [
            {"citation": labels.get(p, tail(p)), "url": local(p)}
            for p in sorted(r.get("provisions", "").split())
        ],
        "allegations": sorted(r.get("allegations", "").split()),
        "any_allegation": r.get("anyAllegation", "") == "true",
        "respondents": sorted(r.get("respondents", "").split()),
        "over_agencies": sorted(r.get("overAgencies", "").split()),
        "readings": sorted(r.get("readings", "").split()),
        "residual": r.get("residual", "") == "true",
        "fills_silence": r.get("fillsSilence", "") == "true",
        "from": start,
        "until": until,
        "in_force": in_force(start, until, today()),
        "status": tail(r.get("status", "")),
        "proposed": is_amendment_graph(r["g"]),
        "url": local(r["grant"]),
    }


def agency(s: Services, code: str) -> dict[str, Any]:
    node = URIRef(AGENCY[code])
    rows = s.rows("agency", agency=node)
    labels = label_index(s)
    powers = [_power(r, labels) for r in s.rows("agency-grants", agency=node)]
    norms = [
        {
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
        for r in s.rows("agency-norms", agency=node)
    ]
    rels = agency_graph.around(relations(s), code)
    return {
        "code": code,
        "iri": str(node),
        "name": next((r["name"] for r in rows if r.get("name")), code),
        "definition": next((r["definition"] for r in rows if r.get("definition")), ""),
        "kinds": sorted({r["typeLabel"] for r in rows if r.get("typeLabel")}),
        "part_of": next((r["parentCode"] for r in rows if r.get("parentCode")), ""),
        "contractor_of": next((r["contractorCode"] for r in rows if r.get("contractorCode")), ""),
        "powers": [p for p in powers if not p["proposed"]],
        "proposed_powers": [p for p in powers if p["proposed"]],
        "norms": [n for n in norms if not n["proposed"]],
        "proposed_norms": [n for n in norms if n["proposed"]],
        "relations": [{"from": r.source, "to": r.target, "label": r.label} for r in rels],
        "graph": agency_graph.drawing(rels, code, _names(s)),
        "legend": agency_graph.legend(),
    }

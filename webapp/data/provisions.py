"""Page data read from the store: provisions, the law's index, search, any resource.

Each function runs the view queries of webapp/page_queries/ (values bound as RDF terms) and
returns plain data: the JSON twin of a page is exactly what is returned here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from rdflib import Literal, URIRef

from kg.namespaces import BASE
from webapp.links import is_amendment_graph, local, short, tail
from webapp.services import Services

Row = dict[str, str]


def today() -> str:
    return datetime.date.today().isoformat()


def first(rows: Iterable[Row], key: str) -> str:
    return next((r[key] for r in rows if r.get(key)), "")


def in_force(start: str, until: str, day: str) -> bool:
    return (not start or start <= day) and (not until or day < until)


def _dates(row: Row) -> dict[str, Any]:
    start, until = row.get("from", ""), row.get("until", "")
    return {"from": start, "until": until, "in_force": in_force(start, until, today())}


def provision_exists(s: Services, iri: str) -> bool:
    return bool(s.rows("provision", iri=URIRef(iri)))


def provision(s: Services, iri: str) -> dict[str, Any]:
    node = URIRef(iri)
    rows = s.rows("provision", iri=node)
    graphs = {r["g"] for r in rows}
    data: dict[str, Any] = {
        "iri": iri,
        "citation": first(rows, "citation"),
        "heading": (first(rows, "title") or first(rows, "label"))
        .removeprefix(first(rows, "citation"))
        .strip(),
        "paraphrase": first(rows, "paraphrase"),
        "official_url": first(rows, "url"),
        "dates": _dates(rows[0] if rows else {}),
        "status": tail(first(rows, "status")) or "unconfirmed",
        "status_note": first(rows, "note"),
        "kinds": sorted({tail(r["type"]) for r in rows if r.get("type")}),
        "proposed": bool(graphs) and all(is_amendment_graph(g) for g in graphs),
        "breadcrumb": breadcrumb(s, iri),
        "children": [
            {
                "citation": r["citation"],
                "label": r.get("label", ""),
                "url": local(r["child"]),
                "status": tail(r.get("status", "")),
                **_dates(r),
            }
            for r in s.rows("provision-children", iri=node)
            if not is_amendment_graph(r["g"])
        ],
    }
    data["timeline"] = timeline(s, node, data)
    data["norms"] = norms(s, node)
    data["readings"] = [reading(r) for r in s.rows("provision-readings", iri=node)]
    data["questions"] = [
        {
            "number": r.get("number", ""),
            "label": r.get("label", ""),
            "paraphrase": r.get("paraphrase", ""),
            "url": local(r["question"]),
        }
        for r in s.rows("provision-questions", iri=node)
    ]
    data["amendments"] = [amendment(r) for r in s.rows("provision-amendments", iri=node)]
    data["grants"] = [
        {
            "label": r.get("label", ""),
            "agency": r["agencyCode"],
            "power": tail(r["power"]),
            "url": local(r["grant"]),
            "agency_url": local(BASE + "agency/" + r["agencyCode"]),
            "status": tail(r.get("status", "")),
            "proposed": is_amendment_graph(r["g"]),
            **_dates(r),
        }
        for r in s.rows("provision-grants", iri=node)
    ]
    data["incidents"] = [
        {
            "incident": r["incidentId"],
            "title": r.get("title", ""),
            "kind": r["kind"],
            "subject": r.get("subject", ""),
            "outcome": r["outcome"],
            "message": r.get("message", ""),
            "as_of": r.get("asOf", ""),
            "url": local(BASE + "incident/" + r["incidentId"]),
        }
        for r in s.rows("provision-incidents", iri=node)
    ]
    return data


def breadcrumb(s: Services, iri: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    node, seen = iri, {iri}
    while True:
        rows = s.rows("provision-parent", iri=URIRef(node))
        if not rows or rows[0]["parent"] in seen:
            break
        node = rows[0]["parent"]
        seen.add(node)
        out.insert(0, {"citation": rows[0]["citation"], "url": local(node)})
    return out


def timeline(s: Services, node: URIRef, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The versions in force over time (or the provision itself, if it has none)."""
    versions = [
        {
            **_dates(r),
            "paraphrase": r.get("paraphrase", ""),
            "status": tail(r.get("status", "")),
            "note": r.get("note", ""),
            "amendment": (
                {
                    "label": r.get("amendmentLabel", "") or tail(r["amendment"]),
                    "url": local(r["amendment"]),
                }
                if r.get("amendment")
                else None
            ),
        }
        for r in s.rows("provision-versions", iri=node)
    ]
    if versions:
        return versions
    return [
        {
            **data["dates"],
            "paraphrase": data["paraphrase"],
            "status": data["status"],
            "note": "",
            "amendment": None,
        }
    ]


def norms(s: Services, node: URIRef) -> list[dict[str, Any]]:
    conditions: dict[str, dict[str, dict[str, str]]] = {}
    overrides: dict[str, set[str]] = {}
    for r in s.rows("provision-conditions", iri=node):
        if r.get("condition"):
            conditions.setdefault(r["node"], {})[r["condition"]] = {
                "label": r.get("label", tail(r["condition"])),
                "reading": r.get("readingId", ""),
            }
        if r.get("overrides"):
            overrides.setdefault(r["node"], set()).add(r["overrides"])
    out: dict[str, dict[str, Any]] = {}
    for r in s.rows("provision-norms", iri=node):
        iri = r["node"]
        if iri in out:
            continue
        out[iri] = {
            "iri": iri,
            "url": local(iri),
            "kind": tail(r["type"]).lower(),
            "label": r.get("label", ""),
            "paraphrase": r.get("paraphrase", ""),
            **_dates(r),
            "status": tail(r.get("status", "")),
            "note": r.get("note", ""),
            "stated_in": local(r["statedIn"]),
            "proposed": is_amendment_graph(r["g"]),
            "conditions": sorted(
                conditions.get(iri, {}).values(), key=lambda c: (c["reading"], c["label"])
            ),
            "overrides": sorted(local(o) for o in overrides.get(iri, set())),
        }
    order = {"prohibition": 0, "obligation": 1, "permission": 2, "exception": 3}
    return sorted(out.values(), key=lambda n: (n["proposed"], order.get(n["kind"], 9), n["label"]))


def reading(r: Row) -> dict[str, str]:
    return {
        "id": r["readingId"],
        "label": r.get("label", ""),
        "holds": r.get("holds", ""),
        "held_by": r.get("heldBy", ""),
        "stated_on": r.get("statedOn", ""),
        "status": tail(r.get("status", "")),
        "point": r.get("pointLabel", ""),
        "url": local(r["reading"]),
    }


def amendment(r: Row) -> dict[str, str]:
    return {
        "id": r["amendmentId"],
        "label": r.get("label", ""),
        "status": tail(r.get("billStatus", "")),
        "status_date": r.get("statusDate", ""),
        "in_force_from": r.get("from", ""),
        "url": local(r["amendment"]),
    }


def readings(s: Services) -> dict[str, dict[str, str]]:
    return {r["readingId"]: reading(r) for r in s.rows("readings")}


def amendments(s: Services) -> list[dict[str, Any]]:
    clauses: dict[str, list[dict[str, str]]] = {}
    touches_grants: set[str] = set()
    for r in s.rows("amendment-clauses"):
        entry = {
            "clause": r["clause"],
            "label": r.get("label", ""),
            "type": tail(r.get("changeType", "")),
        }
        if entry not in clauses.setdefault(r["amendmentId"], []):
            clauses[r["amendmentId"]].append(entry)
        if r.get("nodeType", "").endswith("#Grant"):
            touches_grants.add(r["amendmentId"])
    out = []
    for r in s.rows("amendments"):
        a: dict[str, Any] = amendment(r)
        a["paraphrase"] = r.get("paraphrase", "")
        a["record"] = r.get("record", "")
        a["clauses"] = clauses.get(r["amendmentId"], [])
        a["changes_powers"] = r["amendmentId"] in touches_grants
        out.append(a)
    return out


def law_index(s: Services) -> dict[str, Any]:
    """Every provision, grouped under the top-level instrument it belongs to."""
    rows = [r for r in s.rows("provisions") if not is_amendment_graph(r["g"])]
    by_iri: dict[str, Row] = {}
    for r in rows:
        by_iri.setdefault(r["provision"], r)

    def root(iri: str) -> str:
        seen = set()
        while by_iri.get(iri, {}).get("parent") and iri not in seen:
            seen.add(iri)
            iri = by_iri[iri]["parent"]
        return iri

    groups: dict[str, list[dict[str, Any]]] = {}
    for iri, r in by_iri.items():
        groups.setdefault(root(iri), []).append(
            {
                "citation": r["citation"],
                "label": r.get("label", ""),
                "url": local(iri),
                "status": tail(r.get("status", "")),
                **_dates(r),
            }
        )
    instruments: list[dict[str, Any]] = []
    for top, items in groups.items():
        head = by_iri.get(top, {})
        instruments.append(
            {
                "citation": head.get("citation", short(top)),
                "label": head.get("label", ""),
                "url": local(top),
                "provisions": sorted(items, key=lambda p: _sort_key(p["citation"])),
            }
        )
    instruments.sort(key=lambda i: (i["citation"] != "MCC", i["citation"]))
    return {"instruments": instruments, "count": len(by_iri)}


def _sort_key(citation: str) -> list[Any]:
    import re

    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", citation)]


KIND_ORDER = [
    "provision",
    "agency",
    "incident",
    "reading",
    "amendment",
    "open question",
    "norm",
    "power",
]


def search(s: Services, q: str) -> list[dict[str, Any]]:
    if not q.strip():
        return []
    hits: dict[str, dict[str, Any]] = {}
    for r in s.rows("search", q=Literal(q.strip())):
        item = r["item"]
        hit = hits.setdefault(
            item,
            {
                "kind": r["kind"],
                "name": r["name"],
                "url": local(item),
                "iri": item,
                "proposed": is_amendment_graph(r["g"]),
                "snippet": "",
                "exact": False,
            },
        )
        text = r["text"]
        if text != r["name"] and not hit["snippet"]:
            hit["snippet"] = text if len(text) <= 220 else text[:217] + "…"
        if r["name"].lower() == q.strip().lower():
            hit["exact"] = True
    return sorted(
        hits.values(),
        key=lambda h: (
            not h["exact"],
            KIND_ORDER.index(h["kind"]) if h["kind"] in KIND_ORDER else 99,
            h["proposed"],
            _sort_key(h["name"]),
        ),
    )


def describe(s: Services, iri: str) -> dict[str, Any]:
    """Any resource: what the graph says about it, and what points at it."""
    node = URIRef(iri)
    labels = label_index(s)
    out = [
        {
            "property": short(r["p"]),
            "property_iri": r["p"],
            "value": labels.get(r["o"], short(r["o"])) if r["o"].startswith("http") else r["o"],
            "url": local(r["o"]) if r["o"].startswith(("http://", "https://")) else "",
            "graph": short(r["g"]),
        }
        for r in s.rows("resource", iri=node)
    ]
    incoming = [
        {
            "subject": labels.get(r["s"], short(r["s"])),
            "url": local(r["s"]),
            "property": short(r["p"]),
            "graph": short(r["g"]),
        }
        for r in s.rows("resource-incoming", iri=node)
    ]
    name = labels.get(iri) or short(iri)
    return {
        "iri": iri,
        "name": name,
        "statements": out,
        "incoming": incoming,
        "found": bool(out or incoming),
    }


def label_index(s: Services) -> dict[str, str]:
    def compute() -> dict[str, str]:
        rank = {"citation": 0, "code": 1, "label": 2, "title": 3}
        best: dict[str, tuple[int, str]] = {}
        for r in s.rows("labels"):
            score = rank.get(r["kind"], 9)
            if r["node"] not in best or score < best[r["node"]][0]:
                best[r["node"]] = (score, r["label"])
        return {k: v for k, (_, v) in best.items()}

    return s.memo.get(("labels",), compute)

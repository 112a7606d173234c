"""Page data read from the store: provisions, the law's index, search, any resource.

Each function runs the view queries of webapp/page_queries/ (values bound as RDF terms) and
returns plain data: the JSON twin of a page is exactly what is returned here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rdflib import Literal, URIRef

from kg.law import citation
from kg.namespaces import BASE
from webapp.data import provision_versions as history
from webapp.data.provision_versions import amendment, amendments, in_force, proposals, today
from webapp.data.provision_versions import dates as _dates
from webapp.links import is_amendment_graph, local, short, tail
from webapp.services import Services

__all__ = ["amendments", "in_force", "proposals", "today"]  # used by other page families

Row = dict[str, str]


def first(rows: Iterable[Row], key: str) -> str:
    return next((r[key] for r in rows if r.get(key)), "")


def provision_exists(s: Services, iri: str) -> bool:
    return bool(s.rows("provision", iri=URIRef(iri)))


def provision(
    s: Services, iri: str, *, as_of: str | None = None, compare: str | None = None
) -> dict[str, Any]:
    """One provision as it stands on `as_of` (today if not given); `compare` ("v1,v2")
    asks for a redline of two of its versions (InputError if it names none)."""
    day = as_of or today()
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
        "as_of": day,
        "as_of_given": as_of is not None,
        "dates": _dates(rows[0] if rows else {}, day),
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
                **_dates(r, day),
            }
            for r in s.rows("provision-children", iri=node)
            if not is_amendment_graph(r["g"])
        ],
    }
    data["timeline"] = history.versions(s, node, data, day)
    data["in_force_version"] = history.at(data["timeline"], day)
    data["redlines"] = history.pairs(data["timeline"])
    data["redline"] = history.compare(data["timeline"], compare) if compare else None
    data["changed_by"] = history.changed_by(s, node)
    data["banners"] = history.banners(data, day)
    data["norms"] = norms(s, node, day)
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
    days = history.sandbox_days(s)
    data["amendments"] = [amendment(r, days) for r in s.rows("provision-amendments", iri=node)]
    data["grants"] = [
        {
            "label": r.get("label", ""),
            "agency": r["agencyCode"],
            "power": tail(r["power"]),
            "url": local(r["grant"]),
            "agency_url": local(BASE + "agency/" + r["agencyCode"]),
            "status": tail(r.get("status", "")),
            "proposed": is_amendment_graph(r["g"]),
            **_dates(r, day),
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


def norms(s: Services, node: URIRef, day: str) -> list[dict[str, Any]]:
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
            **_dates(r, day),
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


def readings(s: Services) -> dict[str, dict[str, str]]:
    return {r["readingId"]: reading(r) for r in s.rows("readings")}


FIRST_CHAPTER = "Chapter 2-173"  # the Welcoming City Ordinance, this project's subject


def law_index(s: Services) -> dict[str, Any]:
    """The law as the codes arrange it: each instrument, its chapters, their sections and
    the subsections nested under them (Chapter 2-173 first); versions are counted on the
    provision they are versions of, not listed."""
    nodes: dict[str, dict[str, Any]] = {}
    parent_of: dict[str, str] = {}
    versions = {r["provision"]: int(r["versions"]) for r in s.rows("provision-version-counts")}
    for r in s.rows("provisions"):
        iri = r["provision"]
        if is_amendment_graph(r["g"]) or iri in nodes or r.get("versionOf"):
            continue
        nodes[iri] = {
            "citation": r["citation"],
            "label": _heading(r.get("label", ""), r["citation"]),
            "url": local(iri),
            "status": tail(r.get("status", "")),
            **_dates(r),
            "children": [],
        }
        if r.get("parent"):
            parent_of[iri] = r["parent"]
    roots = []
    for iri, node in nodes.items():
        node["versions"] = versions.get(iri, 0)
        if _placed(iri, parent_of, nodes):
            nodes[parent_of[iri]]["children"].append(node)
        else:
            roots.append(node)
    _sort_tree(roots)
    roots.sort(key=lambda i: (i["citation"] != "MCC", _sort_key(i["citation"])))
    return {"instruments": roots, "count": len(nodes)}


def _heading(label: str, cited: str) -> str:
    """A label without the citation it opens with ("MCC 2-56-030(a): receive complaints")."""
    return label.removeprefix("MCC ").removeprefix(cited).strip(" ,:;-–")


def _placed(iri: str, parent_of: dict[str, str], nodes: dict[str, Any]) -> bool:
    """True when `iri` hangs under a parent in the index (and no cycle leads back to it)."""
    seen, node = {iri}, iri
    while node in parent_of and parent_of[node] in nodes:
        node = parent_of[node]
        if node in seen:
            return False
        seen.add(node)
    return iri in parent_of and parent_of[iri] in nodes


def _sort_tree(items: list[dict[str, Any]]) -> None:
    items.sort(key=lambda i: (i["citation"] != FIRST_CHAPTER, _sort_key(i["citation"])))
    for item in items:
        _sort_tree(item["children"])


def _sort_key(citation: str) -> list[Any]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", citation)]


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
    """Everything whose citation, name or words contain `q`; a Municipal Code citation
    however written (`Sec. 2-173-20 (A)(6)`) is also looked up as the graph writes it."""
    q = q.strip()
    if not q:
        return []
    cited = citation.canonical(q)
    wanted = {citation.key(q)}
    hits: dict[str, dict[str, Any]] = {}
    terms = dict.fromkeys([q, *([cited] if cited else [])])
    for term in terms:
        for r in s.rows("search", q=Literal(term)):
            _add_hit(hits, r, wanted)
    return sorted(
        hits.values(),
        key=lambda h: (
            not h["exact"],
            KIND_ORDER.index(h["kind"]) if h["kind"] in KIND_ORDER else 99,
            h["proposed"],
            _sort_key(h["name"]),
        ),
    )


def _add_hit(hits: dict[str, dict[str, Any]], r: Row, wanted: set[str]) -> None:
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
    if citation.key(r["name"]) in wanted or r["name"].lower() in wanted:
        hit["exact"] = True


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

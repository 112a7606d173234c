"""The whole knowledge graph: ontology, law, and the packaged incidents.

Each file is its own named graph; each incident's facts are in one named graph per
source (`graph:incident/<id>/<source>`), so a result can say which source a fact
rests on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.cards.rdf import card_quads
from kg.cards.read import read_card
from kg.law import load
from kg.namespaces import AKG, GRAPH, bind_prefixes
from kg.store.base import Store

if TYPE_CHECKING:
    from kg.context import Context

INCOMPLETE = ("partial", "secondary", "inferred", "unconfirmed", "title-only", "not-retrieved")


def full_dataset(ctx: Context) -> Dataset:
    ds = load.law_dataset()
    for path in load.incident_card_paths():
        card = read_card(path, ctx.codes)
        for s, p, o, g in card_quads(card, ctx.codes):
            ds.graph(g).add((s, p, o))
    return ds


# what an export may leave out: the parts of the store, by the start of their graph's name
PARTS = {
    "ontology": "ontology/",
    "law": "law/",
    "incidents": "incident/",
    "matrix": "competence-matrix",
    "meta": "meta",
    "determinations": "determinations/",
    "summaries": "summary/",
}


def part_of(name: str) -> str | None:
    """The part of the store a named graph belongs to (None: none of PARTS)."""
    rest = name[len(str(GRAPH)) :] if name.startswith(str(GRAPH)) else ""
    return next((part for part, start in PARTS.items() if rest.startswith(start)), None)


def without(ds: Dataset, leave_out: Iterable[str]) -> Dataset:
    """The dataset without the named graphs of the parts left out."""
    dropped = set(leave_out)
    out = Dataset()
    bind_prefixes(out)
    for g in ds.graphs():
        name = str(g.identifier)
        if len(g) and name != "urn:x-rdflib:default" and part_of(name) not in dropped:
            target = out.graph(g.identifier)
            for triple in g:
                target.add(triple)
    return out


def graph_names(store: Store, under: str = "") -> list[URIRef]:
    """The names of the project's graphs the store holds (under graph:, or under `under`).
    A remote store's `#staging`/`#previous` graphs, a load under way or failed, are not
    yet or no longer the store's. The filter is in the query: a server's own graphs can be
    large (listing every graph of a Virtuoso took two minutes here)."""
    prefix = under or str(GRAPH)
    rows = store.query(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), {Literal(prefix).n3()})) }}"
    ).rows
    names = {row.get("g") for row in rows}
    return sorted(
        n for n in names if isinstance(n, URIRef) and "#" not in n and n.startswith(prefix)
    )


def stored(store: Store) -> Dataset:
    """Every named graph the store holds (`graph_names`)."""
    ds = Dataset()
    bind_prefixes(ds)
    for name in graph_names(store):
        answer = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": name})
        target = ds.graph(name)
        for triple in answer.triples:
            target.add(triple)
    return ds


def union(ds: Dataset) -> Graph:
    g = Graph()
    bind_prefixes(g)
    for named in ds.graphs():
        for t in named:
            g.add(t)
    return g


def _count(g: Graph, cls: URIRef) -> int:
    return len(set(g.subjects(RDF.type, cls)))


def stats(ds: Dataset) -> dict[str, Any]:
    g = union(ds)
    provisions = {
        s
        for c in (
            AKG.Code,
            AKG.Chapter,
            AKG.Section,
            AKG.Subdivision,
            AKG.Instrument,
            AKG.Ordinance,
            AKG.ExecutiveOrder,
            AKG.Directive,
            AKG.Statute,
            AKG.Provision,
        )
        for s in g.subjects(RDF.type, c)
    }
    norms = {
        s
        for c in (AKG.Norm, AKG.Prohibition, AKG.Obligation, AKG.Permission)
        for s in g.subjects(RDF.type, c)
    }
    sources = {s for s in g.subjects(RDF.type, AKG.Source)}
    counts = {
        "provisions": len(provisions),
        "norms": len(norms),
        "exceptions": _count(g, AKG.Exception),
        "grants": _count(g, AKG.Grant),
        "readings": _count(g, AKG.Reading),
        "open questions": _count(g, AKG.OpenQuestion),
        "amendments": _count(g, AKG.Amendment),
        "incidents": _count(g, AKG.Incident),
        "sources": len(sources),
        "named graphs": sum(1 for x in ds.graphs() if len(x)),
        "triples": len(g),
    }
    incomplete = []
    grants = set(g.subjects(RDF.type, AKG.Grant))
    for p in provisions | norms | grants:
        status = g.value(p, AKG.encodingStatus)
        name = str(status).rsplit("/", 1)[-1] if status is not None else "unconfirmed"
        if name in INCOMPLETE:
            start = g.value(p, AKG.validFrom)
            incomplete.append(
                {
                    "citation": str(g.value(p, AKG.citation) or g.value(p, RDFS.label) or p),
                    "kind": "provision" if p in provisions else "norm" if p in norms else "grant",
                    "status": name,
                    "since": str(start) if start is not None else None,
                    "start_uncertain": g.value(p, AKG.startUncertain) is not None,
                    "note": str(g.value(p, AKG.statusNote) or "")[:120],
                    "iri": str(p),
                }
            )
    incomplete.sort(key=lambda r: (r["kind"], r["citation"]))
    coverage = sorted(
        (
            {
                "respondent": str(g.value(g.value(c, AKG.respondentKind), SKOS.notation)),
                # the allegations a coverage is limited to (none: every other allegation)
                "allegations": sorted(
                    str(g.value(a, SKOS.notation)) for a in g.objects(c, AKG.coverageAllegation)
                ),
                "law_covered_from": str(g.value(c, AKG.lawCoveredFrom)),
                "status": str(g.value(c, AKG.encodingStatus)).rsplit("/", 1)[-1],
            }
            for c in g.subjects(RDF.type, AKG.Coverage)
        ),
        key=lambda r: (r["respondent"], r["allegations"]),
    )
    return {"counts": counts, "incomplete": incomplete, "law_covered_from": coverage}

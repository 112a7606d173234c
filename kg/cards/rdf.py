"""A card as RDF: `card_quads(card, codes)` gives quads, one named graph per source
(`graph:incident/<id>/<source>`; facts the card asserts itself go to
`graph:incident/<id>/card`).
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, XSD

from kg.cards import format as fmt
from kg.cards.read import Card
from kg.law.codes import CodeIndex
from kg.namespaces import AKG, AKG_NONE, GRAPH, INC, publisher_iri

Quad = tuple[URIRef, URIRef, Any, URIRef]


def item_iri(incident: str, item_id: str | None = None) -> URIRef:
    return INC[f"{incident}/{item_id}"] if item_id else INC[incident]


def source_graph(incident: str, source_id: str | None) -> URIRef:
    return GRAPH[f"incident/{incident}/{source_id or 'card'}"]


def _actor_quads(s: URIRef, f: fmt.Field, value: Any, codes: CodeIndex, g: URIRef) -> list[Quad]:
    """An actor as agency and role; `unknown` (the whole actor, or the role) is akg:Unknown,
    so no rule reads it as a known value."""
    assert f.prop is not None
    if value == "unknown":
        return [
            (s, URIRef(str(f.prop) + "Agency"), AKG.Unknown, g),
            (s, URIRef(str(f.prop) + "Role"), AKG.Unknown, g),
        ]
    if isinstance(value, dict):
        agency, role = value["agency"], value["role"]
    else:
        agency, role = str(value).split(":", 1)
    out: list[Quad] = [
        (s, URIRef(str(f.prop) + "Agency"), codes.iri("agency", agency), g),
        (
            s,
            URIRef(str(f.prop) + "Role"),
            AKG.Unknown if role == "unknown" else codes.iri("role", role),
            g,
        ),
    ]
    kind = codes.respondent_kind(agency, role)
    if kind is not None:
        out.append((s, URIRef(str(f.prop) + "Kind"), kind, g))
    return out


def field_values(card: Card, f: fmt.Field, value: Any, codes: CodeIndex) -> list[Any]:
    """RDF objects for one field value (already validated)."""
    if value == "unknown" and f.unknown:
        return [AKG.Unknown]
    if f.kind == "code":
        return [codes.iri(f.scheme or "", value)]
    if f.kind == "codes":
        return [codes.iri(f.scheme or "", v) for v in value] or [AKG_NONE]
    if f.kind == "ref":
        return [AKG_NONE] if value == "none" else [item_iri(card.id, value)]
    if f.kind == "refs":
        return [item_iri(card.id, v) for v in value]
    if f.kind == "bool":
        return [Literal(value == "true")]
    if f.kind == "int":
        return [Literal(int(value))]
    if f.kind in ("date",):
        return [Literal(value, datatype=XSD.date)]
    if f.kind == "month-date":
        if len(value) == 7:
            return [Literal(value, datatype=XSD.gYearMonth)]
        return [Literal(value, datatype=XSD.date)]
    if f.kind == "time":
        return [Literal(value + ":00", datatype=XSD.time)]
    if f.kind == "url":
        return [Literal(value, datatype=XSD.anyURI)]
    return [Literal(value)]


def card_quads(
    card: Card,
    codes: CodeIndex,
    *,
    claim_values: dict[str, Any] | None = None,
) -> list[Quad]:
    """The card as quads. `claim_values` maps '<item>.<field>' to a value that replaces
    the stated one (a claim taken as true for one evaluation)."""
    inc = item_iri(card.id)
    g0 = source_graph(card.id, None)
    d = card.data
    quads: list[Quad] = [
        (inc, RDF.type, AKG.Incident, g0),
        (inc, AKG.itemId, Literal(card.id), g0),
        (inc, DCTERMS.title, Literal(d["title"]), g0),
        (inc, AKG.date, Literal(d["date"], datatype=XSD.date), g0),
    ]
    for key, prop in (("place", AKG.place), ("summary", AKG.summary)):
        if key in d:
            quads.append((inc, prop, Literal(d[key]), g0))
    if "facts_as_of" in d:
        quads.append((inc, AKG.factsAsOf, Literal(d["facts_as_of"], datatype=XSD.date), g0))
    if d.get("synthetic") == "true":
        quads.append((inc, AKG.synthetic, Literal(True), g0))
    for name in d.get("complete", []):
        quads.append((inc, AKG.completeList, Literal(name), g0))
    overrides = claim_values or {}
    for list_name, fields in fmt.ITEMS.items():
        for item in card.items(list_name):
            quads.extend(_item_quads(card, list_name, fields, item, codes, overrides))
    return quads


def _item_quads(
    card: Card,
    list_name: str,
    fields: tuple[fmt.Field, ...],
    item: dict[str, Any],
    codes: CodeIndex,
    overrides: dict[str, Any],
) -> list[Quad]:
    s = item_iri(card.id, item["id"])
    src = item.get("source") if list_name != "sources" else None
    g = source_graph(card.id, src)
    out: list[Quad] = [
        (s, RDF.type, fmt.ITEM_CLASS[list_name], g),
        (s, AKG.itemId, Literal(item["id"]), g),
        (s, AKG.inIncident, item_iri(card.id), g),
    ]
    out.append((item_iri(card.id), AKG.hasItem, s, g))
    if src:
        out.append((s, DCTERMS.source, item_iri(card.id, src), g))
    if list_name == "actions" and item.get("in_response_to", "unknown") != "unknown":
        out.append((item_iri(card.id, item["in_response_to"]), AKG.answeredBy, s, g))
    if list_name == "sources":
        out.extend(_source_quads(card, item, codes, s, g))
        return out
    if list_name == "claims":
        target, _, key = item["about"].partition(".")
        out += [
            (s, AKG.claimAbout, item_iri(card.id, target), g),
            (s, AKG.claimField, Literal(key), g),
            (s, AKG.claimValue, Literal(str(item["value"])), g),
        ]
        if "asserted_by" in item:
            out.append((s, AKG.assertedBy, Literal(item["asserted_by"]), g))
        return out
    for f in fields:
        if f.prop is None or f.key == "source":
            continue
        key = f"{item['id']}.{f.key}"
        if key in overrides:
            value: Any = overrides[key]
        elif f.key in item:
            value = item[f.key]
        elif f.default is not None:
            value = [] if f.default == "[]" else f.default
            out.append((s, AKG.defaulted, f.prop, g))
        else:
            continue
        if f.kind == "actor":
            out.extend(_actor_quads(s, f, value, codes, g))
            continue
        for obj in field_values(card, f, value, codes):
            out.append((s, f.prop, obj, g))
    return out


def _cited(card: Card, source_id: str) -> bool:
    """Whether some item of the card rests on this source (so its named graph exists)."""
    return any(
        item.get("source") == source_id
        for name in fmt.ITEMS
        if name != "sources"
        for item in card.items(name)
    )


def _source_quads(
    card: Card, item: dict[str, Any], codes: CodeIndex, s: URIRef, g: URIRef
) -> list[Quad]:
    out: list[Quad] = [(s, DCTERMS.title, Literal(item["title"]), g)]
    if "publisher" in item:
        # An agent, as DCMI Terms wants: the IRI a law file's source gets for the same name.
        agent = publisher_iri(item["publisher"])
        out.append((s, DCTERMS.publisher, agent, g))
        out.append((agent, RDF.type, DCTERMS.Agent, g))
        out.append((agent, FOAF.name, Literal(item["publisher"]), g))
    if item.get("date", "unknown") != "unknown":  # a source that shows no date says so
        out.append((s, DCTERMS.date, Literal(item["date"], datatype=XSD.date), g))
    if "url" in item:
        out.append((s, AKG.url, Literal(item["url"], datatype=XSD.anyURI), g))
    if "kind" in item:
        out.append((s, AKG.sourceKind, codes.iri("source-kind", item["kind"]), g))
    if _cited(card, item["id"]):
        named = source_graph(card.id, item["id"])
        out.append((s, AKG.namedGraph, named, g))
        # PROV-O: the facts of that graph are derived from this source. Stated in that
        # graph itself, so that a server withholding the graph (a restricted source)
        # withholds this too, and its IRI describes nothing
        out.append((named, PROV.wasDerivedFrom, s, named))
    return out

"""Read, validate and translate incident cards (format 1).

`read_card(path, codes)` returns a validated `Card` or raises `InputError` naming the
file, line, field, what is wrong and the fix; whatever the file holds (binary, an alias
bomb, a 100,000-deep nesting), it is read within limits (`kg._card_yaml.Limits`) and
refused in milliseconds when it passes one. `card_quads(card, codes)` turns a card
into RDF quads, one named graph per source (`graph:incident/<id>/<source>`; facts the
card asserts itself go to `graph:incident/<id>/card`). Nothing here touches a store.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg import card_format as fmt
from kg._card_yaml import LIMITS, Limits, compose, read_text
from kg.codes import CodeIndex
from kg.errors import InputError
from kg.namespaces import AKG, AKG_NONE, GRAPH, INC

Quad = tuple[URIRef, URIRef, Any, URIRef]


@dataclass
class Node:
    """A YAML value with the line it starts on (1-based)."""

    value: Any
    line: int
    lines: dict[str, int] = field(default_factory=dict)  # key -> line, for mappings


@dataclass(frozen=True)
class Card:
    path: str
    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int]  # JSON path -> line

    @property
    def id(self) -> str:
        return str(self.data["id"])

    def items(self, list_name: str) -> list[dict[str, Any]]:
        return list(self.data.get(list_name, []))

    def find(self, item_id: str) -> tuple[str, dict[str, Any]] | None:
        for name in fmt.ITEMS:
            for item in self.items(name):
                if item["id"] == item_id:
                    return name, item
        return None


# -- reading YAML as text, keeping lines -------------------------------------------------


def _parse(path: Path, text: str, limits: Limits) -> tuple[Any, dict[tuple[Any, ...], int]]:
    data, lines = compose(text, str(path), limits)
    if data is None:
        raise InputError(
            str(path), "the card is empty", "start from the example in docs/cards.md", line=1
        )
    return data, lines


# -- validation ------------------------------------------------------------------------


def _line_of(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _dotted(path: tuple[Any, ...], data: Any) -> str:
    """`actions[a1].basis` for ('actions', 0, 'basis')."""
    out = ""
    cur = data
    for part in path:
        if isinstance(part, int):
            item = cur[part] if isinstance(cur, list) and part < len(cur) else None
            label = item.get("id") if isinstance(item, dict) and "id" in item else part
            out += f"[{label}]"
        else:
            out += ("." if out else "") + str(part)
        cur = cur[part] if isinstance(cur, (dict, list)) and _has(cur, part) else None
    return out or "(top level)"


def _has(container: Any, part: Any) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and part < len(container)


def _field_for(path: tuple[Any, ...]) -> fmt.Field | None:
    if len(path) >= 3 and path[0] in fmt.ITEMS and isinstance(path[2], str):
        return fmt.field(str(path[0]), path[2])
    if len(path) == 1:
        return next((f for f in fmt.TOP if f.key == path[0]), None)
    return None


def _explain(err: jsonschema.ValidationError, codes: CodeIndex) -> tuple[str, str, tuple[Any, ...]]:
    """(what is wrong, how to fix it, path) for one schema error, in a user's words."""
    path = tuple(err.absolute_path)
    value: Any = err.instance
    if err.validator == "additionalProperties":
        schema = err.schema if isinstance(err.schema, dict) else {}
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        key = extra[0] if extra else "?"
        return (
            f"unknown key '{_q(key)}'",
            f"remove it or use one of: {', '.join(allowed)}",
            (*path, key),
        )
    if err.validator == "required":
        missing = str(err.message).split("'")[1]
        return (f"required key '{missing}' is missing", f"add '{missing}: ...'", (*path, missing))
    f = _field_for(path)
    where = f.key if f else (str(path[-1]) if path else "card")
    if f and f.kind in ("code", "codes") and f.scheme:
        known = codes.notations(f.scheme)
        bad = (
            value
            if isinstance(value, str)
            else next((v for v in (value or []) if v not in known), value)
        )
        if isinstance(value, list) and not isinstance(bad, str):
            bad = value
        more = ", or unknown" if f.unknown else ""
        return (
            f"'{_q(bad)}' is not a known {f.scheme} code",
            f"use one of: {', '.join(known)}{more}",
            path,
        )
    if isinstance(value, str) or value is None:
        return (f"'{_q(value)}' is not a valid value for '{_q(where)}'", _fix_for(f), path)
    kind = "a list" if isinstance(value, list) else "a mapping"
    return (f"'{_q(where)}' is {kind} here, which this field does not take", _fix_for(f), path)


def _q(value: Any) -> str:
    """A value as an error quotes it: whole, or its start where it is long."""
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fix_for(f: fmt.Field | None) -> str:
    if f is None:
        return "see the card format in docs/cards.md"
    hints = {
        "date": "write a real date as YYYY-MM-DD (e.g. 2025-06-04)",
        "month-date": "write YYYY-MM-DD, YYYY-MM or unknown",
        "time": 'write a 24-hour time HH:MM in quotes (e.g. "14:06")',
        "int": "write a whole number, or unknown",
        "bool": "write true or false" + (", or unknown" if f.unknown else ""),
        "slug": "use lower-case letters, digits and hyphens, starting with a letter or digit",
        "ref": "write the id of an item of the card" + (" or none" if f.none else ""),
        "refs": "write a list of item ids, e.g. [a1, a2]",
        "actor": "write AGENCY:role (e.g. CPD:officer) or {agency: CPD, role: officer}",
        "text": "write some text",
        "url": "write a full http(s) address",
        "format": "write card: 1",
        "lists": "list some of: calls, actions, complaints, reviews",
    }
    return hints.get(f.kind, "see the card format in docs/cards.md")


def _check_schema(
    path: Path, data: Any, lines: dict[tuple[Any, ...], int], codes: CodeIndex
) -> None:
    validator = jsonschema.Draft202012Validator(
        fmt.json_schema(codes.all_notations()),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = list(validator.iter_errors(data))
    if not errors:
        return
    leaves = []
    for err in errors:
        while err.context:
            err = min(err.context, key=lambda e: (-len(e.absolute_path), e.validator))
        leaves.append(err)
    first = min(
        leaves, key=lambda e: (_line_of(lines, tuple(e.absolute_path)) or 0, -len(e.absolute_path))
    )
    problem, fix, at = _explain(first, codes)
    raise InputError(str(path), problem, fix, line=_line_of(lines, at), field=_dotted(at, data))


def _check_references(card: Card) -> None:
    ids: dict[str, tuple[str, int]] = {}
    for name in fmt.ITEMS:
        for i, item in enumerate(card.items(name)):
            line = _line_of(card.lines, (name, i, "id"))
            if item["id"] in ids or item["id"] == card.id:
                raise InputError(
                    card.path,
                    f"id '{item['id']}' is used twice",
                    "give every item its own id",
                    line=line,
                    field=f"{name}[{item['id']}].id",
                )
            ids[item["id"]] = (name, i)
    for name, fields in fmt.ITEMS.items():
        for i, item in enumerate(card.items(name)):
            for f in fields:
                if f.kind in ("ref", "refs") and f.key in item:
                    values = item[f.key] if f.kind == "refs" else [item[f.key]]
                    for j, v in enumerate(values):
                        if (f.none and v == "none") or (f.unknown and v == "unknown"):
                            continue
                        if v not in ids or ids[v][0] not in f.targets:
                            at = (name, i, f.key) + ((j,) if f.kind == "refs" else ())
                            raise InputError(
                                card.path,
                                f"'{_q(v)}' is not the id of an item of "
                                f"{' or '.join(f.targets)} in this card",
                                f"use the id of one of the card's {' or '.join(f.targets)}",
                                line=_line_of(card.lines, at),
                                field=f"{name}[{item['id']}].{f.key}",
                            )
    for i, claim in enumerate(card.items("claims")):
        _check_claim(card, i, claim, ids)


def _check_claim(
    card: Card, i: int, claim: dict[str, Any], ids: dict[str, tuple[str, int]]
) -> None:
    at = ("claims", i, "about")
    where = f"claims[{claim['id']}].about"
    target, _, key = claim["about"].partition(".")
    if target not in ids or not key:
        raise InputError(
            card.path,
            f"'{_q(claim['about'])}' does not name an item and a field",
            "write <item id>.<field>, e.g. a1.assists",
            line=_line_of(card.lines, at),
            field=where,
        )
    list_name, _ = ids[target]
    f = fmt.field(list_name, key)
    if f is None or key in ("id", "source") or f.prop is None:
        allowed = [x.key for x in fmt.ITEMS[list_name] if x.prop and x.key != "source"]
        raise InputError(
            card.path,
            f"'{_q(key)}' is not a field of {list_name} that a claim can dispute",
            f"use one of: {', '.join(allowed)}",
            line=_line_of(card.lines, at),
            field=where,
        )


def _check_claim_values(card: Card, codes: CodeIndex) -> None:
    """A claim's value must be a valid value of the field it disputes."""
    for i, claim in enumerate(card.items("claims")):
        target, _, key = claim["about"].partition(".")
        found = card.find(target)
        assert found is not None
        list_name, item = found
        trial = {
            "card": "1",
            "id": "x",
            "title": "x",
            "date": "2000-01-01",
            list_name: [{**_required_stub(list_name, item), key: claim["value"]}],
        }
        validator = jsonschema.Draft202012Validator(
            fmt.json_schema(codes.all_notations()),
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        f = fmt.field(list_name, key)
        assert f is not None
        ok = validator.is_valid(trial)
        if ok and f.kind in ("ref", "refs"):
            values = claim["value"] if isinstance(claim["value"], list) else [claim["value"]]
            ok = all(
                v in ("none", "unknown") or (card.find(v) or ("",))[0] in f.targets for v in values
            )
        if not ok:
            raise InputError(
                card.path,
                f"'{_q(claim['value'])}' is not a valid value for '{_q(claim['about'])}'",
                _fix_for(f),
                line=_line_of(card.lines, ("claims", i, "value")),
                field=f"claims[{claim['id']}].value",
            )


def _required_stub(list_name: str, item: dict[str, Any]) -> dict[str, Any]:
    return {f.key: item[f.key] for f in fmt.ITEMS[list_name] if f.required and f.key in item}


def read_card(
    path: Path, codes: CodeIndex, *, today: str | None = None, limits: Limits = LIMITS
) -> Card:
    """Parse and validate one card; raise InputError on the first problem found.
    `today` (default: the day it runs) is the latest date the incident may have."""
    return parse_card(read_text(path, limits), path, codes, today=today, limits=limits)


def parse_card(
    text: str,
    path: Path,
    codes: CodeIndex,
    *,
    today: str | None = None,
    limits: Limits = LIMITS,
) -> Card:
    """A card from its text (`path` names it in errors)."""
    data, lines = _parse(path, text, limits)
    if not isinstance(data, dict):
        raise InputError(
            str(path),
            "a card must be a mapping of keys to values",
            "start from the example in docs/cards.md",
            line=1,
        )
    _check_schema(path, data, lines, codes)
    card = Card(str(path), data, lines)
    _check_date(card, today or datetime.date.today().isoformat())
    _check_references(card)
    _check_claim_values(card, codes)
    return card


def _check_date(card: Card, today: str) -> None:
    """The incident happened on or before the day the card is checked."""
    day = str(card.data["date"])
    if day > today:
        raise InputError(
            card.path,
            f"the incident's date {day} is after today ({today}): a card states what "
            "happened, and the law of a date not yet come is not known",
            "write the day the incident happened; to apply the law in force on a later "
            "date, use --as-of",
            line=_line_of(card.lines, ("date",)),
            field="date",
        )


# -- RDF -----------------------------------------------------------------------------


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
    if list_name == "actions" and "in_response_to" in item:
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
        out.append((s, DCTERMS.publisher, Literal(item["publisher"]), g))
    if "date" in item:
        out.append((s, DCTERMS.date, Literal(item["date"], datatype=XSD.date), g))
    if "url" in item:
        out.append((s, AKG.url, Literal(item["url"], datatype=XSD.anyURI), g))
    if "kind" in item:
        out.append((s, AKG.sourceKind, codes.iri("source-kind", item["kind"]), g))
    if _cited(card, item["id"]):
        out.append((s, AKG.namedGraph, source_graph(card.id, item["id"]), g))
    return out

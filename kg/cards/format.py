"""Incident card format 1 (../shared/spec/incident-card.md) as one table.

The table is the single description of the format: the JSON Schema used to validate a
card and the mapping of each key to an RDF property are both generated from it. The
code lists themselves are not here: they are read from the ontology's SKOS schemes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from kg.namespaces import AKG

SLUG = r"^[a-z0-9][a-z0-9-]*$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONTH = r"^[0-9]{4}-[0-9]{2}$"
TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@dataclass(frozen=True)
class Field:
    """One key of a card item: how it is written and where it goes in RDF."""

    key: str
    kind: str  # text, url, date, month-date, time, int, bool, code, codes, actor, ref, refs
    prop: URIRef | None = None
    required: bool = False
    scheme: str | None = None  # for code / codes
    targets: tuple[str, ...] = ()  # for ref / refs: item lists the id may point into
    unknown: bool = False  # `unknown` allowed
    none: bool = False  # `none` allowed (ref)
    default: str | None = None  # the spec's default, written as the card would write it


def _f(key: str, kind: str, prop: str | None = None, **kw: Any) -> Field:
    return Field(key, kind, AKG[prop] if prop else None, **kw)


ID = _f("id", "slug", required=True)
SOURCE = _f("source", "ref", "assertedIn", targets=("sources",))
# Every listed item may be disputed as a whole: a claim `<item>.happened: false`.
HAPPENED = _f("happened", "bool", "happened", default="true")

ITEMS: dict[str, tuple[Field, ...]] = {
    "sources": (
        ID,
        _f("title", "text", required=True),
        _f("publisher", "text"),
        _f("date", "date", unknown=True),
        _f("url", "url"),
        _f("kind", "code", "sourceKind", scheme="source-kind"),
    ),
    "operations": (
        ID,
        HAPPENED,
        _f("agency", "code", "operationAgency", required=True, scheme="agency"),
        _f("kind", "code", "kind", required=True, scheme="operation-kind", unknown=True),
        _f("warrant", "code", "warrant", scheme="warrant", unknown=True),
        _f("detained", "int", "detained", unknown=True),
        _f("description", "text"),
        SOURCE,
    ),
    "persons": (
        ID,
        HAPPENED,
        _f("description", "text"),
        _f("record", "codes", "record", scheme="record", unknown=True, default="[]"),
        SOURCE,
    ),
    "calls": (
        ID,
        HAPPENED,
        _f("time", "time", "time", unknown=True),
        _f("caller", "actor", "caller", required=True, unknown=True),
        _f("request", "code", "request", scheme="action", unknown=True),
        _f("concerns", "ref", "concernsOperation", targets=("operations",), unknown=True),
        _f("affiliation_disclosed", "bool", "affiliationDisclosed", unknown=True),
        _f("dispatcher", "actor", "actor", unknown=True),
        _f("supervisor_consulted", "bool", "supervisorConsulted", unknown=True),
        SOURCE,
    ),
    "actions": (
        ID,
        HAPPENED,
        _f("actor", "actor", "actor", required=True, unknown=True),
        _f("kind", "code", "kind", required=True, scheme="action"),
        _f("description", "text"),
        _f("time", "time", "time", unknown=True),
        _f("in_response_to", "ref", "inResponseTo", targets=("calls",), unknown=True),
        _f(
            "assists",
            "ref",
            "assists",
            targets=("operations",),
            unknown=True,
            none=True,
            default="none",
        ),
        _f("purpose", "code", "purpose", scheme="purpose", unknown=True),
        _f("basis", "code", "basis", scheme="basis", unknown=True),
        _f("subject", "ref", "subjectPerson", targets=("persons",), unknown=True),
        _f("topic", "code", "topic", scheme="topic", unknown=True),
        _f(
            "concerns",
            "ref",
            "concernsOperation",
            targets=("operations",),
            unknown=True,
            none=True,
            default="none",
        ),
        _f("recipient", "code", "recipient", scheme="agency", unknown=True),
        _f("written_authorization", "bool", "writtenAuthorization", unknown=True, default="false"),
        _f(
            "legal_requirement",
            "code",
            "legalRequirement",
            scheme="legal-requirement",
            unknown=True,
            default="none",
        ),
        _f("supervisor_reviewed", "bool", "supervisorReviewed", unknown=True),
        _f("decision", "code", "decision", scheme="decision", unknown=True),
        SOURCE,
    ),
    "claims": (
        ID,
        _f("about", "text", required=True),
        _f("value", "any", required=True),
        _f("source", "ref", "assertedIn", required=True, targets=("sources",)),
        _f("asserted_by", "text", "assertedBy"),
    ),
    "complaints": (
        ID,
        HAPPENED,
        _f("date", "month-date", "date", unknown=True),
        _f("filed_with", "code", "filedWith", scheme="agency", unknown=True),
        _f("against", "actor", "against", required=True, unknown=True),
        _f("allegations", "codes", "allegation", required=True, scheme="allegation"),
        _f("about", "refs", "about", targets=("actions", "calls"), unknown=True),
        # project extension: where the complaint went (referred, or taken), as reported
        _f("referred_to", "code", "referredTo", scheme="agency", unknown=True),
        SOURCE,
    ),
    # project extension: a figure a source reports about complaints (how many, about
    # what, filed with and sent to whom, over which period), for complaints not listed
    # one by one; `part_of` makes a count a part of another (22 of 28 sent to BIA).
    "complaint_counts": (
        ID,
        HAPPENED,
        _f("count", "int", "count", required=True),
        _f("part_of", "ref", "partOfCount", targets=("complaint_counts",)),
        _f("from", "month-date", "periodStart"),
        _f("to", "month-date", "periodEnd"),
        _f("filed_with", "code", "filedWith", scheme="agency", unknown=True),
        _f("referred_to", "code", "referredTo", scheme="agency", unknown=True),
        _f("against", "actor", "against", unknown=True),
        _f("allegations", "codes", "allegation", scheme="allegation"),
        _f("reported_as", "text", "reportedAs"),
        SOURCE,
    ),
    "reviews": (
        ID,
        HAPPENED,
        _f("by", "code", "reviewBy", required=True, scheme="agency"),
        _f("kind", "code", "reviewKind", required=True, scheme="review-kind"),
        _f("opened", "date", "opened", unknown=True),
        _f("completed", "date", "completed", unknown=True),
        _f(
            "about",
            "refs",
            "about",
            targets=("operations", "persons", "calls", "actions", "complaints"),
            unknown=True,
        ),
        SOURCE,
    ),
    "events": (
        ID,
        HAPPENED,
        _f("date", "date", "date", required=True),
        _f("title", "text", required=True),
        _f("kind", "code", "eventKind", scheme="event-kind", unknown=True),
        _f("by", "text", "eventBy"),
        SOURCE,
    ),
}

TOP: tuple[Field, ...] = (
    _f("card", "format", required=True),
    _f("id", "slug", required=True),
    _f("title", "text", required=True),
    _f("date", "date", required=True),
    _f("place", "text"),
    _f("summary", "text"),
    _f("facts_as_of", "date"),
    _f("complete", "lists"),
    _f("synthetic", "bool"),  # project extension: a generated, not a real, incident
)

ITEM_CLASS: dict[str, URIRef] = {
    "sources": AKG.Source,
    "operations": AKG.Operation,
    "persons": AKG.Person,
    "calls": AKG.Call,
    "actions": AKG.Action,
    "claims": AKG.Claim,
    "complaints": AKG.Complaint,
    "complaint_counts": AKG.ComplaintCount,
    "reviews": AKG.Review,
    "events": AKG.Event,
}

COMPLETABLE = ("operations", "calls", "actions", "complaints", "reviews")


def field(list_name: str, key: str) -> Field | None:
    for f in ITEMS[list_name]:
        if f.key == key:
            return f
    return None


def _value_schema(f: Field, codes: dict[str, list[str]]) -> dict[str, Any]:
    extra: list[dict[str, Any]] = []
    if f.unknown:
        extra.append({"const": "unknown"})
    if f.kind == "text":
        base: dict[str, Any] = {"type": "string", "minLength": 1}
    elif f.kind == "url":
        base = {"type": "string", "pattern": r"^https?://\S+$"}
    elif f.kind == "slug":
        base = {"type": "string", "pattern": SLUG}
    elif f.kind == "date":
        base = {"type": "string", "pattern": DATE, "format": "date"}
    elif f.kind == "month-date":
        base = {
            "anyOf": [
                {"type": "string", "pattern": DATE, "format": "date"},
                {"type": "string", "pattern": MONTH},
            ]
        }
    elif f.kind == "time":
        base = {"type": "string", "pattern": TIME}
    elif f.kind == "int":
        base = {"type": "string", "pattern": r"^[0-9]+$"}
    elif f.kind == "bool":
        base = {"enum": ["true", "false"]}
    elif f.kind == "code":
        base = {"enum": codes[f.scheme or ""]}
    elif f.kind == "codes":
        base = {"type": "array", "items": {"enum": codes[f.scheme or ""]}}
    elif f.kind == "actor":
        # a role may be `unknown` (akg:Unknown in the facts, not a concept of the scheme)
        roles = [*codes["role"], "unknown"]
        short = "^({}):({})$".format(
            "|".join(map(re.escape, codes["agency"])), "|".join(map(re.escape, roles))
        )
        base = {
            "anyOf": [
                {"type": "string", "pattern": short},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["agency", "role"],
                    "properties": {
                        "agency": {"enum": codes["agency"]},
                        "role": {"enum": roles},
                    },
                },
            ]
        }
    elif f.kind == "ref":
        base = {"type": "string", "pattern": SLUG}
        if f.none:
            extra.append({"const": "none"})
    elif f.kind == "refs":
        base = {"type": "array", "items": {"type": "string", "pattern": SLUG}}
    elif f.kind == "format":
        base = {"const": "1"}
    elif f.kind == "lists":
        base = {"type": "array", "items": {"enum": list(COMPLETABLE)}, "uniqueItems": True}
    else:  # any: checked against the field the claim is about
        base = {}
    # the field's own values first: a value that is one (the common case) is then checked once
    return {"anyOf": [base, *extra]} if extra else base


def json_schema(codes: dict[str, list[str]]) -> dict[str, Any]:
    """The JSON Schema of a card, with the code lists given (scheme -> notations)."""

    def obj(fields: tuple[Field, ...]) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [f.key for f in fields if f.required],
            "properties": {f.key: _value_schema(f, codes) for f in fields},
        }

    top = obj(TOP)
    for name, fields in ITEMS.items():
        top["properties"][name] = {"type": "array", "items": obj(fields)}
    return top

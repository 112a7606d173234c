"""Read and validate incident cards (format 1).

`read_card(path, codes)` returns a validated `Card` or raises `InputError` naming the
file, line, field, what is wrong and the fix; whatever the file holds (binary, an alias
bomb, a 100,000-deep nesting), it is read within limits (`kg.cards.yaml_reader.Limits`)
and refused in milliseconds when it passes one. Nothing here touches a store.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from kg.cards import format as fmt
from kg.cards.yaml_reader import LIMITS, Limits, compose, read_text
from kg.errors import InputError
from kg.law.codes import CodeIndex


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


def _parse(path: Path, text: str, limits: Limits) -> tuple[Any, dict[tuple[Any, ...], int]]:
    data, lines = compose(text, str(path), limits)
    if data is None:
        raise InputError(
            str(path), "the card is empty", "start from the example in docs/cards.md", line=1
        )
    return data, lines


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


_VALIDATORS: dict[int, tuple[CodeIndex, jsonschema.Draft202012Validator]] = {}


def _validator(codes: CodeIndex) -> jsonschema.Draft202012Validator:
    """The card schema's validator for these code lists, built once per code index."""
    hit = _VALIDATORS.get(id(codes))
    if hit is None or hit[0] is not codes:
        if len(_VALIDATORS) > 8:
            _VALIDATORS.clear()
        schema = fmt.json_schema(codes.all_notations())
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        hit = _VALIDATORS[id(codes)] = (
            codes,
            jsonschema.Draft202012Validator(schema, format_checker=checker),
        )
    return hit[1]


def _check_schema(
    name: str, data: Any, lines: dict[tuple[Any, ...], int], codes: CodeIndex
) -> None:
    validator = _validator(codes)
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
    raise InputError(name, problem, fix, line=_line_of(lines, at), field=_dotted(at, data))


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
                    if f.unknown and item[f.key] == "unknown":
                        continue
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
        validator = _validator(codes)
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
    """A card from its YAML text (`path` names it in errors)."""
    data, lines = _parse(path, text, limits)
    return card_from_data(data, lines, str(path), codes, today=today)


def card_from_data(
    data: Any,
    lines: dict[tuple[Any, ...], int],
    name: str,
    codes: CodeIndex,
    *,
    today: str | None = None,
    line: int = 1,
) -> Card:
    """A card from values already read as text (dicts, lists and `str`s, as the YAML
    reader gives them), validated; `name` and `line` (where the card starts) name it in
    errors, `lines` the line of each value by its path."""
    if not isinstance(data, dict):
        raise InputError(
            name,
            "a card must be a mapping of keys to values",
            "start from the example in docs/cards.md",
            line=line,
        )
    _check_schema(name, data, lines, codes)
    card = Card(name, data, lines)
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

"""The check-an-incident form: fields generated from the card format's own table
(kg.cards.format), a card built from what the form sends, and validation by the CLI's
reader (kg.cards.read.parse_card), so every message is the one `kg check` would give.

Form names: `card-<key>` for the card's own keys; `<list>-<row>-<key>` for an item's
field (`actions-0-kind`), with `-agency` and `-role` for an actor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from werkzeug.datastructures import MultiDict

from kg.cards import format as fmt
from kg.cards.read import Card, parse_card
from kg.errors import InputError
from kg.law.codes import CodeIndex

LISTS = tuple(fmt.ITEMS)  # every list of the card format, persons and events included
TITLES = {
    "sources": "Sources",
    "operations": "Operations (a federal or other operation at the scene)",
    "calls": "Calls for service (911 / OEMC)",
    "actions": "Actions (what each actor did)",
    "claims": "Disputed facts (claims)",
    "complaints": "Complaints",
    "reviews": "Reviews and investigations",
    "persons": "Persons (no names: what the record says of them)",
    "events": "Other events (hearings, orders, statements)",
}
SINGULAR = {
    "persons": "person",
    "sources": "source",
    "operations": "operation",
    "calls": "call",
    "actions": "action",
    "claims": "claim",
    "complaints": "complaint",
    "reviews": "review",
    "events": "event",
}
MAX_ROWS = 100
HINTS = {
    "date": "YYYY-MM-DD, e.g. 2025-06-04",
    "month-date": "YYYY-MM-DD, YYYY-MM or unknown",
    "time": "HH:MM, 24-hour",
    "int": "a whole number, or unknown",
    "refs": "ids separated by commas",
    "slug": "lower-case letters, digits and hyphens",
    "url": "https://…",
}


@dataclass(frozen=True)
class Input:
    key: str
    label: str
    widget: str  # text, date, select, multi, actor, textarea, checks
    options: tuple[str, ...] = ()
    required: bool = False
    hint: str = ""


def _label(f: fmt.Field, list_name: str | None) -> str:
    words = f.key.replace("_", " ")
    words = words[0].upper() + words[1:]
    if f.kind == "ref" and f.targets:
        words += f" ({' or '.join(SINGULAR.get(t, t) for t in f.targets)} id)"
    if list_name == "claims" and f.key == "about":
        words = "About (item id.field, e.g. a1.assists)"
    return words


def _input(f: fmt.Field, codes: CodeIndex, list_name: str | None) -> Input:
    extra = ("unknown",) if f.unknown else ()
    hint = HINTS.get(f.kind, "")
    if f.kind == "ref":
        hint = "or none, or unknown" if f.none else hint
    if f.kind == "code":
        return Input(
            f.key,
            _label(f, list_name),
            "select",
            tuple(codes.notations(f.scheme or "")) + extra,
            f.required,
            hint,
        )
    if f.kind == "codes":
        return Input(
            f.key,
            _label(f, list_name),
            "multi",
            tuple(codes.notations(f.scheme or "")),
            f.required,
            "choose one or more",
        )
    if f.kind == "bool":
        return Input(f.key, _label(f, list_name), "select", ("true", "false") + extra, f.required)
    if f.kind == "actor":
        # `unknown` as the agency: the actor is not known at all (`caller: unknown`); as the
        # role, a member of that agency whose role is not known (`CPD:unknown`)
        return Input(
            f.key,
            _label(f, list_name),
            "actor",
            tuple(codes.notations("agency")) + extra,
            f.required,
            ",".join(codes.notations("role")),
        )
    if f.kind == "date":
        return Input(f.key, _label(f, list_name), "date", (), f.required, hint)
    if f.key in ("summary", "description"):
        return Input(f.key, _label(f, list_name), "textarea", (), f.required)
    if f.kind == "lists":
        return Input(
            f.key,
            "Complete lists",
            "checks",
            fmt.COMPLETABLE,
            f.required,
            "lists that name everything that happened, as of the facts-as-of date",
        )
    return Input(f.key, _label(f, list_name), "text", (), f.required, hint)


def spec(codes: CodeIndex) -> dict[str, Any]:
    """The form's fields: the card's own keys, then one group per list."""
    return {
        "top": [_input(f, codes, None) for f in fmt.TOP if f.key != "card"],
        "lists": [
            {
                "name": name,
                "title": TITLES[name],
                "singular": SINGULAR[name],
                "fields": [_input(f, codes, name) for f in fmt.ITEMS[name]],
            }
            for name in LISTS
        ],
        "roles": [*codes.notations("role"), "unknown"],
    }


# -- form -> card ----------------------------------------------------------------------


@dataclass
class Built:
    data: dict[str, Any]
    rows: dict[str, list[int]] = field(default_factory=dict)  # list -> form row of each item
    values: dict[str, Any] = field(default_factory=dict)  # form name -> value, to re-show


def _value(form: MultiDict[str, str], name: str, f: fmt.Field) -> Any:
    if f.kind == "codes":
        return [v for v in form.getlist(name) if v]
    if f.kind == "actor":
        agency = form.get(name + "-agency", "").strip()
        role = form.get(name + "-role", "").strip()
        if agency == "unknown":
            return "unknown"
        if agency and role:
            return f"{agency}:{role}"
        return {k: v for k, v in (("agency", agency), ("role", role)) if v} or ""
    text = form.get(name, "").strip()
    if f.kind == "refs":
        return [v for v in re.split(r"[,\s]+", text) if v]
    return text


def _rows(form: MultiDict[str, str], list_name: str) -> list[int]:
    pattern = re.compile(rf"^{list_name}-(\d+)-")
    found = {int(m.group(1)) for key in form for m in [pattern.match(key)] if m}
    return sorted(i for i in found if i < MAX_ROWS)


def from_form(form: MultiDict[str, str]) -> Built:
    built = Built({"card": "1"})
    for f in fmt.TOP:
        if f.key == "card":
            continue
        name = f"card-{f.key}"
        value: Any = form.getlist(name) if f.kind == "lists" else form.get(name, "").strip()
        built.values[name] = value
        if value:
            built.data[f.key] = value
    for list_name in LISTS:
        items, rows = [], []
        for i in _rows(form, list_name):
            item = {}
            for f in fmt.ITEMS[list_name]:
                name = f"{list_name}-{i}-{f.key}"
                value = _value(form, name, f)
                if f.kind == "actor":
                    built.values[name + "-agency"] = form.get(name + "-agency", "")
                    built.values[name + "-role"] = form.get(name + "-role", "")
                else:
                    built.values[name] = value if f.kind == "codes" else form.get(name, "")
                if value not in ("", [], {}):
                    item[f.key] = value
            if item:
                items.append(item)
                rows.append(i)
        if items:
            built.data[list_name] = items
        built.rows[list_name] = rows
    return built


def from_card(data: Mapping[str, Any]) -> dict[str, Any]:
    """Form values that show an existing card (the form's 'start from an example')."""
    values: dict[str, Any] = {}
    for f in fmt.TOP:
        if f.key in data and f.key != "card":
            values[f"card-{f.key}"] = data[f.key]
    for list_name in LISTS:
        for i, item in enumerate(data.get(list_name, [])):
            for f in fmt.ITEMS[list_name]:
                if f.key not in item:
                    continue
                name, value = f"{list_name}-{i}-{f.key}", item[f.key]
                if f.kind == "actor":
                    if isinstance(value, dict):
                        agency, role = value.get("agency", ""), value.get("role", "")
                    else:
                        agency, _, role = str(value).partition(":")
                    values[name + "-agency"], values[name + "-role"] = agency, role
                elif f.kind == "refs":
                    values[name] = ", ".join(map(str, value))
                else:
                    values[name] = value
    return values


def row_counts(values: Mapping[str, Any], extra: str | None = None) -> dict[str, int]:
    """How many rows each list shows: the rows in use, plus one blank (at least one)."""
    out = {}
    for list_name in LISTS:
        pattern = re.compile(rf"^{list_name}-(\d+)-")
        used = [
            int(m.group(1))
            for k, v in values.items()
            for m in [pattern.match(k)]
            if m and v not in ("", [], None)
        ]
        count = (max(used) + 1) if used else 0
        out[list_name] = min(MAX_ROWS, max(1, count + (1 if extra == list_name else 0)))
        if count == 0 and list_name == "actions":
            out[list_name] = max(out[list_name], 1)
    return out


# -- card -> YAML -> the CLI's reader --------------------------------------------------


def to_yaml(data: Mapping[str, Any]) -> str:
    head = "# Incident card (format 1), written with the check-an-incident form.\n"
    return head + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=88)


def _line_paths(text: str) -> dict[int, tuple[Any, ...]]:
    """Line number -> the card path that starts on it (deepest path wins)."""
    out: dict[int, tuple[Any, ...]] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        out[node.start_mark.line + 1] = path
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                out[k.start_mark.line + 1] = (*path, str(k.value))
                walk(v, (*path, str(k.value)))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root, ())
    return out


_FIELD = re.compile(r"^(\w+)\[([^\]]+)\]\.(\w+)")


def field_name(err: InputError, built: Built, text: str) -> str:
    """The form field an error is about ('' when it is about the card as a whole)."""
    path: tuple[Any, ...] = ()
    if err.line is not None:
        path = _line_paths(text).get(err.line, ())
    if not path and err.field:
        m = _FIELD.match(err.field)
        if m:
            items = built.data.get(m.group(1), [])
            index = next(
                (i for i, it in enumerate(items) if str(it.get("id")) == m.group(2)),
                int(m.group(2)) if m.group(2).isdigit() else 0,
            )
            path = (m.group(1), index, m.group(3))
        else:
            path = (err.field,)
    if len(path) >= 3 and path[0] in LISTS and isinstance(path[1], int):
        rows = built.rows.get(str(path[0]), [])
        row = rows[path[1]] if path[1] < len(rows) else path[1]
        f = fmt.field(str(path[0]), str(path[2]))
        suffix = "-agency" if f is not None and f.kind == "actor" else ""
        return f"{path[0]}-{row}-{path[2]}{suffix}"
    if path and isinstance(path[0], str) and any(f.key == path[0] for f in fmt.TOP):
        return f"card-{path[0]}"
    return ""


def read(text: str, codes: CodeIndex, display: str) -> Card:
    """Read the card as `kg check` would, in memory; errors name `display`."""
    return parse_card(text, Path(display), codes)


def file_name(data: Mapping[str, Any]) -> str:
    ident = str(data.get("id", ""))
    fits = len(ident) <= 100 and re.fullmatch(fmt.SLUG[1:-1], ident)
    return f"{ident}.yaml" if fits else "card.yaml"

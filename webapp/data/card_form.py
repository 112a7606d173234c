"""The check form's card: built from what the form sends, and every problem of it in words.

The card's id is made from its title and date when none is given; every problem is found
at once and tied to its field; the CLI's own reader (kg.cards.read.parse_card) has the
last word, its file:line:field mapped back to a field. The fields themselves (labels,
choices in words, the rows shown and their ids) are in card_form_fields.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from werkzeug.datastructures import MultiDict

from kg.cards import format as fmt
from kg.cards.read import Card, parse_card
from kg.cards.yaml_reader import compose
from kg.errors import InputError
from kg.law.codes import CodeIndex
from webapp.data import card_form_fields as fields

LISTS = fields.LISTS
MAX_ROWS = fields.MAX_ROWS
AS_OF = "Apply the law in force on"


@dataclass
class Built:
    data: dict[str, Any]
    rows: dict[str, list[int]] = field(default_factory=dict)  # list -> form row of each item
    values: dict[str, Any] = field(default_factory=dict)  # form name -> value, to re-show
    ids: dict[str, list[str]] = field(default_factory=dict)  # list -> id of each form row


@dataclass(frozen=True)
class Problem:
    field: str  # the form control's name ('' for the card as a whole)
    where: str  # the field in words: "Action 1, Who acted"
    message: str  # what is wrong and how to fix it, in words

    @property
    def text(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


# -- the card's id, made for the user ------------------------------------------------


def card_id(title: str, date: str) -> str:
    """The card's id when the user gave none: its title and date, as a slug."""
    return re.sub(r"[^a-z0-9]+", "-", f"{title.lower()[:50]} {date}").strip("-") or "card"


# -- form -> card ----------------------------------------------------------------------


def _value(form: MultiDict[str, str], name: str, f: fmt.Field, list_name: str) -> Any:
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
    if f.kind == "refs":
        return [v for text in form.getlist(name) for v in re.split(r"[,\s]+", text) if v]
    if list_name == "claims" and f.key == "about" and name not in form:
        item = form.get(name + "-item", "").strip()
        key = form.get(name + "-field", "").strip()
        return f"{item}.{key}" if item and key else item
    return form.get(name, "").strip()


def _reshow(built: Built, form: MultiDict[str, str], name: str, f: fmt.Field, value: Any) -> None:
    if f.kind == "actor":
        built.values[name + "-agency"] = form.get(name + "-agency", "")
        built.values[name + "-role"] = form.get(name + "-role", "")
    elif f.kind in ("codes", "refs"):
        built.values[name] = value
    elif name.startswith("claims-") and f.key == "about":
        item, _, key = str(value).partition(".")
        built.values[name + "-item"] = form.get(name + "-item", item)
        built.values[name + "-field"] = form.get(name + "-field", key)
    else:
        built.values[name] = form.get(name, "")


def _form_rows(form: MultiDict[str, str], list_name: str) -> list[int]:
    pattern = re.compile(rf"^{list_name}-(\d+)-")
    found = {int(m.group(1)) for key in form for m in [pattern.match(key)] if m}
    return sorted(i for i in found if i < MAX_ROWS)


def from_form(form: MultiDict[str, str]) -> Built:
    built = Built({})
    for f in fmt.TOP:
        if f.key == "card":
            continue
        name = f"card-{f.key}"
        value: Any = form.getlist(name) if f.kind == "lists" else form.get(name, "").strip()
        built.values[name] = value
    for list_name in LISTS:
        for i in _form_rows(form, list_name):
            built.values[f"{list_name}-{i}-id"] = form.get(f"{list_name}-{i}-id", "").strip()
    shown = {n: (max(_form_rows(form, n)) + 1 if _form_rows(form, n) else 0) for n in LISTS}
    built.ids = fields.assign_ids(built.values, shown)
    items: dict[str, list[dict[str, Any]]] = {}
    for list_name in LISTS:
        rows = []
        for i in _form_rows(form, list_name):
            item: dict[str, Any] = {}
            for f in fmt.ITEMS[list_name]:
                if f.key == "id":
                    continue
                name = f"{list_name}-{i}-{f.key}"
                value = _value(form, name, f, list_name)
                _reshow(built, form, name, f, value)
                if value not in ("", [], {}):
                    item[f.key] = value
            if item:
                built.values[f"{list_name}-{i}-id"] = built.ids[list_name][i]
                items.setdefault(list_name, []).append({"id": built.ids[list_name][i], **item})
                rows.append(i)
        built.rows[list_name] = rows
    top = {k: v for k, v in built.values.items() if v and k.startswith("card-")}
    built.data = {"card": "1"}
    for f in fmt.TOP[1:]:
        if f.key == "id":
            built.data["id"] = top.get("card-id") or card_id(
                str(top.get("card-title", "")), str(top.get("card-date", ""))
            )
        elif f"card-{f.key}" in top:
            built.data[f.key] = top[f"card-{f.key}"]
    built.data.update(items)
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
                elif list_name == "claims" and f.key == "about":
                    values[name + "-item"], _, values[name + "-field"] = str(value).partition(".")
                elif f.kind in ("refs", "codes"):
                    values[name] = [str(v) for v in value]
                else:
                    values[name] = value
    return values


# -- card -> YAML -> the CLI's reader --------------------------------------------------


def to_yaml(data: Mapping[str, Any]) -> str:
    head = "# Incident card (format 1), written with the check-an-incident form.\n"
    return head + yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=88)


def read(text: str, codes: CodeIndex, display: str) -> Card:
    """Read the card as `kg check` would, in memory; errors name `display`."""
    return parse_card(text, Path(display), codes)


def file_name(data: Mapping[str, Any]) -> str:
    ident = str(data.get("id", ""))
    fits = len(ident) <= 100 and re.fullmatch(fmt.SLUG[1:-1], ident)
    return f"{ident}.yaml" if fits else "card.yaml"


def _line_paths(text: str) -> dict[int, tuple[Any, ...]]:
    """Line number -> the card path that starts on it (deepest path wins), as the reader
    counts lines."""
    try:
        lines = compose(text, "card.yaml")[1]
    except InputError:
        return {}
    return {line: path for path, line in sorted(lines.items(), key=lambda x: len(x[0]))}


_FIELD = re.compile(r"^(\w+)\[([^\]]+)\]\.(\w+)")
_SUFFIX = {"actor": "-agency"}


def field_name(err: InputError, built: Built, text: str) -> str:
    """The form control an error of the reader is about ('' for the card as a whole):
    its line in the card's YAML, else its field (`actions[a1].kind`), back to the form."""
    path: tuple[Any, ...] = ()
    m = _FIELD.match(err.field or "")
    if m:
        items = built.data.get(m.group(1), [])
        index = next((i for i, it in enumerate(items) if str(it.get("id")) == m.group(2)), -1)
        path = (m.group(1), index, m.group(3)) if index >= 0 else ()
    elif err.field:
        path = (err.field,)
    if not path and err.line is not None:
        path = _line_paths(text).get(err.line, ())
    if len(path) >= 3 and path[0] in LISTS and isinstance(path[1], int):
        list_name, key = str(path[0]), str(path[2])
        rows = built.rows.get(list_name, [])
        if key == "id" or not 0 <= path[1] < len(rows):
            return ""
        f = fmt.field(list_name, key)
        suffix = _SUFFIX.get(f.kind, "") if f is not None else ""
        if list_name == "claims" and key == "about":
            suffix = "-item"
        return f"{list_name}-{rows[path[1]]}-{key}{suffix}"
    if path and isinstance(path[0], str) and any(f.key == path[0] for f in fmt.TOP[1:]):
        return f"card-{path[0]}"
    return ""


_NAME = re.compile(r"^(\w+)-(\d+)-(\w+?)(-agency|-role|-item|-field)?$")


def where(name: str) -> str:
    """A form control's name in words: 'Action 1, Who acted'."""
    if name == "as_of":
        return AS_OF
    if name.startswith("card-"):
        key = name[5:]
        return "Complete lists" if key == "complete" else fields.label("top", key)
    m = _NAME.match(name)
    if not m or m.group(1) not in fmt.ITEMS:
        return ""
    list_name, row, key = m.group(1), int(m.group(2)), m.group(3)
    part = {"-agency": " (agency)", "-role": " (role)", "-field": " (which fact)"}
    words = fields.label(list_name, key) + part.get(m.group(4) or "", "")
    return f"{fields.row_name(list_name, row)}, {words[:1].lower() + words[1:]}"


def reader_problem(err: InputError, built: Built, text: str) -> Problem:
    """The reader's error as a problem of the form: its field, and its words without the
    file and line (which the card's YAML view still shows)."""
    name = field_name(err, built, text)
    message = f"{err.problem[:1].upper()}{err.problem[1:]}. To fix it: {err.fix}."
    return Problem(name, where(name), message)


# -- every problem at once, in words ----------------------------------------------------

_FORMATS = {
    "date": (fmt.DATE, "is not a date: write it as YYYY-MM-DD, e.g. 2025-06-04"),
    "month-date": (
        f"{fmt.DATE}|{fmt.MONTH}",
        "is not a date: write YYYY-MM-DD, or YYYY-MM when only the month is known",
    ),
    "time": (fmt.TIME, "is not a time: write HH:MM on a 24-hour clock, e.g. 14:06"),
    "int": (r"^[0-9]+$", "is not a whole number: write digits only, e.g. 10"),
    "url": (r"^https?://\S+$", "is not a web address: write it whole, from https://"),
    "slug": (
        fmt.SLUG,
        "cannot be an id: use lower-case letters, digits and hyphens (or leave it empty)",
    ),
}


def _real_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text if len(text) == 10 else text + "-01")
    except ValueError:
        return False
    return True


class _Checker:
    """Walks the built card and collects a Problem for each field that is wrong."""

    def __init__(self, built: Built, codes: CodeIndex) -> None:
        self.built, self.codes = built, codes
        self.found: list[Problem] = []
        self.ids = {
            ident: (name, row, row in built.rows.get(name, []))
            for name, ids in built.ids.items()
            for row, ident in enumerate(ids)
        }

    def add(self, name: str, message: str) -> None:
        if all(p.field != name for p in self.found):
            self.found.append(Problem(name, where(name), message))

    def value(self, f: fmt.Field, value: Any, *, own: str = "") -> str:
        """What is wrong with one value of field `f` ('' when nothing is)."""
        if f.unknown and value == "unknown" or f.none and value == "none":
            return ""
        if f.kind in _FORMATS and isinstance(value, str):
            pattern, words = _FORMATS[f.kind]
            good = re.match(pattern, value) and (f.kind != "date" or _real_date(value))
            return "" if good else f"'{value}' {words}{', or unknown' if f.unknown else ''}."
        if f.kind in ("code", "codes") and f.scheme:
            known = self.codes.notations(f.scheme)
            bad = [v for v in (value if isinstance(value, list) else [value]) if v not in known]
            return f"'{bad[0]}' is not one of the choices: choose from the list." if bad else ""
        if f.kind == "bool":
            return "" if value in ("true", "false") else "Choose yes or no."
        if f.kind in ("ref", "refs"):
            for v in value if isinstance(value, list) else [value]:
                found = self.ids.get(str(v))
                kinds = " or ".join(fields.singular(t) for t in f.targets)
                if found is None or found[0] not in f.targets or str(v) == own:
                    return f"'{v}' is not any {kinds} of this card: choose one from the list."
                if not found[2]:
                    row = fields.row_name(found[0], found[1])
                    return f"{row} is empty: fill it in above, or choose another."
        return ""

    def field(self, name: str, f: fmt.Field, item: Mapping[str, Any], list_name: str) -> None:
        control = name + _SUFFIX.get(f.kind, "")
        if list_name == "claims" and f.key == "about":
            control = name + "-item"
        if f.key not in item:
            if f.required:
                self.add(control, fields.required(list_name, f))
            return
        value = item[f.key]
        if f.kind == "actor" and isinstance(value, dict):
            missing = "role" if "agency" in value else "agency"
            other = "“Role not known”" if missing == "role" else "“Not known”"
            self.add(f"{name}-{missing}", f"Choose the {missing} too, or {other}.")
        elif list_name == "claims" and f.key == "about":
            self.about(name, str(value))
        elif list_name == "claims" and f.key == "value":
            self.claim_value(name, item)
        elif problem := self.value(f, value, own=str(item.get("id", ""))):
            self.add(control, problem)

    def about(self, name: str, about: str) -> None:
        target, _, key = about.partition(".")
        found = self.ids.get(target)
        if found is None:
            self.add(name + "-item", f"'{target}' is not an item of this card: choose one.")
        elif key not in fields.disputable(found[0]):
            thing = fields.singular(found[0])
            self.add(name + "-field", f"Choose which fact of the {thing} is in dispute.")

    def claim_value(self, name: str, claim: Mapping[str, Any]) -> None:
        target, _, key = str(claim.get("about", "")).partition(".")
        found = self.ids.get(target)
        f = fmt.field(found[0], key) if found else None
        if f is None or f.kind in ("text", "any"):
            return
        value: Any = claim["value"]
        if f.kind in ("refs", "codes"):
            value = [v for v in re.split(r"[,\s]+", str(value)) if v]
        if problem := self.value(f, value):
            self.add(name, problem)

    def run(self, *, as_of: str, today: str) -> list[Problem]:
        data = self.built.data
        for f in fmt.TOP[1:]:
            self.field(f"card-{f.key}", f, data, "top")
        if re.match(fmt.DATE, str(data.get("date", ""))) and str(data["date"]) > today:
            self.add(
                "card-date",
                f"The incident's date is after today ({today}): write the day it happened; "
                f"for the law of a later date, use '{AS_OF}' below.",
            )
        for list_name, items in data.items():
            for item, row in zip(
                items if list_name in fmt.ITEMS else [],
                self.built.rows.get(list_name, []),
                strict=False,
            ):
                for f in fmt.ITEMS[list_name][1:]:
                    self.field(f"{list_name}-{row}-{f.key}", f, item, list_name)
        if as_of and not (re.match(fmt.DATE, as_of) and _real_date(as_of)):
            self.add(
                "as_of", f"'{as_of}' is not a date: write it as YYYY-MM-DD, or leave it empty."
            )
        return self.found


def problems(built: Built, codes: CodeIndex, *, as_of: str = "", today: str = "") -> list[Problem]:
    """Every problem of the card the form built, in words, each tied to its field."""
    day = today or datetime.date.today().isoformat()
    return _Checker(built, codes).run(as_of=as_of, today=day)

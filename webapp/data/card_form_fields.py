"""The check form's fields in words: labels, choices and hints for every key of a card.

Generated from the card format's own table (kg.cards.format), so every part of a card
has a field; the codes stay the option values and the words are their SKOS labels.
Form names: `card-<key>` for the card's own keys; `<list>-<row>-<key>` for an item's
field, with `-agency` and `-role` for an actor, `-item` and `-field` for a claim's `about`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from kg.cards import format as fmt
from kg.law.codes import CodeIndex

LISTS = tuple(fmt.ITEMS)  # every list of the card format, persons and events included
MAX_ROWS = 100
Names = Mapping[str, Mapping[str, str]]  # scheme -> code -> words

# list | one item | prefix of the ids made for it | the fields that name a row where it
# can be picked ("Action 1: CPD officer, crowd control") | title of its part of the form
_LISTS = """
sources | source | s | title | Sources
operations | operation | op | agency kind | Operations (a federal or other operation at the scene)
persons | person | p | description | Persons (no names: what the record says of them)
calls | call | call | time caller request | Calls for service (911 / OEMC)
actions | action | a | actor kind | Actions (what each actor did)
claims | claim | cl | about | Disputed facts (claims)
complaints | complaint | c | against allegations | Complaints
complaint_counts | complaint count | n | count reported_as | Complaint counts (a source's figures)
reviews | review | r | by kind | Reviews and investigations
events | event | e | date title | Other events (hearings, orders, statements)
"""
_TABLE = {
    row[0]: row[1:]
    for row in ([p.strip() for p in line.split("|")] for line in _LISTS.strip().splitlines())
}
LABELS = {
    "id": "Card id",
    "facts_as_of": "Facts known to be complete on",
    "synthetic": "A made-up incident (not a real one)",
    "happened": "Did it happen?",
    "source": "Source",
    "url": "Web address",
    "detained": "Number of people detained",
    "record": "Criminal record",
    "request": "What the caller asked for",
    "affiliation_disclosed": "The caller's agency was made known to the dispatcher",
    "supervisor_consulted": "The dispatcher consulted an OEMC supervisor",
    "actor": "Who acted",
    "in_response_to": "In response to the call",
    "assists": "The operation it in fact supported",
    "purpose": "Why the actor did it",
    "basis": "Basis (for a stop, arrest or detention)",
    "subject": "The person it was done to",
    "topic": "Topic (of an inquiry or message)",
    "recipient": "Who received it (agency)",
    "written_authorization": "Written authorization",
    "legal_requirement": "Legal requirement",
    "supervisor_reviewed": "A supervisor reviewed the request first",
    "decision": "Decision (of a review of a request)",
    "asserted_by": "Asserted by",
    "value": "What the claim says instead",
    "filed_with": "Filed with",
    "referred_to": "Sent on to",
    "opened": "Opened on",
    "completed": "Completed on",
    "part_of": "Part of the count",
    "reported_as": "As the source words it",
    "against": "Who the complaints are against",
}
SPECIAL = {
    ("top", "date"): "Date of the incident",
    ("operations", "kind"): "Kind of operation",
    ("actions", "kind"): "What was done",
    ("actions", "description"): "What happened, in the source's words",
    ("actions", "concerns"): "The operation the inquiry or message is about",
    ("calls", "concerns"): "The operation the call is about",
    ("claims", "about"): "The fact in dispute",
    ("claims", "source"): "Source of the claim",
    ("complaints", "date"): "Date filed",
    ("complaints", "against"): "Who the complaint is against",
    ("complaints", "about"): "About these actions or calls",
    ("reviews", "kind"): "Kind of review",
    ("reviews", "by"): "By (agency)",
    ("reviews", "about"): "About",
    ("sources", "kind"): "Kind of source",
    ("sources", "title"): "Title of the source",
    ("events", "kind"): "Kind of event",
    ("events", "by"): "By (agency or body)",
    ("events", "title"): "What happened",
}
HINTS = {
    "date": "YYYY-MM-DD, e.g. 2025-06-04",
    "month-date": "YYYY-MM-DD, YYYY-MM or unknown",
    "time": "HH:MM, 24-hour, e.g. 14:06",
    "int": "a whole number, or unknown",
    "slug": "lower-case letters, digits and hyphens; left empty, it is made from the title "
    "and the date",
    "url": "https://…",
    "codes": "choose one or more (Ctrl or ⌘ and click, or Shift and the arrow keys)",
    "refs": "choose one or more (Ctrl or ⌘ and click, or Shift and the arrow keys)",
}
YES_NO = {"true": "Yes", "false": "No"}
ROLE_WORDS = {"unknown": "Role not known"}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    short: str = ""  # how a row summary names it (an agency's code)


@dataclass(frozen=True)
class Input:
    key: str
    label: str
    # text, date, select, multi, actor, textarea, checks, ref, refs, about, value
    widget: str
    options: tuple[Option, ...] = ()
    required: bool = False
    hint: str = ""
    targets: tuple[str, ...] = ()  # for ref, refs, about: the lists whose rows it names
    empty: str = ""  # the words of the empty choice ("not stated (no)")
    summary: bool = False  # the field is part of the row's name in reference lists


def _row(list_name: str) -> list[str]:
    fallback = list_name.replace("_", " ")
    first = [f.key for f in fmt.ITEMS.get(list_name, ()) if f.kind == "text"][:1]
    made = [fallback.rstrip("s"), list_name[:2], " ".join(first), fallback.capitalize()]
    return _TABLE.get(list_name) or made


def title(list_name: str) -> str:
    return _row(list_name)[3]


def singular(list_name: str) -> str:
    return _row(list_name)[0]


def prefix(list_name: str) -> str:
    return _row(list_name)[1]


def label(list_name: str, key: str) -> str:
    words = SPECIAL.get((list_name, key)) or LABELS.get(key) or key.replace("_", " ")
    if key == "kind" and (list_name, key) not in SPECIAL:
        words = f"Kind of {singular(list_name)}"
    return words[0].upper() + words[1:]


def required(list_name: str, f: fmt.Field) -> str:
    """What to do when a required field is empty: 'Choose who acted (required).'"""
    words = label(list_name, f.key)
    words = words[:1].lower() + words[1:]
    if not words.startswith(("what ", "who ", "how ", "why ", "when ", "the ")):
        words = "the " + words
    verb = "Choose" if f.kind in ("code", "codes", "bool", "actor", "ref", "refs") else "Write"
    if list_name == "claims" and f.key == "about":
        verb = "Choose"
    more = {"codes": ", one or more", "actor": ": the agency, or “Not known”"}.get(f.kind, "")
    return f"{verb} {words}{more} (required)."


def _words(code: str, names: Mapping[str, str]) -> str:
    if code == "unknown":
        return "Not known"
    if code == "none" and code not in names:
        return "None"
    words = names.get(code) or code.replace("-", " ")
    return words[0].upper() + words[1:]


def code_options(scheme: str, codes: CodeIndex, names: Names) -> tuple[Option, ...]:
    own = names.get(scheme, {})
    if scheme == "agency":
        return tuple(
            Option(c, f"{_words(c, own)} ({c})" if own.get(c) else c, c)
            for c in codes.notations(scheme)
        )
    return tuple(Option(c, _words(c, own)) for c in codes.notations(scheme))


def _default_words(f: fmt.Field, options: tuple[Option, ...]) -> str:
    if f.default is None:
        return "Not stated"
    shown = next((o.label for o in options if o.value == f.default), f.default)
    shown = "none" if f.default == "[]" else shown
    return f"Not stated ({shown[:1].lower() + shown[1:]})"


def _field_input(f: fmt.Field, list_name: str, codes: CodeIndex, names: Names) -> Input:
    unknown = (Option("unknown", "Not known"),) if f.unknown else ()
    base: dict[str, Any] = {
        "key": f.key,
        "label": label(list_name, f.key),
        "required": f.required,
        "summary": list_name != "top" and f.key in _row(list_name)[2].split(),
    }
    if f.kind == "code":
        options = code_options(f.scheme or "", codes, names)
        options = options + tuple(o for o in unknown if o.value not in {x.value for x in options})
        return Input(widget="select", options=options, empty=_default_words(f, options), **base)
    if f.kind == "codes":
        return Input(
            widget="multi",
            options=code_options(f.scheme or "", codes, names),
            hint=HINTS["codes"],
            **base,
        )
    if f.kind == "bool":
        options = tuple(Option(v, w) for v, w in YES_NO.items()) + unknown
        return Input(widget="select", options=options, empty=_default_words(f, options), **base)
    if f.kind == "actor":
        # `unknown` as the agency: the actor is not known at all (`caller: unknown`); as the
        # role, a member of that agency whose role is not known (`CPD:unknown`)
        options = code_options("agency", codes, names) + (Option("unknown", "Not known"),)
        return Input(widget="actor", options=options, **base)
    if f.kind in ("ref", "refs"):
        extra = [Option("none", "None")] if f.none else []
        extra += list(unknown)
        hint = HINTS["refs"] if f.kind == "refs" else ""
        return Input(
            widget=f.kind,
            options=tuple(extra),
            targets=f.targets,
            hint=hint,
            empty=_default_words(f, tuple(extra)),
            **base,
        )
    if list_name == "claims" and f.key == "about":
        targets = tuple(n for n in fmt.ITEMS if n != "claims")
        return Input(widget="about", targets=targets, **base)
    if list_name == "claims" and f.key == "value":
        hint = "choose the fact in dispute first; then pick or write the value"
        return Input(widget="value", hint=hint, **base)
    if f.key in ("summary", "description"):
        return Input(widget="textarea", **base)
    widget = "date" if f.kind == "date" else "text"
    return Input(widget=widget, hint=HINTS.get(f.kind, ""), **base)


def _top_input(f: fmt.Field, codes: CodeIndex, names: Names) -> Input:
    if f.kind == "lists":
        options = tuple(Option(n, title(n).split(" (")[0]) for n in fmt.COMPLETABLE)
        hint = (
            "the lists that name everything that happened, as of the date the facts are "
            "known to be complete: what such a list leaves out did not happen"
        )
        return Input("complete", "Complete lists", "checks", options, hint=hint)
    got = _field_input(f, "top", codes, names)
    if f.key == "id":
        return Input(got.key, got.label, "text", hint=HINTS["slug"])
    return got


def disputable(list_name: str) -> tuple[str, ...]:
    """The fields of a list that a claim can dispute (as kg.cards.read allows)."""
    return tuple(
        f.key for f in fmt.ITEMS[list_name] if f.prop is not None and f.key not in ("id", "source")
    )


def spec(codes: CodeIndex, names: Names) -> dict[str, Any]:
    """The form's fields as plain data: the card's own keys, then one group per list."""
    lists = []
    for name, fields in fmt.ITEMS.items():
        lists.append(
            {
                "name": name,
                "title": title(name),
                "singular": singular(name),
                "prefix": prefix(name),
                "fields": [
                    asdict(_field_input(f, name, codes, names))
                    # whether it happened at all comes last: it is rarely in doubt
                    for f in sorted(fields, key=lambda f: f.key == "happened")
                    if f.key != "id"
                ],
            }
        )
    role_names = names.get("role", {})
    roles = [ROLE_WORDS.get(r) or _words(r, role_names) for r in codes.notations("role")]
    return {
        "top": [asdict(_top_input(f, codes, names)) for f in fmt.TOP if f.key != "card"],
        "lists": lists,
        "roles": [
            *(
                {"value": v, "label": w}
                for v, w in zip(codes.notations("role"), roles, strict=True)
            ),
            {"value": "unknown", "label": ROLE_WORDS["unknown"]},
        ],
        "claim_fields": {
            name: [{"value": k, "label": label(name, k)} for k in disputable(name)]
            for name in fmt.ITEMS
            if name != "claims"
        },
    }


# -- the rows a reference can pick ------------------------------------------------------


def row_name(list_name: str, row: int) -> str:
    return f"{singular(list_name).capitalize()} {row + 1}"


def _shown(inp: Mapping[str, Any], name: str, values: Mapping[str, Any], roles: Any) -> str:
    """A field's value in the words its drop-down shows (an agency by its code)."""
    by_value = {o["value"]: o["short"] or o["label"] for o in inp["options"]}
    if inp["widget"] == "actor":
        agency = str(values.get(name + "-agency", ""))
        role = str(values.get(name + "-role", ""))
        if agency == "unknown":
            return "actor not known"
        role_words = {r["value"]: r["label"] for r in roles}.get(role, "").lower()
        return " ".join(w for w in (agency, role_words) if w)
    value = values.get(name, "")
    if isinstance(value, list):
        return ", ".join(str(by_value.get(v, v)) for v in value[:2]) + (
            "…" if len(value) > 2 else ""
        )
    if inp["widget"] == "about":
        item, key = values.get(name + "-item", ""), values.get(name + "-field", "")
        return f"{item}.{key}" if item and key else str(item)
    text = str(value).strip()
    shown = str(by_value.get(text, text))
    return shown if len(shown) <= 48 else shown[:47] + "…"


def summary(form: Mapping[str, Any], list_name: str, row: int, values: Mapping[str, Any]) -> str:
    """'Action 1: CPD officer, crowd control': how a row is named where it can be picked."""
    group = next(g for g in form["lists"] if g["name"] == list_name)
    fields = [i for i in group["fields"] if i["summary"]]
    parts = [_shown(i, f"{list_name}-{row}-{i['key']}", values, form["roles"]) for i in fields]
    said = ", ".join(p for p in parts if p)
    return f"{row_name(list_name, row)}: {said}" if said else row_name(list_name, row)


def choices(
    form: Mapping[str, Any], ids: Mapping[str, list[str]], values: Mapping[str, Any]
) -> dict[str, list[dict[str, str]]]:
    """list -> the rows shown, each as {value: its id, label: its name in words}."""
    return {
        name: [
            {"value": ident, "label": summary(form, name, row, values)}
            for row, ident in enumerate(row_ids)
        ]
        for name, row_ids in ids.items()
    }


# -- the rows shown, and the ids made for them -------------------------------------------


def row_counts(values: Mapping[str, Any], extra: str | None = None) -> dict[str, int]:
    """How many rows each list shows: the rows in use (at least one), plus one if added."""
    out = {}
    for list_name in LISTS:
        pattern = re.compile(rf"^{list_name}-(\d+)-(?!id$)")
        used = [
            int(m.group(1))
            for k, v in values.items()
            for m in [pattern.match(k)]
            if m and v not in ("", [], None)
        ]
        count = (max(used) + 1) if used else 0
        out[list_name] = min(MAX_ROWS, max(1, count + (1 if extra == list_name else 0)))
    return out


def assign_ids(values: Mapping[str, Any], rows: Mapping[str, int]) -> dict[str, list[str]]:
    """The id of each row shown: the one it has, else `a1`, `a2`… not taken by another."""
    taken = {str(v) for k, v in values.items() if k.endswith("-id") and v}
    out: dict[str, list[str]] = {}
    for name in LISTS:
        ids = []
        for i in range(rows.get(name, 0)):
            given = str(values.get(f"{name}-{i}-id", "") or "").strip()
            if not given:
                n = i + 1
                while f"{prefix(name)}{n}" in taken:
                    n += 1
                given = f"{prefix(name)}{n}"
                taken.add(given)
            ids.append(given)
        out[name] = ids
    return out

"""A provision over time: its versions, the one in force on a day, banners, redlines, and
the amendments that make versions (with a day on which the sandbox can replay each).

Dates follow the graph: validFrom inclusive, validUntil exclusive, both YYYY-MM-DD, so
they compare as text. A redline compares our paraphrases of two versions (the graph holds
no code wording), word by word with difflib. An amendment already law is replayed in the
sandbox on the last day before it took effect, when what it removed was still in force.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from rdflib import URIRef

from kg.errors import InputError
from webapp.links import local, tail
from webapp.services import Services

Row = Mapping[str, str]
PASSED = ("passed", "enacted")  # bill statuses of an amendment that is law
NO_TEXT = {
    "title-only": "Text not retrieved: only the heading of this provision is known; nothing "
    "on this page is drawn from its wording, and a rule drawn from it gives at most "
    "undetermined.",
    "not-retrieved": "Text not retrieved: only that this provision exists is known; nothing "
    "on this page is drawn from its wording.",
}
SECONDARY = {
    "secondary": "Not encoded from the text: what this page says rests on secondary sources "
    "(official summaries, restatements, news).",
    "unconfirmed": "Not confirmed: known only from reports that could not be checked against "
    "the text.",
}


def today() -> str:
    return datetime.date.today().isoformat()


def in_force(start: str, until: str, day: str) -> bool:
    return (not start or start <= day) and (not until or day < until)


def dates(row: Row, day: str | None = None) -> dict[str, Any]:
    start, until = row.get("from", ""), row.get("until", "")
    return {"from": start, "until": until, "in_force": in_force(start, until, day or today())}


def passed(status: str) -> bool:
    return tail(status) in PASSED


def versions(s: Services, node: URIRef, data: Mapping[str, Any], day: str) -> list[dict[str, Any]]:
    """The versions of the provision, oldest first, numbered v1, v2, ...; where none is
    open-ended, the provision's own (current) text closes the list."""
    out = [_version(r, day) for r in s.rows("provision-versions", iri=node)]
    if not any(v["from"] and not v["until"] for v in out):
        out.append(
            {
                **dates(data["dates"], day),
                "iri": data["iri"],
                "label": "The provision as the graph records it",
                "start_uncertain": False,
                "window_end": "",
                "paraphrase": data["paraphrase"],
                "status": data["status"],
                "note": "",  # the provision's own note is on the page already
                "amendment": None,
            }
        )
    for number, version in enumerate(out, 1):
        version["id"] = f"v{number}"
    return out


def _version(r: Row, day: str) -> dict[str, Any]:
    amendment = None
    if r.get("amendment"):
        amendment = {
            "id": r.get("amendmentId", ""),
            "label": r.get("amendmentLabel", "") or tail(r["amendment"]),
            "status": tail(r.get("billStatus", "")),
            "url": local(r["amendment"]),
        }
    return {
        **dates(r, day),
        "iri": r["version"],
        "label": r.get("label", ""),
        "start_uncertain": r.get("startUncertain", "").lower() == "true",
        "window_end": r.get("windowEnd", ""),
        "paraphrase": r.get("paraphrase", ""),
        "status": tail(r.get("status", "")),
        "note": r.get("note", ""),
        "amendment": amendment,
    }


def changed_by(s: Services, node: URIRef) -> list[dict[str, str]]:
    """What each amendment's typed changes do to the provision or one of its versions."""
    return [
        {
            "id": r["amendmentId"],
            "label": r.get("label", "") or r["amendmentId"],
            "status": tail(r.get("billStatus", "")),
            "from": r.get("from", ""),
            "role": r["role"],
            "node": r["node"],
            "clause": r["clause"],
            "clause_label": r.get("clauseLabel", ""),
        }
        for r in s.rows("provision-changed-by", iri=node)
    ]


def banners(data: Mapping[str, Any], day: str) -> list[dict[str, str]]:
    """What a reader must know first about the provision on `day`, each in one sentence."""
    out = []
    start, until = data["dates"]["from"], data["dates"]["until"]
    if start and day < start:
        out.append(
            {
                "kind": "not-yet-in-force",
                "title": "Not yet in force",
                "message": f"Not yet in force on {day}: the graph has it in force from {start}.",
            }
        )
    if until and day >= until:
        removed = [
            c
            for c in data["changed_by"]
            if c["role"] == "removes" and c["node"] == data["iri"] and passed(c["status"])
        ]
        how = "".join(
            f" It was taken out of force by {c['label']} (clause {c['clause']})." for c in removed
        )
        out.append(
            {
                "kind": "repealed",
                "title": "Repealed or no longer in force",
                "message": f"No longer in force on {day}: the graph has it in force until "
                f"{until} (not on that day).{how} How sure the graph is of this is in the "
                "encoding note below.",
            }
        )
    if data["status"] in NO_TEXT:
        out.append(
            {
                "kind": "text-not-retrieved",
                "title": "Text not retrieved",
                "message": NO_TEXT[data["status"]],
            }
        )
    elif data["status"] in SECONDARY:
        out.append(
            {
                "kind": "secondary",
                "title": "Not from the text",
                "message": SECONDARY[data["status"]],
            }
        )
    return out


def at(all_versions: list[dict[str, Any]], day: str) -> dict[str, Any] | None:
    """The version in force on `day` (the latest to start, if dates overlap)."""
    found = [
        v
        for v in all_versions
        if (v["from"] or v["until"]) and in_force(v["from"], v["until"], day)
    ]
    return found[-1] if found else None


def _words(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


def redline(old: str, new: str) -> list[dict[str, str]]:
    """`new` against `old`, word by word: runs of equal, deleted and inserted text."""
    a, b = _words(old), _words(new)
    out: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("equal", "delete", "replace"):
            out.append({"op": "equal" if op == "equal" else "delete", "text": "".join(a[i1:i2])})
        if op in ("insert", "replace"):
            out.append({"op": "insert", "text": "".join(b[j1:j2])})
    return [p for p in out if p["text"]]


def compare(all_versions: list[dict[str, Any]], spec: str) -> dict[str, Any]:
    """The redline asked for by `?compare=v1,v2`; InputError naming the field otherwise."""
    ids = [p.strip().lower() for p in spec.split(",")]
    known = {v["id"]: v for v in all_versions}
    choices = ", ".join(known)
    if len(ids) != 2 or ids[0] == ids[1] or not all(i in known for i in ids):
        raise InputError(
            "compare",
            f"'{spec[:40]}' does not name two different versions of this provision",
            f"name two of its versions with a comma between, e.g. compare=v1,v2 (it has {choices})",
            field="compare",
        )
    old, new = known[ids[0]], known[ids[1]]
    parts = redline(old["paraphrase"], new["paraphrase"])
    return {
        "from": {k: old[k] for k in ("id", "label", "from", "until")},
        "to": {k: new[k] for k in ("id", "label", "from", "until")},
        "parts": parts,
        "inserted": sum(len(p["text"].split()) for p in parts if p["op"] == "insert"),
        "deleted": sum(len(p["text"].split()) for p in parts if p["op"] == "delete"),
    }


def pairs(all_versions: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Each version with the one after it: the redlines a reader is offered."""
    return [
        {"from": a["id"], "to": b["id"], "compare": f"{a['id']},{b['id']}"}
        for a, b in zip(all_versions, all_versions[1:], strict=False)
    ]


def valid_day(value: str, field: str) -> str:
    """`value` if it is a day written YYYY-MM-DD; else InputError naming the field."""
    try:
        ok = len(value) == 10 and bool(datetime.date.fromisoformat(value))
    except ValueError:
        ok = False
    if not ok:
        raise InputError(
            field,
            f"'{value[:40]}' is not a date",
            f"write the day as YYYY-MM-DD, e.g. {field}=2021-01-26",
            field=field,
        )
    return value


def sandbox_days(s: Services) -> dict[str, str]:
    """For each amendment already law, a day on which applying it changes something: the
    last day before it took effect, if what it removes was in force then."""
    windows: dict[str, dict[str, Any]] = {}
    for r in s.rows("amendment-windows"):
        if not (passed(r.get("billStatus", "")) and r.get("from")):
            continue
        w = windows.setdefault(r["amendmentId"], {"end": r["from"], "starts": set()})
        if r.get("removedFrom"):
            w["starts"].add(r["removedFrom"])
    out = {}
    for aid, w in windows.items():
        day = (datetime.date.fromisoformat(w["end"]) - datetime.timedelta(days=1)).isoformat()
        if not w["starts"] or max(w["starts"]) <= day:
            out[aid] = day
    return out


def sandbox_url(aid: str, day: str | None) -> str:
    return "/amend?" + urlencode({"amend": aid, **({"as_of": day} if day else {})})


def amendment(r: Row, days: dict[str, str]) -> dict[str, Any]:
    """An amendment; one already law (`passed`) is offered in the sandbox on a day before
    it took effect (`sandbox_day`), where applying it changes something."""
    aid, status = r["amendmentId"], tail(r.get("billStatus", ""))
    return {
        "id": aid,
        "label": r.get("label", ""),
        "status": status,
        "status_date": r.get("statusDate", ""),
        "in_force_from": r.get("from", ""),
        "url": local(r["amendment"]),
        "passed": passed(status),
        "sandbox_day": days.get(aid, ""),
        "sandbox_url": sandbox_url(aid, days.get(aid)),
    }


def amendments(s: Services) -> list[dict[str, Any]]:
    """Every amendment in the graph, proposed or passed, with its clauses."""
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
    days = sandbox_days(s)
    for r in s.rows("amendments"):
        a: dict[str, Any] = amendment(r, days)
        a["paraphrase"] = r.get("paraphrase", "")
        a["record"] = r.get("record", "")
        a["clauses"] = clauses.get(r["amendmentId"], [])
        a["changes_powers"] = r["amendmentId"] in touches_grants
        out.append(a)
    return out


def proposals(s: Services) -> list[dict[str, Any]]:
    """The amendments offered under "if these were law": none that is law already."""
    return [a for a in amendments(s) if not a["passed"]]

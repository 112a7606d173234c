"""The list of incidents: every card as one entry, filtered (dates, agency, provision, verdict,
disputed) and grouped by year and month for the timeline.

An entry's facts come from the incident's card as anyone may see it (restricted items left
out); its findings and competence answers from the determinations the store holds (`kg check
--all --store`), or, for an incident the store has none for (or withholds), from the
reasoner once per app (Services.report), without what rests on withheld items.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from kg.errors import InputError
from kg.namespaces import BASE
from webapp.data.incidents import VERDICT_ORDER, actor, card_of, card_of_ids
from webapp.data.provision_versions import valid_day
from webapp.data.who import code_names
from webapp.links import local
from webapp.restricted import redact
from webapp.services import Services

VERDICTS = tuple(VERDICT_ORDER)
STATUSES = ("clear", "overlap", "gap", "contested", "undetermined")
ORDERS = ("newest", "oldest")
DISPUTED = ("yes", "no")
CARD_AUTHOR = "authority-kg (card author)"
# the query parameter of each filter (`from` and `to` are Python keywords)
PARAMS = {
    "date_from": "from",
    "date_to": "to",
    "agency": "agency",
    "provision": "provision",
    "verdict": "verdict",
    "disputed": "disputed",
    "order": "order",
}


@dataclass(frozen=True)
class Filters:
    date_from: str = ""
    date_to: str = ""
    agency: str = ""
    provision: str = ""
    verdict: str = ""
    disputed: str = ""
    order: str = "newest"

    def to_json(self) -> dict[str, str]:
        """The filters under their query parameters' names, as asked (an unset one is "")."""
        return {PARAMS[k]: v for k, v in asdict(self).items()}

    def any(self) -> bool:
        return any(v for k, v in asdict(self).items() if k != "order")


def _problem(field: str, value: str, problem: str, fix: str) -> dict[str, str]:
    return {"field": field, "value": value[:40], "message": f"{field}: {problem}. Fix: {fix}."}


def parse(s: Services, args: Mapping[str, str]) -> tuple[Filters, list[dict[str, str]]]:
    """The filters a request asks for, and a problem (field, value, message) per bad one."""
    given = {k: str(args.get(p, "")).strip() for k, p in PARAMS.items()}
    given["order"] = given["order"] or "newest"
    problems = []
    for key in ("date_from", "date_to"):
        if given[key]:
            try:
                valid_day(given[key], PARAMS[key])
            except InputError as err:
                problems.append(_problem(PARAMS[key], given[key], err.problem, err.fix))
                given[key] = ""
    if given["date_from"] and given["date_to"] and given["date_from"] > given["date_to"]:
        problems.append(
            _problem(
                "to",
                given["date_to"],
                f"the end ({given['date_to']}) is before the start ({given['date_from']})",
                "give a day on or after 'from', or swap the two",
            )
        )
    choices = {
        "agency": sorted(code_names(s, "agency")),
        "verdict": list(VERDICTS),
        "disputed": list(DISPUTED),
        "order": list(ORDERS),
    }
    for key, allowed in choices.items():
        if given[key] and given[key] not in allowed:
            what = "an agency code" if key == "agency" else f"one of the values '{key}' takes"
            problems.append(
                _problem(
                    key,
                    given[key],
                    f"'{given[key][:40]}' is not {what}",
                    f"use one of: {', '.join(allowed)}, or leave it empty"
                    if key != "order"
                    else f"use one of: {', '.join(allowed)}",
                )
            )
    if given["provision"] and given["provision"] not in known_citations(s):
        problems.append(
            _problem(
                "provision",
                given["provision"],
                f"'{given['provision'][:40]}' is not the citation of a provision in the graph",
                "write a citation as the law pages do, e.g. 2-173-020(a)(6), or choose "
                "one of the provisions the findings rest on",
            )
        )
    return Filters(**given), problems


def known_citations(s: Services) -> frozenset[str]:
    """Every provision citation in the law and every citation a finding rests on."""

    def compute() -> frozenset[str]:
        law = {r["citation"] for r in s.rows("incident-list-citations")}
        found = {f["provision"] for e in entries(s) for f in e["findings_on"]}
        return frozenset(law | found)

    return s.memo.get(("incident-list", "citations"), compute)


# -- the entries -------------------------------------------------------------------------


def _stored(s: Services) -> dict[str, dict[str, tuple[str, str, str]]]:
    """Incident id -> answer IRI -> (kind, outcome, citation), for each stored run."""
    out: dict[str, dict[str, tuple[str, str, str]]] = {}
    prefix = f"{BASE}incident/"
    for r in s.rows("incident-list"):
        answers = out.setdefault(r["incident"].removeprefix(prefix), {})
        if r.get("answer"):
            answers[r["answer"]] = (r["kind"], r["outcome"], r.get("citation", ""))
    return out


def _determinations(
    s: Services, incident_id: str, stored: dict[str, dict[str, tuple[str, str, str]]]
) -> tuple[list[tuple[str, str]], list[str], str]:
    """(verdict, citation) per finding, the status per competence answer, and whence."""
    if incident_id in stored:
        answers = stored[incident_id].values()
        findings = [(o, c) for k, o, c in answers if k == "finding"]
        return findings, [o for k, o, _ in answers if k == "competence"], "store"
    card = card_of(s, incident_id)
    report, _ = redact(s.report(incident_id), s.restricted.withheld_items(card.data))
    return (
        [(f.verdict, f.provision) for f in report.findings],
        [c.status for c in report.competence],
        "reasoner",
    )


def _agencies(card: Mapping[str, Any]) -> set[str]:
    """Agencies that appear as an actor, a caller, an operation's agency, or a complaint's
    (or a complaint figure's) filed_with or against."""
    found = {str(o.get("agency", "")) for o in card.get("operations", [])}
    found |= {actor(a.get("actor", ""))["agency"] for a in card.get("actions", [])}
    found |= {actor(c.get("caller", ""))["agency"] for c in card.get("calls", [])}
    for c in [*card.get("complaints", []), *card.get("complaint_counts", [])]:
        found.add(str(c.get("filed_with", "")))
        if "against" in c:
            found.add(actor(c["against"])["agency"])
    return found - {"", "unknown", "None"}


def _entry(
    s: Services, incident_id: str, stored: dict[str, dict[str, tuple[str, str, str]]]
) -> dict[str, Any]:
    card = s.restricted.public_card(card_of(s, incident_id).data)
    findings, statuses, whence = _determinations(s, incident_id, stored)
    date = str(card.get("date", ""))
    names = code_names(s, "agency")
    authors = {str(x["id"]) for x in card.get("sources", []) if x.get("publisher") == CARD_AUTHOR}
    claims = card.get("claims", [])
    verdicts = Counter(v for v, _ in findings)
    status = Counter(statuses)
    on = Counter(findings)
    return {
        "id": incident_id,
        "url": local(f"{BASE}incident/{incident_id}"),
        "title": str(card.get("title", "")),
        "date": date,
        "year": date[:4],
        "month": date[:7],
        "month_name": _month_name(date),
        "place": str(card.get("place", "")),
        "findings": {v: verdicts.get(v, 0) for v in VERDICTS},
        "competence": {
            k: status[k] for k in [*STATUSES, *sorted(set(status) - set(STATUSES))] if status[k]
        },
        "findings_on": [
            {"provision": c, "verdict": v, "count": n}
            for (v, c), n in sorted(on.items(), key=lambda x: (x[0][1], VERDICT_ORDER[x[0][0]]))
        ],
        "disputed": bool(claims),
        "claims": len(claims),
        "inferences": sum(1 for c in claims if str(c.get("source", "")) in authors),
        "agencies": [
            {"code": a, "name": names.get(a, a), "url": local(f"{BASE}agency/{a}")}
            for a in sorted(_agencies(card), key=lambda a: names.get(a, a))
        ],
        "determinations": whence,
    }


def _month_name(date: str) -> str:
    try:
        return f"{calendar.month_name[int(date[5:7])]} {date[:4]}"
    except (ValueError, IndexError):
        return date[:7] or "no date"


def entries(s: Services) -> list[dict[str, Any]]:
    """Every incident of the graph, oldest first (computed once per store)."""

    def compute() -> list[dict[str, Any]]:
        stored = _stored(s)
        found = [_entry(s, i, stored) for i in card_of_ids(s)]
        return sorted(found, key=lambda e: (e["date"], e["id"]))

    return s.memo.get(("incident-list", "entries"), compute)


# -- filtering and the timeline ----------------------------------------------------------


def _rests_on(citation: str, provision: str) -> bool:
    """A citation is the provision's or a part of it: 2-173-020(a)(6) is in 2-173-020(a)."""
    return citation == provision or citation.startswith(provision + "(")


def matches(e: dict[str, Any], f: Filters) -> bool:
    if (f.date_from and e["date"] < f.date_from) or (f.date_to and e["date"] > f.date_to):
        return False
    if f.agency and f.agency not in {a["code"] for a in e["agencies"]}:
        return False
    if f.disputed and e["disputed"] != (f.disputed == "yes"):
        return False
    if f.provision or f.verdict:  # one finding must meet both
        return any(
            (not f.provision or _rests_on(x["provision"], f.provision))
            and (not f.verdict or x["verdict"] == f.verdict)
            for x in e["findings_on"]
        )
    return True


def timeline(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries (already in order) grouped by year, then month."""
    years: list[dict[str, Any]] = []
    for e in shown:
        if not years or years[-1]["year"] != e["year"]:
            years.append({"year": e["year"], "months": []})
        months = years[-1]["months"]
        if not months or months[-1]["month"] != e["month"]:
            months.append({"month": e["month"], "name": e["month_name"], "incidents": []})
        months[-1]["incidents"].append(e)
    return years


def options(s: Services) -> dict[str, Any]:
    """What the filters offer: the agencies and provisions the entries name."""
    every = entries(s)
    names = code_names(s, "agency")
    agencies = {a["code"] for e in every for a in e["agencies"]}
    provisions = {x["provision"] for e in every for x in e["findings_on"]}
    return {
        "agency": [
            {"code": a, "name": names.get(a, a)}
            for a in sorted(agencies, key=lambda a: names.get(a, a))
        ],
        "provision": sorted(provisions, key=_citation_key),
        "verdict": list(VERDICTS),
        "disputed": list(DISPUTED),
        "order": list(ORDERS),
    }


def _citation_key(citation: str) -> tuple[Any, ...]:
    """2-173-020(a)(6) after 2-173-020(a)(1)(C) and before 2-173-020(b); other laws last."""
    head, _, rest = citation.partition("(")
    parts = head.split("-")
    numeric = all(p.isdigit() for p in parts)
    return (0 if numeric else 1, [int(p) for p in parts] if numeric else [], head, rest)


def listing(s: Services, f: Filters) -> dict[str, Any]:
    """The entries the filters keep, in the order asked, with the totals over them."""
    every = entries(s)
    shown = [e for e in every if matches(e, f)]
    if f.order == "newest":
        shown.reverse()
    totals = {v: sum(e["findings"][v] for e in shown) for v in VERDICTS}
    return {
        "total": len(every),
        "shown": len(shown),
        "totals": totals,
        "disputed_shown": sum(1 for e in shown if e["disputed"]),
        "from_reasoner": [e["id"] for e in shown if e["determinations"] == "reasoner"],
        "incidents": shown,
    }

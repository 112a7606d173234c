"""Incident pages: the timeline of calls, dispatches and actions; findings and
competence with their explanations; sources; disputed facts side by side with who
asserts each. What rests only on a restricted source is left out (see restricted.py).

The facts come from the incident's card (kg.api.resolve_card), the findings from the
reasoner (kg.api.check, once per app), the readings from the store.
"""

from __future__ import annotations

from typing import Any

from kg import api
from kg.cards import format as fmt
from kg.cards.read import Card, read_card
from kg.namespaces import BASE
from kg.results import CheckReport, Competence, Finding
from webapp.data import provisions as lookup
from webapp.data.glossary import Words
from webapp.data.who import code_names
from webapp.data.who import said as said_words
from webapp.links import local
from webapp.restricted import redact
from webapp.services import Services

VERDICT_ORDER = {"violates": 0, "contested": 1, "undetermined": 2, "complies": 3}


def actor(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        agency, role = str(value.get("agency", "")), str(value.get("role", ""))
    else:
        agency, _, role = str(value).partition(":")
    return {
        "agency": agency,
        "role": role,
        "text": f"{agency} {role}".strip(),
        "url": local(f"{BASE}agency/{agency}") if agency else "",
    }


def _sources(card: Card, restricted: frozenset[str]) -> dict[str, dict[str, Any]]:
    return {
        str(src["id"]): {
            "id": str(src["id"]),
            "title": src.get("title", ""),
            "publisher": src.get("publisher", ""),
            "date": src.get("date", ""),
            "url": src.get("url", ""),
            "kind": src.get("kind", ""),
            "restricted": str(src["id"]) in restricted,
        }
        for src in card.items("sources")
    }


def _item(
    item: dict[str, Any], sources: dict[str, dict[str, Any]], words: Words | None = None
) -> dict[str, Any]:
    out = {k: v for k, v in item.items() if k not in ("actor", "caller", "dispatcher", "against")}
    for key in ("actor", "caller", "dispatcher", "against"):
        if key in item:
            out[key] = actor(item[key])
            if words is not None:
                out[key]["words"] = words.actor(item[key])
    out["source"] = sources.get(str(item.get("source", "")), None)
    if words is not None:  # each field's value in words, and the item itself
        out["said"] = {
            k: words.value(f"{item['id']}.{k}", v)
            for k, v in item.items()
            if k not in ("id", "source", "description", "title", "time", "date")
        }
        out["words"] = words.item(str(item["id"]))
    return out


def timeline(
    card: Card, sources: dict[str, dict[str, Any]], hidden: frozenset[str], words: Words
) -> dict[str, Any]:
    actions = [a for a in card.items("actions") if a["id"] not in hidden]
    calls = []
    for call in card.items("calls"):
        if call["id"] in hidden:
            continue
        entry = _item(call, sources, words)
        entry["responses"] = [
            _item(a, sources, words) for a in actions if a.get("in_response_to") == call["id"]
        ]
        calls.append(entry)
    answered = {c["id"] for c in card.items("calls") if c["id"] not in hidden}
    other = [_item(a, sources, words) for a in actions if a.get("in_response_to") not in answered]
    by_agency: dict[str, list[dict[str, Any]]] = {}
    for a in actions:
        by_agency.setdefault(actor(a["actor"])["agency"], []).append(_item(a, sources, words))
    return {"calls": calls, "other_actions": other, "by_agency": by_agency}


def _stated(card: Card, target: str, key: str) -> dict[str, Any]:
    found = card.find(target)
    if found is None:
        return {"value": "", "how": "not stated"}
    list_name, item = found
    if key in item:
        value = item[key]
        return {
            "value": ", ".join(map(str, value)) if isinstance(value, list) else str(value),
            "how": "stated",
            "source_id": str(item.get("source", "")),
        }
    field = fmt.field(list_name, key)
    if field is not None and field.default is not None:
        return {"value": field.default, "how": "default of the card format", "source_id": ""}
    return {"value": "unknown", "how": "not stated", "source_id": ""}


def disputes(
    card: Card, sources: dict[str, dict[str, Any]], hidden: frozenset[str], words: Words
) -> list[dict[str, Any]]:
    out = []
    for claim in card.items("claims"):
        if claim["id"] in hidden:
            continue
        target, _, key = str(claim["about"]).partition(".")
        stated = _stated(card, target, key)
        stated["source"] = sources.get(stated.pop("source_id", ""), None)
        stated["words"] = words.value(str(claim["about"]), stated["value"])
        if stated["source"] and stated["source"]["restricted"] and target in hidden:
            continue
        out.append(
            {
                "id": claim["id"],
                "about": claim["about"],
                "about_words": words.field(str(claim["about"])),
                "whose": words.claim(claim),
                "stated": stated,
                "claimed": {
                    "value": ", ".join(map(str, claim["value"]))
                    if isinstance(claim["value"], list)
                    else str(claim["value"]),
                    "words": words.value(str(claim["about"]), claim["value"]),
                    "asserted_by": claim.get("asserted_by", ""),
                    "source": sources.get(str(claim.get("source", "")), None),
                },
            }
        )
    return out


def _ground_url(f: Finding) -> str:
    for g in f.grounds:
        if g.provision == f.provision and g.iri:
            return local(g.iri)
    return local(f.grounds[0].iri) if f.grounds and f.grounds[0].iri else ""


def finding(
    f: Finding,
    card: Card,
    readings: dict[str, dict[str, str]],
    claims: dict[str, dict[str, Any]],
    words: Words,
) -> dict[str, Any]:
    found = card.find(f.subject)
    subject = {"id": f.subject, "text": f.subject}
    if found is not None and found[0] == "actions":
        item = found[1]
        subject["text"] = f"{f.subject} ({actor(item['actor'])['text']}, {item['kind']})"
    deps_readings = [
        readings.get(d[8:], {"id": d[8:]}) for d in f.depends_on if d.startswith("reading:")
    ]
    deps_claims = [claims.get(d[6:], {"id": d[6:]}) for d in f.depends_on if d.startswith("claim:")]
    return {
        **f.to_json(),
        "subject_text": subject["text"],
        "subject_words": words.item(f.subject),
        "said": words.text(f.message),
        "missing_words": [words.field(m) for m in f.missing],
        "steps": [
            {
                "step": words.text(s.step),
                "provision": s.provision,
                "facts": [words.fact(x) for x in s.facts],
            }
            for s in f.explanation
        ],
        "provision_url": _ground_url(f),
        "norm_label": f.norm_label,
        "norm_url": local(f.norm) if f.norm else "",
        "readings": deps_readings,
        "claims": deps_claims,
        "grounds": [
            {"provision": g.provision, "status": g.status, "url": local(g.iri) if g.iri else ""}
            for g in f.grounds
        ],
    }


def competence(
    c: Competence,
    readings: dict[str, dict[str, str]],
    names: dict[str, str],
    words: Words | None = None,
) -> dict[str, Any]:
    s = words.s if words else None
    return {
        **c.to_json(),
        "allegation_words": code_names(s, "allegation").get(c.allegation or "", c.allegation)
        if s
        else c.allegation,
        "respondent_words": code_names(s, "respondent").get(c.respondent, c.respondent)
        if s
        else c.respondent,
        "subject_words": words.item(c.complaint or c.trigger or "") if words else "",
        "said": said_words(s, c, readings) if s else c.message,
        "depends_words": [
            words.claim(words.claims[d[6:]]) if d[6:] in words.claims else d for d in c.depends_on
        ]
        if words
        else list(c.depends_on),
        "agencies": [
            {
                **a.to_json(),
                "name": names.get(a.agency, a.agency),
                "url": local(f"{BASE}agency/{a.agency}"),
                "readings": [readings.get(r, {"id": r}) for r in a.readings],
                "grounds": [
                    {
                        "provision": g.provision,
                        "status": g.status,
                        "url": local(g.iri) if g.iri else "",
                    }
                    for g in a.grounds
                ],
            }
            for a in c.agencies
        ],
    }


def report_view(
    s: Services, report: CheckReport, card: Card, hidden: frozenset[str]
) -> dict[str, Any]:
    """Findings and competence of a report, ready for the page (shared by the check form)."""
    report, left_out = redact(report, hidden)
    readings = lookup.readings(s)
    sources = _sources(card, s.restricted.by_incident.get(card.id, frozenset()))
    words = Words(s, card, hidden)
    claims = {d["id"]: d for d in disputes(card, sources, hidden, words)}
    names = code_names(s, "agency")
    findings = sorted(report.findings, key=lambda f: (VERDICT_ORDER[f.verdict], f.subject))
    counts = {v: sum(1 for f in findings if f.verdict == v) for v in VERDICT_ORDER}
    return {
        "as_of": report.as_of,
        "counts": counts,
        "findings": [finding(f, card, readings, claims, words) for f in findings],
        "competence": [competence(c, readings, names, words) for c in report.competence],
        "withheld": left_out,
        "warnings": [w.to_json() for w in report.warnings],
    }


def card_of_ids(s: Services) -> list[str]:
    return sorted(s.memo.get(("cards",), lambda: api.incident_cards(s.ctx)))


def card_of(s: Services, incident_id: str) -> Card:
    """The card of an incident in the graph; KeyError for any other id (never a path)."""
    known = s.memo.get(("cards",), lambda: api.incident_cards(s.ctx))
    if incident_id not in known:
        raise KeyError(incident_id)
    return s.memo.get(("card", incident_id), lambda: read_card(known[incident_id], s.ctx.codes))


def incident(s: Services, incident_id: str) -> dict[str, Any]:
    card = card_of(s, incident_id)
    hidden = s.restricted.withheld_items(card.data)
    restricted = s.restricted.by_incident.get(card.id, frozenset())
    sources = _sources(card, restricted)
    words = Words(s, card, hidden)
    d = card.data
    return {
        "id": card.id,
        "iri": f"{BASE}incident/{card.id}",
        "title": d.get("title", ""),
        "date": d.get("date", ""),
        "place": d.get("place", ""),
        "summary": d.get("summary", ""),
        "facts_as_of": d.get("facts_as_of", ""),
        "timeline": timeline(card, sources, hidden, words),
        "operations": [
            _item(o, sources, words) for o in card.items("operations") if o["id"] not in hidden
        ],
        "complaints": [
            _item(c, sources, words) for c in card.items("complaints") if c["id"] not in hidden
        ],
        "reviews": [
            _item(r, sources, words) for r in card.items("reviews") if r["id"] not in hidden
        ],
        "events": sorted(
            (_item(e, sources, words) for e in card.items("events") if e["id"] not in hidden),
            key=lambda e: str(e.get("date", "")),
        ),
        "disputes": disputes(card, sources, hidden, words),
        "sources": sorted(sources.values(), key=lambda x: x["title"]),
        "withheld_items": len(hidden),
        "report": report_view(s, s.report(card.id), card, hidden),
    }


def incidents(s: Services) -> list[dict[str, str]]:
    return [
        {
            "id": r["incidentId"],
            "title": r.get("title", ""),
            "date": r.get("date", ""),
            "place": r.get("place", ""),
            "url": local(r["incident"]),
        }
        for r in s.rows("incidents")
    ]

"""Turn evaluations into findings a lawyer can read: a message and cited steps.

Every sentence is built from the data the shapes derived (condition and exception
results, the facts they observed) and the law's own labels and citations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg.cards.read import Card
from kg.decide.evaluation import Evaluation, Outcome
from kg.law.codes import CodeIndex
from kg.namespaces import AKG, AKG_NONE
from kg.results import Finding, Step
from kg.terms import Lookup

if TYPE_CHECKING:
    from kg.law.info import LawInfo

PHRASE = {
    "violates": "is broken",
    "complies": "is not broken",
    "undetermined": "cannot be decided",
    "contested": "is contested",
}
OUTCOME = {"holds": "holds", "fails": "does not hold", "undetermined": "cannot be read"}
EXCEPTION = {"holds": "applies", "fails": "does not apply", "undetermined": "may apply"}


def show(node: Node | None, data: Lookup, codes: CodeIndex) -> str:
    """A value as the card would write it."""
    if node == AKG.Unknown:
        return "unknown"
    if node == AKG_NONE:
        return "none"
    if isinstance(node, Literal):
        return str(node).lower() if isinstance(node.value, bool) else str(node)
    if isinstance(node, URIRef):
        item = data.value(node, AKG.itemId)
        if item is not None:
            return str(item)
        return codes.notation(node)
    return str(node)


def observed_facts(
    data: Lookup, seen: Mapping[URIRef, Sequence[Node]], codes: CodeIndex
) -> tuple[str, ...]:
    """The facts a condition result read, as sentences: `seen` maps each akg:observed*
    property of the result to its values."""

    def one(p: URIRef) -> Node | None:
        return min(seen.get(p, ()), key=str, default=None)

    item, prop = one(AKG.observedItem), one(AKG.observedField)
    values = [show(v, data, codes) for v in seen.get(AKG.observedValue, ())]
    if item is None:
        return ()
    if prop is None:
        return tuple(f"{show(item, data, codes)}: {v}" for v in sorted(values))
    key = data.value(prop, AKG.cardKey)
    name = f"{show(item, data, codes)}.{key if key is not None else prop}"
    facts = [f"{name} = {', '.join(sorted(values)) if values else '(not given)'}"]
    facts += sorted(f"then {show(t, data, codes)}" for t in seen.get(AKG.observedThen, ()))
    return tuple(facts)


def describe(data: Lookup, subject: URIRef, codes: CodeIndex) -> str:
    sid = show(subject, data, codes)
    agency = data.value(subject, AKG.actorAgency)
    role = data.value(subject, AKG.actorRole)
    kind = data.value(subject, AKG.kind)
    parts = []
    if agency is not None:
        parts.append(f"{codes.notation(agency)} {codes.notation(role) if role else ''}".strip())
    if kind is not None:
        parts.append(codes.notation(kind))
    return f"{sid} ({', '.join(parts)})" if parts else sid


def item_order(card: Card, subject_id: str) -> int:
    for i, item in enumerate(card.items("calls") + card.items("actions")):
        if item["id"] == subject_id:
            return i
    return -1


def _world_text(claims: Iterable[str]) -> str:
    claims = list(claims)
    return f"if claim {', '.join(claims)} is accepted" if claims else "on the facts as stated"


def reading_names(readings: tuple[URIRef, ...], info: LawInfo) -> str:
    """`purpose-test`, or `purpose-test and exception-reach-narrow` for a combination."""
    return " and ".join(info.reading_id(r) for r in readings)


def under(readings: tuple[URIRef, ...], info: LawInfo) -> str:
    if not readings:
        return "in every reading"
    word = "reading" if len(readings) == 1 else "readings"
    return f"under the {word} {reading_names(readings, info)}"


def readings_that_matter(records: list[Evaluation]) -> list[URIRef]:
    """The readings on which the verdict turns: in some world, two evaluations that differ
    in the reading of one point only (the other point's reading the same) give different
    verdicts; those two readings are listed."""
    out: set[URIRef] = set()
    for a in records:
        for b in records:
            swapped = set(a.readings) ^ set(b.readings)
            if a.world == b.world and a.verdict != b.verdict and len(swapped) == 2:
                out |= swapped
    return sorted(out, key=str)


def _contest_message(records: list[Evaluation], info: LawInfo) -> str:
    parts = []
    combos = sorted({r.readings for r in records}, key=lambda t: tuple(map(str, t)))
    for reading in combos:
        rs = [r for r in records if r.readings == reading]
        name = under(reading, info)
        verdicts = {r.verdict for r in rs}
        if len(verdicts) == 1:
            parts.append(f"{name} it {PHRASE[verdicts.pop()]}")
            continue
        stated = [r for r in rs if not r.world.claims()]
        base = stated[0].verdict if stated else rs[0].verdict
        flips = sorted({c for r in _minimal(rs) if r.verdict != base for c in r.world.claims()})
        parts.append(
            f"{name} it {PHRASE[base]} on the facts as stated but "
            f"{PHRASE[next(r.verdict for r in rs if r.verdict != base)]} "
            f"{_world_text(flips)}"
        )
    return "; ".join(parts)


def _minimal(records: list[Evaluation]) -> list[Evaluation]:
    """The facts as stated, and each world that takes a single claim as true."""
    return [r for r in records if len(r.world.claims()) <= 1]


def _representative(records: list[Evaluation]) -> list[Evaluation]:
    """The baseline world's evaluation for each reading."""
    out: dict[object, Evaluation] = {}
    for r in sorted(records, key=lambda r: len(r.world.claims())):
        out.setdefault(r.readings, r)
    return list(out.values())


def finding(
    *,
    records: list[Evaluation],
    verdict: str,
    depends_on: tuple[str, ...],
    missing: tuple[str, ...],
    subject_id: str,
    data: Lookup,
    info: LawInfo,
    codes: CodeIndex,
    as_of: str,
) -> Finding:
    first = records[0]
    norm = first.norm
    provision = info.stated_in(norm)
    cite = info.citation(provision) if provision else subject_id
    label = info.label(norm)
    who = describe(data, first.subject, codes)
    if (first.subject, RDF.type, AKG.Incident) in data:
        bound = sorted(codes.notation(a) for a in info.objects(norm, AKG.bindsAgency))
        who = f"{' / '.join(bound) or 'the addressee'} in incident {subject_id}"
    concerns = f"{label} concerns {who}: the norm binds the actor and covers this kind of item."
    roles = sorted(codes.notation(r) for r in info.objects(norm, AKG.bindsRole))
    if roles and data.value(first.subject, AKG.actorRole) == AKG.Unknown:
        concerns = (
            f"{label} concerns {who} only if the actor is a {' or '.join(roles)}: the norm "
            "binds that role, and the card does not say the actor's role."
        )
    steps: list[Step] = [
        Step(concerns, cite, tuple(f for f in _concern_facts(data, first.subject, codes)))
    ]
    own_conditions = set(info.objects(norm, AKG.condition))
    weighed = sorted({c.node for r in records for c in r.conditions if c.node in own_conditions})
    behind = [norm, *weighed, *_readings_relied_on(records)]
    grounds = [info.ground(provision, as_of, behind)] if provision else []
    exceptions: dict[str, dict[str, str]] = {}
    for rec in _representative(records):
        under_text = f" ({under(rec.readings, info)})" if rec.readings else ""
        own = set(info.objects(norm, AKG.condition))
        outcome_of: dict[Node, Outcome] = {c.node: c for c in rec.conditions}
        for cond in rec.conditions:
            if cond.node not in own:
                continue
            where = info.stated_in(cond.node) or provision
            text = f"Condition {OUTCOME[cond.outcome]}{under_text}: {info.label(cond.node)}."
            if cond.missing:
                text += f" Unknown: {', '.join(cond.missing)}."
            steps.append(Step(text, info.citation(where) if where else cite, cond.facts))
        for exc in rec.exceptions:
            where = info.stated_in(exc.node)
            exc_cite = info.citation(where) if where else cite
            parts = [
                outcome_of[c]
                for c in sorted(info.objects(exc.node, AKG.condition), key=str)
                if c in outcome_of
            ]
            why = "; ".join(f"{info.label(p.node)}: {OUTCOME[p.outcome]}" for p in parts)
            facts = tuple(f for p in parts for f in p.facts)
            steps.append(
                Step(
                    f"Exception {EXCEPTION[exc.outcome]}{under_text}: "
                    f"{info.label(exc.node)} ({why}).",
                    exc_cite,
                    facts,
                )
            )
            exceptions.setdefault(
                str(exc.node),
                {
                    "exception": info.label(exc.node),
                    "provision": exc_cite,
                    "iri": str(exc.node),
                    "applies": {"holds": "yes", "fails": "no"}.get(exc.outcome, "unknown"),
                },
            )
            if exc.outcome == "holds" and where is not None:
                g = info.ground(where, as_of, [exc.node])
                if g not in grounds:
                    grounds.append(g)
    if len({r.verdict for r in records}) > 1:  # the worlds differ: say how
        for rec in sorted(
            _minimal(records), key=lambda r: (tuple(map(str, r.readings)), r.world.claims())
        ):
            name = under(rec.readings, info).removeprefix("under the ").removeprefix("in ")
            steps.append(
                Step(
                    f"Under {name}, {_world_text(rec.world.claims())}: "
                    f"the norm {PHRASE[rec.verdict]}.",
                    cite,
                )
            )
    message = _message(verdict, who, cite, label, missing, records, info)
    used = sorted({str(i) for rec in records for c in rec.conditions for i in c.items})
    return Finding(
        used=tuple(used),
        subject=subject_id,
        provision=cite,
        verdict=verdict,
        depends_on=depends_on,
        missing=missing,
        grounds=tuple(grounds),
        message=message,
        explanation=tuple(steps),
        norm=str(norm),
        norm_label=label,
        exceptions=tuple(exceptions.values()),
    )


def _readings_relied_on(records: list[Evaluation]) -> list[URIRef]:
    """The readings a verdict rests on: all of them where the verdict differs between
    readings, the one reading where only one applies (a fixed reading), none where every
    reading gives the same verdict."""
    matter = readings_that_matter(records)
    combos = {r.readings for r in records}
    if not matter and len(combos) == 1:  # one combination applies (a fixed reading)
        return sorted(next(iter(combos)), key=str)
    return matter


def _concern_facts(data: Lookup, subject: URIRef, codes: CodeIndex) -> list[str]:
    sid = show(subject, data, codes)
    out = []
    agency, role = data.value(subject, AKG.actorAgency), data.value(subject, AKG.actorRole)
    if agency is not None:
        out.append(f"{sid}.actor = {codes.notation(agency)}:{codes.notation(role)}")
    kind = data.value(subject, AKG.kind)
    if kind is not None:
        out.append(f"{sid}.kind = {codes.notation(kind)}")
    return out


def _message(
    verdict: str,
    who: str,
    cite: str,
    label: str,
    missing: tuple[str, ...],
    records: list[Evaluation],
    info: LawInfo,
) -> str:
    if verdict == "violates":
        return (
            f"{who} broke {cite} ({label}): every condition holds on the facts and no "
            "exception applies."
        )
    if verdict == "undetermined":
        differs = len({r.verdict for r in records}) > 1
        why = f" ({_contest_message(records, info)})" if differs else ""
        return (
            f"Whether {who} broke {cite} ({label}) cannot be decided until "
            f"{', '.join(missing)} is known{why}."
        )
    if verdict == "contested":
        return (
            f"Whether {who} broke {cite} ({label}) is contested: {_contest_message(records, info)}."
        )
    rec = records[0]
    held = [x for x in rec.exceptions if x.outcome == "holds"]
    if held:
        where = info.stated_in(held[0].node)
        return (
            f"{who} did not break {cite} ({label}): the exception of "
            f"{info.citation(where) if where else cite} applies "
            f"({info.label(held[0].node)})."
        )
    own = set(info.objects(rec.norm, AKG.condition))
    failed = [c for c in rec.conditions if c.outcome == "fails" and c.node in own]
    reason = info.label(failed[0].node) if failed else "a condition"
    return f"{who} did not break {cite} ({label}): the condition '{reason}' does not hold."

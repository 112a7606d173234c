"""Check incidents: run the shapes over the law and the facts, and build findings.

For each combination of disputed facts (see `kg.decide.worlds`) the card's facts are added to
the law, the SHACL rules derive an evaluation for every (subject, norm, reading) the
law concerns, and the constraint shapes report each one's verdict. A finding gathers
the verdicts of one (subject, norm) across readings and claims: one verdict where they
agree, `contested` (with what it depends on) where they do not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.cards.rdf import card_quads, item_iri
from kg.cards.read import Card
from kg.decide import explain, warnings
from kg.decide.competence import Question, competence_entries, read_candidates
from kg.decide.derived import read_evaluations
from kg.decide.evaluation import Evaluation
from kg.decide.worlds import World, worlds
from kg.errors import InputError
from kg.law.codes import CodeIndex
from kg.law.info import LawInfo
from kg.namespaces import AKG
from kg.reasoning.compile import compiled
from kg.reasoning.dispatch import validate
from kg.reasoning.results import RUN, Validation
from kg.results import CheckReport, Finding, Header
from kg.terms import Lookup, Triple


@dataclass(frozen=True)
class Options:
    as_of: str | None = None
    readings: tuple[str, ...] = ()
    assume: tuple[str, ...] = ()
    amendments: tuple[str, ...] = ()
    engine: str | None = None


def run_facts(
    facts: Iterable[tuple[Node, Node, Node, Node]],
    *,
    as_of: dict[URIRef, str],
    fixed_as_of: bool,
    readings: Sequence[URIRef],
) -> list[Triple]:
    """The triples of one run: its cards' facts and its settings (the law is added by the
    engine). Each triple once, in the order given."""
    data: dict[Triple, None] = {}
    for quad in facts:
        data[(quad[0], quad[1], quad[2])] = None
    data[(RUN, RDF.type, AKG.Run)] = None
    for r in readings:
        data[(RUN, AKG.fixedReading, r)] = None
    for incident, day in as_of.items():
        data[(incident, AKG.asOf, Literal(day, datatype=XSD.date))] = None
        if fixed_as_of:
            data[(incident, AKG.asOfFixed, Literal(True))] = None
    return list(data)


def _depends_on(records: list[Evaluation], info: LawInfo) -> tuple[str, ...]:
    out = [f"reading:{info.reading_id(r)}" for r in explain.readings_that_matter(records)]
    claims: set[str] = set()
    for a in records:
        for about, cid in a.world.choices:
            if cid is None or cid in claims:
                continue
            if any(
                b.readings == a.readings
                and b.verdict != a.verdict
                and b.world.choice(about) is None
                and a.world.differs_only_in(b.world, about)
                for b in records
            ):
                claims.add(cid)
    out += [f"claim:{c}" for c in sorted(claims)]
    return tuple(out)


def combine(verdicts: set[str]) -> str:
    """How the worlds (readings and claims in play) combine (check-report spec): one
    outcome where all agree; `contested` only where one world gives `violates` and another
    `complies`; otherwise (a world cannot decide) `undetermined`."""
    if len(verdicts) == 1:
        return next(iter(verdicts))
    if {"violates", "complies"} <= verdicts:
        return "contested"
    return "undetermined"


def build_finding(
    records: list[Evaluation], card: Card, data: Lookup, info: LawInfo, codes: CodeIndex, as_of: str
) -> Finding:
    verdict = combine({r.verdict for r in records})
    depends = _depends_on(records, info) if len({r.verdict for r in records}) > 1 else ()
    missing = tuple(sorted({m for r in records if r.verdict == "undetermined" for m in r.missing}))
    first = records[0]
    return explain.finding(
        records=records,
        verdict=verdict,
        depends_on=depends,
        missing=missing,
        subject_id=info.item_id(data, first.subject) or card.id,
        data=data,
        info=info,
        codes=codes,
        as_of=as_of,
    )


def check_cards(
    cards: Sequence[Card],
    law: Graph,
    shapes: Graph,
    codes: CodeIndex,
    info: LawInfo,
    header: Header,
    options: Options,
) -> list[CheckReport]:
    """Check cards against the law (given as a graph, already amended if asked), with
    the warnings each report carries.

    The k-th combination of claims of every card is checked in one SHACL run: the rules
    join only within an incident, so the findings do not depend on which cards are
    checked together, nor on their order (a test proves it).
    """
    reports = _check(cards, law, shapes, codes, info, header, options)
    _warn(reports, cards, law, shapes, codes, info, header, options)
    return reports


def _check(
    cards: Sequence[Card],
    law: Graph,
    shapes: Graph,
    codes: CodeIndex,
    info: LawInfo,
    header: Header,
    options: Options,
) -> list[CheckReport]:
    """The reports of the cards under `law`, without warnings."""
    read = compiled(shapes).reads(law)
    reading_nodes = [
        info.reading(r, cards[0].path if cards else "--reading") for r in options.readings
    ]
    _check_assumed(cards, options.assume)
    plans = []
    for card in cards:
        mine = tuple(a for a in options.assume if card.find(a) is not None)
        plans.append(worlds(card, read, mine))
    as_of = {item_iri(c.id): options.as_of or str(c.data["date"]) for c in cards}
    evals: dict[URIRef, list[Evaluation]] = defaultdict(list)
    questions: dict[URIRef, list[tuple[World, list[Question]]]] = defaultdict(list)
    stated: dict[URIRef, tuple[Lookup, Validation]] = {}
    for k in range(max((len(p) for p in plans), default=0)):
        batch = [(card, plan[k]) for card, plan in zip(cards, plans, strict=True) if k < len(plan)]
        facts = [
            q
            for card, world in batch
            for q in card_quads(card, codes, claim_values=world.claim_values(card))
        ]
        data = run_facts(
            facts,
            as_of={item_iri(c.id): as_of[item_iri(c.id)] for c, _ in batch},
            fixed_as_of=options.as_of is not None,
            readings=reading_nodes,
        )
        validation, run = validate(law, data, shapes, options.engine)
        header = replace(header, engine=validation.engine)
        worlds_of = {item_iri(card.id): world for card, world in batch}
        for ev in read_evaluations(run, validation.results, worlds_of, codes):
            if ev.incident in worlds_of:
                evals[ev.incident].append(ev)
        asked: dict[URIRef, list[Question]] = {inc: [] for inc in worlds_of}
        for q in read_candidates(run, validation.results, codes, info):
            if q.incident in asked:
                asked[q.incident].append(q)
        for inc, world in worlds_of.items():
            questions[inc].append((world, asked[inc]))
            if inc not in stated or not world.claims():
                stated[inc] = (run.graph, validation)
    return [
        _report(
            card,
            evals[item_iri(card.id)],
            questions[item_iri(card.id)],
            stated[item_iri(card.id)],
            info,
            codes,
            header,
            options,
            as_of[item_iri(card.id)],
        )
        for card in cards
    ]


def _warn(
    reports: list[CheckReport],
    cards: Sequence[Card],
    law: Graph,
    shapes: Graph,
    codes: CodeIndex,
    info: LawInfo,
    header: Header,
    options: Options,
) -> None:
    """Each report's warnings; bills pending on a complaint's date that would change who
    investigates it, and on the incident's date that would change a finding (not with
    --amend: that answer is counterfactual already)."""
    for r in reports:
        r.warnings = warnings.for_report(r, law, info, codes, header.law_current_to)
    if options.amendments:
        return
    entries = [(r, c) for r in reports for c in r.competence]
    found = warnings.pending_for([c for _, c in entries], law, shapes, codes)
    for i, ws in sorted(found.items()):
        report = entries[i][0]
        report.warnings += [w for w in ws if w not in report.warnings]
    for bill in warnings.pending_bills(law):
        # a bill that changes grants only cannot change a finding: no second run
        if not bill.touches_norms:
            continue
        due = [i for i, r in enumerate(reports) if bill.pending_on(r.as_of)]
        if not due:
            continue
        after = _check([cards[i] for i in due], bill.law, shapes, codes, bill.info, header, options)
        for i, amended in zip(due, after, strict=True):
            changed = warnings.findings_changed(reports[i], amended)
            if changed:
                w = bill.warning(reports[i].as_of, f" (the findings under {', '.join(changed)})")
                if w not in reports[i].warnings:
                    reports[i].warnings.append(w)


def _check_assumed(cards: Sequence[Card], assume: Sequence[str]) -> None:
    for cid in assume:
        if not any(card.find(cid) for card in cards):
            known = sorted({c["id"] for card in cards for c in card.items("claims")})
            raise InputError(
                cards[0].path if cards else "--assume",
                f"--assume names claim '{cid}', which no card given has",
                f"use a claim id of the card ({', '.join(known) or 'none'})",
                field="--assume",
            )


def _report(
    card: Card,
    evals: list[Evaluation],
    questions: list[tuple[World, list[Question]]],
    stated: tuple[Lookup, Validation],
    info: LawInfo,
    codes: CodeIndex,
    header: Header,
    options: Options,
    as_of: str,
) -> CheckReport:
    data, validation = stated
    grouped: dict[tuple[URIRef, URIRef], list[Evaluation]] = defaultdict(list)
    for ev in sorted(evals, key=lambda e: (tuple(map(str, e.readings)), e.world.claims())):
        grouped[(ev.subject, ev.norm)].append(ev)
    findings = [build_finding(recs, card, data, info, codes, as_of) for recs in grouped.values()]
    findings.sort(key=lambda f: (explain.item_order(card, f.subject), f.provision))
    return CheckReport(
        header=header,
        incident=card.id,
        title=str(card.data["title"]),
        as_of=as_of,
        amendments=list(options.amendments),
        findings=findings,
        competence=competence_entries(questions, info),
        readings=list(options.readings),
        assumed=[a for a in options.assume if card.find(a) is not None],
        shacl=validation,
    )

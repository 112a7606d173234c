"""Competence: who may investigate, read from what the competence shapes derived."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.decide.derived import by_node, first, query
from kg.decide.worlds import World
from kg.errors import InternalError
from kg.law.codes import CodeIndex
from kg.law.info import LawInfo, tail
from kg.namespaces import AKG, SHAPES
from kg.reasoning.dispatch import validate
from kg.reasoning.results import RUN, Derived, Result, Row
from kg.results import AgencyPower, Competence
from kg.terms import Lookup, Triple

STATUS_OF_NODE = {
    AKG.Contested: "contested",
    AKG.Overlap: "overlap",
    AKG.Gap: "gap",
    AKG.Clear: "clear",
    AKG.Undetermined: "undetermined",
}
STATUS_OF_SHAPE = {
    SHAPES.CompetenceNotEncoded: "undetermined",
    SHAPES.CompetenceContested: "contested",
    SHAPES.CompetenceOverlap: "overlap",
    SHAPES.CompetenceGap: "gap",
    SHAPES.CompetenceClear: "clear",
}


@dataclass(frozen=True)
class Question:
    """One competence question as the shapes answered it in one world."""

    complaint: str | None
    trigger: str | None
    trigger_kind: str | None
    allegation: str | None
    respondent: str
    as_of: str
    status: str
    agencies: tuple[AgencyPower, ...]
    incident: URIRef | None = None
    # the respondent is no City body's (a federal agent): the law gives no City agency
    # power over them, which is why the rule answers `gap`
    outside_city: bool = False

    @property
    def key(self) -> tuple[str | None, str | None, str | None]:
        return (self.complaint, self.trigger, self.allegation)


def _agencies(
    candidates: list[Row], codes: CodeIndex, info: LawInfo, as_of: str
) -> tuple[AgencyPower, ...]:
    by_grant: dict[URIRef, set[str]] = {}
    for row in candidates:
        grant = row.get("grant")
        assert isinstance(grant, URIRef)
        readings = by_grant.setdefault(grant, set())
        reading = row.get("reading")
        if isinstance(reading, URIRef):
            readings.add(info.reading_id(reading))
    out = [
        agency_power(grant, readings, as_of, codes, info) for grant, readings in by_grant.items()
    ]
    return tuple(sorted(out, key=lambda a: (a.agency, a.provision)))


def agency_power(
    grant: URIRef, readings: set[str], as_of: str, codes: CodeIndex, info: LawInfo
) -> AgencyPower:
    """A grant as an agency's power, its grounds each no firmer than the provision, the
    grant drawn from it and the readings under which it applies."""
    provisions = sorted(
        (p for p in info.law.objects(grant, AKG.grantedBy) if isinstance(p, URIRef)),
        key=info.citation,
    )
    behind = [grant, *(info.reading(r) for r in sorted(readings))]
    return AgencyPower(
        agency=codes.notation(info.law.value(grant, AKG.grantee)),
        power=tail(info.law.value(grant, AKG.power)),
        provision=", ".join(info.citation(p) for p in provisions),
        readings=tuple(sorted(readings)),
        grounds=tuple(info.ground(p, as_of, behind) for p in provisions),
        grant=str(grant),
    )


def read_candidates(
    run: Derived, results: list[Result], codes: CodeIndex, info: LawInfo
) -> list[Question]:
    """The competence questions of a run with the status the rules derived for each (a
    question no rule answered is an internal error, never a default)."""
    reported: dict[URIRef, str] = {}
    for r in results:
        if r.shape in STATUS_OF_SHAPE:
            reported[r.focus] = STATUS_OF_SHAPE[r.shape]
    candidates = by_node(run.select(query("candidates")), "q")
    data = run.graph
    out = []
    for q, rows in by_node(run.select(query("questions")), "q").items():
        assert isinstance(q, URIRef)
        derived = first(rows, "status")
        if not isinstance(derived, URIRef) or derived not in STATUS_OF_NODE:
            raise InternalError(f"no rule gave a competence status for the question <{q}>")
        status = STATUS_OF_NODE[derived]
        if reported.get(q, status) != status:
            raise InternalError(
                f"the shapes report {reported[q]} for <{q}>, whose derived status is {status}"
            )
        as_of = str(first(rows, "asOf"))
        complaint = first(rows, "complaint")
        trigger = first(rows, "trigger")
        allegation = first(rows, "allegation")
        kind = first(rows, "kind")
        incident = first(rows, "incident")
        out.append(
            Question(
                complaint=info.item_id(data, complaint) if complaint is not None else None,
                trigger=info.item_id(data, trigger) if trigger is not None else None,
                trigger_kind=codes.notation(kind) if isinstance(kind, URIRef) else None,
                allegation=codes.notation(allegation) if isinstance(allegation, URIRef) else None,
                respondent=_respondent(data, complaint, first(rows, "respondent"), codes),
                as_of=as_of,
                status=status,
                agencies=_agencies(candidates.get(q, []), codes, info, as_of),
                incident=incident if isinstance(incident, URIRef) else None,
                outside_city=_outside_city(data, complaint),
            )
        )
    return out


def _respondent(data: Lookup, complaint: Node | None, kind: object, codes: CodeIndex) -> str:
    """The respondent kind's code, or, for a respondent outside the matrix's kinds, the
    complaint's own `AGENCY:ROLE` (never an IRI)."""
    if isinstance(kind, URIRef) and kind in codes.notation_of:
        return codes.notation(kind)
    agency = data.value(complaint, AKG.againstAgency)
    role = data.value(complaint, AKG.againstRole)
    return f"{codes.notation(agency)}:{codes.notation(role)}"


def _outside_city(data: Lookup, complaint: Node | None) -> bool:
    """Whether the complaint is against a known agency that is not a City agency (the
    fact the competence status rule reads for such a respondent)."""
    if complaint is None:
        return False
    agency = data.value(complaint, AKG.againstAgency)
    return (
        isinstance(agency, URIRef)
        and agency != AKG.Unknown
        and (agency, RDF.type, AKG.CityAgency) not in data
    )


def message(status: str, agencies: tuple[AgencyPower, ...], outside_city: bool = False) -> str:
    def one(a: AgencyPower) -> str:
        under = f" (under the reading {', '.join(a.readings)})" if a.readings else ""
        return f"{a.agency} under {a.provision}{under}"

    if status == "clear":
        a = agencies[0]
        return f"{a.agency} investigates, under {a.provision}."
    if status == "gap" and outside_city:
        return (
            "No City agency has the power to investigate this: the respondent is not a City "
            "employee, and the graph encodes no power of a City body over other governments' "
            "agents or their contractors (their own oversight bodies are not encoded)."
        )
    if status == "gap":
        return "No agency has the power to investigate this: the law as encoded is silent."
    if status == "undetermined":
        return (
            "Undetermined: no power in the graph reaches this, but the graph does not encode "
            "every investigative power over this respondent on this date (not encoded)."
        )
    names = "; ".join(one(a) for a in agencies)
    if status == "overlap":
        return f"More than one agency may investigate: {names}."
    return f"Contested: the readings of the law disagree on who investigates: {names}."


def competence_entries(
    per_world: list[tuple[World, list[Question]]], info: LawInfo
) -> list[Competence]:
    """Merge the answers of every world; where they differ, the entry is contested."""
    keys: dict[tuple[str | None, str | None, str | None], list[tuple[World, Question]]] = {}
    for world, questions in per_world:
        for q in questions:
            keys.setdefault(q.key, []).append((world, q))
    out = []
    for answers in keys.values():
        base = min(answers, key=lambda wq: len(wq[0].claims()))[1]
        differing = [
            (w, q) for w, q in answers if (q.status, q.agencies) != (base.status, base.agencies)
        ]
        agencies = {a.grant: a for _, q in answers for a in q.agencies}
        status = "contested" if differing else base.status
        depends = tuple(sorted({f"claim:{c}" for w, _ in differing for c in w.claims()}))
        merged = tuple(sorted(agencies.values(), key=lambda a: (a.agency, a.provision)))
        out.append(
            Competence(
                allegation=base.allegation,
                respondent=base.respondent,
                as_of=base.as_of,
                status=status,
                agencies=merged,
                complaint=base.complaint,
                trigger=base.trigger,
                trigger_kind=base.trigger_kind,
                depends_on=depends,
                message=message(status, merged, base.outside_city),
            )
        )
    return sorted(out, key=lambda c: (c.complaint or "", c.trigger or "", c.allegation or ""))


def ask(
    law: Graph,
    shapes: Graph,
    codes: CodeIndex,
    info: LawInfo,
    *,
    questions: list[tuple[str, str]],
    date: str,
    readings: tuple[URIRef, ...] = (),
    engine: str | None = None,
) -> list[Competence]:
    """Who may investigate each (allegation, respondent kind) on a date: one run for all."""
    data: list[Triple] = [(RUN, RDF.type, AKG.Run)]
    data += [(RUN, AKG.fixedReading, r) for r in readings]
    for allegation, respondent in dict.fromkeys(questions):
        q = URIRef(f"urn:authority-kg:question:{allegation}:{respondent}")
        data.append((q, RDF.type, AKG.CompetenceQuestion))
        data.append((q, AKG.allegation, codes.iri("allegation", allegation)))
        data.append((q, AKG.respondentKind, codes.iri("respondent", respondent)))
        data.append((q, AKG.asOf, Literal(date, datatype=XSD.date)))
    validation, reader = validate(law, data, shapes, engine)
    answers = {
        (a.allegation, a.respondent): a
        for a in read_candidates(reader, validation.results, codes, info)
    }
    out = []
    for allegation, respondent in questions:
        a = answers.get((allegation, respondent))
        if a is None:
            raise InternalError(f"no rule answered who may investigate {allegation} / {respondent}")
        out.append(
            Competence(
                allegation=allegation,
                respondent=respondent,
                as_of=date,
                status=a.status,
                agencies=a.agencies,
                message=message(a.status, a.agencies),
                engine=validation.engine,
            )
        )
    return out


def who(
    law: Graph,
    shapes: Graph,
    codes: CodeIndex,
    info: LawInfo,
    *,
    allegation: str,
    respondent: str,
    date: str,
    readings: tuple[URIRef, ...] = (),
    engine: str | None = None,
) -> Competence:
    """Who may investigate an allegation against a respondent kind on a date."""
    (answer,) = ask(
        law,
        shapes,
        codes,
        info,
        questions=[(allegation, respondent)],
        date=date,
        readings=readings,
        engine=engine,
    )
    return answer


def matrix(
    law: Graph,
    shapes: Graph,
    codes: CodeIndex,
    info: LawInfo,
    *,
    date: str,
    readings: tuple[URIRef, ...] = (),
    engine: str | None = None,
) -> list[Competence]:
    """Every allegation code against every respondent kind, on a date."""
    questions = [
        (a, r) for a in codes.notations("allegation") for r in codes.notations("respondent")
    ]
    return ask(
        law, shapes, codes, info, questions=questions, date=date, readings=readings, engine=engine
    )

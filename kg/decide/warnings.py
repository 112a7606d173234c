"""What the user cannot see: the warnings an answer carries (check-report spec, Warnings).

Each is read from the law graph and the question, never from a verdict: the date asked
against `law_current_to`; start dates that are a choice within a window
(`akg:startUncertain`); powers the graph does not encode before a date (`akg:Coverage`,
per respondent kind and, where the law says so, per allegation); bills pending on the
date that would change a competence answer or a finding; encoding choices an
amendment's effect rests on; readings or claims fixed by the user.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.decide.competence import ask
from kg.law import amend
from kg.law.amend import Amendment
from kg.law.codes import CodeIndex
from kg.law.info import LawInfo, tail
from kg.namespaces import AKG
from kg.results import AnswerWarning, CheckReport, Competence

EARLIEST = "1900-01-01"  # a pending bill is weighed as if in force from here on


def after_law_current_to(day: str, law_current_to: str) -> list[AnswerWarning]:
    if day <= law_current_to:
        return []
    return [
        AnswerWarning(
            "after-law-current-to",
            f"{day} is after {law_current_to}, the date the encoded law was last checked "
            "against its sources: later changes (a Council vote, an order) may be missing.",
            day,
        )
    ]


def reading_fixed(readings: Sequence[str], assume: Sequence[str]) -> list[AnswerWarning]:
    out = []
    if readings:
        out.append(
            AnswerWarning(
                "reading-fixed",
                f"Only the reading {', '.join(readings)} was weighed; the other readings of "
                "the same contested point were left out.",
                ", ".join(readings),
            )
        )
    if assume:
        out.append(
            AnswerWarning(
                "reading-fixed",
                f"The claim {', '.join(assume)} was taken as true; the facts as stated and "
                "the other claims about the same fields were not weighed.",
                ", ".join(assume),
            )
        )
    return out


def uncertain_in_force(
    law: Graph, info: LawInfo, nodes: Iterable[URIRef], day: str
) -> list[AnswerWarning]:
    """A norm or grant applied on `day` whose start is a choice within a window that
    contains `day`."""
    out = []
    for node in sorted(set(nodes), key=str):
        if law.value(node, AKG.startUncertain) != Literal(True):
            continue
        start = law.value(node, AKG.validFrom)
        end = law.value(node, AKG.startWindowEnd)
        if start is None or day < str(start) or (end is not None and day >= str(end)):
            continue
        until = f"before {end}" if end is not None else "with no sourced effective date"
        provision = info.stated_in(node) or law.value(node, AKG.grantedBy)
        cite = info.citation(provision) if provision is not None else tail(node)
        out.append(
            AnswerWarning(
                "uncertain-in-force",
                f"{cite} ({info.label(node)}) is taken to apply from {start}, a date chosen "
                f"within a window of uncertainty ({until}); {day} falls inside it. "
                f"{law.value(node, AKG.statusNote) or ''}".strip(),
                cite,
            )
        )
    return out


def coverage_from(
    law: Graph, codes: CodeIndex, respondent: str, allegation: str | None = None
) -> str | None:
    """The date from which the graph encodes every power over a respondent kind (for an
    allegation that coverages of the kind name, theirs: as the competence shapes read it)."""
    kind = codes.by_scheme.get("respondent", {}).get(respondent)
    if kind is None:
        return None
    covs = [c for c in law.subjects(AKG.respondentKind, kind) if (c, RDF.type, AKG.Coverage) in law]
    named = codes.by_scheme.get("allegation", {}).get(allegation or "")
    specific = [c for c in covs if named is not None and (c, AKG.coverageAllegation, named) in law]
    if not specific:
        specific = [c for c in covs if law.value(c, AKG.coverageAllegation) is None]
    dates = [str(law.value(c, AKG.lawCoveredFrom)) for c in specific]
    return min(dates) if dates else None


def not_encoded(law: Graph, codes: CodeIndex, entries: Iterable[Competence]) -> list[AnswerWarning]:
    out = []
    for c in entries:
        covered = coverage_from(law, codes, c.respondent, c.allegation)
        in_matrix = c.respondent in codes.by_scheme.get("respondent", {})
        if c.status == "undetermined" or (in_matrix and (covered is None or c.as_of < covered)):
            since = f"from {covered}" if covered else "at no date"
            what = c.respondent
            if c.allegation:
                what = f"{c.allegation} complaints against {c.respondent}"
            out.append(
                AnswerWarning(
                    "not-encoded",
                    f"The graph encodes every investigative power over {what} only "
                    f"{since}; on {c.as_of} a power it lacks may exist, so no agency found "
                    "is not a gap and the agencies found may not be all.",
                    c.as_of,
                )
            )
    return _unique(out)


@dataclass(frozen=True)
class Pending:
    """A bill with no final outcome in the graph, and the law as it would be."""

    amendment: Amendment
    introduced: str  # YYYY-MM or YYYY-MM-DD of its first status event
    law: Graph
    info: LawInfo

    def pending_on(self, day: str) -> bool:
        """Introduced by `day` (to the month, where only the month is known)."""
        return self.introduced[:7] <= day[:7]

    @property
    def touches_norms(self) -> bool:
        """Whether the bill inserts or removes anything but grants of power and the
        provisions that grant them: the norm rules never read a grant, so a bill that
        changes grants only cannot change a finding."""
        g = self.law
        for change in self.amendment.changes:
            for node in (*change.inserts, *change.removes):
                if (node, RDF.type, AKG.Grant) in g:
                    continue
                grants = next(g.subjects(AKG.grantedBy, node), None) is not None
                states = next(g.subjects(AKG.statedIn, node), None) is not None
                if grants and not states:
                    continue
                return True
        return False

    def warning(self, day: str, what: str = "") -> AnswerWarning:
        """The warning for an answer on `day` the bill would change (`what`: which part
        of it, where that helps)."""
        g, a = self.amendment.graph, self.amendment.iri
        notes = " ".join(
            str(g.value(e, RDFS.comment))
            for e in g.objects(a, AKG.statusEvent)
            if g.value(e, RDFS.comment) is not None
        )
        return AnswerWarning(
            "pending",
            f"{self.amendment.label} ({self.amendment.id}) was pending on {day} "
            f"({self.amendment.status} as of {g.value(a, AKG.statusDate)}); its outcome is "
            f"not in the graph, and it would change this answer{what}. {notes}".strip(),
            self.amendment.id,
        )


_PENDING: dict[int, tuple[Graph, list[Pending]]] = {}
_LOCK = threading.Lock()


def pending_bills(law: Graph) -> list[Pending]:
    """The bills pending (not passed, failed or tabled), each applied to `law` as if in
    force, computed once per law graph."""
    with _LOCK:
        hit = _PENDING.get(id(law))
        if hit is not None and hit[0] is law:
            return hit[1]
        out = [
            bill
            for aid in sorted(amend.known())
            if (bill := as_pending(law, amend.resolve(aid))) is not None
        ]
        if len(_PENDING) > 8:
            _PENDING.clear()
        _PENDING[id(law)] = (law, out)
        return out


def as_pending(law: Graph, a: Amendment) -> Pending | None:
    """An amendment as a pending bill (with `law` as it would be), or None: it passed,
    failed or was tabled, or no status event dates it (a recommendation, not a bill)."""
    if a.status in ("passed", "failed", "tabled"):
        return None
    events = [a.graph.value(e, AKG.date) for e in a.graph.objects(a.iri, AKG.statusEvent)]
    first = min((str(d) for d in events if d is not None), default=None)
    if first is None:
        return None
    amended, _ = amend.apply(law, [a], on=EARLIEST)
    return Pending(a, first, amended, LawInfo(amended))


def findings_changed(before: CheckReport, after: CheckReport) -> list[str]:
    """The provisions whose findings differ between two reports of one card (a finding
    added, gone, or with another verdict)."""

    def verdicts(r: CheckReport) -> dict[tuple[str, str], str]:
        return {(f.subject, f.provision): f.verdict for f in r.findings}

    a, b = verdicts(before), verdicts(after)
    return sorted({key[1] for key in a.keys() | b.keys() if a.get(key) != b.get(key)})


def pending_for(
    entries: Sequence[Competence], law: Graph, shapes: Graph, codes: CodeIndex
) -> dict[int, list[AnswerWarning]]:
    """For each competence entry (by position), the pending bills that were introduced
    by its date and would change its answer."""
    out: dict[int, list[AnswerWarning]] = {}
    kinds = codes.by_scheme.get("respondent", {})
    by_day: dict[str, list[int]] = {}
    for i, c in enumerate(entries):
        if c.allegation is not None and c.respondent in kinds:
            by_day.setdefault(c.as_of, []).append(i)
    for bill in pending_bills(law):
        for day, positions in sorted(by_day.items()):
            if not bill.pending_on(day):
                continue
            questions = sorted(
                {(entries[i].allegation or "", entries[i].respondent) for i in positions}
            )
            after = {
                (a.allegation, a.respondent): a
                for a in ask(bill.law, shapes, codes, bill.info, questions=questions, date=day)
            }
            for i in positions:
                c = entries[i]
                a = after[(c.allegation, c.respondent)]
                if (a.status, {x.agency for x in a.agencies}) != (
                    c.status,
                    {x.agency for x in c.agencies},
                ):
                    out.setdefault(i, []).append(bill.warning(day))
    return out


def amendment_assumptions(
    amended_law: Graph, info: LawInfo, ids: Sequence[str]
) -> list[AnswerWarning]:
    """Encoding choices (status inferred) an applied amendment's effect rests on."""
    out = []
    for a in amended_law.subjects(AKG.amendmentId, None):
        aid = str(amended_law.value(a, AKG.amendmentId))
        if aid not in ids:
            continue
        for change in amended_law.objects(a, AKG.change):
            for node in amended_law.objects(change, AKG.inserts):
                if info.status(node) != "inferred":
                    continue
                out.append(
                    AnswerWarning(
                        "amendment-assumption",
                        f"{aid}: {info.label(node)} rests on an encoding choice. "
                        f"{amended_law.value(node, AKG.statusNote) or ''}".strip(),
                        aid,
                    )
                )
    return out


def for_report(
    report: CheckReport, law: Graph, info: LawInfo, codes: CodeIndex, law_current_to: str
) -> list[AnswerWarning]:
    """The warnings that follow from a report's own dates, norms, grants and powers."""
    days = {report.as_of} | {c.as_of for c in report.competence}
    out: list[AnswerWarning] = []
    for day in sorted(days):
        out += after_law_current_to(day, law_current_to)
    out += uncertain_in_force(
        law, info, (URIRef(f.norm) for f in report.findings if f.norm), report.as_of
    )
    for c in report.competence:
        out += uncertain_in_force(law, info, (URIRef(a.grant) for a in c.agencies), c.as_of)
    out += not_encoded(law, codes, report.competence)
    out += reading_fixed(report.readings, report.assumed)
    return _unique(out)


def from_amending(messages: Iterable[str]) -> list[AnswerWarning]:
    """The amendment module's messages (an amendment already in force, a drafting oddity)
    as warnings."""
    return [
        AnswerWarning("amendment-in-force" if "already in force" in m else "amendment-drafting", m)
        for m in messages
    ]


def _unique(warnings: list[AnswerWarning]) -> list[AnswerWarning]:
    seen: set[AnswerWarning] = set()
    out = []
    for w in warnings:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out

"""What changes if this passes: the law with and without amendments, compared.

Both sides are decided by the same shapes; the comparison is over findings and
competence of incidents and over the whole competence matrix (every allegation code
against every respondent kind). Each difference is attributed to the clauses whose
changes touch the norms, exceptions or grants it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.cards.read import Card
from kg.decide import warnings as warns
from kg.decide.check import Options, check_cards
from kg.decide.competence import matrix
from kg.law import amend
from kg.law.amend import Amendment
from kg.law.codes import CodeIndex
from kg.law.info import LawInfo
from kg.namespaces import AKG
from kg.results import AnswerWarning, CheckReport, Competence, Finding, Header

FLAGS = ("gap", "overlap", "contested")


@dataclass
class ImpactReport:
    header: Header
    amendments: list[str]
    as_of: str
    warnings: list[AnswerWarning] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    matrix: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header.to_json(),
            "amendments": self.amendments,
            "as_of": self.as_of,
            "counterfactual": True,
            "warnings": [w.to_json() for w in self.warnings],
            "changes": self.changes,
            "matrix": self.matrix,
            "flags": self.flags,
        }


def _finding_key(f: Finding) -> tuple[str, str]:
    return (f.subject, f.provision)


def _finding_state(f: Finding | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {
        "verdict": f.verdict,
        "depends_on": list(f.depends_on),
        "missing": list(f.missing),
        "message": f.message,
        "provision": f.provision,
    }


def _competence_state(c: Competence | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "status": c.status,
        "agencies": [
            {"agency": a.agency, "provision": a.provision, "readings": list(a.readings)}
            for a in c.agencies
        ],
    }


def _same_competence(a: Competence | None, b: Competence | None) -> bool:
    return _competence_state(a) == _competence_state(b)


def _same_finding(a: Finding | None, b: Finding | None) -> bool:
    strip = ("message",)
    sa, sb = _finding_state(a), _finding_state(b)
    if sa is None or sb is None:
        return sa == sb
    return {k: v for k, v in sa.items() if k not in strip} == {
        k: v for k, v in sb.items() if k not in strip
    }


def _because(amendments: Sequence[Amendment], nodes: set[Node], law: Graph) -> list[str]:
    return amend.clauses_touching(amendments, nodes, law) or amend.all_clauses(amendments)


def _finding_nodes(f: Finding | None, law: Graph) -> set[Node]:
    if f is None:
        return set()
    norm = URIRef(f.norm)
    return {norm, *law.subjects(AKG.overrides, norm)}


def _grant_nodes(c: Competence | None) -> set[Node]:
    return {URIRef(a.grant) for a in c.agencies} if c else set()


def compare_reports(
    before: list[CheckReport], after: list[CheckReport], amendments: Sequence[Amendment], law: Graph
) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    for b, a in zip(before, after, strict=True):
        fb = {_finding_key(f): f for f in b.findings}
        fa = {_finding_key(f): f for f in a.findings}
        for key in sorted(set(fb) | set(fa)):
            old, new = fb.get(key), fa.get(key)
            if _same_finding(old, new):
                continue
            nodes = _finding_nodes(old, law) | _finding_nodes(new, law)
            changes.append(
                {
                    "incident": b.incident,
                    "kind": "finding",
                    "subject": key[0],
                    "provision": key[1],
                    "before": _finding_state(old),
                    "after": _finding_state(new),
                    "because": _because(amendments, nodes, law),
                }
            )
        cb = {(c.complaint, c.trigger, c.allegation): c for c in b.competence}
        ca = {(c.complaint, c.trigger, c.allegation): c for c in a.competence}
        for ckey in sorted(set(cb) | set(ca), key=lambda k: tuple(x or "" for x in k)):
            cold, cnew = cb.get(ckey), ca.get(ckey)
            if _same_competence(cold, cnew):
                continue
            entry: dict[str, Any] = {"incident": b.incident, "kind": "competence"}
            if ckey[0]:
                entry["complaint"] = ckey[0]
            if ckey[1]:
                entry["trigger"] = ckey[1]
            entry.update(
                {
                    "allegation": ckey[2],
                    "before": _competence_state(cold),
                    "after": _competence_state(cnew),
                    "because": _because(amendments, _grant_nodes(cold) | _grant_nodes(cnew), law),
                }
            )
            changes.append(entry)
    return changes


def compare_matrix(
    before: list[Competence],
    after: list[Competence],
    amendments: Sequence[Amendment],
    law: Graph,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, flags = [], []
    for b, a in zip(before, after, strict=True):
        changed = not _same_competence(b, a)
        row: dict[str, Any] = {
            "allegation": b.allegation,
            "respondent": b.respondent,
            "before": _competence_state(b),
            "after": _competence_state(a),
            "changed": changed,
        }
        if changed:
            row["because"] = _because(amendments, _grant_nodes(b) | _grant_nodes(a), law)
            if a.status in FLAGS and a.status != b.status:
                flags.append(
                    {
                        "allegation": a.allegation,
                        "respondent": a.respondent,
                        "flag": a.status,
                        "because": row["because"],
                    }
                )
        rows.append(row)
    return rows, flags


def impact(
    *,
    law: Graph,
    shapes: Graph,
    codes: CodeIndex,
    info: LawInfo,
    header: Header,
    amendments: Sequence[Amendment],
    as_of: str,
    cards: Sequence[Card],
    fixed_as_of: bool,
) -> ImpactReport:
    """The difference the amendments make, on `as_of` and over the cards."""
    dates = [as_of] + [as_of if fixed_as_of else str(c.data["date"]) for c in cards]
    after_law, messages = amend.apply(law, amendments, on=min(dates))
    after_info = LawInfo(after_law)
    ids = [a.id for a in amendments]
    warnings = (
        warns.after_law_current_to(as_of, header.law_current_to)
        + warns.from_amending(messages)
        + warns.amendment_assumptions(after_law, after_info, ids)
    )
    options = Options(
        as_of=as_of if fixed_as_of else None, amendments=tuple(a.id for a in amendments)
    )
    before = check_cards(list(cards), law, shapes, codes, info, header, options)
    after = check_cards(list(cards), after_law, shapes, codes, after_info, header, options)
    rows_before = matrix(law, shapes, codes, info, date=as_of)
    rows_after = matrix(after_law, shapes, codes, after_info, date=as_of)
    report = ImpactReport(
        header=replace(header, engine=rows_after[0].engine if rows_after else ""),
        amendments=[a.id for a in amendments],
        as_of=as_of,
        warnings=warnings,
    )
    report.changes = compare_reports(before, after, amendments, after_law)
    report.matrix, report.flags = compare_matrix(rows_before, rows_after, amendments, after_law)
    report.labels = {a.id: a.label for a in amendments}
    return report

"""Restricted sources: facts that rest only on them are not served.

A source is restricted when the store says so (`<source> akg:restricted true`, in any
graph) or the configuration names it (`RESTRICTED_SOURCES`: the source's IRI,
`<incident>/<source id>`, or a bare source id, which matches that id in every
incident). An incident's facts live in one named graph per source, so withholding a
source withholds its graph; the stored determinations of an incident that has a
restricted source are withheld too, since they rest on its facts. Pages withhold the
card items a restricted source states, and every finding or competence answer that
uses one of them, unless the app is started with `ALLOW_RESTRICTED`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kg.namespaces import GRAPH, INC
from kg.results import CheckReport, Competence, Finding


@dataclass(frozen=True)
class SourceRow:
    iri: str
    incident: str  # the incident's id
    source_id: str
    graph: str
    flagged: bool  # akg:restricted true in the store


@dataclass(frozen=True)
class Restricted:
    """What is withheld; empty when restricted sources are allowed or there are none."""

    sources: frozenset[str]  # source IRIs
    graphs: frozenset[str]  # named graphs withheld from queries
    by_incident: Mapping[str, frozenset[str]]  # incident id -> restricted source ids

    @classmethod
    def build(cls, rows: Iterable[SourceRow], named: Iterable[str], *, allow: bool) -> Restricted:
        if allow:
            return cls(frozenset(), frozenset(), {})
        wanted = {str(n) for n in named}
        hit = [
            r
            for r in rows
            if r.flagged or {r.iri, f"{r.incident}/{r.source_id}", r.source_id} & wanted
        ]
        graphs = {r.graph for r in hit if r.graph}
        graphs |= {str(GRAPH[f"determinations/{r.incident}"]) for r in hit}
        by_incident: dict[str, set[str]] = {}
        for r in hit:
            by_incident.setdefault(r.incident, set()).add(r.source_id)
        return cls(
            frozenset(r.iri for r in hit),
            frozenset(graphs),
            {k: frozenset(v) for k, v in by_incident.items()},
        )

    def withheld_items(self, card_data: Mapping[str, Any]) -> frozenset[str]:
        """The ids of the card's items that a restricted source states."""
        hidden = self.by_incident.get(str(card_data.get("id")), frozenset())
        if not hidden:
            return frozenset()
        out = set()
        for value in card_data.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and item.get("source") in hidden:
                        out.add(str(item["id"]))
        return frozenset(out)

    def public_card(self, card_data: Mapping[str, Any]) -> dict[str, Any]:
        """The card as anyone may see it: without the items a restricted source states,
        the claims about them, and the restricted sources themselves. Every path that
        shows a card's content (the incident page, the check form's examples) uses this
        or `withheld_items`."""
        hidden = self.withheld_items(card_data)
        sources = self.by_incident.get(str(card_data.get("id")), frozenset())
        if not hidden and not sources:
            return dict(card_data)
        out: dict[str, Any] = {}
        for key, value in card_data.items():
            if not isinstance(value, list):
                out[key] = value
                continue
            kept = []
            for item in value:
                if isinstance(item, dict):
                    target = str(item.get("about", "")).partition(".")[0]
                    if (
                        str(item.get("id")) in hidden
                        or target in hidden
                        or (key == "sources" and str(item.get("id")) in sources)
                    ):
                        continue
                kept.append(item)
            out[key] = kept
        return out


def _finding_withheld(f: Finding, incident: str, items: frozenset[str]) -> bool:
    used = {str(u).removeprefix(f"{INC}{incident}/") for u in f.used}
    claims = {d.split(":", 1)[1] for d in f.depends_on if d.startswith("claim:")}
    return bool(({f.subject} | used | claims) & items)


def _competence_withheld(c: Competence, items: frozenset[str]) -> bool:
    return bool({c.complaint, c.trigger} & items)


def redact(report: CheckReport, items: frozenset[str]) -> tuple[CheckReport, int]:
    """The report without what rests on withheld items, and how many entries were left out."""
    if not items:
        return report, 0
    findings = [f for f in report.findings if not _finding_withheld(f, report.incident, items)]
    competence = [c for c in report.competence if not _competence_withheld(c, items)]
    left_out = len(report.findings) - len(findings) + len(report.competence) - len(competence)
    copy = CheckReport(
        header=report.header,
        incident=report.incident,
        as_of=report.as_of,
        amendments=list(report.amendments),
        findings=findings,
        competence=competence,
        readings=list(report.readings),
        assumed=list(report.assumed),
        title=report.title,
        warnings=list(report.warnings),
    )
    return copy, left_out

"""The answers: findings and competence entries, as plain data (the JSON contract).

Field names follow ../shared/spec/check-report.md; `to_json()` gives exactly that
shape. Nothing here computes anything: `kg.decide.check` and `kg.decide.competence` build these.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from rdflib import Graph
from rdflib.term import Node

# Encoding statuses, firmest first (check-report spec: grounds are the weakest link).
RANK = (
    "verified",
    "partial",
    "secondary",
    "inferred",
    "unconfirmed",
    "title-only",
    "not-retrieved",
)


def weakest(statuses: Iterable[str]) -> str:
    """The weakest of some statuses (an unknown status counts as unconfirmed)."""
    ranked = [s if s in RANK else "unconfirmed" for s in statuses]
    return max(ranked, key=RANK.index, default="verified")


NOTICE = "This is legal information produced from an encoding of the law, not legal advice."


@dataclass(frozen=True)
class AnswerWarning:
    """What the user cannot see (check-report spec, Warnings): a code, one sentence, and
    the provision, amendment or date concerned."""

    code: str
    message: str
    about: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "about": self.about}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Ground:
    provision: str
    status: str
    iri: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"provision": self.provision, "status": self.status}


@dataclass(frozen=True)
class Step:
    step: str
    provision: str
    facts: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "provision": self.provision, "facts": list(self.facts)}


@dataclass(frozen=True)
class Finding:
    subject: str
    provision: str
    verdict: str
    depends_on: tuple[str, ...]
    missing: tuple[str, ...]
    grounds: tuple[Ground, ...]
    message: str
    explanation: tuple[Step, ...]
    norm: str = ""
    norm_label: str = ""
    exceptions: tuple[dict[str, str], ...] = ()
    used: tuple[str, ...] = ()

    @property
    def confidence(self) -> str:
        """The weakest status over the grounds (check-report spec)."""
        return weakest(g.status for g in self.grounds)

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "provision": self.provision,
            "verdict": self.verdict,
            "depends_on": list(self.depends_on),
            "missing": list(self.missing),
            "grounds": [g.to_json() for g in self.grounds],
            "confidence": self.confidence,
            "message": self.message,
            "explanation": [s.to_json() for s in self.explanation],
            "norm": self.norm,
            "exceptions": list(self.exceptions),
            "used": list(self.used),
        }


@dataclass(frozen=True)
class AgencyPower:
    agency: str
    power: str
    provision: str
    readings: tuple[str, ...]
    grounds: tuple[Ground, ...]
    grant: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "power": self.power,
            "provision": self.provision,
            "readings": list(self.readings),
            "grounds": [g.to_json() for g in self.grounds],
            "grant": self.grant,
        }


@dataclass(frozen=True)
class Competence:
    allegation: str | None
    respondent: str
    as_of: str
    status: str
    agencies: tuple[AgencyPower, ...]
    complaint: str | None = None
    trigger: str | None = None
    trigger_kind: str | None = None
    depends_on: tuple[str, ...] = ()
    message: str = ""
    engine: str = ""  # the engine that answered (shown at the top of a `kg who` answer)
    coverage: tuple[Ground, ...] = ()  # for `gap`: what says the graph covers that date
    warnings: tuple[AnswerWarning, ...] = ()  # a `kg who` answer's (top level of its JSON)

    @property
    def confidence(self) -> str:
        """The weakest status over the grounds of the agencies (or, for a gap, of what
        says the graph's powers are complete on that date)."""
        grounds = [g for a in self.agencies for g in a.grounds] + list(self.coverage)
        return weakest(g.status for g in grounds) if grounds else "unconfirmed"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.complaint is not None:
            out["complaint"] = self.complaint
        if self.trigger is not None:
            out["trigger"] = self.trigger
            out["trigger_kind"] = self.trigger_kind
        out.update(
            {
                "allegation": self.allegation,
                "respondent": self.respondent,
                "as_of": self.as_of,
                "status": self.status,
                "agencies": [a.to_json() for a in self.agencies],
                "confidence": self.confidence,
                "depends_on": list(self.depends_on),
                "message": self.message,
            }
        )
        return out


@dataclass(frozen=True)
class Header:
    version: str
    law_current_to: str
    notice: str = NOTICE
    engine: str = ""  # the engine that produced the answer (`fast` or `pyshacl`)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        if not self.engine:
            del out["engine"]
        return out


class ShaclReport(Protocol):
    """A SHACL validation report as an engine gives it (`kg.reasoning.results.Validation`)."""

    @property
    def report(self) -> Graph: ...

    @property
    def report_node(self) -> Node | None: ...


@dataclass
class CheckReport:
    header: Header
    incident: str
    as_of: str
    amendments: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    competence: list[Competence] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)
    title: str = ""
    shacl: ShaclReport | None = None  # the run's SHACL report, built when first read
    warnings: list[AnswerWarning] = field(default_factory=list)

    @property
    def shacl_report(self) -> Graph | None:
        return self.shacl.report if self.shacl is not None else None

    @property
    def shacl_report_node(self) -> Node | None:
        return self.shacl.report_node if self.shacl is not None else None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.header.to_json(),
            "incident": self.incident,
            "title": self.title,
            "as_of": self.as_of,
            "amendments": list(self.amendments),
            "counterfactual": bool(self.amendments),
            "warnings": [w.to_json() for w in self.warnings],
            "readings": list(self.readings),
            "assumed": list(self.assumed),
            "findings": [f.to_json() for f in self.findings],
            "competence": [c.to_json() for c in self.competence],
        }

    @property
    def violates(self) -> bool:
        return any(f.verdict == "violates" for f in self.findings)

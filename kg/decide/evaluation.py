"""What the shapes left for one (subject, norm, readings) in one world: an `Evaluation`
with the `Outcome` of each condition and exception. Findings (`check`) are built from
these, and explained (`explain`) from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from kg.decide.worlds import World


@dataclass(frozen=True)
class Outcome:
    """A condition's or exception's outcome in one evaluation."""

    node: URIRef
    outcome: str  # holds, fails, undetermined
    missing: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    items: tuple[URIRef, ...] = ()


@dataclass
class Evaluation:
    """One (subject, norm, readings) in one world, as the shapes left it. `readings` holds
    one reading per contested point the norm answers (none, one or two), sorted."""

    subject: URIRef
    norm: URIRef
    readings: tuple[URIRef, ...]
    world: World
    incident: URIRef | None = None
    verdict: str = ""  # set from the verdict the rules derived, never by default
    missing: set[str] = field(default_factory=set)
    conditions: list[Outcome] = field(default_factory=list)
    exceptions: list[Outcome] = field(default_factory=list)

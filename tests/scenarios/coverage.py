"""Which norms and exceptions the scenarios exercise (fire and not fire).

A norm fires in a scenario when a finding under it is `violates`, and is exercised
without firing when a finding under it is `complies`. An exception fires when a finding
records that it applies, and is exercised without firing when it was weighed and does
not apply. The law graph says which norms exist; nothing here lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from kg import api
from kg.namespaces import AKG
from tests.scenarios import runner

# The table's lines, kept by the coverage test for tests/conftest.py to print after the
# run when pytest is given --coverage-table.
TABLE = pytest.StashKey[list[str]]()
TITLE = "scenario coverage (norms and exceptions; fires / does not fire)"


@dataclass
class Coverage:
    fired: dict[str, set[str]] = field(default_factory=dict)  # node -> scenario names
    held: dict[str, set[str]] = field(default_factory=dict)

    def add(self, kind: dict[str, set[str]], node: str, name: str) -> None:
        kind.setdefault(node, set()).add(name)


def checked_norms() -> dict[str, str]:
    """Norms checked against incidents (they have a subject class): IRI -> citation."""
    ctx = api.context()
    out = {}
    for cls in (AKG.Prohibition, AKG.Obligation):
        for norm in ctx.law.subjects(RDF.type, cls):
            if ctx.law.value(norm, AKG.subjectClass) is None:
                continue
            provision = ctx.info.stated_in(norm)
            out[str(norm)] = ctx.info.citation(provision) if provision else str(norm)
    return out


def exceptions() -> dict[str, str]:
    ctx = api.context()
    out = {}
    for exc in ctx.law.subjects(RDF.type, AKG.Exception):
        if isinstance(exc, URIRef):
            provision = ctx.info.stated_in(exc)
            out[str(exc)] = ctx.info.citation(provision) if provision else str(exc)
    return out


def measure() -> Coverage:
    cov = Coverage()
    for path, s in runner.all_scenarios():
        out = runner.run(path, s)
        for report in out.reports:
            for f in report.findings:
                if f.verdict == "violates":
                    cov.add(cov.fired, f.norm, s["name"])
                elif f.verdict == "complies":
                    cov.add(cov.held, f.norm, s["name"])
                elif any(m.startswith("text:") for m in f.missing):
                    # a norm known by its provision's title only never decides: a case
                    # that shows it naming the text it needs exercises it
                    cov.add(cov.held, f.norm, s["name"])
                for x in f.exceptions:
                    if x["applies"] == "yes":
                        cov.add(cov.fired, x["iri"], s["name"])
                    elif x["applies"] == "no":
                        cov.add(cov.held, x["iri"], s["name"])
    return cov


def report(cov: Coverage) -> tuple[list[str], list[str]]:
    """(lines of the report, norms with no case at all)."""
    lines, uncovered = [], []
    for title, nodes in (("norm", checked_norms()), ("exception", exceptions())):
        for node, citation in sorted(nodes.items(), key=lambda kv: (kv[1], kv[0])):
            fires, holds = len(cov.fired.get(node, ())), len(cov.held.get(node, ()))
            gaps = [w for w, n in (("fires", fires), ("does not fire", holds)) if not n]
            status = "ok" if not gaps else "no case where it " + " / ".join(gaps)
            lines.append(
                f"{title:<9} {citation:<22} {node.rsplit('/', 1)[-1]:<42} "
                f"fires {fires:>2}  not {holds:>2}  {status}"
            )
            if title == "norm" and not fires and not holds:
                uncovered.append(f"{citation} ({node})")
    return lines, uncovered

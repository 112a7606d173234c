"""Human and RDF renderings of check reports and competence answers.

Text reads as a lawyer writes: the answer first, then the provisions, exceptions and
facts, each cited. Turtle gives the findings as RDF for analysts, linked to the SHACL
validation results they were built from.
"""

from __future__ import annotations

import textwrap

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.namespaces import AKG, INC, LAW, bind_prefixes
from kg.results import CheckReport, Competence, Finding

WIDTH = 88


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _finding_text(f: Finding) -> list[str]:
    head = f"[{f.verdict.upper()}] {f.subject} — {f.provision}"
    lines = [head, _wrap(f.message, "  ")]
    if f.depends_on:
        lines.append(_wrap("Depends on: " + ", ".join(f.depends_on), "  "))
    if f.missing:
        lines.append(_wrap("Missing facts: " + ", ".join(f.missing), "  "))
    grounds = "; ".join(f"{g.provision} ({g.status})" for g in f.grounds)
    if grounds:
        lines.append(_wrap(f"Grounds: {grounds}; confidence: {f.confidence}", "  "))
    for step in f.explanation:
        facts = f" [{'; '.join(step.facts)}]" if step.facts else ""
        lines.append(_wrap(f"- {step.step} ({step.provision}){facts}", "    "))
    return lines


def competence_text(c: Competence) -> list[str]:
    what = c.allegation or c.trigger_kind or "?"
    if c.complaint:
        head = f"Complaint {c.complaint}: {what} against {c.respondent}, as of {c.as_of}"
    elif c.trigger:
        head = (
            f"Action {c.trigger} ({c.trigger_kind}, by {c.respondent}) requires an "
            f"investigation without a complaint, as of {c.as_of}"
        )
    else:
        head = f"Who may investigate {what} against {c.respondent}, as of {c.as_of}?"
    lines = [head, _wrap(f"[{c.status.upper()}] {c.message} (confidence: {c.confidence})", "  ")]
    for a in c.agencies:
        under = f", under the reading {', '.join(a.readings)}" if a.readings else ""
        grounds = "; ".join(f"{g.provision} ({g.status})" for g in a.grounds)
        lines.append(
            _wrap(f"- {a.agency}: {a.power}, {a.provision}{under} [grounds: {grounds}]", "    ")
        )
    if c.depends_on:
        lines.append(_wrap("Depends on: " + ", ".join(c.depends_on), "  "))
    return lines


def report_text(r: CheckReport) -> str:
    counts = {
        v: sum(1 for f in r.findings if f.verdict == v)
        for v in ("violates", "contested", "undetermined", "complies")
    }
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no norm concerns it"
    lines = [
        f"{r.incident}: {r.title}",
        f"Law as of {r.as_of} (encoded law current to {r.header.law_current_to}).",
        f"Findings: {summary}.",
    ]
    if r.amendments:
        lines.append(
            f"Counterfactual: amendments {', '.join(r.amendments)} are treated as in force "
            f"on {r.as_of}."
        )
    for w in r.warnings:
        lines.append(_wrap(f"Warning ({w.code}): {w.message}", ""))
    if r.readings:
        lines.append(f"Readings fixed: {', '.join(r.readings)}.")
    if r.assumed:
        lines.append(f"Claims assumed true: {', '.join(r.assumed)}.")
    order = {"violates": 0, "contested": 1, "undetermined": 2, "complies": 3}
    for f in sorted(r.findings, key=lambda f: order[f.verdict]):
        lines += [""] + _finding_text(f)
    if r.competence:
        lines += ["", "Who may investigate"]
        for c in r.competence:
            lines += [""] + competence_text(c)
    lines += ["", r.header.notice]
    return "\n".join(lines) + "\n"


def who_text(c: Competence, notice: str) -> str:
    """A `kg who` answer: its warnings first (spec: before the answer), then the answer."""
    warned = [_wrap(f"Warning ({w.code}): {w.message}", "") for w in c.warnings]
    return "\n".join(warned + ([""] if warned else []) + competence_text(c) + ["", notice]) + "\n"


def report_graph(reports: list[CheckReport]) -> Graph:
    """Findings and competence as RDF, with the SHACL results they came from."""
    g = Graph()
    bind_prefixes(g)
    for r in reports:
        run = BNode()
        g.add((run, RDF.type, AKG.CheckRun))
        g.add((run, AKG.checksIncident, INC[r.incident]))
        g.add((run, AKG.asOf, Literal(r.as_of, datatype=XSD.date)))
        g.add((run, AKG.projectVersion, Literal(r.header.version)))
        for i, f in enumerate(r.findings):
            node = URIRef(f"{INC}{r.incident}/finding/{i + 1}")
            g.add((run, AKG.finding, node))
            g.add((node, RDF.type, AKG.Finding))
            g.add((node, AKG.findingSubject, INC[f"{r.incident}/{f.subject}"]))
            g.add((node, AKG.aboutNorm, URIRef(f.norm)))
            g.add((node, AKG.citation, Literal(f.provision)))
            g.add((node, AKG.verdictCode, Literal(f.verdict)))
            g.add((node, AKG.message, Literal(f.message)))
            for d in f.depends_on:
                g.add((node, AKG.dependsOn, Literal(d)))
            for m in f.missing:
                g.add((node, AKG.missingFact, Literal(m)))
            for gr in f.grounds:
                g.add((node, AKG.restsOn, URIRef(gr.iri) if gr.iri else LAW[gr.provision]))
        for i, c in enumerate(r.competence):
            node = URIRef(f"{INC}{r.incident}/competence/{i + 1}")
            g.add((run, AKG.competence, node))
            g.add((node, RDF.type, AKG.CompetenceAnswer))
            g.add((node, AKG.competenceStatusCode, Literal(c.status)))
            if c.allegation:
                g.add((node, AKG.allegationCode, Literal(c.allegation)))
            for a in c.agencies:
                g.add((node, AKG.competentAgency, Literal(a.agency)))
                g.add((node, AKG.byGrant, URIRef(a.grant)))
        if r.shacl_report is not None:
            g += r.shacl_report
            g.add((run, AKG.shaclReport, r.shacl_report_node or BNode()))
    return g

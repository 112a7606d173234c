"""What `kg load` puts in the store, and what `kg check --store` adds to it.

- every file of the ontology and the law (and each amendment file) as its own named
  graph; each incident's facts in one named graph per source;
- `graph:competence-matrix`: the competence matrix (every allegation against every
  respondent kind) decided by the shapes once for each interval in which the grants in
  force stay the same, so a saved query answers "who may investigate" without a
  reasoner;
- `graph:determinations/<incident>`: the findings and competence answers of an
  incident, linked to the provisions, facts, readings and claims they rest on;
- `graph:meta`: when and with which version each of these was computed.

Rerunning replaces these graphs; nothing is duplicated.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from kg.context import Context
from kg.decide.competence import matrix
from kg.law import load
from kg.namespaces import AKG, BASE, CODE, GRAPH, INC, bind_prefixes
from kg.results import CheckReport, Competence
from kg.store import graph as kggraph
from kg.version import __version__

MATRIX = GRAPH["competence-matrix"]
META = GRAPH["meta"]
ENTRY = BASE + "matrix/"
FAR_PAST = "1900-01-01"


def _day(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def grant_boundaries(law: Graph) -> list[str]:
    """The dates on which some grant of the power to investigate (what the matrix shows)
    comes into or goes out of force."""
    days: set[str] = set()
    for grant in law.subjects(AKG.power, CODE["power/investigate"]):
        for p in (AKG.validFrom, AKG.validUntil):
            days.update(str(d) for d in law.objects(grant, p))
    # the matrix also changes where the graph's coverage of a respondent kind begins
    # (before it, no agency is `undetermined`, after it a `gap`)
    days.update(str(d) for d in law.objects(None, AKG.lawCoveredFrom))
    return sorted(days)


def matrix_intervals(law: Graph) -> list[tuple[str, str | None]]:
    """[from, until) intervals in which the grants in force stay the same."""
    days = grant_boundaries(law)
    starts = [FAR_PAST, *days]
    return [(start, days[i] if i < len(days) else None) for i, start in enumerate(starts)]


def _entry_iri(c: Competence, start: str) -> URIRef:
    return URIRef(f"{ENTRY}{c.allegation}/{c.respondent.replace(':', '-')}/{start}")


def matrix_graph(ctx: Context) -> Graph:
    """The competence matrix for every interval, as decided by the shapes."""
    g = Graph()
    bind_prefixes(g)
    status = {
        "clear": AKG.Clear,
        "overlap": AKG.Overlap,
        "gap": AKG.Gap,
        "contested": AKG.Contested,
        "undetermined": AKG.Undetermined,
    }
    for start, until in matrix_intervals(ctx.law):
        for c in matrix(ctx.law, ctx.shapes, ctx.codes, ctx.info, date=start):
            e = _entry_iri(c, start)
            g.add((e, RDF.type, AKG.MatrixEntry))
            g.add((e, AKG.allegation, ctx.codes.iri("allegation", c.allegation or "")))
            g.add((e, AKG.respondentKind, ctx.codes.iri("respondent", c.respondent)))
            g.add((e, AKG.validFrom, _day(start)))
            if until:
                g.add((e, AKG.validUntil, _day(until)))
            g.add((e, AKG.competenceStatus, status[c.status]))
            for a in c.agencies:
                grant_id = a.grant.rsplit("/", 1)[-1]
                node = URIRef(f"{e}/{a.agency}/{grant_id}/{'+'.join(a.readings) or 'all'}")
                g.add((e, AKG.candidate, node))
                g.add((node, AKG.agency, ctx.codes.iri("agency", a.agency)))
                g.add((node, AKG.grant, URIRef(a.grant)))
                for ground in a.grounds:
                    g.add((node, AKG.restsOn, URIRef(ground.iri)))
                for r in a.readings:
                    g.add((node, AKG.candidateReading, ctx.info.reading(r)))
    return g


def _meta(ds: Dataset, what: URIRef) -> None:
    meta = ds.graph(META)
    meta.remove((what, None, None))
    meta.add((what, AKG.projectVersion, Literal(__version__)))
    meta.add((what, AKG.computedOn, _day(datetime.date.today().isoformat())))


def store_dataset(ctx: Context) -> Dataset:
    """Everything `kg load` stores."""
    ds = kggraph.full_dataset(ctx)
    bind_prefixes(ds)
    target = ds.graph(MATRIX)
    for t in matrix_graph(ctx):
        target.add(t)
    _meta(ds, MATRIX)
    meta = ds.graph(META)
    meta.add((META, AKG.lawCurrentTo, _day(ctx.header.law_current_to)))
    return ds


def determinations(reports: Sequence[CheckReport], ctx: Context) -> Dataset:
    """The findings and competence answers of incidents, one named graph each."""
    ds = Dataset()
    bind_prefixes(ds)
    ended = Literal(
        datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat(),
        datatype=XSD.dateTime,
    )
    law_graphs = sorted({load.graph_name("law", p) for p in load.turtle_files("law")})
    for r in reports:
        name = GRAPH[f"determinations/{r.incident}"]
        g = ds.graph(name)
        incident = INC[r.incident]
        run = URIRef(f"{name}#run")
        g.add((run, RDF.type, AKG.CheckRun))
        g.add((run, AKG.checksIncident, incident))
        g.add((run, AKG.asOf, _day(r.as_of)))
        g.add((run, AKG.projectVersion, Literal(__version__)))
        g.add((run, AKG.computedOn, _day(datetime.date.today().isoformat())))
        _provenance(g, run, r, ended, law_graphs)
        for i, f in enumerate(r.findings, 1):
            node = URIRef(f"{name}#finding-{i}")
            g.add((run, AKG.finding, node))
            g.add((node, RDF.type, AKG.Finding))
            g.add((node, PROV.wasGeneratedBy, run))
            g.add(
                (
                    node,
                    AKG.findingSubject,
                    INC[f"{r.incident}/{f.subject}"] if f.subject != r.incident else incident,
                )
            )
            g.add((node, AKG.aboutNorm, URIRef(f.norm)))
            g.add((node, AKG.verdict, _VERDICT[f.verdict]))
            g.add((node, AKG.verdictCode, Literal(f.verdict)))
            g.add((node, AKG.citation, Literal(f.provision)))
            g.add((node, AKG.message, Literal(f.message)))
            for ground in f.grounds:
                g.add((node, AKG.restsOn, URIRef(ground.iri)))
            for m in f.missing:
                g.add((node, AKG.missingFact, Literal(m)))
            for d in f.depends_on:
                kind, _, ident = d.partition(":")
                g.add((node, AKG.dependsOn, Literal(d)))
                if kind == "reading":
                    g.add((node, AKG.dependsOnReading, ctx.info.reading(ident)))
                elif kind == "claim":
                    g.add((node, AKG.dependsOnClaim, INC[f"{r.incident}/{ident}"]))
            for item in f.used:
                g.add((node, AKG.usedFact, URIRef(item)))
                g.add((node, PROV.wasDerivedFrom, URIRef(item)))
        for i, c in enumerate(r.competence, 1):
            node = URIRef(f"{name}#competence-{i}")
            g.add((run, AKG.competence, node))
            g.add((node, RDF.type, AKG.CompetenceAnswer))
            g.add((node, PROV.wasGeneratedBy, run))
            if c.complaint:
                g.add((node, AKG.forComplaint, INC[f"{r.incident}/{c.complaint}"]))
            if c.trigger:
                g.add((node, AKG.forTrigger, INC[f"{r.incident}/{c.trigger}"]))
            if c.allegation:
                g.add((node, AKG.allegation, ctx.codes.iri("allegation", c.allegation)))
            g.add((node, AKG.asOf, _day(c.as_of)))
            g.add((node, AKG.competenceStatusCode, Literal(c.status)))
            for a in c.agencies:
                g.add((node, AKG.byGrant, URIRef(a.grant)))
                g.add((node, AKG.competentAgency, Literal(a.agency)))
                for ground in a.grounds:
                    g.add((node, AKG.restsOn, URIRef(ground.iri)))
    return ds


def _provenance(
    g: Graph, run: URIRef, r: CheckReport, ended: Literal, law_graphs: list[URIRef]
) -> None:
    """PROV-O: the run is an activity of this software and engine that used the law's
    graphs and the incident (whose facts are each derived from their source's graph)."""
    agent = URIRef(f"{BASE}software/authority-kg/{__version__}")
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, PROV.endedAtTime, ended))
    g.add((run, PROV.wasAssociatedWith, agent))
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, Literal(f"authority-kg {__version__}", lang="en")))
    if r.header.engine:
        g.add(
            (run, RDFS.comment, Literal(f"shapes run by the {r.header.engine} engine", lang="en"))
        )
    g.add((run, PROV.used, INC[r.incident]))
    for name in law_graphs:
        g.add((run, PROV.used, name))


_VERDICT = {
    "violates": AKG.Violates,
    "complies": AKG.Complies,
    "undetermined": AKG.Undetermined,
    "contested": AKG.Contested,
}

"""PROV-O in the graph (issue 15): a consumer that knows PROV, not this ontology, can trace
a determination to the software, the law and the incident it used, and a fact to its
source."""

from __future__ import annotations

from rdflib import Dataset, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from kg import api
from kg.namespaces import GRAPH, INC
from kg.store import build
from kg.store import graph as kggraph

JUNE4 = "south-loop-2025-06-04"


def test_a_determination_is_a_prov_activity_of_the_software() -> None:
    ctx = api.context()
    ds = kggraph.union(build.determinations(api.check([JUNE4], ctx=ctx), ctx))
    run = URIRef(f"{GRAPH[f'determinations/{JUNE4}']}#run")
    assert (run, RDF.type, PROV.Activity) in ds
    assert next(ds.objects(run, PROV.endedAtTime), None) is not None
    agent = next(ds.objects(run, PROV.wasAssociatedWith))
    assert (agent, RDF.type, PROV.SoftwareAgent) in ds
    used = set(ds.objects(run, PROV.used))
    assert INC[JUNE4] in used and GRAPH["law/mcc-2-173"] in used
    findings = list(ds.subjects(PROV.wasGeneratedBy, run))
    assert len(findings) >= 3
    derived = {o for f in findings for o in ds.objects(f, PROV.wasDerivedFrom)}
    assert any(str(o).startswith(str(INC[JUNE4]) + "/") for o in derived)


def test_each_source_graph_is_derived_from_its_source() -> None:
    full: Dataset = kggraph.full_dataset(api.context())
    graphs = {str(g.identifier) for g in full.graphs() if len(g)}
    ds = kggraph.union(full)
    pairs = list(ds.subject_objects(PROV.wasDerivedFrom))
    assert len(pairs) >= 5
    for named, source in pairs:
        assert str(named) in graphs, f"{named} is no named graph of the dataset"
        assert next(ds.objects(source, DCTERMS.title), None) is not None

"""Every IRI a consumer meets dereferences (issue 15): the ontology's namespace (where each
akg: term's IRI leads), its modules, named graphs; RDF/XML on request; an Accept that
names nothing the app can make is 406, never a page with 200."""

from __future__ import annotations

import pytest
from flask import Flask
from rdflib import OWL, RDF, Graph, URIRef

from kg.namespaces import AKG, BASE, GRAPH
from tests.web.conftest import JUNE4, RESTRICTED


def _graph(body: bytes, fmt: str) -> Graph:
    return Graph().parse(data=body, format=fmt)


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_the_ontology_namespace_is_the_whole_vocabulary(app: Flask, accept: str, fmt: str) -> None:
    r = app.test_client().get("/ontology", headers={"Accept": accept})
    assert r.status_code == 200, r.data[:200]
    assert r.mimetype == accept
    g = _graph(r.data, fmt)
    modules = set(g.subjects(RDF.type, OWL.Ontology))
    assert URIRef(BASE + "ontology/core") in modules and len(modules) >= 10
    # a term from each of two modules: the namespace document holds them all
    assert (AKG.Provision, None, None) in g and (AKG.Incident, None, None) in g


def test_the_ontology_namespace_has_a_page_listing_its_modules(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/ontology", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b'href="/ontology/core"' in page.data and b"RDF/XML" in page.data
    twin = client.get("/ontology.json").get_json()
    assert twin["contents"]["triples"] > 100
    assert {m["iri"] for m in twin["modules"]} >= {BASE + "ontology/core"}


def test_a_module_iri_is_its_module(app: Flask) -> None:
    client = app.test_client()
    r = client.get("/ontology/core.ttl")
    assert r.status_code == 200
    g = _graph(r.data, "turtle")
    assert (URIRef(BASE + "ontology/core"), RDF.type, OWL.Ontology) in g
    assert (URIRef(BASE + "ontology/incidents"), RDF.type, OWL.Ontology) not in g
    assert client.get("/ontology/core", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/ontology/no-such-module").status_code == 404


def test_a_named_graph_iri_is_its_graph(app: Flask) -> None:
    client = app.test_client()
    name = GRAPH["law/mcc-2-173"]
    r = client.get("/graph/law/mcc-2-173", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.data[:200]
    g = _graph(r.data, "nt")
    assert len(g) > 50
    assert (URIRef(BASE + "law/mcc/2-173-020"), None, None) in g
    page = client.get("/graph/law/mcc-2-173.json").get_json()
    assert page["contents"]["graphs"] == [str(name)]


def test_a_restricted_graph_is_not_served(app: Flask, restricted_app: Flask) -> None:
    path = f"/graph/incident/{JUNE4}/{RESTRICTED[0].split('/')[-1]}"
    served = app.test_client().get(path, headers={"Accept": "text/turtle"})
    assert served.status_code == 200 and len(_graph(served.data, "turtle")) > 0
    r = restricted_app.test_client().get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 404


def test_rdf_xml_by_accept_and_by_suffix(app: Flask) -> None:
    client = app.test_client()
    by_accept = client.get("/law/mcc/2-173-020", headers={"Accept": "application/rdf+xml"})
    assert by_accept.status_code == 200 and by_accept.mimetype == "application/rdf+xml"
    by_suffix = client.get("/law/mcc/2-173-020.rdf")
    assert by_suffix.status_code == 200
    assert len(_graph(by_accept.data, "xml")) == len(_graph(by_suffix.data, "xml")) > 3


def test_an_accept_that_names_nothing_the_app_makes_is_406(app: Flask) -> None:
    r = app.test_client().get("/law/mcc/2-173-020", headers={"Accept": "image/png"})
    assert r.status_code == 406
    # a browser's Accept (*/* among others) still gets the page
    r = app.test_client().get("/law/mcc/2-173-020", headers={"Accept": "*/*"})
    assert r.status_code == 200


def test_the_eli_expression_and_a_publisher_dereference(app: Flask) -> None:
    """The IRIs the ELI view and the publishers add (issue 15) answer like the rest."""
    client = app.test_client()
    expr = client.get(
        "/law/mcc/2-173-020/expression/en", headers={"Accept": "application/n-triples"}
    )
    assert expr.status_code == 200, expr.status_code
    assert "http://data.europa.eu/eli/ontology#LegalExpression" in expr.get_data(as_text=True)
    agent = client.get("/law/publisher/wbez", headers={"Accept": "application/n-triples"})
    assert agent.status_code == 200 and '"WBEZ"' in agent.get_data(as_text=True)
    page = client.get("/law/publisher/wbez", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "WBEZ" in page.get_data(as_text=True)

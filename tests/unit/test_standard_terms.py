"""ELI and DCMI in the graph (issue 15): a consumer that knows ELI and DCMI Terms, and not
this project's ontology, reads the law's resources, headings, dates, versions, amendments
and publishers. Every question here is asked in ELI's, DCMI's and FOAF's terms alone."""

from __future__ import annotations

from datetime import date

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF

from kg import api
from kg.cards.rdf import card_quads
from kg.cards.read import read_card
from kg.law import load
from kg.namespaces import AKG, ELI, LAW, publisher_iri
from kg.store import graph as kggraph

MCC = LAW["mcc/"]
O2021 = LAW["amendment/o2021-117"]


@pytest.fixture(scope="module")
def law() -> Dataset:
    return load.law_dataset()


def ask(ds: Dataset, body: str) -> list[tuple[object, ...]]:
    prefixes = (
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
        "PREFIX dct: <http://purl.org/dc/terms/>\n"
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
        "PREFIX akg: <https://w3id.org/authority-kg/ontology#>\n"
    )
    return [tuple(r) for r in ds.query(prefixes + body)]  # type: ignore[arg-type]


def test_every_provision_and_amendment_is_an_eli_legal_resource(law: Dataset) -> None:
    union = kggraph.union(law)
    provisions = set(union.subjects(RDF.type, AKG.Section)) | set(
        union.subjects(RDF.type, AKG.Amendment)
    )
    assert len(provisions) > 30
    resources = set(union.subjects(RDF.type, ELI.LegalResource))
    assert provisions <= resources
    assert (URIRef(MCC + "2-173-020"), RDF.type, ELI.LegalResourceSubdivision) in union


def test_eli_title_is_on_expressions_only_and_in_english(law: Dataset) -> None:
    rows = ask(
        law,
        "SELECT ?x ?t WHERE { GRAPH ?g { ?x eli:title ?t } "
        "FILTER NOT EXISTS { GRAPH ?h { ?x a eli:LegalExpression } } }",
    )
    assert rows == []
    titles = ask(law, "SELECT ?t WHERE { GRAPH ?g { ?e eli:title ?t } }")
    assert len(titles) > 20
    assert {t[0].language for t in titles} == {"en"}  # type: ignore[attr-defined]
    heading = ask(
        law,
        "SELECT ?t WHERE { GRAPH ?g { <https://w3id.org/authority-kg/law/mcc/2-173-020> "
        "eli:is_realized_by ?e . ?e eli:title ?t ; eli:realizes ?r } }",
    )
    assert [str(h[0]) for h in heading] == ["Immigration enforcement prohibited"]


def test_in_force_dates_in_eli_terms(law: Dataset) -> None:
    """akg:validUntil is the first day out of force; ELI's date is the last day in force."""
    union = kggraph.union(law)
    repealed = URIRef(MCC + "2-173-042")
    until = union.value(repealed, AKG.validUntil)
    last = union.value(repealed, ELI.date_no_longer_in_force)
    assert until is not None and last is not None
    assert (until.toPython() - last.toPython()).days == 1  # type: ignore[union-attr]
    assert union.value(URIRef(MCC + "2-173-020"), ELI.first_date_entry_in_force) == Literal(
        date(2012, 9, 12)
    )
    # every provision's start is its ELI start, and no ELI date without an akg: one
    pairs = ask(
        law,
        "SELECT ?r WHERE { GRAPH ?g { ?r eli:first_date_entry_in_force ?d } "
        "FILTER NOT EXISTS { GRAPH ?h { ?r akg:validFrom ?d } } }",
    )
    assert pairs == []


def test_versions_are_expressions_and_amendments_are_linked_both_ways(law: Dataset) -> None:
    union = kggraph.union(law)
    section = URIRef(MCC + "2-173-020")
    versions = set(union.objects(section, ELI.is_realized_by))
    current = URIRef(MCC + "2-173-020/version/2021-01-27")
    assert current in versions
    assert (current, RDF.type, ELI.LegalExpression) in union
    assert (section, ELI.amended_by, O2021) in union
    assert (O2021, ELI.amends, section) in union


def test_a_version_names_the_amendment_that_changed_it_from_its_own_file() -> None:
    """A version's akg:changedBy links the provision and the amendment in ELI terms from
    the law file alone, whether or not the amendment's own file states eli:amends (the
    view bound the provision inside an OPTIONAL, where it was out of scope)."""
    g = Graph()
    g.parse(
        data="""
@prefix akg: <https://w3id.org/authority-kg/ontology#> .
<urn:test:section> a akg:Section .
<urn:test:section/version/2> akg:versionOf <urn:test:section> ;
    akg:changedBy <urn:test:amendment> .
""",
        format="turtle",
    )
    load.add_eli_view(g)
    section, amendment = URIRef("urn:test:section"), URIRef("urn:test:amendment")
    assert (section, ELI.amended_by, amendment) in g
    assert (amendment, ELI.amends, section) in g


def test_a_proposal_amends_nothing_in_eli_terms(law: Dataset) -> None:
    """copa-wco-jurisdiction is a bill in committee: no provision is eli:amended_by it."""
    union = kggraph.union(law)
    proposal = LAW["amendment/copa-wco-jurisdiction"]
    assert (proposal, RDF.type, ELI.LegalResource) in union
    assert list(union.subjects(ELI.amended_by, proposal)) == []


def test_every_publisher_is_a_named_agent(law: Dataset) -> None:
    rows = ask(
        law,
        "SELECT ?s ?p WHERE { GRAPH ?g { ?s dct:publisher ?p } "
        "FILTER (isLiteral(?p) || NOT EXISTS { GRAPH ?h { ?p a dct:Agent ; foaf:name ?n } }) }",
    )
    assert rows == []
    union = kggraph.union(law)
    for agent in set(union.subjects(RDF.type, DCTERMS.Agent)):
        name = union.value(agent, FOAF.name)
        assert name is not None and publisher_iri(str(name)) == agent, agent


def test_a_cards_publisher_is_the_same_agent_as_the_laws() -> None:
    ctx = api.context()
    (path,) = [p for p in load.incident_card_paths() if p.stem == "south-loop-2025-06-04"]
    card = read_card(path, ctx.codes)
    quads = card_quads(card, ctx.codes)
    published = {(s, o) for s, p, o, _ in quads if p == DCTERMS.publisher}
    assert published and all(isinstance(o, URIRef) for _, o in published)
    names = {(s, str(o)) for s, p, o, _ in quads if p == FOAF.name}
    for _, agent in published:
        (name,) = {n for s, n in names if s == agent}
        assert publisher_iri(name) == agent
    assert publisher_iri("WBEZ") == LAW["publisher/wbez"]
    assert publisher_iri("¿?") != publisher_iri("!!")  # no name is left without an IRI

"""The ontology: it parses, HermiT finds it consistent (and graphs that break its
disjointness or single values inconsistent), the meta shapes conform, and it holds every
code of the card spec and every field property of docs/model.md."""

from __future__ import annotations

import pathlib
import re

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.law.consistency import check_consistency, java_available
from kg.version import __version__

ROOT = pathlib.Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology"
MODULES = (
    "core",
    "legislation",
    "norms",
    "agencies",
    "competence",
    "interpretation",
    "incidents",
    "provenance",
    "results",
    "amendments",
    "codes",
)
AKG = Namespace("https://w3id.org/authority-kg/ontology#")
CODE = "https://w3id.org/authority-kg/code/"
AGENCY = Namespace("https://w3id.org/authority-kg/agency/")

# The vocabularies of ../shared/spec/incident-card.md, copied by hand as a user would
# read them (scheme -> codes). `unknown` is akg:Unknown, not a code of any scheme.
OFFENCES = tuple("gang drug prostitution trafficking sex-offense-minor other".split())
CARD_CODES: dict[str, tuple[str, ...]] = {
    "agency": tuple(
        "CPD CPD-BIA COPA IPRA OIG OIG-PS POLICE-BOARD CCPSA OEMC MAYOR LAW CITY-COUNCIL "
        "CITY-DEPT ICE HSI DHS CBP FBI ICE-CONTRACTOR PUBLIC".split()
    ),
    "role": tuple(
        "officer supervisor commander dispatcher employee official agent contractor "
        "resident".split()
    ),
    "respondent": tuple(
        "CPD:officer CPD:supervisor CPD:commander OEMC:dispatcher OEMC:supervisor "
        "CITY-DEPT:employee CITY-DEPT:official".split()
    ),
    "operation-kind": tuple(
        "civil-immigration-enforcement criminal-investigation demonstration".split()
    ),
    "warrant": tuple("judicial administrative detainer none".split()),
    "action": tuple(
        "stop arrest detain continue-detention permit-access-to-detainee "
        "permit-use-of-facility respond-to-inquiry communicate enter-287g-agreement "
        "transfer-custody traffic-perimeter on-site-support crowd-control traffic-control "
        "request-status maintain-status disclose-status grant-database-access "
        "condition-benefit-on-status dispatch respond-to-call use-of-force search seizure "
        "firearm-discharge taser-discharge".split()
    ),
    "basis": tuple(
        "immigration-status-belief administrative-warrant immigration-detainer "
        "judicial-warrant criminal-probable-cause none".split()
    ),
    "topic": tuple(
        "custody-status release-date contact-information whether-solely-civil other".split()
    ),
    "purpose": tuple(
        "civil-immigration-enforcement investigation litigation public-safety other".split()
    ),
    "legal-requirement": tuple(
        "statute federal-regulation court-order judicial-warrant none".split()
    ),
    "allegation": tuple(
        "excessive-force domestic-violence coercion verbal-abuse sexual-misconduct "
        "firearm-discharge taser-discharge death-or-serious-injury-in-custody "
        "officer-involved-death improper-search-or-seizure denial-of-counsel "
        "welcoming-city-violation operational-violation criminal-misconduct theft "
        "misconduct-other".split()
    ),
    "review-kind": tuple(
        "internal-review administrative-investigation audit hearing mayoral-review".split()
    ),
    "record": (
        *"outstanding-criminal-warrant felony-conviction pending-felony-charge".split(),
        "gang-database",
        *(f"arrest:{o}" for o in OFFENCES),
        *(f"conviction:{o}" for o in OFFENCES),
    ),
    "source-kind": tuple("news testimony report record statement".split()),
    "event-kind": tuple("hearing order vote statement report other".split()),
}
# Lists the project adds (docs/model.md) and project codes added to card lists.
PROJECT_CODES: dict[str, tuple[str, ...]] = {
    "status": tuple("verified partial secondary inferred unconfirmed not-retrieved".split()),
    "power": tuple(
        "investigate receive-complaints audit-review hear discipline refer recommend".split()
    ),
    "bill-status": tuple("introduced in-committee passed failed tabled".split()),
    "action": tuple("ask-status-on-form".split()),
}


needs_java = pytest.mark.skipif(
    not java_available(), reason="HermiT (owlready2's reasoner) needs Java; no `java` on PATH"
)


def _module_paths() -> list[pathlib.Path]:
    return [ONTOLOGY / f"{name}.ttl" for name in MODULES]


@pytest.fixture(scope="module")
def union() -> Graph:
    graph = Graph()
    for path in _module_paths():
        graph.parse(path, format="turtle")
    return graph


def _concept_iri(scheme: str, code: str) -> URIRef:
    if scheme == "agency":
        return AGENCY[code]
    slug = code.replace(":", "-") if scheme == "respondent" else code.replace(":", ".")
    return URIRef(f"{CODE}{scheme}/{slug}")


# (a) every module parses, and has its header ---------------------------------------


@pytest.mark.parametrize("name", MODULES)
def test_module_parses_and_has_a_header(name: str) -> None:
    path = ONTOLOGY / f"{name}.ttl"
    graph = Graph().parse(path, format="turtle")
    header = URIRef(f"https://w3id.org/authority-kg/ontology/{name}")
    assert (header, RDF.type, OWL.Ontology) in graph, f"{path.name}: no owl:Ontology header"
    assert graph.value(header, OWL.versionInfo) == Literal(__version__), path.name
    for prop in ("title", "modified"):
        assert graph.value(header, URIRef(f"http://purl.org/dc/terms/{prop}")), (name, prop)
    for prop in ("preferredNamespacePrefix", "preferredNamespaceUri"):
        assert graph.value(header, URIRef(f"http://purl.org/vocab/vann/{prop}")), (name, prop)


def test_every_ttl_file_in_ontology_is_a_known_module() -> None:
    assert sorted(p.stem for p in ONTOLOGY.glob("*.ttl")) == sorted(MODULES)


# (b) HermiT finds the union consistent, and broken graphs inconsistent ----------------

# A small incident and a little law that keep every axiom of the disjointness and single
# values, and breaks of it: each broken graph is the good one plus the break's triples,
# so only they can make it inconsistent.

_FACT_PREFIXES = """\
@prefix akg: <https://w3id.org/authority-kg/ontology#> .
@prefix agency: <https://w3id.org/authority-kg/agency/> .
@prefix role: <https://w3id.org/authority-kg/code/role/> .
@prefix inc: <https://w3id.org/authority-kg/incident/hermit-test/> .
@prefix law: <https://w3id.org/authority-kg/law/hermit-test/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""
# HermiT makes no unique-name assumption, so the two sections are said to differ (as
# two card items differ by their akg:itemId).
_GOOD_FACTS = """\
<https://w3id.org/authority-kg/incident/hermit-test> a akg:Incident ; akg:itemId "hermit-test" .
inc:p1 a akg:Person ; akg:itemId "p1" .
inc:p2 a akg:Person ; akg:itemId "p2" .
inc:a1 a akg:Action ; akg:itemId "a1" ; akg:actorAgency agency:CPD ; akg:actorRole role:officer ;
    akg:subjectPerson inc:p1 .
law:s1 a akg:Section .
law:s2 a akg:Section ; owl:differentFrom law:s1 .
law:norm a akg:Prohibition ; akg:statedIn law:s1 .
law:grant a akg:Grant ; akg:grantee agency:COPA .
"""
# name -> the triples that break one axiom (which one, in the comment)
_BREAKS = {
    # Person and org:Organization are disjoint
    "an-agency-that-is-a-person": "agency:CPD a akg:Person .",
    # the kinds of card item are disjoint
    "an-item-that-is-an-action-and-a-call": "inc:a1 a akg:Call .",
    # akg:actorAgency is functional; City and federal agencies are disjoint
    "an-action-with-a-city-and-a-federal-actor": "inc:a1 akg:actorAgency agency:ICE .",
    # akg:grantee is functional; the agencies are all different
    "a-grant-to-two-city-agencies": "law:grant akg:grantee agency:OIG .",
    # akg:subjectPerson and akg:itemId are functional
    "an-action-with-two-subject-persons": "inc:a1 akg:subjectPerson inc:p2 .",
    # akg:statedIn is functional
    "a-norm-stated-in-two-provisions": "law:norm akg:statedIn law:s2 .",
    # norms and provisions are disjoint
    "a-norm-that-is-a-provision": "law:norm a akg:Section .",
}


def _facts_file(tmp_path: pathlib.Path, extra: str = "") -> pathlib.Path:
    path = tmp_path / "facts.ttl"
    path.write_text(_FACT_PREFIXES + _GOOD_FACTS + extra + "\n", encoding="utf-8")
    return path


@pytest.mark.java
@needs_java
def test_hermit_finds_the_union_consistent(tmp_path: pathlib.Path) -> None:
    """The modules, with the good facts (one HermiT run: the union with them is
    consistent only if the union alone is)."""
    result = check_consistency([*_module_paths(), _facts_file(tmp_path)])
    assert result.consistent, result.message
    assert result.unsatisfiable == (), result.message
    assert "HermiT" in result.reasoner


@pytest.mark.java
@needs_java
def test_hermit_reports_an_inconsistency(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix akg: <https://w3id.org/authority-kg/ontology#> .\n"
        '<https://w3id.org/authority-kg/law/condition/x> akg:negated "not a boolean" .\n',
        encoding="utf-8",
    )
    result = check_consistency([*_module_paths(), bad])
    assert not result.consistent
    assert "inconsistent" in result.message


@pytest.mark.parametrize("name", _BREAKS)
def test_each_break_only_adds_triples_to_the_good_facts(tmp_path: pathlib.Path, name: str) -> None:
    good = Graph().parse(_facts_file(tmp_path), format="turtle")
    broken = Graph().parse(_facts_file(tmp_path, _BREAKS[name]), format="turtle")
    added = set(broken) - set(good)
    assert set(good) <= set(broken)
    assert 1 <= len(added) <= 4, added


@pytest.mark.java
@needs_java
@pytest.mark.parametrize("name", _BREAKS)
def test_hermit_finds_a_broken_graph_inconsistent(tmp_path: pathlib.Path, name: str) -> None:
    result = check_consistency([*_module_paths(), _facts_file(tmp_path, _BREAKS[name])])
    assert not result.consistent, f"{name}: {result.message}"


# (c) the meta shapes conform -----------------------------------------------------------


def _meta_shapes() -> Graph:
    shapes = Graph()
    paths = sorted((ROOT / "shapes" / "meta").glob("*.ttl"))
    assert paths, "no meta shapes in shapes/meta/"
    for path in paths:
        shapes.parse(path, format="turtle")
    return shapes


def test_meta_shapes_conform(union: Graph) -> None:
    conforms, _report, text = pyshacl.validate(union, shacl_graph=_meta_shapes())
    assert conforms, text


def test_meta_shapes_catch_an_undocumented_term(union: Graph) -> None:
    broken = Graph()
    broken += union
    broken.add((AKG.Undocumented, RDF.type, OWL.Class))
    broken.remove((AKG.basis, SKOS.definition, None))
    broken.add((_concept_iri("action", "stop"), SKOS.notation, Literal("halt")))
    conforms, _report, text = pyshacl.validate(broken, shacl_graph=_meta_shapes())
    assert not conforms
    assert str(AKG.Undocumented) in text
    assert str(AKG.basis) in text
    assert "skos:notation" in text


# (d) every code of the card spec is a notation in the right scheme -------------------


def _check_codes(union: Graph, codes: dict[str, tuple[str, ...]]) -> None:
    problems = []
    for scheme, notations in codes.items():
        scheme_iri = URIRef(CODE + scheme)
        if (scheme_iri, RDF.type, SKOS.ConceptScheme) not in union:
            problems.append(f"{scheme_iri} is not a skos:ConceptScheme")
        for notation in notations:
            concept = _concept_iri(scheme, notation)
            if (concept, SKOS.inScheme, scheme_iri) not in union:
                problems.append(f"{concept} is not in {scheme_iri}")
            if list(union.objects(concept, SKOS.notation)) != [Literal(notation)]:
                problems.append(f"{concept} does not have the one notation {notation!r}")
            if union.value(concept, SKOS.prefLabel) is None:
                problems.append(f"{concept} has no skos:prefLabel")
    assert not problems, "\n".join(problems)


def test_every_card_code_is_a_notation_in_its_scheme(union: Graph) -> None:
    _check_codes(union, CARD_CODES)


def test_every_project_code_is_a_notation_in_its_scheme(union: Graph) -> None:
    _check_codes(union, PROJECT_CODES)


def test_unknown_is_no_concept_and_none_only_where_allowed(union: Graph) -> None:
    assert not list(union.subjects(SKOS.notation, Literal("unknown")))
    none_schemes = {
        str(union.value(c, SKOS.inScheme)).removeprefix(CODE)
        for c in union.subjects(SKOS.notation, Literal("none"))
    }
    assert none_schemes == {"warrant", "basis", "legal-requirement"}
    for special in (AKG.Unknown, AKG["None"]):
        assert union.value(special, SKOS.inScheme) is None
        assert union.value(special, RDFS.label) is not None


def test_agencies_are_typed_organizations(union: Graph) -> None:
    org = Namespace("http://www.w3.org/ns/org#")
    city = (
        "CPD CPD-BIA COPA IPRA OIG OIG-PS POLICE-BOARD CCPSA OEMC MAYOR LAW CITY-COUNCIL "
        "CITY-DEPT".split()
    )
    for code in CARD_CODES["agency"]:
        assert (AGENCY[code], RDF.type, org.Organization) in union, code
    for code in city:
        assert (AGENCY[code], RDF.type, AKG.CityAgency) in union, code
    for code in ("ICE", "HSI", "DHS", "CBP", "FBI"):
        assert (AGENCY[code], RDF.type, AKG.FederalAgency) in union, code
    for code in ("ICE", "HSI", "DHS", "CBP"):
        assert (AGENCY[code], RDF.type, AKG.FederalImmigrationAuthority) in union, code
    assert (AGENCY["FBI"], RDF.type, AKG.FederalImmigrationAuthority) not in union
    assert (AGENCY["ICE-CONTRACTOR"], AKG.contractorOf, AGENCY.ICE) in union
    assert (AGENCY["PUBLIC"], RDF.type, AKG.PublicActor) in union
    subs = {"CPD-BIA": "CPD", "OIG-PS": "OIG", "HSI": "ICE", "ICE": "DHS", "CBP": "DHS"}
    for child, parent in subs.items():
        assert (AGENCY[child], org.subOrganizationOf, AGENCY[parent]) in union, child
    assert union.value(AGENCY.COPA, SKOS.prefLabel) == Literal(
        "Civilian Office of Police Accountability", lang="en"
    )


def test_respondent_kinds_name_agency_and_role(union: Graph) -> None:
    for code in CARD_CODES["respondent"]:
        agency, role = code.split(":")
        concept = _concept_iri("respondent", code)
        assert union.value(concept, AKG.respondentAgency) == AGENCY[agency], code
        assert union.value(concept, AKG.respondentRole) == _concept_iri("role", role), code


# (e) every field property of docs/model.md exists and has a card key ------------------


def _model_field_properties() -> list[str]:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    # The list starts on the line after "Fields (each property carries `akg:cardKey` ...):"
    match = re.search(
        r"^Fields \(each property carries[^\n]*\n(.*?)(?=^Unknown values)", text, re.M | re.S
    )
    assert match, "docs/model.md has no 'Fields (each property carries ...' paragraph"
    names = re.findall(r"`akg:(\w+)`", match.group(1))
    assert len(names) > 20, names
    return names


def test_every_model_field_property_exists_with_a_card_key(union: Graph) -> None:
    property_types = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
    problems = []
    for name in _model_field_properties():
        types = set(union.objects(AKG[name], RDF.type))
        if not types & property_types:
            problems.append(f"akg:{name} is not declared as a property")
        if union.value(AKG[name], AKG.cardKey) is None:
            problems.append(f"akg:{name} has no akg:cardKey")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("basis", "basis"),
        ("actorAgency", "actor"),
        ("callerAgency", "caller"),
        ("subjectPerson", "subject"),
        ("operationAgency", "agency"),
        ("concernsOperation", "concerns"),
        ("inResponseTo", "in_response_to"),
        ("affiliationDisclosed", "affiliation_disclosed"),
        ("supervisorConsulted", "supervisor_consulted"),
        ("supervisorReviewed", "supervisor_reviewed"),
        ("writtenAuthorization", "written_authorization"),
        ("legalRequirement", "legal_requirement"),
        ("reviewBy", "by"),
        ("reviewKind", "kind"),
        ("filedWith", "filed_with"),
        ("againstAgency", "against"),
        ("allegation", "allegations"),
    ],
)
def test_card_keys(union: Graph, name: str, key: str) -> None:
    assert Literal(key) in set(union.objects(AKG[name], AKG.cardKey))


def test_a_call_names_its_actor_dispatcher(union: Graph) -> None:
    for name in ("actorAgency", "actorRole", "actorKind"):
        assert union.value(AKG[name], AKG.callCardKey) == Literal("dispatcher"), name


def test_model_terms_exist(union: Graph) -> None:
    """Every akg: term that docs/model.md names is defined in the ontology."""
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    named = set(re.findall(r"akg:([A-Za-z]\w*)", text))
    missing = sorted(n for n in named if not set(union.objects(AKG[n], RDF.type)))
    assert not missing, f"named in docs/model.md but not defined: {missing}"

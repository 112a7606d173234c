"""Resource IRIs dereference: every IRI of the graph has a page (HTML for a browser,
Turtle, N-Triples, JSON-LD or RDF/XML on request, by Accept or by the suffix .ttl, .nt,
.jsonld, .rdf); an Accept that names nothing of these is answered 406.

https://w3id.org/authority-kg/law/mcc/2-173-020 is served at /law/mcc/2-173-020; an IRI
outside the routed paths (a shape) at /resource?iri=.... A named graph's IRI
(/graph/...) dereferences to the graph's triples; the ontology's namespace (/ontology,
where every `akg:` term's IRI leads) to the whole vocabulary, and a module's IRI
(/ontology/core) to the module. Restricted graphs are never served.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, Response, abort, redirect, request
from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.namespaces import BASE, GRAPH, bind_prefixes
from webapp.data import provisions as lookup
from webapp.http.pages import page, respond
from webapp.links import checked_iri, iri_of, local
from webapp.services import services

bp = Blueprint("resources", __name__)

RDF_SUFFIX = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
MEDIA = {
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}


def split(rest: str) -> tuple[str, str | None]:
    """('law/mcc/2-173-020', 'turtle') for 'law/mcc/2-173-020.ttl'; '.json' is the twin."""
    for suffix, fmt in RDF_SUFFIX.items():
        if rest.endswith(suffix):
            return rest[: -len(suffix)], fmt
    if rest.endswith(".json"):
        return rest[: -len(".json")], None
    return rest, None


def wanted(explicit: str | None) -> str | None:
    """The RDF format asked for (suffix first, then Accept), or None for the page."""
    if explicit:
        return explicit
    offers = ["text/html", "application/xhtml+xml", "application/json", *RDF_TYPES]
    accept = request.accept_mimetypes
    best = accept.best_match(offers)
    if best is None and accept:
        abort(
            406,
            "none of the requested media types can be produced; use one of " + ", ".join(offers),
        )
    return RDF_TYPES.get(best or "")


def rdf(iri: str, fmt: str) -> Response:
    """What the graph says about the IRI (from the graphs the app may serve)."""
    return as_rdf(services().result("describe", iri=URIRef(iri)).triples, iri, fmt)


def as_rdf(triples: Iterable[tuple[Node, Node, Node]], iri: str, fmt: str) -> Response:
    g = Graph()
    bind_prefixes(g)
    for t in triples:
        g.add(t)
    if not len(g):
        abort(404, f"the graph says nothing about {iri}")
    body = g.serialize(format=fmt)
    response = Response(body, mimetype=MEDIA[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA[fmt]
    response.headers["Vary"] = "Accept"
    return response


def describe_page(iri: str) -> Response:
    data = lookup.describe(services(), iri)
    if not data["found"]:
        abort(404, f"the graph says nothing about {iri}")
    return respond("resource.html", data)


@page(bp, "/resource", "resource.html")
def by_iri() -> Any:
    iri = request.args.get("iri", "").strip()
    if not iri:
        abort(400, "give the IRI to look up: /resource?iri=https://w3id.org/authority-kg/...")
    checked_iri(iri)
    target = local(iri)
    if not target.startswith("/resource") and not request.path.endswith(".json"):
        return redirect(target, code=303)
    fmt = wanted(RDF_SUFFIX.get("." + request.args.get("format", ""), None))
    if fmt:
        return rdf(iri, fmt)
    data = lookup.describe(services(), iri)
    if not data["found"]:
        abort(404, f"the graph says nothing about {iri}")
    return data


def serve(rest: str) -> Response:
    """Any routed IRI path: RDF by negotiation, else its generic page."""
    path, explicit = split(rest)
    iri = iri_of(path)
    fmt = wanted(explicit)
    if fmt:
        return rdf(iri, fmt)
    return describe_page(iri)


@bp.route("/code/<path:rest>")
def code(rest: str) -> Response:
    return serve("code/" + rest)


def _served(graph: str) -> bool:
    return URIRef(graph) in set(services().graphs)


def _contents(graphs: list[str]) -> list[tuple[Node, Node, Node]]:
    s = services()
    return [t for g in graphs for t in s.result("graph-contents", graph=URIRef(g)).triples]


def document(iri: str, graphs: list[str], explicit: str | None, data: dict[str, Any]) -> Response:
    """A document IRI (a named graph, the ontology or one of its modules): its triples as
    RDF, or a page that says what it is and links its contents in every format."""
    fmt = wanted(explicit)
    if fmt:
        return as_rdf(_contents(graphs), iri, fmt)
    url = local(iri)
    count = sum(len(services().result("graph-contents", graph=URIRef(g)).triples) for g in graphs)
    data["contents"] = {
        "triples": count,
        "graphs": graphs,
        "formats": {name: url + suffix for suffix, name in RDF_SUFFIX.items()},
    }
    data["found"] = True
    return respond("resource.html", data)


@bp.route("/graph/<path:rest>")
def graph(rest: str) -> Response:
    """A named graph's IRI: the graph itself (a graph the app does not serve is 404)."""
    path, explicit = split(rest)
    iri = iri_of("graph/" + path)
    if not _served(iri):
        return serve("graph/" + rest)
    return document(iri, [iri], explicit, lookup.describe(services(), iri))


def _modules() -> dict[str, str]:
    """The ontology's modules, {module IRI: its named graph}, of the graphs served."""
    graphs = [str(g) for g in services().graphs if str(g).startswith(str(GRAPH) + "ontology/")]
    return {BASE + g[len(str(GRAPH)) :]: g for g in sorted(graphs)}


@bp.route("/ontology")
@bp.route("/ontology<any(.ttl, .nt, .jsonld, .rdf, .json):suffix>")
def ontology(suffix: str = "") -> Response:
    """The ontology's namespace (every akg: term's IRI leads here): the whole vocabulary."""
    iri = BASE + "ontology"
    modules = _modules()
    data: dict[str, Any] = {
        "iri": iri,
        "name": "authority-kg ontology (every module)",
        "statements": [],
        "incoming": [],
        "modules": [{"name": m[len(BASE) :], "url": local(m), "iri": m} for m in modules],
    }
    return document(iri, list(modules.values()), RDF_SUFFIX.get(suffix), data)


@bp.route("/ontology/<path:rest>")
def ontology_module(rest: str) -> Response:
    """A module of the ontology (/ontology/core): the module's own graph."""
    path, explicit = split(rest)
    iri = iri_of("ontology/" + path)
    graph_of = _modules()
    if iri not in graph_of:
        abort(404, f"the ontology has no module {path[:80]}; see /ontology")
    return document(iri, [graph_of[iri]], explicit, lookup.describe(services(), iri))


@bp.route("/matrix/<path:rest>")
def matrix(rest: str) -> Response:
    return serve("matrix/" + rest)

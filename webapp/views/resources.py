"""Resource IRIs dereference: every IRI of the graph has a page (HTML for a browser,
Turtle, N-Triples or JSON-LD on request, by Accept or by the suffix .ttl, .nt, .jsonld).

https://w3id.org/authority-kg/law/mcc/2-173-020 is served at /law/mcc/2-173-020; an IRI
outside the routed paths (an ontology term, a shape) at /resource?iri=....
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, request
from rdflib import Graph, URIRef

from kg.namespaces import bind_prefixes
from webapp.data import provisions as lookup
from webapp.http import page, respond
from webapp.links import checked_iri, iri_of, local
from webapp.services import services

bp = Blueprint("resources", __name__)

RDF_SUFFIX = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}
MEDIA = {
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
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
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", *RDF_TYPES], default="text/html"
    )
    return RDF_TYPES.get(best or "")


def rdf(iri: str, fmt: str) -> Response:
    """What the graph says about the IRI (from the graphs the app may serve)."""
    result = services().result("describe", iri=URIRef(iri))
    g = Graph()
    bind_prefixes(g)
    for t in result.triples:
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


@bp.route("/graph/<path:rest>")
def graph(rest: str) -> Response:
    return serve("graph/" + rest)


@bp.route("/matrix/<path:rest>")
def matrix(rest: str) -> Response:
    return serve("matrix/" + rest)

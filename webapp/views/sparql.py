"""/sparql: a read-only SPARQL 1.1 Protocol endpoint.

- query by GET (?query=), by POST form (application/x-www-form-urlencoded) and by POST
  direct (application/sparql-query, UTF-8); default-graph-uri and named-graph-uri set
  the dataset (within the graphs the app may serve);
- results as JSON, XML, CSV or TSV (ASK: JSON or XML), graphs as Turtle, N-Triples,
  JSON-LD, RDF/XML or N3, by the Accept header; ?format= or ?output= (a short name or a
  media type, as SPARQLWrapper and others send) wins when it fits the query's form, and
  is passed over when it does not or is not known;
- HEAD answers as GET would, without the body; other origins may read the endpoint
  (CORS, `SPARQL_CORS_ORIGINS`: `*` by default, a list of origins, or empty for none),
  preflight included, never with credentials, and never the page for people;
- without a query: the service description (SPARQL 1.1 Service Description), or a page
  about the endpoint for a browser;
- updates, LOAD and SERVICE are refused (403) and nothing changes; every query has a
  time limit, a result cap in rows or triples and in bytes, and a memory limit, and a
  query past them stops with a clear error; queries wait for a worker in a short,
  bounded queue, with a share per client, and are otherwise refused at once (503 or
  429, with Retry-After);
- an error is JSON when the client asked for JSON (e.g. SPARQL results as JSON), else
  plain text; answers are kept until the next load (webapp.sparql.runner).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, render_template, request, url_for
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from werkzeug.http import HTTP_STATUS_CODES

from kg.namespaces import PREFIXES
from kg.store import queries
from webapp.http.pages import as_json, header, wants_json
from webapp.services import Services, services
from webapp.sparql import protocol
from webapp.sparql import run as sparql_exec
from webapp.sparql.protocol import Refused
from webapp.sparql.runner import QueryStopped
from webapp.sparql.worker import size_text

bp = Blueprint("sparql", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
SD_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "text/n3": "n3",
}
RDFLIB_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml", "n3": "n3"}
CORS_PATHS = ("/sparql", "/sparql.json")
CORS_METHODS = "GET, POST, HEAD, OPTIONS"
CORS_HEADERS = "Content-Type, Accept"
CORS_MAX_AGE = 86400  # seconds a browser may keep a preflight's answer
CORS_EXPOSED = "X-Result-Count, Retry-After"


class Params:
    """What a protocol request asks: the query (or update) and the dataset."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def all(self, key: str) -> list[str]:
        return [v for k, v in self.pairs if k == key]


def _utf8(raw: bytes, charset: str | None) -> str:
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise Refused(400, f"the request body is {charset}; send the query in UTF-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request body is not UTF-8; send the query in UTF-8") from None


def _form(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeError:
        raise Refused(400, "the form is not URL-encoded UTF-8; send the query in UTF-8") from None


def _read() -> tuple[str | None, Params]:
    """(the query, or None for the service description; the request's parameters)."""
    url = Params(list(request.args.items(multi=True)))
    if request.method in ("GET", "HEAD"):
        params = url
    else:
        kind = request.mimetype
        raw = request.get_data(cache=True)
        if kind == "application/x-www-form-urlencoded":
            params = Params(_form(raw) + url.pairs)
        elif kind == "application/sparql-query":
            text = _utf8(raw, request.mimetype_params.get("charset"))
            if url.all("query"):
                raise Refused(400, "give one query: in the body or in ?query=, not both")
            params = Params([("query", text), *url.pairs])
        elif kind == "application/sparql-update":
            raise Refused(403, protocol.READ_ONLY)
        elif not kind:
            raise Refused(
                400,
                "the POST has no Content-Type: send application/x-www-form-urlencoded "
                "(query=...) or application/sparql-query",
            )
        else:
            raise Refused(
                415,
                f"cannot read a {kind} body: send application/x-www-form-urlencoded "
                "(query=...) or application/sparql-query",
            )
    if params.all("update") or params.all("using-graph-uri") or params.all("using-named-graph-uri"):
        raise Refused(403, protocol.READ_ONLY)
    queries = params.all("query")
    if len(queries) > 1:
        raise Refused(400, f"the request holds {len(queries)} queries; send exactly one")
    if not queries:
        if request.method == "POST":
            raise Refused(400, "the request holds no query: send query=...")
        return None, params
    return queries[0], params


def _plain(status: int, message: str, retry_after: int = 0) -> Response:
    """The error as JSON when the client asked for JSON, else as one line of text."""
    if wants_json():
        title = HTTP_STATUS_CODES.get(status, "Error")
        error = {"status": status, "title": title, "detail": message}
        response = as_json({"error": error}, status)
    else:
        response = Response(f"error: {message}\n", status=status, mimetype="text/plain")
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    s = services()
    try:
        text, params = _read()
        if text is None:
            return description()
        inspection = protocol.inspect(text)
        protocol.check(inspection)
        asked = params.all("format") + params.all("output")
        results, graphs = protocol.negotiate(request.accept_mimetypes, inspection.form, asked)
        job = sparql_exec.job(
            [str(g) for g in s.graphs],
            s.runner.limits,
            text,
            result_format=results,
            graph_format=graphs,
            default_uris=params.all("default-graph-uri"),
            named_uris=params.all("named-graph-uri"),
            every_graph=not s.restricted.graphs,
        )
        outcome = s.runner.run(job)
    except Refused as stop:
        return _plain(stop.status, stop.message)
    except QueryStopped as stop:
        return _plain(stop.status, stop.message, stop.retry_after)
    if outcome.kind == "error":
        return _plain(outcome.status, outcome.message)
    response = Response(outcome.body, status=200)
    response.headers["Content-Type"] = protocol.MEDIA_TYPE[outcome.format]
    response.headers["Vary"] = "Accept"
    response.headers["X-Result-Count"] = str(outcome.count)
    return response


def service_graph(url: str) -> Graph:
    s = services()
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    service = URIRef(url)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "N3",
    ):
        g.add((service, SD.resultFormat, FORMATS[name]))
    limits = s.runner.limits
    g.add(
        (
            service,
            RDFS.comment,
            Literal(
                "authority-kg, read-only: updates, LOAD and SERVICE are refused. Each query "
                f"may run {limits.timeout:g} s and return {limits.cap} rows or triples and "
                f"{size_text(limits.max_bytes)} at most. The default graph is the union of "
                "the named graphs.",
                lang="en",
            ),
        )
    )
    g.add((service, DCTERMS.title, Literal("authority-kg SPARQL endpoint", lang="en")))
    ds = BNode()
    g.add((service, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    default = BNode()
    g.add((ds, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for name in s.graphs:
        node = BNode()
        g.add((ds, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, name))
    return g


def description() -> Response:
    """The service description (RDF), or a page about the endpoint for a browser."""
    best = request.accept_mimetypes.best_match(["text/html", *SD_FORMATS], default="text/turtle")
    asked = protocol.named(request.args.getlist("format") + request.args.getlist("output"), "graph")
    fmt = RDFLIB_FORMATS.get(asked or "")
    if fmt is None and best == "text/html":
        s = services()
        page = render_template("sparql.html", **_info(s), **_editor())
        return Response(page, mimetype="text/html")
    fmt = fmt or SD_FORMATS.get(best or "", "turtle")
    body = service_graph(request.base_url).serialize(format=fmt)
    media = next(k for k, v in SD_FORMATS.items() if v == fmt)
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    return response


def _info(s: Services) -> dict[str, Any]:
    return {
        **header(),
        "endpoint": request.base_url,
        "timeout": s.runner.limits.timeout,
        "cap": s.runner.limits.cap,
        "cap_bytes": s.runner.limits.max_bytes,
        "per_client": s.runner.limits.per_client,
        "queue_wait": s.runner.limits.queue_wait,
        "graphs": [str(g) for g in s.graphs],
        "withheld": len(s.restricted.graphs),
    }


def _editor() -> dict[str, Any]:
    """What the page's editor offers (not in /sparql.json): the project's prefixes and
    the saved queries (queries/*.rq), each with its text to load into the editor."""
    return {
        "prefixes": {prefix: str(ns) for prefix, ns in PREFIXES.items()},
        "saved": [
            {
                "name": q.name,
                "title": q.title,
                "text": q.text,
                "url": url_for("query.saved_query", name=q.name),
            }
            for q in queries.catalog().values()
        ],
    }


@bp.route("/sparql.json")
def endpoint_json() -> Response:
    """The endpoint's JSON twin: its limits, formats and graphs."""
    s = services()
    data = _info(s)
    data["formats"] = {
        "results": sorted(set(protocol.RESULT_TYPES)),
        "graphs": sorted(set(protocol.GRAPH_TYPES)),
    }
    return as_json({k: v for k, v in data.items() if k not in header()})


def cors_origins() -> frozenset[str]:
    """The origins SPARQL_CORS_ORIGINS lets read the endpoint: `*`, a list (or a string
    of them, separated by commas or spaces), or none (empty)."""
    value = current_app.config.get("SPARQL_CORS_ORIGINS") or ()
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    return frozenset(str(o).strip().rstrip("/").lower() for o in items if str(o).strip())


@bp.after_app_request
def cors(response: Response) -> Response:
    """Let scripts on other origins read /sparql and /sparql.json (not the page for
    people): the endpoint is read-only and public, and no credentials are allowed."""
    if request.path not in CORS_PATHS:
        return response
    response.headers.pop("Access-Control-Allow-Origin", None)  # a kept answer's, maybe
    allowed = cors_origins()
    page = response.mimetype == "text/html" and response.status_code < 400
    if not allowed or (page and request.method != "OPTIONS"):  # OPTIONS: an empty answer
        return response
    origin = request.headers.get("Origin", "")
    if "*" not in allowed:
        response.vary.add("Origin")
        if origin.lower() not in allowed:
            return response
    response.headers["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    else:
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    return response

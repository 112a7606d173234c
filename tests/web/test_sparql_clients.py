"""/sparql with the tools analysts already use (issue 15): ?format= and ?output= as
SPARQLWrapper and others send them (known names honoured when they fit the query's
form, anything else passed over for Accept), graphs as N3 and RDF/XML, HEAD, ASK
without a CSV or TSV form, CORS for scripts on other origins (configurable, never for
the pages), and SPARQLWrapper itself against the app on waitress, as `kg serve` runs it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import threading
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import waitress
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

LAW = "https://w3id.org/authority-kg/graph/law/mcc-2-173"
SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/authority-kg/ontology#Reading> } ORDER BY ?s"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <" + LAW + "> { ?s ?p ?o } } ORDER BY ?s LIMIT 20"
SUBJECT = "https://w3id.org/authority-kg/law/mcc/2-173-020/a/6"
DESCRIBE = f"DESCRIBE <{SUBJECT}>"
READING = "https://w3id.org/authority-kg/law/reading/purpose-test"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
ORIGIN = "https://yasgui.example"
# media type of an answer -> rdflib's name for the format
RDFLIB = {
    "text/turtle": "turtle",
    "text/n3": "n3",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


def ask(
    client: FlaskClient, query: str, accept: str = "", method: str = "GET", **params: Any
) -> Any:
    headers = {"Accept": accept} if accept else {}
    pairs = [("query", query)] + [
        (k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])
    ]
    return client.open("/sparql?" + urlencode(pairs), method=method, headers=headers)


def graph_of(response: Any) -> Graph:
    return Graph().parse(data=response.get_data(as_text=True), format=RDFLIB[response.mimetype])


def readings(response: Any) -> set[str]:
    body = response.get_data()
    if response.mimetype == "text/csv":
        return {r["s"] for r in csv.DictReader(io.StringIO(body.decode("utf-8")))}
    fmt = {
        SRJ: ox.QueryResultsFormat.JSON,
        SRX: ox.QueryResultsFormat.XML,
        "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    }[response.mimetype]
    parsed: Any = ox.parse_query_results(body, format=fmt)
    return {s["s"].value for s in parsed}


# -- ?format= and ?output= -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value", "mimetype"),
    [
        ("format", "json", SRJ),
        ("format", "xml", SRX),
        ("format", "csv", "text/csv"),
        ("format", "tsv", "text/tab-separated-values"),
        ("output", "json", SRJ),
        ("output", "XML", SRX),
        ("format", SRX, SRX),
        ("format", "text/csv; charset=utf-8", "text/csv"),
        ("output", "application/sparql-results json", SRJ),  # an unescaped '+'
    ],
)
def test_select_format_names_win_over_accept(
    client: FlaskClient, param: str, value: str, mimetype: str
) -> None:
    # Accept names another format: a name that fits the query wins
    response = ask(client, SELECT, "text/tab-separated-values;q=0.9", **{param: value})
    assert (response.status_code, response.mimetype) == (200, mimetype)
    assert READING in readings(response)


@pytest.mark.parametrize("value", ["json-ld", "rdf+xml", "n3", "bogus", "", "turtle"])
def test_unknown_or_unfitting_format_is_passed_over_for_accept(
    client: FlaskClient, value: str
) -> None:
    """Once 400 ("unknown format"): the protocol has no such parameter, so a value this
    endpoint does not know, or one for graphs on a SELECT, leaves the choice to Accept."""
    response = ask(client, SELECT, "text/csv", format=value)
    assert (response.status_code, response.mimetype) == (200, "text/csv")
    response = ask(client, SELECT, "", format=value, output=value)
    assert (response.status_code, response.mimetype) == (200, SRJ)


@pytest.mark.parametrize(
    ("value", "mimetype"),
    [
        ("turtle", "text/turtle"),
        ("ttl", "text/turtle"),
        ("text/turtle", "text/turtle"),
        ("nt", "application/n-triples"),
        ("ntriples", "application/n-triples"),
        ("n-triples", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("json-ld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("rdf+xml", "application/rdf+xml"),
        ("rdf xml", "application/rdf+xml"),  # an unescaped '+'
        ("xml", "application/rdf+xml"),  # SPARQLWrapper's default, for a graph
        ("application/rdf+xml", "application/rdf+xml"),
        ("n3", "text/n3"),
        ("text/n3", "text/n3"),
    ],
)
def test_construct_by_format(client: FlaskClient, value: str, mimetype: str) -> None:
    response = ask(client, CONSTRUCT, "text/turtle;q=0.5", format=value)
    assert (response.status_code, response.mimetype) == (200, mimetype)
    assert len(graph_of(response)) == 20


@pytest.mark.parametrize("accept", ["text/n3", "application/rdf+xml", "application/ld+json"])
def test_construct_by_accept(client: FlaskClient, accept: str) -> None:
    response = ask(client, CONSTRUCT, accept)
    assert (response.status_code, response.mimetype) == (200, accept)
    assert len(graph_of(response)) == 20


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [("*/*", "text/turtle"), ("application/ld+json", "application/ld+json"), ("", "text/turtle")],
)
def test_results_format_on_a_construct_leaves_it_to_accept(
    client: FlaskClient, accept: str, mimetype: str
) -> None:
    """SPARQLWrapper asks a CONSTRUCT for JSON with format=json and Accept */*."""
    response = ask(client, CONSTRUCT, accept, format="json", output="json", results="json")
    assert (response.status_code, response.mimetype) == (200, mimetype)
    assert len(graph_of(response)) == 20


def test_sparqlwrapper_parameters_for_json_ld_and_tsv(client: FlaskClient) -> None:
    """What SPARQLWrapper 2 sends for JSONLD and TSV: the name, then the Accept header's
    media types as a second value of each parameter."""
    jsonld = ["json-ld", "application/ld+json,application/x-json+ld"]
    response = ask(
        client,
        CONSTRUCT,
        "application/ld+json,application/x-json+ld",
        format=jsonld,
        output=jsonld,
        results=jsonld,
    )
    assert (response.status_code, response.mimetype) == (200, "application/ld+json")
    tsv = ["tsv", "text/tab-separated-values"]
    response = ask(client, SELECT, "text/tab-separated-values", format=tsv, output=tsv)
    assert (response.status_code, response.mimetype) == (200, "text/tab-separated-values")


@pytest.mark.parametrize(
    ("value", "mimetype"), [("n3", "text/n3"), ("rdf+xml", "application/rdf+xml")]
)
def test_describe_by_format(client: FlaskClient, value: str, mimetype: str) -> None:
    response = ask(client, DESCRIBE, "", format=value)
    assert (response.status_code, response.mimetype) == (200, mimetype)
    assert (URIRef(SUBJECT), RDF.type, None) in graph_of(response)


def test_a_post_form_may_name_the_format(client: FlaskClient) -> None:
    body = urlencode({"query": CONSTRUCT, "format": "rdf+xml", "output": "rdf+xml"})
    response = client.post("/sparql", data=body, content_type="application/x-www-form-urlencoded")
    assert (response.status_code, response.mimetype) == (200, "application/rdf+xml")
    assert len(graph_of(response)) == 20


# -- ASK: JSON or XML only ------------------------------------------------------------------


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_ask_as_csv_or_tsv_only_is_406(client: FlaskClient, accept: str) -> None:
    response = ask(client, ASK, accept)
    message = response.get_data(as_text=True)
    assert response.status_code == 406, message
    assert "ASK" in message and SRJ in message and SRX in message
    # format=csv does not fit an ASK either: Accept still decides
    named = "csv" if accept == "text/csv" else "tsv"
    assert ask(client, ASK, accept, format=named).status_code == 406


@pytest.mark.parametrize(
    ("accept", "fmt", "mimetype"),
    [
        ("text/csv, */*;q=0.1", "", SRJ),
        ("text/csv", "xml", SRX),
        (SRX, "csv", SRX),
        ("", "json", SRJ),
    ],
)
def test_ask_answers_in_json_or_xml(
    client: FlaskClient, accept: str, fmt: str, mimetype: str
) -> None:
    response = ask(client, ASK, accept, **({"format": fmt} if fmt else {}))
    assert (response.status_code, response.mimetype) == (200, mimetype)
    fmt_ox = ox.QueryResultsFormat.JSON if mimetype == SRJ else ox.QueryResultsFormat.XML
    assert bool(ox.parse_query_results(response.get_data(), format=fmt_ox)) is True


def test_a_select_nothing_fits_is_still_406(client: FlaskClient) -> None:
    assert ask(client, SELECT, "image/png").status_code == 406


# -- HEAD -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [SELECT, CONSTRUCT])
def test_head_answers_as_get_without_a_body(client: FlaskClient, query: str) -> None:
    get = ask(client, query, "text/csv, text/turtle")
    head = ask(client, query, "text/csv, text/turtle", method="HEAD")
    assert (head.status_code, head.mimetype) == (200, get.mimetype)
    assert head.get_data() == b""
    assert head.headers["X-Result-Count"] == get.headers["X-Result-Count"]


def test_head_of_a_bad_query_and_of_the_description(client: FlaskClient) -> None:
    assert ask(client, "SELECT nonsense", "", method="HEAD").status_code == 400
    head = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert (head.status_code, head.mimetype, head.get_data()) == (200, "text/turtle", b"")


# -- the service description ----------------------------------------------------------------


def test_service_description_lists_n3(client: FlaskClient) -> None:
    turtle = client.get("/sparql", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    g = Graph().parse(data=turtle, format="turtle")
    formats = {
        str(o)
        for o in g.objects(
            None, URIRef("http://www.w3.org/ns/sparql-service-description#resultFormat")
        )
    }
    assert "http://www.w3.org/ns/formats/N3" in formats and len(formats) == 9
    for value, mimetype in (
        ("n3", "text/n3"),
        ("rdf+xml", "application/rdf+xml"),
        ("ttl", "text/turtle"),
    ):
        response = client.get("/sparql?format=" + value.replace("+", "%2B"))
        assert (response.status_code, response.mimetype) == (200, mimetype)
        assert len(graph_of(response)) == len(g)
    assert "text/n3" in client.get("/sparql.json").get_json()["formats"]["graphs"]


# -- CORS -----------------------------------------------------------------------------------


def test_cors_on_answers_and_errors(client: FlaskClient) -> None:
    origin = {"Origin": ORIGIN}
    for response in (
        client.get("/sparql?" + urlencode({"query": SELECT}), headers=origin),
        client.get("/sparql?" + urlencode({"query": "SELECT nonsense"}), headers=origin),
        client.get("/sparql?" + urlencode({"update": "CLEAR ALL"}), headers=origin),
        client.post("/sparql", data=ASK, content_type="application/sparql-query", headers=origin),
        client.get("/sparql", headers={**origin, "Accept": "text/turtle"}),
        client.get("/sparql.json", headers=origin),
        client.put("/sparql", headers=origin),
    ):
        assert response.headers.get("Access-Control-Allow-Origin") == "*", response.status
        assert "Access-Control-Allow-Credentials" not in response.headers
    answer = client.get("/sparql?" + urlencode({"query": SELECT}), headers=origin)
    assert "X-Result-Count" in answer.headers["Access-Control-Expose-Headers"]


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "POST", "HEAD", "OPTIONS"}
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"content-type", "accept"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_no_cors_for_the_pages(client: FlaskClient) -> None:
    origin = {"Origin": ORIGIN}
    for response in (
        client.get("/", headers=origin),
        client.get("/sparql", headers={**origin, "Accept": "text/html"}),
        client.get("/query", headers=origin),
        client.post("/check", data={"x": "1"}, headers=origin),
        client.options("/check", headers={**origin, "Access-Control-Request-Method": "POST"}),
    ):
        assert "Access-Control-Allow-Origin" not in response.headers, response.request.path


def test_cors_switched_off(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SPARQL_CORS_ORIGINS", "")
    origin = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    for response in (
        client.get("/sparql?" + urlencode({"query": ASK}), headers=origin),
        client.get("/sparql.json", headers=origin),
        client.options("/sparql", headers=origin),
    ):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Methods" not in response.headers


def test_cors_for_listed_origins(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SPARQL_CORS_ORIGINS", f"https://other.example, {ORIGIN}/")
    for path in ("/sparql?" + urlencode({"query": ASK}), "/sparql.json"):
        listed = client.get(path, headers={"Origin": ORIGIN})
        assert listed.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "Origin" in listed.vary
        # /sparql.json is kept between requests: the kept answer must not leak the origin
        other = client.get(path, headers={"Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers and "Origin" in other.vary
        assert "Access-Control-Allow-Origin" not in client.get(path).headers


# -- SPARQLWrapper on a real server -----------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint(app: Flask) -> Iterator[str]:
    """The app on waitress on a free loopback port, as `kg serve` runs it."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/sparql"
    server.trigger.pull_trigger(server.close)
    thread.join(30)


# SPARQLWrapper's return formats, and the media type each query form answers with: None
# for 406 (ASK has no CSV or TSV form). Where the format does not fit the form (turtle for
# a SELECT, json for a CONSTRUCT), SPARQLWrapper sends Accept */* and gets the default.
WRAPPER_CASES: dict[str, dict[str, str | None]] = {
    "json": {"select": SRJ, "ask": SRJ, "graph": "text/turtle"},
    "xml": {"select": SRX, "ask": SRX, "graph": "application/rdf+xml"},
    "turtle": {"select": SRJ, "ask": SRJ, "graph": "text/turtle"},
    "n3": {"select": SRJ, "ask": SRJ, "graph": "text/n3"},
    "rdf": {"select": SRJ, "ask": SRJ, "graph": "application/rdf+xml"},
    "rdf+xml": {"select": SRJ, "ask": SRJ, "graph": "application/rdf+xml"},
    "json-ld": {"select": SRJ, "ask": SRJ, "graph": "application/ld+json"},
    "csv": {"select": "text/csv", "ask": None, "graph": "text/turtle"},
    "tsv": {"select": "text/tab-separated-values", "ask": None, "graph": "text/turtle"},
}
# the pairs where the answer is what SPARQLWrapper asked for (it warns otherwise)
MATCHED = {
    ("json", "select"),
    ("json", "ask"),
    ("xml", "select"),
    ("xml", "ask"),
    ("csv", "select"),
    ("tsv", "select"),
    ("xml", "graph"),
    ("turtle", "graph"),
    ("n3", "graph"),
    ("rdf", "graph"),
    ("rdf+xml", "graph"),
    ("json-ld", "graph"),
}


def _converted(kind: str, mimetype: str, result: Any) -> None:
    """What SPARQLWrapper's convert() gave holds the answer."""
    if kind == "graph":
        g = result if isinstance(result, Graph) else Graph()
        if not isinstance(result, Graph):
            g.parse(data=result.decode("utf-8"), format=RDFLIB[mimetype])
        assert len(g) > 0
    elif mimetype == SRJ:
        assert "boolean" in result if kind == "ask" else READING in json.dumps(result)
    elif mimetype == SRX:
        assert result.getElementsByTagName("boolean" if kind == "ask" else "uri")
    else:
        assert READING in result.decode("utf-8")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", list(WRAPPER_CASES))
def test_sparqlwrapper_every_return_format(endpoint: str, return_format: str, method: str) -> None:
    wrapper = pytest.importorskip("SPARQLWrapper", reason="SPARQLWrapper is not installed")
    for kind, query in (
        ("select", SELECT),
        ("ask", ASK),
        ("graph", CONSTRUCT),
        ("graph", DESCRIBE),
    ):
        sparql = wrapper.SPARQLWrapper(endpoint)
        sparql.setMethod(method)
        sparql.setQuery(query)
        sparql.setReturnFormat(return_format)
        expected = WRAPPER_CASES[return_format][kind]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if expected is None:
                with pytest.raises(HTTPError) as refused:
                    sparql.query()
                assert refused.value.code == 406
                refused.value.close()
                continue
            answer = sparql.query()
            mimetype = answer.info()["content-type"].split(";")[0]
            assert mimetype == expected, (return_format, query)
            try:
                _converted(kind, mimetype, answer.convert())
            finally:
                answer.response.close()
        mismatch = [w for w in caught if "Format requested was" in str(w.message)]
        assert bool(mismatch) is ((return_format, kind) not in MATCHED), (return_format, query)


# -- Apache Jena's rsparql and arq (SERVICE) on a real server ------------------------------------

JAVA_LIB = Path("/usr/share/java")
# Debian's libapache-jena-java (4.5) and what its commands load
JENA_JARS = (
    "jena-arq jena-base jena-cmds jena-core jena-dboe-base jena-dboe-index jena-dboe-storage "
    "jena-dboe-trans-data jena-dboe-transaction jena-iri jena-rdfconnection jena-shacl "
    "jena-shex jena-tdb jena-tdb2 commons-cli commons-codec commons-compress commons-csv "
    "commons-io commons-lang3 dexx.collection gson guava httpclient httpcore "
    "jackson-annotations jackson-core jackson-databind jakarta.json-api jsonld-java protobuf "
    "thrift titanium-json-ld slf4j-api slf4j-simple"
).split()


@pytest.fixture(scope="module")
def jena(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """`java -cp ...` for Jena's command-line tools, from Debian's packages (.ci/run installs
    them). Debian moved Jena's bundled Xerces classes to `xerces.` but left their message
    files under `org/apache/jena/ext/xerces/`, so Jena cannot start; the files are copied to
    where the classes look for them."""
    if shutil.which("java") is None or not (JAVA_LIB / "jena-cmds.jar").exists():
        pytest.skip("Apache Jena's commands are not installed (Debian: libapache-jena-java)")
    fix = tmp_path_factory.mktemp("jena-xerces")
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA_LIB / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = fix / "xerces" / name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = [str(JAVA_LIB / f"{name}.jar") for name in JENA_JARS]
    return ["java", "-cp", os.pathsep.join([str(fix), *jars])]


def _jena(jena: list[str], tool: str, *args: str) -> str:
    done = subprocess.run(
        [*jena, tool, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_jena_rsparql_select_ask_and_construct(
    jena: list[str], endpoint: str, tmp_path: Path
) -> None:
    select = tmp_path / "select.rq"
    select.write_text(SELECT, "utf-8")
    doc = json.loads(
        _jena(jena, "arq.rsparql", "--service", endpoint, "--query", str(select), "--results=JSON")
    )
    assert READING in {b["s"]["value"] for b in doc["results"]["bindings"]}
    rows = _jena(
        jena, "arq.rsparql", "--service", endpoint, "--query", str(select), "--results=CSV"
    )
    assert rows.splitlines()[0].strip() == "s" and READING in rows
    yes = tmp_path / "ask.rq"
    yes.write_text(ASK, "utf-8")
    assert "yes" in _jena(jena, "arq.rsparql", "--service", endpoint, "--query", str(yes)).lower()
    construct = tmp_path / "construct.rq"
    construct.write_text(CONSTRUCT, "utf-8")
    turtle = _jena(
        jena, "arq.rsparql", "--service", endpoint, "--query", str(construct), "--results=TTL"
    )
    assert len(Graph().parse(data=turtle, format="turtle")) == 20


def test_jena_arq_federates_through_service(jena: list[str], endpoint: str, tmp_path: Path) -> None:
    """A query run by Jena on its own (empty) data that reaches the endpoint by SERVICE."""
    query = tmp_path / "federated.rq"
    query.write_text(
        f"SELECT ?s WHERE {{ SERVICE <{endpoint}> {{ ?s a "
        "<https://w3id.org/authority-kg/ontology#Reading> } } ORDER BY ?s",
        "utf-8",
    )
    doc = json.loads(_jena(jena, "arq.query", "--query", str(query), "--results=JSON"))
    assert READING in {b["s"]["value"] for b in doc["results"]["bindings"]}

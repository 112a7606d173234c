"""/sparql against the W3C SPARQL 1.1 Protocol tests that apply to a read-only endpoint
with no network (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/).

Each test names the W3C test ids it covers. The dataset tests (query_dataset_*,
query_multiple_dataset) load remote RDF documents in the W3C suite; here they use the
store's own named graphs in their place. The update tests become: every update is
refused with a 4xx and the graph is unchanged. Beyond the suite: SERVICE and LOAD are
refused, a runaway query stops at the time limit, an answer past the cap stops with an
error, and restricted graphs stay out of every dataset a request can name.
"""

from __future__ import annotations

import csv
import io
import json
import time
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from tests.web.conftest import JUNE4

LAW = "https://w3id.org/authority-kg/graph/law/mcc-2-173"
CODES = "https://w3id.org/authority-kg/graph/ontology/codes"
ASK_ALL = "ASK { ?s ?p ?o }"
SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/authority-kg/ontology#Reading> } ORDER BY ?s"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <" + LAW + "> { ?s ?p ?o } } ORDER BY ?s LIMIT 20"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


def get(client: FlaskClient, query: str, accept: str = "", **extra: str) -> tuple[int, str, bytes]:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql?" + urlencode({"query": query, **extra}), headers=headers)
    return response.status_code, response.mimetype, response.get_data()


def solutions(body: bytes) -> list[dict[str, str]]:
    doc = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def triples_in_store(client: FlaskClient) -> int:
    _, _, body = get(client, COUNT, "application/sparql-results+json")
    return int(solutions(body)[0]["n"])


# -- queries that must work ---------------------------------------------------------------


def test_query_get(client: FlaskClient) -> None:
    """W3C: query_get."""
    status, mimetype, body = get(client, ASK_ALL, "application/sparql-results+json")
    assert (status, mimetype) == (200, "application/sparql-results+json")
    assert json.loads(body)["boolean"] is True


def test_query_post_form(client: FlaskClient) -> None:
    """W3C: query_post_form."""
    response = client.post(
        "/sparql",
        data=urlencode({"query": ASK_ALL}),
        content_type=FORM,
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+xml"
    assert b"<boolean>true</boolean>" in response.get_data()


def test_query_post_direct(client: FlaskClient) -> None:
    """W3C: query_post_direct."""
    response = client.post(
        "/sparql",
        data=SELECT.encode("utf-8"),
        content_type=DIRECT + "; charset=UTF-8",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert {r["s"].rsplit("/", 1)[-1] for r in solutions(response.get_data())} >= {
        "purpose-test",
        "effect-test",
    }


@pytest.mark.parametrize(
    ("accept", "mimetype", "reader"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
    ],
)
def test_query_content_type_select(
    client: FlaskClient, accept: str, mimetype: str, reader: str
) -> None:
    """W3C: query_content_type_select (one case per results format)."""
    status, got, body = get(client, SELECT, accept)
    assert (status, got) == (200, mimetype)
    if reader == "csv":
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        values = {r["s"] for r in rows}
    else:
        fmt = {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "tsv": ox.QueryResultsFormat.TSV,
        }[reader]
        values = {s["s"].value for s in ox.parse_query_results(body, format=fmt)}
    assert "https://w3id.org/authority-kg/law/reading/purpose-test" in values


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_query_content_type_ask(client: FlaskClient, accept: str) -> None:
    """W3C: query_content_type_ask."""
    status, mimetype, body = get(client, "ASK { ?s ?p 'nothing of the sort' }", accept)
    assert (status, mimetype) == (200, accept)
    parsed = ox.parse_query_results(
        body,
        format=ox.QueryResultsFormat.JSON if accept.endswith("json") else ox.QueryResultsFormat.XML,
    )
    assert bool(parsed) is False


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_query_content_type_construct(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    """W3C: query_content_type_construct (one case per graph format)."""
    status, mimetype, body = get(client, CONSTRUCT, accept)
    assert (status, mimetype) == (200, accept)
    assert len(Graph().parse(data=body.decode("utf-8"), format=rdflib_format)) == 20


def test_query_content_type_describe(client: FlaskClient) -> None:
    """W3C: query_content_type_describe."""
    query = "DESCRIBE <https://w3id.org/authority-kg/law/mcc/2-173-020/a/6>"
    status, mimetype, body = get(client, query, "text/turtle")
    assert (status, mimetype) == (200, "text/turtle")
    g = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert (URIRef("https://w3id.org/authority-kg/law/mcc/2-173-020/a/6"), RDF.type, None) in g


def test_no_acceptable_format_is_406(client: FlaskClient) -> None:
    status, _, body = get(client, SELECT, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


# -- the dataset ---------------------------------------------------------------------------


def _graphs_seen(client: FlaskClient, method: str, **dataset: list[str]) -> set[str]:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    pairs = [("query", query)] + [(k, v) for k, vs in dataset.items() for v in vs]
    if method == "GET":
        response = client.get(
            "/sparql?" + urlencode(pairs), headers={"Accept": "application/sparql-results+json"}
        )
    else:
        response = client.post(
            "/sparql",
            data=urlencode(pairs),
            content_type=FORM,
            headers={"Accept": "application/sparql-results+json"},
        )
    assert response.status_code == 200
    return {r["g"] for r in solutions(response.get_data())}


def _default_count(client: FlaskClient, method: str, graphs: list[str], query: str = "") -> int:
    query = query or "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    pairs = [("query", query)] + [("default-graph-uri", g) for g in graphs]
    if method == "GET":
        response = client.get(
            "/sparql?" + urlencode(pairs), headers={"Accept": "application/sparql-results+json"}
        )
    else:
        response = client.post(
            "/sparql",
            data=urlencode(pairs),
            content_type=FORM,
            headers={"Accept": "application/sparql-results+json"},
        )
    assert response.status_code == 200
    return int(solutions(response.get_data())[0]["n"])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_default_graphs(client: FlaskClient, method: str) -> None:
    """W3C: query_dataset_default_graphs_get, query_dataset_default_graphs_post (with the
    store's graphs in place of the suite's remote documents)."""
    law = _default_count(client, method, [LAW])
    codes = _default_count(client, method, [CODES])
    both = _default_count(client, method, [LAW, CODES])
    assert 0 < law < both and both == law + codes
    assert _default_count(client, method, []) > both  # no parameter: the union of all


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_query_dataset_named_graphs(client: FlaskClient, method: str) -> None:
    """W3C: query_dataset_named_graphs_get, query_dataset_named_graphs_post."""
    assert _graphs_seen(client, method, **{"named-graph-uri": [LAW, CODES]}) == {LAW, CODES}


def test_query_dataset_full(client: FlaskClient) -> None:
    """W3C: query_dataset_full (default and named graphs given together)."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
    pairs = [("query", query), ("default-graph-uri", LAW), ("named-graph-uri", CODES)]
    response = client.get(
        "/sparql?" + urlencode(pairs), headers={"Accept": "application/sparql-results+json"}
    )
    assert int(solutions(response.get_data())[0]["n"]) == _default_count(client, "GET", [LAW])
    assert _graphs_seen(
        client, "GET", **{"default-graph-uri": [LAW], "named-graph-uri": [CODES]}
    ) == {CODES}


def test_query_multiple_dataset(client: FlaskClient) -> None:
    """W3C: query_multiple_dataset (the protocol's dataset wins over FROM in the query)."""
    query = f"SELECT (COUNT(*) AS ?n) FROM <{CODES}> WHERE {{ ?s ?p ?o }}"
    assert _default_count(client, "GET", [LAW], query) == _default_count(client, "GET", [LAW])
    assert _default_count(client, "GET", [], query) == _default_count(client, "GET", [CODES])


# -- bad requests ----------------------------------------------------------------------------


def test_bad_query_method(client: FlaskClient) -> None:
    """W3C: bad_query_method."""
    assert client.put("/sparql?" + urlencode({"query": ASK_ALL})).status_code == 405
    assert client.delete("/sparql?" + urlencode({"query": ASK_ALL})).status_code == 405


def test_bad_multiple_queries(client: FlaskClient) -> None:
    """W3C: bad_multiple_queries."""
    response = client.get("/sparql?" + urlencode([("query", ASK_ALL), ("query", SELECT)]))
    assert response.status_code == 400 and b"exactly one" in response.get_data()


def test_bad_query_wrong_media_type(client: FlaskClient) -> None:
    """W3C: bad_query_wrong_media_type."""
    response = client.post("/sparql", data=ASK_ALL, content_type="text/plain")
    assert response.status_code == 415


def test_bad_query_missing_form_type(client: FlaskClient) -> None:
    """W3C: bad_query_missing_form_type."""
    response = client.post("/sparql", data=urlencode({"query": ASK_ALL}), content_type="")
    assert response.status_code == 400 and b"no Content-Type" in response.get_data()


def test_bad_query_missing_direct_type(client: FlaskClient) -> None:
    """W3C: bad_query_missing_direct_type."""
    assert client.post("/sparql", data=ASK_ALL, content_type="").status_code == 400


def test_bad_query_non_utf8(client: FlaskClient) -> None:
    """W3C: bad_query_non_utf8."""
    body = ASK_ALL.encode("utf-16")
    response = client.post("/sparql", data=body, content_type=DIRECT + "; charset=UTF-16")
    assert response.status_code == 400 and b"UTF-8" in response.get_data()
    assert client.post("/sparql", data=body, content_type=DIRECT).status_code == 400


def test_bad_query_syntax(client: FlaskClient) -> None:
    """W3C: bad_query_syntax."""
    status, _, body = get(client, "SELECT * WHERE { ?s ?p }")
    assert status == 400 and b"syntax error" in body


# -- read-only ----------------------------------------------------------------------------------

UPDATE = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> <urn:x:o> } }"


def test_updates_are_refused_and_nothing_changes(client: FlaskClient) -> None:
    """W3C: bad_update_get, bad_multiple_updates, bad_update_wrong_media_type,
    bad_update_missing_form_type, bad_update_non_utf8, bad_update_syntax,
    bad_update_dataset_conflict, and update_post_form / update_post_direct /
    update_dataset_* (refused: the endpoint is read-only)."""
    before = triples_in_store(client)
    attempts = [
        client.get("/sparql?" + urlencode({"update": UPDATE})),
        client.post("/sparql", data=urlencode({"update": UPDATE}), content_type=FORM),
        client.post(
            "/sparql", data=urlencode([("update", UPDATE), ("update", UPDATE)]), content_type=FORM
        ),
        client.post("/sparql", data=UPDATE, content_type="application/sparql-update"),
        client.post(
            "/sparql",
            data=UPDATE.encode("utf-16"),
            content_type="application/sparql-update; charset=UTF-16",
        ),
        client.post(
            "/sparql", data=urlencode({"update": "INSERT DATA { <a:b> }"}), content_type=FORM
        ),
        client.post(
            "/sparql",
            data=urlencode(
                {"update": UPDATE, "using-graph-uri": LAW, "using-named-graph-uri": LAW}
            ),
            content_type=FORM,
        ),
        client.get("/sparql?" + urlencode({"query": UPDATE})),
        client.post("/sparql", data=UPDATE, content_type=DIRECT),
        client.get("/sparql?" + urlencode({"query": "LOAD <http://example.org/data.ttl>"})),
        client.get("/sparql?" + urlencode({"query": f"DROP GRAPH <{LAW}>"})),
        client.get(
            "/sparql?"
            + urlencode({"query": f"WITH <{LAW}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"})
        ),
    ]
    for response in attempts:
        assert response.status_code in (400, 403, 415), response.get_data()
    assert b"read-only" in attempts[0].get_data()
    assert triples_in_store(client) == before
    status, _, _ = get(
        client, "ASK { GRAPH <urn:x:g> { ?s ?p ?o } }", "application/sparql-results+json"
    )
    assert status == 200


def test_service_is_refused(client: FlaskClient) -> None:
    status, _, body = get(
        client, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    )
    assert status == 403 and b"SERVICE is refused" in body
    # the word in a string, a variable or a prefixed name is no SERVICE call
    status, _, _ = get(client, 'SELECT ?service WHERE { BIND("SERVICE" AS ?service) }')
    assert status == 200


# -- limits -------------------------------------------------------------------------------------


def test_a_runaway_query_stops_at_the_time_limit(app: Flask, client: FlaskClient) -> None:
    runner = app.extensions["kg"].runner
    killed = runner.killed
    start = time.perf_counter()
    status, _, body = get(
        client, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    )
    took = time.perf_counter() - start
    assert status == 503 and b"time limit of 2 s" in body
    assert took < runner.limits.timeout + 3
    assert runner.killed == killed + 1
    assert get(client, ASK_ALL, "application/sparql-results+json")[0] == 200  # a new worker


def test_an_answer_past_the_cap_stops_with_an_error(client: FlaskClient) -> None:
    status, _, body = get(client, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 422 and b"more than 2000 rows" in body
    assert get(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 2000")[0] == 200
    status, _, body = get(client, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert status == 422 and b"more than 2000 triples" in body


# -- the service description ------------------------------------------------------------------


def test_service_description(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    g = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    (service,) = g.subjects(RDF.type, URIRef(sd + "Service"))
    assert (service, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in g
    assert (service, URIRef(sd + "endpoint"), None) in g
    assert len(list(g.objects(None, URIRef(sd + "name")))) > 10
    html = client.get("/sparql", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html" and b"read-only" in html.get_data()
    assert client.get("/sparql.json").get_json()["cap"] == 2000


# -- restricted sources ------------------------------------------------------------------------


def _claims(client: FlaskClient, extra: str = "", **params: str) -> set[str]:
    """The ids of the June 4 incident's claims the endpoint serves."""
    june4 = f"https://w3id.org/authority-kg/incident/{JUNE4}/"
    query = (
        "PREFIX akg: <https://w3id.org/authority-kg/ontology#> SELECT ?id "
        + extra
        + " WHERE { GRAPH ?g { ?c a akg:Claim ; akg:itemId ?id } "
        + f'FILTER(STRSTARTS(STR(?c), "{june4}")) }}'
    )
    status, _, body = get(client, query, "application/sparql-results+json", **params)
    assert status == 200
    return {r["id"] for r in solutions(body)}


def test_restricted_graphs_are_not_served(restricted_app: Flask, allowing_app: Flask) -> None:
    hidden = f"https://w3id.org/authority-kg/graph/incident/{JUNE4}/cbs-2025-07-01"
    client = restricted_app.test_client()
    assert _claims(client) == {"cl3", "cl4", "cl5", "cl6", "cl7", "cl8"}
    assert _claims(client, f"FROM NAMED <{hidden}>") == set()
    assert _claims(client, **{"named-graph-uri": hidden}) == set()
    status, _, body = get(
        client, f"ASK {{ GRAPH <{hidden}> {{ ?s ?p ?o }} }}", "application/sparql-results+json"
    )
    assert json.loads(body)["boolean"] is False
    runs = (  # the June 4 incident's stored determinations rest on the withheld source
        f"ASK {{ GRAPH <https://w3id.org/authority-kg/graph/determinations/{JUNE4}> "
        "{ ?r a <https://w3id.org/authority-kg/ontology#CheckRun> } }"
    )
    assert json.loads(get(client, runs, "application/sparql-results+json")[2])["boolean"] is False
    allowing = allowing_app.test_client()
    assert _claims(allowing) == {"cl1", "cl2", "cl3", "cl4", "cl5", "cl6", "cl7", "cl8", "cl9"}
    assert json.loads(get(allowing, runs, "application/sparql-results+json")[2])["boolean"]


def test_a_query_over_every_graph_runs_on_the_stores_union(
    app: Flask, restricted_app: Flask
) -> None:
    """With nothing withheld, a query over the whole dataset runs on the store's union (no
    list of graphs, which pyoxigraph evaluates far more slowly); the answer is the one the
    listed graphs give. With a graph withheld, the list stays."""
    from webapp.sparql import run as sparql_exec

    text = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    s = app.extensions["kg"]
    graphs = [str(g) for g in s.graphs]
    union = sparql_exec.job(graphs, s.runner.limits, text, every_graph=True)
    listed = sparql_exec.job(graphs, s.runner.limits, text)
    assert union.whole_store and not listed.whole_store
    assert s.runner.run(union, "t").body == s.runner.run(listed, "t").body
    named = [graphs[0]]
    assert not sparql_exec.job(
        graphs, s.runner.limits, text, named_uris=named, every_graph=True
    ).whole_store
    r = restricted_app.extensions["kg"]
    assert r.restricted.graphs
    client = restricted_app.test_client()
    hidden = f"https://w3id.org/authority-kg/graph/incident/{JUNE4}/cbs-2025-07-01"
    ask = f"ASK {{ GRAPH <{hidden}> {{ ?s ?p ?o }} }}"
    assert json.loads(get(client, ask, "application/sparql-results+json")[2])["boolean"] is False

"""The server stays up and answers the site while /sparql is busy or abused (issue 13,
items 3, 5 and 6): a bounded SPARQL queue with a short wait and a per-client share, a
memory limit per worker, a result cap in bytes, health without paths, JSON errors for
JSON clients, caching and safety headers on every answer, answers kept until the next
load, and a bounded load test.

The busy-server test runs the app on waitress, as `kg serve` does, with its threads
split as `kg serve` splits them; a header set by the test stands in for the remote
address, so one loopback client can play several. Its assertions about time compare
one answer with another (health answered while the slow queries still ran), never
with a fixed figure.
"""

from __future__ import annotations

import http.client
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import waitress
from flask import Flask

from bench import load
from tests.conftest import kg
from tests.web.conftest import csrf
from webapp import create_app

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RESULTS_JSON = "application/sparql-results+json"
TIMEOUT = 8.0  # the slow queries' time limit: everything else happens well within it
MB = 1024 * 1024


def long_row(doublings: int) -> str:
    """One row whose one value is 8 * 2**doublings characters, built by the engine."""
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(doublings))
    return f'SELECT ?x{doublings} WHERE {{ BIND("abcdefgh" AS ?x0) {binds} }}'


@pytest.fixture(scope="module")
def limited(store_dir: Path, app: Flask) -> Iterator[Flask]:
    """An app with small SPARQL limits, over the session's store."""
    limited = create_app(
        {
            "STORE_DIR": str(store_dir),
            "TESTING": True,
            "SPARQL_TIMEOUT": TIMEOUT,
            "SPARQL_WORKERS": 2,
            "SPARQL_QUEUE": 1,
            "SPARQL_QUEUE_WAIT": 3.0,
            "SPARQL_PER_CLIENT": 1,
            "SPARQL_RESULT_BYTES": 256 * 1024,
            "SPARQL_MEMORY": 1024 * MB,
            "PAGE_THREADS": 2,
            "MAX_CONTENT_LENGTH": 64 * 1024,
        }
    )
    yield limited
    limited.extensions["kg"].runner.close()


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Server:
    """The app on waitress on a free loopback port, as `kg serve` runs it."""

    def __init__(self, app: Flask) -> None:
        def as_client(environ: dict[str, Any], start_response: Any) -> Any:
            environ["REMOTE_ADDR"] = environ.get("HTTP_X_TEST_CLIENT", environ["REMOTE_ADDR"])
            return app(environ, start_response)

        self.server = waitress.create_server(
            as_client, host="127.0.0.1", port=0, threads=app.config["SERVER_THREADS"]
        )
        self.port = int(self.server.effective_port)  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def get(self, path: str, client: str = "tester", accept: str = "") -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = {"X-Test-Client": client, **({"Accept": accept} if accept else {})}
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            conn.close()

    def sparql(self, query: str, client: str) -> Answer:
        return self.get("/sparql?" + urlencode({"query": query}), client, RESULTS_JSON)

    def close(self) -> None:
        """Stop in the server's own loop (closing its sockets from another thread would
        pull them from under a select)."""
        self.server.trigger.pull_trigger(self.server.close)  # type: ignore[union-attr]
        self.thread.join(30)
        assert not self.thread.is_alive(), "waitress did not stop"


class InBackground:
    """A request on its own thread; `.answer` once it is done."""

    def __init__(self, call: Callable[[], Answer]) -> None:
        self.answer: Answer | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self.thread.start()

    def _run(self, call: Callable[[], Answer]) -> None:
        try:
            self.answer = call()
        except BaseException as exc:  # noqa: BLE001 - reported by result()
            self.error = exc

    def running(self) -> bool:
        return self.thread.is_alive()

    def result(self) -> Answer:
        self.thread.join(TIMEOUT + 60)
        assert self.answer is not None, f"no answer: {self.error!r}"
        return self.answer


def wait_for(test: Callable[[], bool], what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not test():
        assert time.monotonic() < deadline, f"still waiting for {what} after {limit:g} s"
        time.sleep(0.02)


# -- item 3: slow queries do not stall the site -----------------------------------------------


def test_slow_queries_do_not_stall_the_site(limited: Flask) -> None:
    """Both workers busy with slow queries and the queue full: health and pages answer,
    a query past the queue is refused at once, a queued one after its short wait, and a
    client past its share at once; another client still gets the free worker."""
    runner = limited.extensions["kg"].runner
    gate = runner.gate
    runner.warm(2)
    server = Server(limited)
    try:
        a = InBackground(lambda: server.sparql(SLOW, "a"))
        wait_for(lambda: gate.running == 1, "the first slow query to start")

        # the client's share: a's second query is refused at once; b gets the free worker
        second = server.sparql("ASK { ?s ?p 'a second query' }", "a")
        assert second.status == 429, second.body
        assert int(second.headers["Retry-After"]) >= 1
        assert b"your share" in second.body and second.headers["Content-Type"].startswith(
            "application/json"
        )
        assert server.sparql("ASK { ?s ?p 'another client' }", "b").status == 200
        assert a.running()

        b = InBackground(lambda: server.sparql(SLOW, "b"))
        wait_for(lambda: gate.running == 2, "both workers to be busy")
        c = InBackground(lambda: server.sparql("ASK { ?s ?p 'queued' }", "c"))
        wait_for(lambda: gate.waiting == 1 or not c.running(), "a query to wait")

        # past the queue (or, if c already gave up, past the wait): 503 with Retry-After
        d = server.sparql("ASK { ?s ?p 'past the queue' }", "d")
        assert d.status == 503 and int(d.headers["Retry-After"]) >= 1, d.body
        # health and a page answer while the slow queries run and the queued one waits:
        # they wait for none of them (the queued query holds its thread for 3 s)
        health = server.get("/-/health.json")
        page = server.get("/law.json")
        assert c.running(), "health or a page waited behind the queued query"
        assert a.running() and b.running()
        assert health.status == 200 and page.status == 200
        assert health.json()["sparql"]["running"] == 2
        # the queued query gets its 503 after its short wait, long before the workers free
        queued = c.result()
        assert a.running() and b.running()
        assert queued.status == 503 and b"stayed busy for 3 s" in queued.body
        assert queued.headers["Retry-After"] == "3"

        for slow in (a.result(), b.result()):
            assert slow.status == 503 and b"time limit of 8 s" in slow.body
        state = server.get("/-/health.json").json()["sparql"]
        assert state["refused_over_client_share"] >= 1
        assert state["refused_queue_full"] + state["refused_after_waiting"] >= 2
        assert state["running"] == state["waiting"] == 0
    finally:
        server.close()


def test_the_server_keeps_threads_for_the_pages(limited: Flask) -> None:
    assert limited.config["SERVER_THREADS"] == 2 + 2 + 1
    assert "(/sparql gets its own" in " ".join(kg("serve", "--help").stdout.split())


# -- item 3: memory and bytes ------------------------------------------------------------------


def test_a_query_past_the_memory_limit_stops_and_the_worker_is_replaced(limited: Flask) -> None:
    client = limited.test_client()
    runner = limited.extensions["kg"].runner
    before = runner.out_of_memory
    response = client.get(
        "/sparql?" + urlencode({"query": long_row(28)}),  # a 2 GB value, 1 GB allowed
        headers={"Accept": RESULTS_JSON},
    )
    assert response.status_code == 422, response.get_data()
    detail = response.get_json()["error"]["detail"]
    assert "more memory than the 1 GB a query may use" in detail
    assert runner.out_of_memory == before + 1
    again = client.get("/sparql?" + urlencode({"query": "ASK { ?s ?p 'after the limit' }"}))
    assert again.status_code == 200
    health = client.get("/-/health.json").get_json()
    assert health["sparql"]["stopped_at_memory_limit"] == before + 1


def test_the_result_cap_counts_bytes(limited: Flask) -> None:
    client = limited.test_client()

    def ask(query: str, accept: str = RESULTS_JSON) -> tuple[int, bytes]:
        r = client.get("/sparql?" + urlencode({"query": query}), headers={"Accept": accept})
        return r.status_code, r.get_data()

    status, body = ask(long_row(16))  # one row of 512 KB, 256 KB allowed
    assert status == 422 and b"larger than 256 KB" in body
    status, body = ask(long_row(12))  # 32 KB
    assert status == 200 and len(body) > 32 * 1024
    graph = "CONSTRUCT { <urn:x:a> <urn:x:b> ?x16 } WHERE { " + long_row(16).split("{", 1)[1]
    status, body = ask(graph, "text/turtle")
    assert status == 422 and b"larger than 256 KB" in body
    status, body = ask(long_row(16), "text/csv")
    assert status == 422 and b"error: the answer is larger than 256 KB" in body


def test_a_60_mb_row_is_not_served_by_default(client: Any) -> None:
    response = client.get(
        "/sparql?" + urlencode({"query": long_row(23)}), headers={"Accept": RESULTS_JSON}
    )
    assert response.status_code == 422
    assert "larger than 16 MB" in response.get_json()["error"]["detail"]
    assert len(response.get_data()) < 10_000


# -- item 5: health, JSON errors, headers ------------------------------------------------------


def test_health_shows_state_not_paths(
    app: Flask, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    data = client.get("/-/health.json").get_json()
    assert data["status"] == "ok" and data["store"]["state"] == "open, read-only"
    assert len(data["store"]["generation"]) == 16 and data["store"]["changed"]
    for page in (client.get("/-/health.json"), client.get("/-/health")):
        text = page.get_data(as_text=True)
        assert str(store_dir) not in text and str(store_dir.parent) not in text
        assert '"path"' not in text and "store: path" not in text
    services = app.extensions["kg"]

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(f"IO error: {store_dir}/LOCK: no such file")

    monkeypatch.setattr(services, "rows", broken)
    failing = client.get("/-/health.json")
    assert failing.status_code == 503 and failing.get_json()["status"] == "failing"
    assert str(store_dir) not in failing.get_data(as_text=True)
    assert "the server's log says why" in failing.get_json()["detail"]


def test_errors_are_json_when_the_client_asked_for_json(client: Any) -> None:
    big = "ASK { ?s ?p '" + "x" * 100_000 + "' }"
    for accept in (RESULTS_JSON, "application/json"):
        response = client.post(
            "/sparql",
            data=big,
            content_type="application/sparql-query",
            headers={"Accept": accept},
        )
        assert response.status_code == 413 and response.mimetype == "application/json"
        detail = response.get_json()["error"]["detail"]
        assert detail == "the query is larger than the limit of 64 KB; send a shorter query"
    html = client.post("/sparql", data=big, content_type="application/sparql-query")
    assert html.status_code == 413 and html.mimetype == "text/html"
    syntax = client.get("/sparql?query=SELEKT", headers={"Accept": RESULTS_JSON})
    assert syntax.status_code == 400 and syntax.mimetype == "application/json"
    assert "syntax error" in syntax.get_json()["error"]["detail"]
    plain = client.get("/sparql?query=SELEKT")
    assert plain.status_code == 400 and plain.mimetype == "text/plain"
    missing = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.mimetype == "application/json"
    assert client.get("/no-such-page.json").mimetype == "application/json"


def test_every_answer_has_caching_and_permissions_headers(client: Any) -> None:
    token = csrf(client)
    answers = {
        "page": client.get("/law"),
        "twin": client.get("/law.json"),
        "sparql": client.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})),
        "description": client.get("/sparql", headers={"Accept": "text/turtle"}),
        "health": client.get("/-/health.json"),
        "form": client.get("/check"),
        "static": client.get("/static/style.css"),
        "not found": client.get("/no-such-page"),
        "refused": client.get("/sparql?" + urlencode({"query": "CLEAR ALL"})),
        "post": client.post("/check", data={"csrf_token": token}),
    }
    for name, response in answers.items():
        response.close()
        assert "camera=()" in response.headers.get("Permissions-Policy", ""), name
        assert response.headers.get("Cache-Control"), name
        assert response.headers.get("Content-Security-Policy"), name
    for name in ("page", "twin", "sparql", "description"):
        assert answers[name].headers["Cache-Control"] == "no-cache", name
    for name in ("health", "form", "not found", "refused", "post"):
        assert answers[name].headers["Cache-Control"] == "no-store", name


# -- item 6: answers kept until the next load ---------------------------------------------------


def test_answers_are_kept_until_the_next_load(store_dir: Path, app: Flask, tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(store_dir, copy)
    fresh = create_app({"STORE_DIR": str(copy), "TESTING": True, "STORE_CHECK_INTERVAL": 0})
    try:
        client = fresh.test_client()
        services = fresh.extensions["kg"]
        runs = "ASK { GRAPH ?g { ?r a <https://w3id.org/authority-kg/ontology#CheckRun> } }"

        def ask() -> bool:
            r = client.get("/sparql?" + urlencode({"query": runs}), headers={"Accept": "*/*"})
            assert r.status_code == 200
            return bool(json.loads(r.get_data())["boolean"])

        def graphs() -> list[str]:
            return list(client.get("/sparql.json").get_json()["graphs"])

        before = graphs()
        assert ask() is True and any("/determinations/" in g for g in before)
        page_hits = services.answers.state()["hits"]
        sparql_hits = services.runner.answers.state()["hits"]
        assert graphs() == before and ask() is True
        assert services.answers.state()["hits"] == page_hits + 1
        assert services.runner.answers.state()["hits"] == sparql_hits + 1
        marker = client.get("/-/health.json").get_json()["store"]["generation"]

        # `kg load` rebuilds the store (the law, no determinations) and swaps it in
        assert kg("--store-dir", str(copy), "load").exit_code == 0
        after = graphs()
        assert after != before and not any("/determinations/" in g for g in after)
        assert ask() is False
        assert client.get("/-/health.json").get_json()["store"]["generation"] != marker
    finally:
        fresh.extensions["kg"].runner.close()


def test_pages_tied_to_the_session_are_not_kept(client: Any, app: Flask) -> None:
    services = app.extensions["kg"]
    first = client.get("/check")
    other = app.test_client().get("/check")
    assert first.status_code == other.status_code == 200
    assert first.get_data() != other.get_data()  # each has its own CSRF token
    assert "Cookie" in first.headers.get("Vary", "")
    kept = services.answers.state()["answers"]
    client.get("/check")
    assert services.answers.state()["answers"] == kept


# -- item 6: the load test ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_load_test_runs_and_stops_by_itself(
    store_dir: Path, app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    code = load.main(
        ["--clients", "5", "--requests", "60", "--seconds", "60", "--store-dir", str(store_dir)]
    )
    last = capsys.readouterr().out.strip().splitlines()[-1]
    fields = dict(part.split("=", 1) for part in last.split()[1:])
    assert last.startswith("load ") and fields["clients"] == "5", last
    assert fields["errors"] == "0" and int(fields["requests"]) == 60, last
    assert float(fields["p95_ms"]) > 0 and float(fields["rps"]) > 0
    assert code == (0 if fields["ok"] == "yes" else 1)

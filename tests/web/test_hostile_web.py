"""Hostile requests to the web app: no file is read that the app was not built to read,
restricted facts do not leak through any page that shows a card, and malformed input is
a 400 or 404 with a message, never a 500 (issue 13, items 1, 2 and 4)."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import JUNE4, csrf, text

ROOT = Path(__file__).resolve().parents[2]

# -- 1. ?amend= takes the ids of law/amendments/ only -------------------------------------

AMEND_PAGES = ("/amend", "/amend.json", "/who", "/who.json")
WHO = "allegation=welcoming-city-violation&respondent=CPD:officer&date=2025-06-04"


def _ask(client: FlaskClient, page: str, amend: str) -> tuple[int, str]:
    query = f"amend={quote(amend)}&as_of=2025-06-04"
    if page.startswith("/who"):
        query += "&" + WHO
    response = client.get(f"{page}?{query}")
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("page", AMEND_PAGES)
@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "/etc/shadow",
        "/nonexistent/file.ttl",
        "/etc",
        str(ROOT / "docs" / "amendment-template.ttl"),  # a valid amendment, outside the ids
        str(ROOT / "law" / "amendments" / "copa-wco-jurisdiction.ttl"),  # even a known one
        "../law/amendments/copa-wco-jurisdiction.ttl",
    ],
)
def test_amend_parameter_never_opens_a_file(client: FlaskClient, page: str, path: str) -> None:
    status, body = _ask(client, page, path)
    assert status == 400
    # one message for every path, so the answer tells nothing about what exists
    assert "no amendment with the id" in body
    for tell in ("Prefix", "root:", "no such", "directory", "not valid Turtle", "example-copa"):
        assert tell not in body


def test_amend_parameter_answers_the_same_for_existing_and_missing_paths(
    client: FlaskClient,
) -> None:
    answers = {
        _ask(client, "/amend.json", p)[1].replace(p, "PATH").replace(quote(p), "PATH")
        for p in ("/etc/passwd", "/no/such/file", "/etc")
    }
    assert len(answers) == 1


def test_known_amendment_ids_still_work(client: FlaskClient) -> None:
    status, body = _ask(client, "/amend.json", "copa-wco-jurisdiction")
    assert status == 200 and json.loads(body)["result"]["changed_rows"]
    status, body = _ask(client, "/who.json", "copa-wco-jurisdiction")
    assert status == 200 and json.loads(body)["result"]["counterfactual"] is True


def test_an_upload_is_read_in_memory_and_cannot_name_a_file(client: FlaskClient) -> None:
    token = csrf(client, "/amend")
    template = (ROOT / "docs" / "amendment-template.ttl").read_bytes()
    ok = client.post(
        "/amend",
        data={
            "csrf_token": token,
            "as_of": "2025-06-04",
            "file": (BytesIO(template), "../../etc/passwd.ttl"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 200, text(ok.get_data(as_text=True))[:400]
    binary = client.post(
        "/amend",
        data={"csrf_token": token, "file": (BytesIO(b"\xff\xfe\x00bin"), "x.ttl")},
        content_type="multipart/form-data",
    )
    assert binary.status_code == 400 and "not UTF-8" in text(binary.get_data(as_text=True))


def test_amendment_upload_needs_the_csrf_token(client: FlaskClient) -> None:
    template = (ROOT / "docs" / "amendment-template.ttl").read_bytes()
    response = client.post(
        "/amend",
        data={"file": (BytesIO(template), "draft.ttl")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


# -- 2. restricted facts do not leak through the check form's example ---------------------

RESTRICTED_ITEMS = ("cl1", "cl2", "cl9", "c1", "c2")
RESTRICTED_SOURCES = ("metroobserver-copa-oig", "cbs-2025-07-01")


def _values_ids(values: dict[str, object]) -> set[str]:
    return {str(v) for k, v in values.items() if k.endswith("-id")}


def test_check_example_withholds_restricted_items(
    restricted_app: Flask, allowing_app: Flask
) -> None:
    for path in (f"/check.json?example={JUNE4}", f"/check?example={JUNE4}"):
        response = restricted_app.test_client().get(path)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        if path.startswith("/check.json"):
            ids = _values_ids(response.get_json()["values"])
            assert ids and not ids & {*RESTRICTED_ITEMS, *RESTRICTED_SOURCES}
        for source in RESTRICTED_SOURCES:
            assert source not in body
    # the same card, where restricted sources are allowed, shows them (the test can fail)
    allowed = allowing_app.test_client().get(f"/check.json?example={JUNE4}").get_json()
    assert {"cl1", "c1", "metroobserver-copa-oig"} <= _values_ids(allowed["values"])


# -- 4. malformed input: 400 or 404 with a message, never 500 -----------------------------

BAD_IRIS = [
    "https://w3id.org/authority-kg/law/<script>",
    'https://w3id.org/authority-kg/law/"x"',
    "https://w3id.org/authority-kg/law/a b",
    "https://w3id.org/authority-kg/law/a\nb",
    "https://w3id.org/authority-kg/law/a\x00b",
    "https://w3id.org/authority-kg/x{y}",
    "not an iri",
    "x" * 5000,
]


@pytest.mark.parametrize("iri", BAD_IRIS)
@pytest.mark.parametrize("twin", ["", ".json"])
def test_bad_iris_are_400(client: FlaskClient, iri: str, twin: str) -> None:
    response = client.get(f"/resource{twin}?iri={quote(iri)}")
    assert response.status_code == 400
    assert "is not an IRI" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/law/mcc/%3Cscript%3E",
        "/law/mcc/%22x%22",
        "/law/mcc/a%20b",
        "/law/mcc/a%0Ab",
        "/agency/%3Cx%3E",
        "/agency/a%22b",
        "/incident/a%20b",
        "/code/a%3Eb.ttl",
        "/graph/a%0Ab",
        "/matrix/%7Bx%7D",
    ],
)
def test_bad_resource_paths_are_404(client: FlaskClient, path: str) -> None:
    for suffix in ("", ".json"):
        response = client.get(path + suffix)
        assert response.status_code == 404, (path, response.status_code)
        assert response.get_data(as_text=True).strip()


def test_json_posted_to_the_check_page(client: FlaskClient) -> None:
    response = client.post("/check", json={"card": {"card": 1, "id": "x", "title": "t"}})
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert response.get_json()["error"]["message"]
    response = client.post("/check", json=[1, 2])
    assert response.status_code == 400 and "send" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("depth", [20, 30_000])
def test_deeply_nested_json_is_400(client: FlaskClient, depth: int) -> None:
    body = '{"card": {"id": "x", "events": ' + "[" * depth + "]" * depth + "}}"
    response = client.post("/check.json", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nests too deeply" in response.get_json()["error"]["message"]


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/check.json", data=b"{not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["message"]


# -- the same probes against a running `kg serve` (waitress, loopback) --------------------


def test_probes_against_a_running_server(app: Flask, store_dir: Path) -> None:
    import os
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from tests.web.test_serve import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", str(port)],
        env={**os.environ, "KG_STORE": str(store_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def status(path: str, data: bytes | None = None, kind: str = "") -> tuple[int, str]:
        request = urllib.request.Request(base + path, data=data)
        if kind:
            request.add_header("Content-Type", kind)
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(base + "/-/health.json", timeout=5).close()
                break
            except OSError:
                assert proc.poll() is None, "kg serve stopped"
                assert time.monotonic() < deadline, "kg serve did not answer in 90 s"
                time.sleep(0.3)
        code, body = status("/amend.json?amend=%2Fetc%2Fpasswd")
        assert code == 400 and "no amendment with the id" in body and "root:" not in body
        code, body = status("/who.json?amend=%2Fetc%2Fshadow&" + WHO)
        assert code == 400 and "no amendment with the id" in body
        code, body = status("/resource?iri=" + quote("https://w3id.org/authority-kg/a b"))
        assert code == 400
        code, _ = status("/law/mcc/%3Cscript%3E")
        assert code == 404
        nested = b'{"card": {"id": "x", "events": ' + b"[" * 20000 + b"]" * 20000 + b"}}"
        code, body = status("/check.json", nested, "application/json")
        assert code == 400 and "nests too deeply" in body
    finally:
        proc.terminate()
        proc.communicate(timeout=10)

"""The remote store against a stand-in SPARQL server on loopback (issue 15): credentials by
HTTP digest authentication from the environment, and an answer the server cut at its row
limit (Virtuoso's X-SPARQL-MaxRows) refused, never taken for the whole answer."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kg.errors import StoreError
from kg.store.remote import RemoteStore

USER, PASSWORD, REALM, NONCE = "dba", "s3cret", "SPARQL", "abc123"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - HTTP digest is MD5


class Server(BaseHTTPRequestHandler):
    rows = 3
    max_rows: int | None = None
    seen: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        f = dict(re.findall(r'(\w+)="?([^",]+)"?', header[len("Digest ") :]))
        ha1 = _md5(f"{USER}:{REALM}:{PASSWORD}")
        ha2 = _md5(f"{self.command}:{f.get('uri', '')}")
        expected = _md5(f"{ha1}:{NONCE}:{f.get('nc')}:{f.get('cnonce')}:{f.get('qop')}:{ha2}")
        return f.get("username") == USER and f.get("response") == expected

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self._authorized():
            self.seen.append("challenge")
            self.send_response(401)
            self.send_header(
                "WWW-Authenticate", f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth"'
            )
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.seen.append("answer")
        bindings = [{"x": {"type": "literal", "value": str(i)}} for i in range(self.rows)]
        body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": bindings}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        if self.max_rows is not None:
            self.send_header("X-SPARQL-MaxRows", str(self.max_rows))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def endpoint() -> Iterator[str]:
    Server.seen, Server.rows, Server.max_rows = [], 3, None
    server = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql-auth"
    server.shutdown()
    server.server_close()


def test_credentials_from_the_environment_answer_a_digest_challenge(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_ENDPOINT_USER", USER)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", PASSWORD)
    store = RemoteStore(endpoint)
    assert store.gsp.endswith("/sparql-graph-crud-auth")
    assert len(store.query("SELECT ?x WHERE { ?x ?p ?o }").rows) == 3
    assert Server.seen == ["challenge", "answer"]


def test_without_credentials_the_refusal_is_an_error(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    with pytest.raises(StoreError, match="401"):
        RemoteStore(endpoint).query("SELECT ?x WHERE { ?x ?p ?o }")


def test_an_answer_cut_at_the_row_limit_is_refused(
    endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_ENDPOINT_USER", USER)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", PASSWORD)
    Server.rows, Server.max_rows = 3, 3
    with pytest.raises(StoreError, match="cut its answer at 3 rows"):
        RemoteStore(endpoint).query("SELECT ?x WHERE { ?x ?p ?o }")
    Server.rows, Server.max_rows = 2, 3  # under the limit: the whole answer
    assert len(RemoteStore(endpoint).query("SELECT ?x WHERE { ?x ?p ?o }").rows) == 2

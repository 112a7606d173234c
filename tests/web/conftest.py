"""Fixtures for the web app: one store built on first use (as `kg serve` builds it), one
app over it, and a second app that withholds two restricted sources of June 4."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from webapp import create_app

JUNE4 = "south-loop-2025-06-04"
# the source of complaints c1 and c2, and the source of claims cl1 and cl2
RESTRICTED = (f"{JUNE4}/metroobserver-copa-oig", "cbs-2025-07-01")


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web") / "store"


@pytest.fixture(scope="session")
def app(store_dir: Path) -> Iterator[Flask]:
    """The app over a store it builds itself on first use (nothing there beforehand)."""
    app = create_app(
        {
            "STORE_DIR": str(store_dir),
            "TESTING": True,
            "SPARQL_TIMEOUT": 2.0,
            "SPARQL_RESULT_CAP": 2000,
            "MAX_CONTENT_LENGTH": 64 * 1024,
        }
    )
    yield app
    app.extensions["kg"].runner.close()


@pytest.fixture(scope="session")
def restricted_app(app: Flask, store_dir: Path) -> Iterator[Flask]:
    restricted = create_app(
        {"STORE_DIR": str(store_dir), "TESTING": True, "RESTRICTED_SOURCES": RESTRICTED}
    )
    yield restricted
    restricted.extensions["kg"].runner.close()


@pytest.fixture(scope="session")
def allowing_app(app: Flask, store_dir: Path) -> Iterator[Flask]:
    allowing = create_app(
        {
            "STORE_DIR": str(store_dir),
            "TESTING": True,
            "RESTRICTED_SOURCES": RESTRICTED,
            "ALLOW_RESTRICTED": True,
        }
    )
    yield allowing
    allowing.extensions["kg"].runner.close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient, path: str = "/check") -> str:
    """The form's CSRF token (it lives in the client's session)."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def text(html: str) -> str:
    """The page as plain text, for assertions about what a reader sees."""
    without = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    inline = re.sub(r"</?(a|code|strong|span|em|b|i|abbr)(\s[^>]*)?>", "", without)
    plain = re.sub(r"<[^>]+>", " ", inline)
    for entity, char in (
        ("&#39;", "'"),
        ("&quot;", '"'),
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&#34;", '"'),
    ):
        plain = plain.replace(entity, char)
    return " ".join(plain.split())


def json_of(client: FlaskClient, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()

"""`kg serve`: the app on a production WSGI server (waitress), on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flask import Flask

from tests.conftest import kg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_help_names_its_options() -> None:
    result = kg("serve", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--allow-restricted", "127.0.0.1"):
        assert option in result.stdout


def test_serve_refuses_a_remote_endpoint() -> None:
    result = kg("--endpoint", "http://127.0.0.1:1/sparql", "serve")
    assert result.exit_code == 2
    assert "kg serve serves the embedded store" in result.stderr


def test_kg_serve_answers_on_loopback(app: Flask, store_dir: Path) -> None:
    port = free_port()
    env = {**os.environ, "KG_STORE": str(store_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/health.json") as r:
                    health = json.load(r)
                break
            except OSError:
                assert proc.poll() is None, "kg serve stopped"
                assert time.monotonic() < deadline, "kg serve did not answer in 60 s"
                time.sleep(0.2)
        assert health["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/version") as r:
            assert r.headers["Server"] == "authority-kg"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)

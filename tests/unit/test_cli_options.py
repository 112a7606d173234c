"""The command line's options and help (issue 15): `--store-dir` and `--endpoint` after the
command too, a group help whose lines are whole and that lists the exit codes and the
environment, `kg load` saying how many stored determinations it dropped, and the remote
store's N-Triples written without rdflib's private serializer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.cli import main
from kg.store.wire import ntriples
from kg.terms import from_ox

INCIDENT = "south-loop-2025-06-04"
CHAPTER = "https://w3id.org/authority-kg/law/mcc/ch-2-173"
IN_FORCE = ("provisions-in-force", "--param", f"chapter={CHAPTER}", "--param", "date=2024-06-01")
UNREACHABLE = "http://127.0.0.1:9/sparql"  # the discard port: nothing answers there
NO_STORE_ENV: dict[str, str | None] = {"KG_STORE": None, "KG_ENDPOINT": None, "KG_GSP": None}


def kg(*args: str, env: dict[str, str | None] | None = None, **extra: Any) -> Result:
    return CliRunner().invoke(
        main, list(args), env={**NO_STORE_ENV, **(env or {})}, catch_exceptions=False, **extra
    )


@dataclass(frozen=True)
class Loaded:
    """The folders given after the command, before it and in KG_STORE; what load said."""

    after: Path
    before: Path
    env: Path
    message: str


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    """A store loaded by `kg load --store-dir DIR`, the option after the command, with
    another folder given before the command and a third in KG_STORE: the one after wins."""
    root = tmp_path_factory.mktemp("stores")
    after, before, env = root / "after", root / "before", root / "env"
    result = kg(
        "--store-dir", str(before), "load", "--store-dir", str(after), env={"KG_STORE": str(env)}
    )
    assert result.exit_code == 0, result.stderr
    return Loaded(after, before, env, result.stdout)


def test_load_takes_store_dir_after_the_command_and_it_wins(loaded: Loaded) -> None:
    assert loaded.after.is_dir() and any(loaded.after.iterdir())
    assert not loaded.before.exists() and not loaded.env.exists()
    assert loaded.message.startswith("loaded ") and str(loaded.after) in loaded.message
    assert "dropped 0 stored determination graphs" in loaded.message


def test_query_takes_store_dir_after_the_command(loaded: Loaded) -> None:
    result = kg("query", *IN_FORCE, "--format", "json", "--store-dir", str(loaded.after))
    assert result.exit_code == 0, result.stderr
    assert '"bindings"' in result.stdout
    assert "building the store" not in result.stderr  # the loaded store, not a new one


def test_load_reports_the_determinations_it_drops(loaded: Loaded) -> None:
    store = str(loaded.after)
    stored = kg("check", INCIDENT, "--store", "--format", "json", "--store-dir", store)
    assert stored.exit_code in (0, 1), stored.stderr
    reloaded = kg("load", "--store-dir", store)
    assert reloaded.exit_code == 0, reloaded.stderr
    assert "dropped 1 stored determination graph;" in reloaded.stdout
    assert "kg check --all --store" in reloaded.stdout
    again = kg("load", "--store-dir", store)  # nothing stored since: nothing dropped
    assert "dropped 0 stored determination graphs" in again.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("load", "--endpoint", UNREACHABLE),
        ("--endpoint", "http://127.0.0.1:10/sparql", "load", "--endpoint", UNREACHABLE),
        ("query", *IN_FORCE, "--endpoint", UNREACHABLE),
        ("check", INCIDENT, "--store", "--format", "json", "--endpoint", UNREACHABLE),
    ],
    ids=["load", "load-after-wins", "query", "check-store"],
)
def test_endpoint_after_the_command_reaches_the_server(args: tuple[str, ...]) -> None:
    result = kg(*args, env={"KG_ENDPOINT": "http://127.0.0.1:11/sparql"})
    assert result.exit_code == 4, result.stderr  # unreachable, not 2 "no such option"
    assert result.stderr.startswith(f"error: cannot reach {UNREACHABLE}")
    assert result.stdout == ""  # no answer printed when the store fails


def test_endpoint_before_the_command_still_works() -> None:
    result = kg("--endpoint", UNREACHABLE, "load")
    assert result.exit_code == 4
    assert result.stderr.startswith(f"error: cannot reach {UNREACHABLE}")


def test_serve_refuses_an_endpoint_given_after_the_command() -> None:
    result = kg("serve", "--endpoint", UNREACHABLE)
    assert result.exit_code == 2
    assert "kg serve serves the embedded store" in result.stderr


@pytest.mark.parametrize("command", ["load", "query", "check", "serve"])
def test_store_commands_list_the_store_options(command: str) -> None:
    result = kg(command, "--help", terminal_width=80)
    assert result.exit_code == 0
    assert "--store-dir DIR" in result.stdout and "KG_STORE" in result.stdout
    assert "--endpoint URL" in result.stdout and "KG_ENDPOINT" in result.stdout


@pytest.mark.parametrize("width", [80, 120])
def test_group_help_is_whole_and_lists_exit_codes_and_environment(width: int) -> None:
    result = kg("--help", terminal_width=width)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    cut = [line for line in lines[1:] if line.rstrip().endswith("...")]  # past "Usage: ..."
    assert not cut
    commands = lines[lines.index("Commands:") + 1 :]
    commands = commands[: commands.index("")]
    names = [line.split()[0] for line in commands]
    assert names == sorted(["amend", "check", "export", "load", "query", "serve", "stats", "who"])
    for line in commands:  # one line each, a whole sentence
        assert line.rstrip().endswith((".", "?")), line
    for code in ("0", "1", "2", "3", "4", "130"):
        assert re.search(rf"^\s+{code}\s+\S", result.stdout, re.M), code
    for variable in ("KG_STORE", "KG_ENDPOINT", "KG_GSP", "KG_ENGINE", "KG_DEBUG"):
        assert re.search(rf"^\s+{variable}\s+\S", result.stdout, re.M), variable


@pytest.mark.parametrize(
    "args",
    [
        ("who", "--allegation", "excessive-force", "--respondent", "CPD:officer",
         "--date", "2025-06-04", "--engine", "pyshacl"),
        ("--engine", "fast", "who", "--allegation", "excessive-force", "--respondent",
         "CPD:officer", "--date", "2025-06-04", "--engine", "pyshacl"),
    ],
    ids=["after", "after-wins-over-before"],
)  # fmt: skip
def test_engine_after_the_command(args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_ENGINE", raising=False)  # the option sets it for this process
    result = kg(*args, "--format", "json", env={"KG_ENGINE": None})
    assert result.exit_code == 0, result.stderr
    assert '"engine": "pyshacl"' in result.stdout


@pytest.mark.parametrize("command", ["check", "who", "amend", "load", "serve"])
def test_commands_that_run_the_shapes_take_the_engine(command: str) -> None:
    assert "--engine [fast|pyshacl]" in kg(command, "--help", terminal_width=100).stdout


@pytest.mark.parametrize(
    ("given", "origins"), [("*", "*"), ("https://a.example", "https://a.example"), ("", "")]
)
def test_serve_passes_its_cors_origins_to_the_app(
    given: str, origins: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import waitress

    import webapp

    seen: dict[str, Any] = {}

    class App:
        config = {"SERVER_THREADS": 1}
        extensions = {"kg": type("Services", (), {"warm": lambda self: None})()}

    def create_app(config: dict[str, Any]) -> App:
        seen.update(config)
        return App()

    monkeypatch.setattr(webapp, "create_app", create_app)
    monkeypatch.setattr(waitress, "serve", lambda *a, **k: None)
    result = kg("serve", "--cors-origins", given)
    assert result.exit_code == 0, result.stderr
    assert seen["SPARQL_CORS_ORIGINS"] == origins


def test_load_help_says_it_replaces_the_determinations() -> None:
    text = " ".join(kg("load", "--help").stdout.split())
    assert "replaces the whole store, stored determinations included" in text
    assert "kg check --all --store" in text


def test_remote_store_writes_n_triples_that_read_back_the_same() -> None:
    triples = [
        (URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal('x\n"y" é\\')),
        (BNode("b1"), URIRef("http://example.org/p"), Literal("chat", lang="fr")),
        (BNode("b1"), URIRef("http://example.org/p"), Literal("7", datatype=XSD.integer)),
        (URIRef("http://example.org/a"), URIRef("http://example.org/q"), BNode("b1")),
    ]
    body = ntriples(triples)
    parsed = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    back = [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in parsed]
    assert back == triples
    assert ntriples([]) == b""
    with pytest.raises(ValueError, match="a b"):  # a bad term is named
        ntriples([(URIRef("http://example.org/a b"), URIRef("http://example.org/p"), BNode())])

"""Shared fixtures: paths to the packaged data and the test cards; the stores.

`analyst_store` runs each test that uses it twice: on the embedded store and on a real
Virtuoso (Debian's virtuoso-opensource, started once per session on loopback with its own
database folder; skipped, saying why, where it is not installed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from tests import virtuoso as vt
from tests.scenarios import coverage

ROOT = Path(__file__).resolve().parents[1]
CARDS = ROOT / "tests" / "cards"
JUNE4 = ROOT / "incidents" / "south-loop-2025-06-04.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--coverage-table",
        action="store_true",
        default=False,
        help="After the run, print which norms and exceptions the scenarios exercise "
        "(the table of tests/scenarios/test_coverage.py; off by default).",
    )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    if not config.getoption("--coverage-table") or config.option.collectonly:
        return
    lines = config.stash.get(coverage.TABLE, None)
    if lines is None:
        terminalreporter.write_line(
            "--coverage-table: no table, tests/scenarios/test_coverage.py"
            "::test_every_norm_has_a_scenario did not run"
        )
        return
    terminalreporter.write_sep("=", coverage.TITLE)
    for line in lines:
        terminalreporter.write_line("  " + line)


def kg(*args: str) -> Result:
    """Run the `kg` command in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def kg_json(*args: str) -> Any:
    result = kg(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def determination(report: Any) -> Any:
    """What a check decided for one incident, as a hashable value to compare: each
    finding's verdict, dependencies and missing facts, and each competence answer."""
    doc = report.to_json()
    findings = tuple(
        sorted(
            (
                f["subject"],
                f["provision"],
                f["verdict"],
                tuple(f["depends_on"]),
                tuple(f["missing"]),
            )
            for f in doc["findings"]
        )
    )
    competence = tuple(
        sorted(
            (
                c.get("complaint") or "",
                c.get("trigger") or "",
                c["status"],
                tuple(a["agency"] for a in c["agencies"]),
            )
            for c in doc["competence"]
        )
    )
    return (doc["incident"], findings, competence)


@pytest.fixture(scope="session")
def june4() -> Any:
    return kg_json("check", str(JUNE4))


STORES = ["embedded", "virtuoso"]


def _virtuoso(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[vt.Virtuoso]:
    reason = vt.missing()
    if reason:
        pytest.skip(reason)
    server = vt.Virtuoso(tmp_path_factory.mktemp(name))
    with server:
        yield server
    server.discard_database()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[vt.Virtuoso]:
    """A Virtuoso holding what `analyst_store` loads; tests only read from it."""
    yield from _virtuoso(tmp_path_factory, "virtuoso")


@pytest.fixture(scope="session")
def scratch_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[vt.Virtuoso]:
    """A second Virtuoso for tests that load, replace and break graphs."""
    yield from _virtuoso(tmp_path_factory, "virtuoso-scratch")


@pytest.fixture(scope="session")
def analyst_data() -> tuple[Any, Any]:
    """What `kg load` and `kg check --all --store` write: (store dataset, determinations)."""
    from kg import api
    from kg.law import load
    from kg.store import build

    ctx = api.context()
    reports = api.check([str(p) for p in load.incident_card_paths()])
    return build.store_dataset(ctx), build.determinations(reports, ctx)


@pytest.fixture(scope="session", params=STORES)
def analyst_store(request: pytest.FixtureRequest, analyst_data: tuple[Any, Any]) -> Any:
    """A store holding what `kg load` and `kg check --all --store` write: the law, the
    incidents, the competence matrix and the determinations. Embedded: in memory;
    virtuoso: loaded through the SPARQL 1.1 Protocol and the Graph Store Protocol."""
    from kg.store.embedded import EmbeddedStore
    from kg.store.remote import RemoteStore

    store: Any
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        store = RemoteStore(server.endpoint)
    else:
        store = EmbeddedStore(None)
    from kg.store import summary

    dataset, determinations = analyst_data
    store.replace_all(dataset)
    store.replace_graphs(determinations)
    summary.refresh(store)
    return store

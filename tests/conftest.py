"""Shared fixtures: paths to the packaged data and the test cards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
CARDS = ROOT / "tests" / "cards"
JUNE4 = ROOT / "incidents" / "south-loop-2025-06-04.yaml"


def kg(*args: str) -> Result:
    """Run the `kg` command in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def kg_json(*args: str) -> Any:
    result = kg(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def june4() -> Any:
    return kg_json("check", str(JUNE4))


@pytest.fixture(scope="session")
def analyst_store() -> Any:
    """An in-memory embedded store holding what `kg load` and `kg check --all --store`
    write: the law, the incidents, the competence matrix and the determinations."""
    from kg import api, build, load
    from kg.store import EmbeddedStore

    ctx = api.context()
    store = EmbeddedStore(None)
    store.replace_all(build.store_dataset(ctx))
    reports = api.check([str(p) for p in load.incident_card_paths()])
    store.replace_graphs(build.determinations(reports, ctx))
    return store

"""Bulk checking: batches, processes and Dask give the answers of single checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg import api
from kg.bulk import check_many
from kg.decide.check import Options
from tests.conftest import CARDS, JUNE4, kg
from tests.scenarios import runner


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cards")
    shutil.copy(JUNE4, out / "000-june4.yaml")
    n = 0
    for _, s in runner.all_scenarios():
        if "card" in s and n < 60:
            (out / f"{n + 1:03d}.yaml").write_text(yaml.safe_dump(s["card"], sort_keys=False))
            n += 1
    return out


def _docs(reports: list[Any]) -> list[Any]:
    return sorted((r.to_json() for r in reports), key=lambda d: d["incident"])


@pytest.fixture(scope="module")
def alone(folder: Path) -> dict[str, Any]:
    """Each card checked on its own."""
    reports = [r for p in sorted(folder.glob("*.yaml")) for r in api.check([str(p)])]
    return {d["incident"]: d for d in _docs(reports)}


def test_batches_and_processes_give_the_single_answers(folder: Path, alone: dict[str, Any]) -> None:
    ctx = api.context()
    paths = sorted(folder.glob("*.yaml"))
    for kwargs in ({"batch": 7, "workers": 1}, {"batch": 11, "workers": 2}):
        results = list(check_many(paths, ctx, Options(), **kwargs))  # type: ignore[arg-type]
        assert [e for r in results for e in r.errors] == []
        assert _docs([rep for r in results for rep in r.reports]) == list(alone.values())


def test_dask_local_cluster_with_two_workers(folder: Path, alone: dict[str, Any]) -> None:
    from dask.distributed import LocalCluster

    ctx = api.context()
    paths = sorted(folder.glob("*.yaml"))[:25]
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        worker_dashboard_address="127.0.0.1:0",
    ) as cluster:
        results = list(
            check_many(paths, ctx, Options(), batch=5, scheduler=cluster.scheduler_address)
        )
    reports = [rep for r in results for rep in r.reports]
    assert len(reports) == 25
    docs = _docs(reports)
    assert docs == [alone[d["incident"]] for d in docs]


def test_a_bad_card_in_the_middle_is_reported_and_the_rest_checked(
    folder: Path, tmp_path: Path
) -> None:
    work = tmp_path / "cards"
    shutil.copytree(folder, work)
    shutil.copy(CARDS / "bad" / "dangling-id.yaml", work / "030-bad.yaml")
    result = kg("check", str(work), "--format", "json", "--batch", "9", "--workers", "2")
    assert result.exit_code == 3
    assert "030-bad.yaml:9" in result.stderr and "call9" in result.stderr
    docs = json.loads(result.stdout)
    assert len(docs) == len(list(folder.glob("*.yaml")))
    assert "dangling" not in {d["incident"] for d in docs}


def test_bulk_json_is_one_array_in_card_order(folder: Path) -> None:
    result = kg("check", str(folder), "--format", "json", "--batch", "13", "--workers", "1")
    assert result.exit_code in (0, 1)
    docs = json.loads(result.stdout)
    names = [yaml.safe_load(p.read_text())["id"] for p in sorted(folder.glob("*.yaml"))]
    assert [d["incident"] for d in docs] == names


def test_dask_workers_are_sent_the_cards_contents_not_their_paths(
    folder: Path, alone: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers start in another folder and the paths are relative to the client's:
    only a card's text, read by the client, can reach them. A bad card is still named by
    the path it was given, with its line."""
    from dask.distributed import LocalCluster

    client_dir, elsewhere = tmp_path / "client", tmp_path / "elsewhere"
    (client_dir / "cards").mkdir(parents=True)
    elsewhere.mkdir()
    for p in sorted(folder.glob("*.yaml"))[:8]:
        shutil.copy(p, client_dir / "cards" / p.name)
    shutil.copy(CARDS / "bad" / "dangling-id.yaml", client_dir / "cards" / "004-bad.yaml")
    (client_dir / "cards" / "005-binary.yaml").write_bytes(b"\x00\xff\xfe binary")
    ctx = api.context()
    monkeypatch.chdir(elsewhere)
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address="127.0.0.1:0",
        worker_dashboard_address="127.0.0.1:0",
    ) as cluster:
        monkeypatch.chdir(client_dir)
        paths = sorted(Path("cards").glob("*.yaml"))
        results = list(
            check_many(paths, ctx, Options(), batch=3, scheduler=cluster.scheduler_address)
        )
    errors = [str(e) for r in results for e in r.errors]
    assert len(errors) == 2, errors
    assert errors[0].startswith(str(Path("cards") / "004-bad.yaml") + ":9") and "call9" in errors[0]
    assert errors[1].startswith(str(Path("cards") / "005-binary.yaml")) and "UTF-8" in errors[1]
    docs = _docs([rep for r in results for rep in r.reports])
    assert len(docs) == 8
    assert docs == [alone[d["incident"]] for d in docs]


def test_a_bad_card_in_a_dask_run_names_its_file_and_line(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "cards"
    work.mkdir()
    for p in sorted(folder.glob("*.yaml"))[:5]:
        shutil.copy(p, work / p.name)
    shutil.copy(CARDS / "bad" / "dangling-id.yaml", work / "002-bad.yaml")
    monkeypatch.chdir(tmp_path)
    result = kg("check", "cards", "--format", "json", "--batch", "2", "--dask")
    assert result.exit_code == 3, result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1, result.stderr
    assert (
        errors[0].startswith(f"error: {Path('cards') / '002-bad.yaml'}:9") and "call9" in errors[0]
    )
    assert len(json.loads(result.stdout)) == 5

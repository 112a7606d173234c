"""The other commands: export, stats, who's bad input, and `python -m kg`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rdflib import Dataset
from rdflib.namespace import RDF

from kg.namespaces import AKG, GRAPH
from tests.conftest import ROOT, kg


def test_export_trig_parses_with_named_graphs(tmp_path: Path) -> None:
    out = tmp_path / "all.trig"
    assert kg("export", "--format", "trig", "--output", str(out)).exit_code == 0
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert str(GRAPH["law/mcc-2-173"]) in names
    assert str(GRAPH["incident/south-loop-2025-06-04/cpd-testimony-2025-07-01"]) in names
    incidents = {s for g in ds.graphs() for s in g.subjects(RDF.type, AKG.Incident)}
    assert len(incidents) == 1


def test_export_jsonld_and_turtle() -> None:
    for fmt in ("jsonld", "ttl"):
        result = kg("export", "--format", fmt)
        assert result.exit_code == 0 and len(result.stdout) > 10_000


def test_stats_counts_and_lists_incomplete_provisions() -> None:
    result = kg("stats", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    counts = doc["counts"]
    assert counts["incidents"] == 1 and counts["readings"] >= 5
    assert counts["grants"] >= 15 and counts["norms"] >= 14
    statuses = {row["status"] for row in doc["incomplete"]}
    assert "not-retrieved" in statuses and "secondary" in statuses
    cited = {row["citation"] for row in doc["incomplete"]}
    assert "2-173-010" in cited
    assert doc["law_current_to"] == "2026-02-02"


def test_who_rejects_unknown_codes_and_dates() -> None:
    for args, word in (
        (["--allegation", "jaywalking", "--respondent", "CPD:officer"], "jaywalking"),
        (["--allegation", "theft", "--respondent", "CPD:janitor"], "CPD:janitor"),
        (
            ["--allegation", "theft", "--respondent", "CPD:officer", "--date", "2024-02-30"],
            "2024-02-30",
        ),
    ):
        result = kg("who", *args, "--format", "json")
        assert result.exit_code == 2
        assert result.stdout == ""
        assert word in result.stderr and "Fix:" in result.stderr


def test_check_reading_must_exist() -> None:
    result = kg("check", "south-loop-2025-06-04", "--reading", "plain-meaning")
    assert result.exit_code == 2 and "purpose-test" in result.stderr


def test_python_dash_m_kg_runs_from_another_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "who",
            "--allegation",
            "theft",
            "--respondent",
            "CPD:officer",
            "--date",
            "2024-01-01",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["agencies"][0]["agency"] == "CPD-BIA"


def test_bulk_check_reports_a_bad_card_and_goes_on(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "cards" / "bad" / "unknown-code.yaml"
    good = ROOT / "tests" / "cards" / "firearm-discharge.yaml"
    result = kg("check", str(bad), str(good), "--format", "json")
    assert result.exit_code == 3
    assert "unknown-code.yaml" in result.stderr
    assert [r["incident"] for r in json.loads(result.stdout)] == ["firearm-discharge-2024"]

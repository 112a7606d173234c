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

CARDS = sorted(ROOT.glob("incidents/*.yaml"))  # the packaged corpus, one incident a card


def test_export_trig_parses_with_named_graphs(tmp_path: Path) -> None:
    out = tmp_path / "all.trig"
    assert kg("export", "--format", "trig", "--output", str(out)).exit_code == 0
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert str(GRAPH["law/mcc-2-173"]) in names
    assert str(GRAPH["incident/south-loop-2025-06-04/cpd-testimony-2025-07-01"]) in names
    incidents = {s for g in ds.graphs() for s in g.subjects(RDF.type, AKG.Incident)}
    assert {str(i).rsplit("/", 1)[1] for i in incidents} == {c.stem for c in CARDS}


def test_export_jsonld_and_turtle() -> None:
    for fmt in ("jsonld", "ttl"):
        result = kg("export", "--format", fmt)
        assert result.exit_code == 0 and len(result.stdout) > 10_000


def test_stats_counts_and_lists_incomplete_provisions() -> None:
    result = kg("stats", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    counts = doc["counts"]
    assert counts["incidents"] == len(CARDS) and counts["readings"] >= 5
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


def _data_copy(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "data"
    for name in ("ontology", "shapes", "law", "incidents", "queries"):
        shutil.copytree(ROOT / name, root / name)
    return root


def _run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "KG_DATA_DIR": str(data)},
    )


def test_a_malformed_law_file_stops_loading_with_file_and_line(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    law = data / "law" / "mcc-2-84.ttl"
    lines = law.read_text().splitlines()
    lines[30] = lines[30] + " <unclosed"
    law.write_text("\n".join(lines))
    result = _run(data, "stats", "--format", "json")
    assert result.returncode == 2
    assert result.stdout == ""
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "mcc-2-84.ttl:" in message and "Fix:" in message


def test_a_malformed_packaged_card_is_named(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    (data / "incidents" / "broken.yaml").write_text("card: 1\nid: broken\ntitle: x\n")
    result = _run(data, "check", "--all", "--format", "json")
    assert result.returncode == 3
    assert "broken.yaml" in result.stderr and "date" in result.stderr
    checked = {report["incident"] for report in json.loads(result.stdout)}
    assert checked == {c.stem for c in CARDS}  # every other card is still checked


def test_check_turtle_output_links_findings_to_the_shacl_report() -> None:
    from rdflib import Graph
    from rdflib.namespace import SH

    result = kg("check", "south-loop-2025-06-04", "--format", "ttl")
    assert result.exit_code == 0
    g = Graph().parse(data=result.stdout, format="turtle")
    findings = list(g.subjects(RDF.type, AKG.Finding))
    assert len(findings) >= 5
    verdicts = {str(g.value(f, AKG.verdictCode)) for f in findings}
    assert "contested" in verdicts
    assert list(g.subjects(RDF.type, SH.ValidationReport))
    assert list(g.objects(None, AKG.shaclReport))


def test_export_is_what_the_store_holds_and_parts_can_be_left_out(tmp_path: Path) -> None:
    """Another server loaded from an export answers the competence queries too: the matrix,
    graph:meta and the stored determinations are in it (issue 15)."""
    store = str(tmp_path / "store")
    assert kg("load", "--store-dir", store).exit_code == 0
    stored = kg("check", "south-loop-2025-06-04", "--store", "--store-dir", store)
    assert stored.exit_code in (0, 1), stored.stderr

    def parts(*options: str) -> set[str]:
        out = tmp_path / "export.trig"
        result = kg("export", "--store-dir", store, "--output", str(out), *options)
        assert result.exit_code == 0, result.stderr
        ds = Dataset()
        ds.parse(out, format="trig")
        names = {str(g.identifier) for g in ds.graphs() if len(g)}
        return {n[len(str(GRAPH)) :].split("/")[0] for n in names if n.startswith(str(GRAPH))}

    everything = {
        "ontology",
        "law",
        "incident",
        "competence-matrix",
        "meta",
        "determinations",
        "summary",
    }
    assert parts() == everything
    left = parts("--leave-out", "determinations", "--leave-out", "matrix")
    assert left == everything - {"determinations", "competence-matrix"}
    assert parts("--leave-out", "summaries") == everything - {"summary"}

"""The answers the project exists for, as a user would check them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg import api
from tests.conftest import CARDS, JUNE4, determination, kg, kg_json


def finding(report: Any, subject: str, provision: str) -> Any:
    found = [
        f for f in report["findings"] if f["subject"] == subject and f["provision"] == provision
    ]
    assert found, [(f["subject"], f["provision"]) for f in report["findings"]]
    return found[0]


def test_june4_crowd_control_is_contested_on_readings_and_claim(june4: Any) -> None:
    f = finding(june4, "a1", "2-173-020(a)(6)")
    assert f["verdict"] == "contested"
    assert sorted(f["depends_on"]) == [
        "claim:cl1",  # the activists' account of what the presence did
        "claim:cl9",  # and of why officers were there
        "reading:effect-test",
        "reading:purpose-test",
    ]
    assert "purpose-test" in f["message"] and "effect-test" in f["message"]
    assert {g["provision"] for g in f["grounds"]} == {"2-173-020(a)(6)"}


def test_june4_wco_complaint_competence_is_contested_among_three(june4: Any) -> None:
    (c1,) = [c for c in june4["competence"] if c.get("complaint") == "c1"]
    assert c1["status"] == "contested"
    assert c1["as_of"] == "2025-06-04"
    by_agency = {a["agency"]: a for a in c1["agencies"]}
    assert sorted(by_agency) == ["COPA", "CPD-BIA", "OIG"]
    assert by_agency["COPA"]["readings"] == ["copa-intake-routing"]
    assert by_agency["OIG"]["readings"] == ["oig-general-powers"]
    assert by_agency["OIG"]["provision"] == "2-56-030(b)"
    assert by_agency["CPD-BIA"]["readings"] == ["bia-residual"]


def test_june4_text_explains_both_in_sentences() -> None:
    text = kg("check", str(JUNE4), "--format", "text").stdout
    assert "2-173-020(a)(6)" in text and "contested" in text.lower()
    assert "COPA" in text and "OIG" in text and "CPD-BIA" in text
    assert text.index("Findings:") < text.index("Who may investigate")


def test_who_excessive_force_against_officer_is_copa() -> None:
    answer = kg_json(
        "who",
        "--allegation",
        "excessive-force",
        "--respondent",
        "CPD:officer",
        "--date",
        "2024-05-01",
    )
    assert answer["status"] == "clear"
    assert [a["agency"] for a in answer["agencies"]] == ["COPA"]
    assert answer["agencies"][0]["provision"] == "2-78-120(b)"
    for key in ("version", "law_current_to", "notice"):
        assert answer[key]


def test_detainer_detention_in_2024_violates_a1c() -> None:
    result = kg("check", str(CARDS / "detainer-2024.yaml"), "--format", "json")
    assert result.exit_code == 1
    report = api.check([str(CARDS / "detainer-2024.yaml")])[0].to_json()
    assert finding(report, "a1", "2-173-020(a)(1)(C)")["verdict"] == "violates"


def test_with_a_judicial_warrant_the_detention_is_contested_not_excused() -> None:
    """2-173-020(a)'s exception is tied to disclosure of information; its reach to a
    detention is a reading (legal-requirement-every-item), weighed against the text's."""
    path = str(CARDS / "detainer-2024-judicial-warrant.yaml")
    result = kg("check", path, "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = api.check([path])[0].to_json()
    f = finding(report, "a1", "2-173-020(a)(1)(C)")
    assert f["verdict"] == "contested"
    assert f["depends_on"] == [
        "reading:legal-requirement-disclosure-only",
        "reading:legal-requirement-every-item",
    ]
    assert finding(report, "a1", "5 ILCS 805/15")["verdict"] == "complies"


def test_firearm_discharge_triggers_copa_without_complaint() -> None:
    report = kg_json("check", str(CARDS / "firearm-discharge.yaml"))
    (entry,) = report["competence"]
    assert entry["trigger"] == "a1" and "complaint" not in entry
    assert entry["status"] == "clear"
    assert [(a["agency"], a["provision"]) for a in entry["agencies"]] == [("COPA", "2-78-120(c)")]


def test_same_findings_alone_together_and_in_any_order() -> None:
    paths = [str(JUNE4), str(CARDS / "detainer-2024.yaml"), str(CARDS / "firearm-discharge.yaml")]

    key = determination
    alone = {key(api.check([p])[0]) for p in paths}
    together = {key(r) for r in api.check(paths)}
    reversed_order = {key(r) for r in api.check(list(reversed(paths)))}
    assert alone == together == reversed_order


def test_reading_fixed_removes_the_contest(june4: Any) -> None:
    purpose = kg_json("check", str(JUNE4), "--reading", "purpose-test")
    # the purpose test leaves only the dispute about why officers were there
    assert finding(purpose, "a1", "2-173-020(a)(6)")["depends_on"] == ["claim:cl9"]
    assert finding(purpose, "a2", "2-173-020(a)(6)")["verdict"] == "complies"
    effect = kg_json("check", str(JUNE4), "--reading", "effect-test", "--assume", "cl1")
    assert finding(effect, "a1", "2-173-020(a)(6)")["verdict"] == "violates"


def test_unknown_fact_is_undetermined_and_named(june4: Any) -> None:
    f = finding(june4, "a1", "2-173-020(b)")
    assert f["verdict"] == "undetermined"
    # which call a1 answered is the card author's inference (a claim), not a stated fact
    assert f["missing"] == ["a1.in_response_to", "a1.supervisor_reviewed"]


def test_federal_agents_are_never_bound_by_the_wco(tmp_path: Path) -> None:
    text = (CARDS / "detainer-2024.yaml").read_text().replace("CPD:officer", "ICE:agent")
    card = tmp_path / "federal.yaml"
    card.write_text(text)
    report = api.check([str(card)])[0].to_json()
    assert [f for f in report["findings"] if f["provision"].startswith("2-173")] == []
    city = api.check([str(CARDS / "detainer-2024.yaml")])[0].to_json()
    assert [f for f in city["findings"] if f["provision"].startswith("2-173")]

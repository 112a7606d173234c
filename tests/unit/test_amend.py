"""Amendments: applied to a copy of the law, re-deciding incidents and the matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib.compare import to_isomorphic

from kg import api
from kg.errors import InputError
from kg.law import amend
from kg.namespaces import AKG
from tests.conftest import CARDS, JUNE4, ROOT, determination, kg
from tests.scenarios import runner

AMEND = CARDS / "amend"


def finding(report: Any, subject: str, provision: str) -> Any:
    found = [
        f for f in report["findings"] if f["subject"] == subject and f["provision"] == provision
    ]
    return found[0] if found else None


@pytest.fixture(scope="module")
def copa() -> Any:
    result = kg("amend", "copa-wco-jurisdiction", "--as-of", "2025-06-04", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_copa_amendment_settles_the_june4_complaint(copa: Any) -> None:
    assert copa["counterfactual"] is True and copa["amendments"] == ["copa-wco-jurisdiction"]
    (c1,) = [c for c in copa["changes"] if c.get("complaint") == "c1"]
    assert c1["kind"] == "competence"
    assert c1["before"]["status"] == "contested"
    assert sorted(a["agency"] for a in c1["before"]["agencies"]) == ["COPA", "CPD-BIA", "OIG"]
    assert c1["after"]["status"] == "clear"
    assert [a["agency"] for a in c1["after"]["agencies"]] == ["COPA"]
    assert c1["because"] == ["copa-wco-jurisdiction:1"]


def test_copa_amendment_changes_only_the_wco_rows(copa: Any) -> None:
    assert len(copa["matrix"]) == 16 * 7
    changed = [(m["allegation"], m["respondent"]) for m in copa["matrix"] if m["changed"]]
    assert sorted(changed) == [
        ("welcoming-city-violation", k) for k in ("CPD:commander", "CPD:officer", "CPD:supervisor")
    ]
    (row,) = [
        m
        for m in copa["matrix"]
        if m["allegation"] == "welcoming-city-violation" and m["respondent"] == "CPD:officer"
    ]
    assert (row["before"]["status"], row["after"]["status"]) == ("contested", "clear")
    assert {c["complaint"] for c in copa["changes"]} == {"c1", "c2"}
    assert copa["flags"] == []
    # the amendment's exclusivity is an encoding choice, and the spec says so
    assert {w["code"] for w in copa["warnings"]} == {"amendment-assumption"}


def test_applying_never_changes_the_baseline() -> None:
    ctx = api.context()
    before = to_isomorphic(ctx.law)
    size = len(ctx.law)
    amended, _ = amend.apply(ctx.law, [amend.resolve("copa-wco-jurisdiction")], on="2025-06-04")
    assert len(amended) > size
    assert len(ctx.law) == size and to_isomorphic(ctx.law) == before


def test_missing_internal_review_is_a_violation_under_the_amendment() -> None:
    result = kg("check", str(JUNE4), "--amend", "cpd-internal-review-30-days", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    f = finding(report, "south-loop-2025-06-04", "cpd-internal-review-30-days:1")
    assert f["verdict"] == "violates"
    assert report["counterfactual"] is True
    plain = api.check([str(JUNE4)])[0].to_json()
    assert finding(plain, "south-loop-2025-06-04", "cpd-internal-review-30-days:1") is None


def test_review_within_30_days_complies_and_unknown_review_is_undetermined() -> None:
    done = api.check(
        [str(AMEND / "review-within-30-days.yaml")], amendments=("cpd-internal-review-30-days",)
    )[0].to_json()
    assert finding(done, "review-in-time", "cpd-internal-review-30-days:1")["verdict"] == "complies"
    unknown = api.check(
        [str(AMEND / "review-unknown.yaml")], amendments=("cpd-internal-review-30-days",)
    )[0].to_json()
    f = finding(unknown, "review-unknown", "cpd-internal-review-30-days:1")
    assert f["verdict"] == "undetermined"
    assert f["missing"] == ["review-unknown.reviews"]


def test_oemc_supervisor_consult() -> None:
    no = api.check(
        [str(AMEND / "federal-call-dispatch.yaml")], amendments=("oemc-supervisor-consult",)
    )[0].to_json()
    assert finding(no, "call1", "oemc-supervisor-consult:1")["verdict"] == "violates"
    yes = api.check(
        [str(AMEND / "federal-call-consulted.yaml")], amendments=("oemc-supervisor-consult",)
    )[0].to_json()
    assert finding(yes, "call1", "oemc-supervisor-consult:1")["verdict"] == "complies"


def test_o2023_lifts_the_detainer_rule_for_a_listed_conviction_only() -> None:
    listed = str(AMEND / "detainer-listed-conviction.yaml")
    before = api.check([listed])[0].to_json()
    after = api.check([listed], amendments=("o2023-0004222",))[0].to_json()
    assert finding(before, "a1", "2-173-020(a)(1)(C)")["verdict"] == "violates"
    assert finding(after, "a1", "2-173-020(a)(1)(C)")["verdict"] == "complies"
    # the state TRUST Act is not something the City can amend
    assert finding(after, "a1", "5 ILCS 805/15")["verdict"] == "violates"
    plain = str(CARDS / "detainer-2024.yaml")
    assert (
        finding(
            api.check([plain], amendments=("o2023-0004222",))[0].to_json(),
            "a1",
            "2-173-020(a)(1)(C)",
        )["verdict"]
        == "violates"
    )


def _determinations(reports: list[Any]) -> list[Any]:
    return [determination(r) for r in reports]


ROUND_TRIP = ("carve-outs.yaml", "wco-020-a-1.yaml", "wco-020-a-6-b.yaml", "wco-030.yaml")


def _scenario_cards(tmp_path: Path) -> list[str]:
    """The real incident, the test cards, and the scenario cards on the provisions that
    O2021-117 changed or left alone (2-173-020 and -030, the carve-outs)."""
    paths = [str(JUNE4), *map(str, sorted(CARDS.glob("*.yaml")))]
    for i, (path, s) in enumerate(runner.all_scenarios()):
        if "card" in s and path.name in ROUND_TRIP:
            p = tmp_path / f"{i}.yaml"
            p.write_text(yaml.safe_dump(s["card"], sort_keys=False))
            paths.append(str(p))
    return paths


def test_o2021_117_round_trip(tmp_path: Path) -> None:
    cards = _scenario_cards(tmp_path)
    assert len(cards) > 40
    amended = api.check(cards, as_of="2020-12-31", amendments=("o2021-117",))
    later = api.check(cards, as_of="2021-03-01")
    earlier = api.check(cards, as_of="2020-12-31")
    assert _determinations(amended) == _determinations(later)
    assert _determinations(amended) != _determinations(earlier)


def test_o2021_117_names_every_change_its_date_made() -> None:
    o2021 = amend.resolve("o2021-117")
    law = api.context().law
    touched = set(amend.clauses_touching([o2021], [], law))  # nothing: sanity
    assert touched == set()
    named = {
        n
        for c in o2021.changes
        for node in (*c.inserts, *c.removes)
        for n in amend._owned(law, node)
    }  # noqa: SLF001
    dated = {
        s
        for p in (AKG.validFrom, AKG.validUntil)
        for s, o in law.subject_objects(p)
        if str(o) == o2021.valid_from
    }
    assert dated <= named, sorted(map(str, dated - named))


def test_already_in_force_warns_and_changes_nothing() -> None:
    report = api.check([str(JUNE4)], amendments=("o2021-117",))[0]
    assert any(
        w.code == "amendment-in-force" and "already in force" in w.message for w in report.warnings
    )
    plain = api.check([str(JUNE4)])
    assert _determinations([report]) == _determinations(plain)


def _amendment_file(tmp_path: Path, body: str) -> Path:
    text = (ROOT / "docs" / "amendment-template.ttl").read_text()
    path = tmp_path / "draft.ttl"
    path.write_text(text + body)
    return path


def test_reference_to_a_missing_provision_is_rejected(tmp_path: Path) -> None:
    path = _amendment_file(
        tmp_path,
        """
<amendment/example-copa-operational/change/2> a akg:Change ; akg:clause "2" ; akg:order 2 ;
    akg:changeType change:repeal-provision ; akg:removes <mcc/2-78-999> .
<amendment/example-copa-operational> akg:change <amendment/example-copa-operational/change/2> .
""",
    )
    result = kg("amend", str(path), "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "2-78-999" in result.stderr and "example-copa-operational:2" in result.stderr


def test_repealing_twice_is_rejected(tmp_path: Path) -> None:
    path = _amendment_file(
        tmp_path,
        """
<amendment/example-copa-operational/change/2> a akg:Change ; akg:clause "2" ; akg:order 2 ;
    akg:changeType change:remove-grant ; akg:removes <grant/bia-residual> .
<amendment/example-copa-operational/change/3> a akg:Change ; akg:clause "3" ; akg:order 3 ;
    akg:changeType change:remove-grant ; akg:removes <grant/bia-residual> .
<amendment/example-copa-operational> akg:change <amendment/example-copa-operational/change/2>,
    <amendment/example-copa-operational/change/3> .
""",
    )
    with pytest.raises(InputError, match="repealed twice"):
        api.amend_impact((str(path),), as_of="2025-06-04")


def test_two_exclusive_grants_for_one_matter_warn(tmp_path: Path) -> None:
    path = _amendment_file(
        tmp_path,
        """
<amendment/example-copa-operational/grant/1> akg:exclusive true .
<grant/bia-residual> akg:exclusive true .
""",
    )
    report = api.amend_impact((str(path),), as_of="2025-06-04")
    assert any(
        "exclusive" in w.message and "operational-violation" in w.message for w in report.warnings
    )


def test_the_template_is_a_working_amendment() -> None:
    report = api.amend_impact((str(ROOT / "docs" / "amendment-template.ttl"),), as_of="2025-06-04")
    changed = {
        (m["allegation"], m["after"]["agencies"][0]["agency"])
        for m in report.to_json()["matrix"]
        if m["changed"]
    }
    assert changed == {("operational-violation", "COPA")}


def test_unknown_amendment_id_is_bad_input() -> None:
    result = kg("check", str(JUNE4), "--amend", "no-such-amendment")
    assert result.exit_code == 2 and "copa-wco-jurisdiction" in result.stderr


@pytest.mark.parametrize(
    "fmt,needle",
    [("markdown", "| Allegation |"), ("html", "<table>"), ("text", "Competence matrix")],
)
def test_amend_formats(fmt: str, needle: str) -> None:
    result = kg("amend", "copa-wco-jurisdiction", "--as-of", "2025-06-04", "--format", fmt)
    assert result.exit_code == 0
    assert needle in result.stdout and "copa-wco-jurisdiction:1" in result.stdout

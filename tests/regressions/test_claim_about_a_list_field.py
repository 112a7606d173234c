"""A claim about a person's record (a list) is weighed, not read letter by letter."""

from pathlib import Path

from kg import api

CARD = """card: 1
id: record-claim
title: A disputed criminal record before 2021
date: 2019-06-01
sources: [{id: s1, title: court record, kind: record}]
persons: [{id: p1, record: []}]
actions: [{id: a1, actor: CPD:officer, kind: detain, subject: p1, basis: immigration-detainer}]
claims: [{id: cl1, about: p1.record, value: [felony-conviction], source: s1}]
"""


def test_claim_about_a_list_field(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(CARD)
    report = api.check([str(path)])[0].to_json()
    (f,) = [f for f in report["findings"] if f["provision"] == "2-173-020(a)(1)(C)"]
    assert f["verdict"] == "contested"
    assert f["depends_on"] == ["claim:cl1"]

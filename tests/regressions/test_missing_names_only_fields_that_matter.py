"""`missing` does not name a field read only by an exception that already fails."""

from pathlib import Path

from kg import api

CARD = """card: 1
id: status-disclosure
title: A City employee tells ICE a person's status
date: 2024-05-01
persons: [{id: p1}]
actions:
  - {id: a1, actor: CITY-DEPT:employee, kind: disclose-status, subject: p1, recipient: ICE,
     written_authorization: unknown}
"""


def test_missing_names_only_fields_that_matter(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(CARD)
    report = api.check([str(path)])[0].to_json()
    (f,) = [f for f in report["findings"] if f["provision"] == "2-173-030(a)(1)"]
    assert f["verdict"] == "undetermined"
    assert f["missing"] == ["a1.written_authorization"]

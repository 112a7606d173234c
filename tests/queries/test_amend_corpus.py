"""What the COPA amendment (copa-wco-jurisdiction) would change over the whole record of
incidents: `kg amend copa-wco-jurisdiction --incidents all --as-of 2026-02-02`, whose
changes are kept in golden/amend/copa-wco-jurisdiction.json (rewrite with
`pytest tests/queries --update-golden`, then read the diff)."""

from __future__ import annotations

import json
from pathlib import Path

from kg import api

GOLDEN = Path(__file__).parent / "golden" / "amend" / "copa-wco-jurisdiction.json"


def test_the_copa_amendment_over_the_corpus(update_golden: bool) -> None:
    report = api.amend_impact(("copa-wco-jurisdiction",), as_of="2026-02-02", incidents=("all",))
    answer = {k: v for k, v in report.to_json().items() if k not in ("version",)}
    if update_golden:
        GOLDEN.write_text(json.dumps(answer, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert json.loads(GOLDEN.read_text("utf-8")) == answer
    # what a reader of the golden file checks first: only June 4's two complaints move,
    # from contested to COPA alone; the councilors' complaints against the department stay
    # undetermined (the department is no respondent kind of the matrix)
    moved = {(c["incident"], c.get("complaint")) for c in answer["changes"]}
    assert moved == {("south-loop-2025-06-04", "c1"), ("south-loop-2025-06-04", "c2")}
    assert all(c["after"]["status"] == "clear" for c in answer["changes"])

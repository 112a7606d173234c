"""docs/legal-review.md is what the law graph says (regenerate: python docs/legal_review.py)."""

from __future__ import annotations

import importlib.util

from tests.conftest import ROOT


def test_the_legal_review_matches_the_graph() -> None:
    spec = importlib.util.spec_from_file_location("legal_review", ROOT / "docs" / "legal_review.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = (ROOT / "docs" / "legal-review.md").read_text(encoding="utf-8")
    assert written == module.review(module.law_graph()), (
        "docs/legal-review.md is out of date: regenerate it with python docs/legal_review.py"
    )
    assert "## 2-173-020(a)(6)" in written and "What would change the answer" in written

"""The scenario suite exercises every norm checked against incidents."""

from __future__ import annotations

import pytest

from tests.scenarios import coverage


def test_every_norm_has_a_scenario(request: pytest.FixtureRequest) -> None:
    lines, uncovered = coverage.report(coverage.measure())
    request.config.stash[coverage.TABLE] = lines  # printed after the run: --coverage-table
    assert uncovered == [], f"norms no scenario exercises: {uncovered}"


def test_the_2_173_020_and_030_norms_fire_and_not_fire() -> None:
    cov = coverage.measure()
    missing = [
        f"{cite}: {node}"
        for node, cite in coverage.checked_norms().items()
        if cite.startswith(("2-173-020", "2-173-030"))
        and not (cov.fired.get(node) and cov.held.get(node))
    ]
    assert missing == []

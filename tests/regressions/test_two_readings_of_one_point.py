"""Fixing two readings of the same contested point is bad input, not a silent answer."""

from tests.conftest import kg


def test_two_readings_of_one_point() -> None:
    result = kg(
        "who",
        "--allegation",
        "welcoming-city-violation",
        "--respondent",
        "CPD:officer",
        "--date",
        "2025-06-04",
        "--reading",
        "copa-intake-routing",
        "--reading",
        "oig-general-powers",
    )
    assert result.exit_code == 2
    assert "same contested point" in result.stderr
    result = kg(
        "check", "south-loop-2025-06-04", "--reading", "purpose-test", "--reading", "effect-test"
    )
    assert result.exit_code == 2 and result.stdout == ""

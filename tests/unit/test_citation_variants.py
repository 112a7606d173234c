"""Municipal Code citations however they are written (issue 16, item 8): each variant reads
as the citation the graph writes, and what is not a Municipal Code citation reads as None."""

from __future__ import annotations

import pytest

from kg.law import citation

A6 = "2-173-020(a)(6)"


@pytest.mark.parametrize(
    "written",
    [
        "2-173-020(a)(6)",
        "2-173-020 (a)(6)",
        "2-173-020 (a) (6)",
        "Sec. 2-173-020(a)(6)",
        "sec 2-173-020(a)(6)",
        "Section 2-173-020(a)(6)",
        "MCC 2-173-020(a)(6)",
        "M.C.C. § 2-173-020(a)(6)",
        "Municipal Code of Chicago, Sec. 2-173-020(a)(6)",
        "§ 2-173-020(a)(6)",
        "2-173-020(A)(6)",
        "2-173-20(a)(6)",
        "  mcc  2 - 173 - 020 ( A ) ( 6 ).  ",
        "2–173–020(a)(6)",  # en dashes, as a word processor writes them
    ],
)
def test_each_variant_reads_as_the_graphs_citation(written: str) -> None:
    assert citation.canonical(written) == A6
    assert citation.key(written) == citation.key(A6)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("§ 2-173-020", "2-173-020"),
        ("2-173-20", "2-173-020"),
        ("2-173-5", "2-173-005"),
        ("Sec. 2-78-120(b)", "2-78-120(b)"),
        ("2-173-020(a)(1)(a)", "2-173-020(a)(1)(A)"),
        ("2-173-020(A)(1)(A)(I)", "2-173-020(a)(1)(A)(i)"),
        ("Chapter 2-173", "Chapter 2-173"),
        ("ch. 2-173", "Chapter 2-173"),
        ("2-173", "Chapter 2-173"),
    ],
)
def test_sections_chapters_and_deeper_parts(written: str, read: str) -> None:
    assert citation.canonical(written) == read


@pytest.mark.parametrize(
    "text",
    ["", "COPA", "S06-14-03", "5 ILCS 805/15", "2-173-0200", "2-173(a)", "second 2-173", "§"],
)
def test_what_is_not_a_municipal_code_citation(text: str) -> None:
    assert citation.parse(text) is None
    assert citation.key(text) == "".join(text.split()).lower()


def test_case_and_spacing_do_not_matter_to_the_key() -> None:
    assert citation.key("2-173-020(A)(1)(A)") == citation.key("2-173-020 (a)(1)(a)")
    assert citation.key("2-173-020(a)(1)") != citation.key("2-173-020(a)(2)")

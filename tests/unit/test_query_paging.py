"""`kg query --limit N --offset M` (issue 18): one page of a large answer, asked of the store;
consecutive pages of an ordered query are the whole answer in order; bad use is exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from kg.cli import main
from kg.store.paging import note, page

CHAPTER = "https://w3id.org/authority-kg/law/mcc/ch-2-173"
IN_FORCE = ("provisions-in-force", "--param", f"chapter={CHAPTER}", "--param", "date=2024-06-01")
NO_STORE_ENV: dict[str, str | None] = {"KG_STORE": None, "KG_ENDPOINT": None, "KG_GSP": None}


def kg(*args: str, **extra: Any) -> Result:
    return CliRunner().invoke(main, list(args), env=NO_STORE_ENV, catch_exceptions=False, **extra)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("paging") / "store"
    result = kg("load", "--store-dir", str(folder))
    assert result.exit_code == 0, result.stderr
    return folder


def rows(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout)["results"]["bindings"])


def test_pages_of_an_ordered_query_are_the_whole_answer_in_order(store: Path) -> None:
    whole = rows(kg("query", *IN_FORCE, "--format", "json", "--store-dir", str(store)))
    assert len(whole) > 5
    pages: list[dict[str, Any]] = []
    for offset in range(0, len(whole) + 3, 3):
        got = kg(
            "query", *IN_FORCE, "--format", "json", "--store-dir", str(store),
            "--limit", "3", "--offset", str(offset),
        )  # fmt: skip
        part = rows(got)
        assert len(part) <= 3
        if len(part) == 3:  # a full page says where the next one starts
            assert f"--offset {offset + 3}" in got.stderr
        pages += part
    assert pages == whole


@pytest.mark.parametrize(
    ("query", "args", "says"),
    [
        ("ASK { ?s ?p ?o }", ("--limit", "2"), "ASK query"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 4", ("--limit", "2"), "its own LIMIT"),
        ("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <urn:x> }", ("--limit", "2"), "VALUES"),
        ("SELECT * WHERE { ?s ?p ?o ", ("--limit", "2"), "cannot"),
        ("SELECT * WHERE { ?s ?p ?o }", ("--offset", "2"), "needs --limit"),
        ("SELECT * WHERE { ?s ?p ?o }", ("--limit", "0"), "--limit"),
        ("SELECT * WHERE { ?s ?p ?o }", ("--limit", "9" * 30), "--limit"),
        ("SELECT * WHERE { ?s ?p ?o }", ("--limit", "2", "--offset", "9" * 30), "--offset"),
    ],
)
def test_bad_paging_is_exit_2_with_a_fix_and_no_rows(
    store: Path, query: str, args: tuple[str, ...], says: str
) -> None:
    result = kg("query", "-", "--store-dir", str(store), *args, input=query)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert result.stdout == ""


def test_the_page_is_asked_of_the_store() -> None:
    asked = page("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", 10, 20, "q.rq")
    assert asked.ordered
    assert asked.text.rstrip().endswith("LIMIT 10\nOFFSET 20")
    assert not page("SELECT ?s WHERE { ?s ?p ?o }", 10, 0, "q.rq").ordered


def test_the_note_warns_of_an_unordered_query_and_is_silent_at_the_end() -> None:
    ordered = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    assert note(3, page(ordered, 3, 0, "q.rq")) == "rows 1-3; the next page: --offset 3"
    assert note(2, page(ordered, 3, 3, "q.rq")) is None  # the last page of an ordered answer
    told = note(3, page("SELECT ?s WHERE { ?s ?p ?o }", 3, 0, "q.rq"))
    assert told is not None and "no ORDER BY" in told

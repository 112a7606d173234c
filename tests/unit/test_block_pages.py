"""Pages of a large listing read block by block of its order summary
(`kg.store.paging.by_blocks`): the same rows, in the same order, as the pages of the
whole answer, on the embedded store and on Virtuoso."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef

from kg.namespaces import AKG
from kg.store import paging, queries, summary
from kg.store.base import Row
from tests.conftest import kg

PAGED = {n: q for n, q in queries.catalog().items() if summary.needed_order(q.text)}


def test_the_listings_of_every_incident_are_paged_by_blocks() -> None:
    """Each names an order summary that exists, orders by its key first and marks where
    the key goes."""
    assert set(PAGED) == {
        "complaints-and-competence",
        "disputed-facts",
        "federal-calls-answered-by-cpd",
        "findings-by-provision",
        "incident-competence",
    }
    for name, q in PAGED.items():
        order = summary.needed_order(q.text)
        assert order in summary.catalog(), name
        key = summary.order_key(summary.catalog()[order])
        assert key == "incident"
        assert paging.page(q.text, 10, 0, name).leads == key, name
        assert paging.MARK.search(q.text), name


@pytest.fixture
def small_blocks(analyst_store: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The store's order summaries cut in blocks of two incidents, so that a page of the
    test data crosses blocks; put back as they were after the test."""
    monkeypatch.setattr(summary, "BLOCK", 2)
    summary.refresh(analyst_store)
    yield analyst_store
    monkeypatch.undo()
    summary.refresh(analyst_store)


def _sorted_by(text: str) -> list[str]:
    m = re.search(r"^ORDER BY (.*)$", text, re.M)
    assert m
    return [v.lstrip("?") for v in m.group(1).split()]


def _keyed(rows: tuple[Row, ...] | list[Row], by: list[str]) -> list[tuple[str, ...]]:
    return [tuple(str(r.get(v, "")) for v in by) for r in rows]


def _whole(row: Row) -> frozenset[tuple[str, str]]:
    return frozenset((k, str(v)) for k, v in row.items())


@pytest.mark.parametrize("name", sorted(PAGED))
def test_a_page_read_by_blocks_is_the_page_of_the_whole_answer(
    small_blocks: Any, name: str
) -> None:
    store, text = small_blocks, PAGED[name].text
    whole = store.query(text).rows
    assert len(whole) > 6, "the test data has rows to page"
    by = _sorted_by(text)
    for limit, offset in [(1, 0), (3, 0), (4, 3), (5, len(whole) - 2), (100, 0), (3, len(whole))]:
        got = paging.by_blocks(store, text, {}, paging.page(text, limit, offset, name))
        assert got is not None
        assert got.variables == store.query(text).variables
        assert _keyed(got.rows, by) == _keyed(whole[offset : offset + limit], by), (limit, offset)
    pages: list[Row] = []
    while True:
        got = paging.by_blocks(store, text, {}, paging.page(text, 3, len(pages), name))
        assert got is not None
        pages.extend(got.rows)
        if len(got.rows) < 3:
            break
    assert Counter(map(_whole, pages)) == Counter(map(_whole, whole))


def test_an_order_summary_holds_every_key_once_in_order(small_blocks: Any) -> None:
    for name, text in summary.catalog().items():
        key = summary.order_key(text)
        if key is None:
            continue
        g = summary.graph_name(name)
        held = small_blocks.query(
            f"SELECT ?b ?keys WHERE {{ GRAPH <{g}> {{ ?block <{AKG.listBlock}> ?b ; "
            f"<{AKG.blockKeys}> ?keys }} }}"
        ).rows
        blocks = sorted((int(str(r["b"])), str(r["keys"]).split()) for r in held)
        keys = sorted({str(r[key]) for r in small_blocks.query(text).rows})
        assert keys, name
        assert [n for n, _ in blocks] == list(range(len(blocks))), name
        assert [k for _, chunk in blocks for k in chunk] == keys, name  # each once, in order
        assert all(len(chunk) == 2 for _, chunk in blocks[:-1]), name
        count = small_blocks.query(
            f"SELECT ?n WHERE {{ GRAPH <{g}> {{ <{g}> <{AKG.blockCount}> ?n }} }}"
        ).rows
        assert [int(str(r["n"])) for r in count] == [len(blocks)], name


def test_not_paged_by_blocks_where_it_cannot_be(analyst_store: Any) -> None:
    """A given incident (the key bound) or allegation, another leading order, or a store
    without the summary: the page is asked of the whole answer."""
    text = PAGED["disputed-facts"].text
    asked = paging.page(text, 5, 0, "disputed-facts")
    south_loop = URIRef("https://w3id.org/authority-kg/incident/south-loop-2025-06-04")
    assert paging.by_blocks(analyst_store, text, {"incident": south_loop}, asked) is None
    alleged = PAGED["complaints-and-competence"].text
    given = {"allegation": Literal("welcoming-city-violation")}
    assert paging.by_blocks(analyst_store, alleged, given, paging.page(alleged, 5, 0, "x")) is None
    unknown = text.replace("# page-by: incidents-with-claims", "# page-by: no-such-summary")
    assert paging.by_blocks(analyst_store, unknown, {}, asked) is None
    reordered = text.replace("ORDER BY ?incident ", "ORDER BY ?about ?incident ")
    asked = paging.page(reordered, 5, 0, "x")
    assert paging.by_blocks(analyst_store, reordered, {}, asked) is None
    from kg.store.embedded import EmbeddedStore

    empty = EmbeddedStore(None)
    assert paging.by_blocks(empty, text, {}, paging.page(text, 5, 0, "x")) is None


def test_kg_query_pages_a_listing_by_blocks(tmp_path: Path) -> None:
    folder = ["--store-dir", str(tmp_path / "store")]
    assert kg(*folder, "load").exit_code == 0
    whole = json.loads(kg(*folder, "query", "disputed-facts", "--format", "json").stdout)
    rows = whole["results"]["bindings"]
    paged = kg(
        *folder, "query", "disputed-facts", "--limit", "4", "--offset", "2", "--format", "json"
    )
    assert paged.exit_code == 0, paged.stderr
    assert json.loads(paged.stdout)["results"]["bindings"] == rows[2:6]
    assert "rows 3-6; the next page: --offset 6" in paged.stderr

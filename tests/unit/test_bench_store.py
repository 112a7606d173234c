"""The store benchmark (issue 5, part 6) compares like with like: both stores load the
same file and every saved query, bound to its header's example, gives the same answers
on rdflib and on the embedded store."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.store import measure, saved_queries, write_nquads, write_trig
from kg.store.embedded import EmbeddedStore
from kg.store.queries import catalog


def test_every_saved_query_is_benchmarked_with_its_required_parameters_bound() -> None:
    bound = saved_queries()
    assert set(bound) == set(catalog())
    for name, q in catalog().items():
        required = [f"?{p.name}" for p in q.params if not p.optional]
        if required:
            values = re.search(r"VALUES \(([^)]*)\)", bound[name])
            assert values and values.group(1).split() == required, name


@pytest.mark.slow
def test_rdflib_and_the_embedded_store_agree_on_every_saved_query(tmp_path: Path) -> None:
    path = tmp_path / "data.nq"
    quads = write_nquads(5, path)
    store = EmbeddedStore(None)
    store.replace_all_from(path)
    assert len(store.store) == quads

    write_trig(path, path.with_suffix(".trig"))
    trig = EmbeddedStore(None)
    trig.replace_all_from(path.with_suffix(".trig"), ox.RdfFormat.TRIG)
    assert len(trig.store) == quads

    figures = measure(path, path.with_suffix(".trig"), repeat=0, cap=120)
    oxq, rdq = figures["oxigraph"]["queries"], figures["rdflib"]["queries"]
    assert set(oxq) == set(catalog())
    disagree = {n: (oxq[n][1], rdq[n][1]) for n in oxq if oxq[n][1] != rdq[n][1]}
    assert not disagree, f"answers (oxigraph, rdflib) differ: {disagree}"
    assert any(rows for _, rows in oxq.values())
    for engine in ("oxigraph", "rdflib"):
        assert figures[engine]["load_s"] > 0 and figures[engine]["load_trig_s"] > 0

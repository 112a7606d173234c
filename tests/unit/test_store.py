"""The store, embedded and on a SPARQL 1.1 server (a real Virtuoso): `kg load` and
`kg query` give the same answers on both; loading is atomic and idempotent.

Tests with a `target` run once on a fresh embedded store (a folder) and once on a
Virtuoso started for the session (`scratch_virtuoso`, emptied before each test)."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg import api
from kg.errors import InputError, StoreError
from kg.namespaces import AKG, GRAPH
from kg.store import build, queries, summary
from kg.store.connect import open_store
from kg.store.embedded import EmbeddedStore, default_location
from kg.store.remote import STAGING, RemoteStore
from kg.store.wire import chunked, remote_bnode, remote_literal
from kg.terms import Term, from_ox
from kg.version import __version__
from tests.conftest import STORES, kg

CHAPTER = "https://w3id.org/authority-kg/law/mcc/ch-2-173"
IN_FORCE = (
    "provisions-in-force",
    "--param",
    f"chapter={CHAPTER}",
    "--param",
    "date=2024-06-01",
)
ALL_QUADS = (
    f'SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }}'
)
COUNTS = (
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER(STRSTARTS(STR(?g), "{GRAPH}")) }} GROUP BY ?g'
)


@dataclass
class Target:
    """A fresh store, and the `kg` options and environment that choose it."""

    kind: str
    location: str
    args: list[str]
    variable: str = ""

    def open(self, **options: Any) -> Any:
        # a new handle each time: `kg load` replaces an embedded store's folder
        if self.kind == "virtuoso":
            return RemoteStore(self.location, **options)
        return EmbeddedStore(Path(self.location))

    def kg(self, *args: str) -> Any:
        return kg(*self.args, *args)


@pytest.fixture(autouse=True)
def _no_store_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KG_STORE", "KG_ENDPOINT", "KG_GSP"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=STORES)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "virtuoso":
        server = request.getfixturevalue("scratch_virtuoso")
        clear(RemoteStore(server.endpoint))
        yield Target("virtuoso", server.endpoint, ["--endpoint", server.endpoint], "KG_ENDPOINT")
        clear(RemoteStore(server.endpoint))
    else:
        folder = str(tmp_path / "store")
        yield Target("embedded", folder, ["--store-dir", folder], "KG_STORE")


@pytest.fixture(scope="module")
def dataset(analyst_data: tuple[Dataset, Dataset]) -> Dataset:
    return analyst_data[0]


@pytest.fixture(scope="module")
def reference(dataset: Dataset) -> EmbeddedStore:
    """What `kg load` puts in the embedded store, in memory."""
    store = EmbeddedStore(None)
    store.replace_all(dataset)
    summary.refresh(store)
    return store


@pytest.fixture(scope="module")
def summaries(reference: EmbeddedStore) -> Dataset:
    """The summary graphs `kg load` computes (the determinations change none of them)."""
    return summary.dataset(reference)


def clear(store: RemoteStore) -> None:
    names = store.project_graphs()
    if names:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(names)))


def quads(store: Any, *, dated: bool = True) -> Counter[tuple[Any, ...]]:
    """Every quad of the project's graphs (a blank node counted, not named); with
    `dated=False`, the day a summary was computed on (`akg:computedOn`) is kept as its
    datatype only: two loads either side of midnight differ there and nowhere else."""

    def term(r: Any, k: str) -> Any:
        if isinstance(r[k], BNode):
            return None
        if k == "o" and not dated and r["p"] == AKG.computedOn:
            return r[k].datatype
        return r[k]

    return Counter(tuple(term(r, k) for k in "gspo") for r in store.query(ALL_QUADS).rows)


def counts(store: Any) -> dict[str, int]:
    return {str(r["g"]): int(r["n"]) for r in store.query(COUNTS).rows}


def expected_counts(*datasets: Dataset) -> dict[str, int]:
    out: dict[str, int] = {}
    for ds in datasets:
        for g in ds.graphs():
            if len(g) and str(g.identifier).startswith(str(GRAPH)):
                out[str(g.identifier)] = len(g)
    return out


def copy_with(dataset: Dataset, marker: bool = True, bad: bool = False) -> Dataset:
    """The dataset with a marker triple added to each graph, and, with `bad`, a last graph
    holding an IRI with a space (which neither store nor any RDF syntax accepts)."""
    out = Dataset()
    for g in dataset.graphs():
        if not len(g) or str(g.identifier) == "urn:x-rdflib:default":
            continue
        target = out.graph(g.identifier)
        for t in g:
            target.add(t)
        if marker:
            target.add((URIRef("urn:x-test:marker"), URIRef("urn:x-test:in"), g.identifier))
    if bad:
        out.graph(GRAPH["zz-bad"]).add(
            (URIRef("https://example.org/a b"), URIRef("urn:x-test:p"), Literal("x"))
        )
    return out


def query_json(target: Target, *args: str) -> Any:
    result = target.kg("query", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# -- kg load, kg query ------------------------------------------------------------------


def test_load_then_query_gives_what_the_embedded_store_gives(
    target: Target, reference: EmbeddedStore
) -> None:
    assert target.open().is_empty()
    result = target.kg("load")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("loaded ") and target.location in result.stdout

    saved = queries.catalog()["provisions-in-force"]
    bindings: dict[str, Term] = {
        "chapter": URIRef(CHAPTER),
        "date": Literal("2024-06-01", datatype=XSD.date),
    }
    want = json.loads(queries.render(reference.query(saved.text, bindings), "json"))
    got = query_json(target, *IN_FORCE)
    assert got == want  # the same rows, terms and order
    assert len(got["results"]["bindings"]) > 10

    table = target.kg("query", *IN_FORCE, "--format", "table")
    assert table.stdout == queries.render(reference.query(saved.text, bindings), "table")

    # every term comes back as written (the day it was loaded on aside)
    assert quads(target.open(), dated=False) == quads(reference, dated=False)


WHO = (
    "who-may-investigate",
    "--param",
    "allegation=welcoming-city-violation",
    "--param",
    "respondent=CPD:officer",
    "--param",
    "date=2025-06-04",
)


def test_who_may_investigate_gives_the_same_rows_on_both_stores(
    target: Target, reference: EmbeddedStore
) -> None:
    result = target.kg("load")
    assert result.exit_code == 0, result.stderr
    saved = queries.catalog()["who-may-investigate"]
    params = queries.parse_params(WHO[1:][1::2])
    bindings = queries.bind(saved, params, api.context().codes)
    want = json.loads(queries.render(reference.query(saved.text, bindings), "json"))
    got = query_json(target, *WHO)
    assert got["results"]["bindings"]
    key = functools.partial(json.dumps, sort_keys=True)
    assert sorted(map(key, got["results"]["bindings"])) == sorted(
        map(key, want["results"]["bindings"])
    )


def test_a_query_sees_only_the_graphs_it_is_given(
    analyst_store: Any, analyst_data: tuple[Dataset, Dataset], summaries: Dataset
) -> None:
    meta, matrix = GRAPH["meta"], GRAPH["competence-matrix"]
    assert set(counts(analyst_store)) == set(expected_counts(*analyst_data, summaries))
    only = {str(r["g"]): int(r["n"]) for r in analyst_store.query(COUNTS, graphs=[meta]).rows}
    assert only == {str(meta): expected_counts(*analyst_data)[str(meta)]}
    two = analyst_store.query(COUNTS, graphs=[meta, matrix]).rows
    assert {str(r["g"]) for r in two} == {str(meta), str(matrix)}
    assert analyst_store.query(COUNTS, graphs=[]).rows == ()


def test_the_environment_variable_chooses_the_store(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(target.variable, target.location)
    result = kg("load")
    assert result.exit_code == 0, result.stderr
    assert target.location in result.stdout
    assert not target.open().is_empty()
    got = json.loads(kg("query", *IN_FORCE, "--format", "json").stdout)
    assert got["results"]["bindings"]


def test_query_builds_an_empty_store_first(target: Target) -> None:
    result = target.kg("query", *IN_FORCE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "first use" in result.stderr
    assert json.loads(result.stdout)["results"]["bindings"]


# -- rerunning replaces, nothing is duplicated ---------------------------------------------


def test_rerunning_load_and_replace_graphs_duplicates_nothing(
    target: Target, analyst_data: tuple[Dataset, Dataset], summaries: Dataset
) -> None:
    dataset, determinations = analyst_data
    for _ in range(2):
        assert target.kg("load").exit_code == 0
        assert counts(target.open()) == expected_counts(dataset, summaries)
    for _ in range(2):
        target.open().replace_graphs(determinations)
        assert counts(target.open()) == expected_counts(dataset, determinations, summaries)
    # kg load rebuilds: the determinations go until `kg check --store` writes them again
    assert target.kg("load").exit_code == 0
    assert counts(target.open()) == expected_counts(dataset, summaries)


def test_replace_graphs_leaves_the_other_graphs(target: Target, dataset: Dataset) -> None:
    store = target.open()
    store.replace_all(dataset)
    one = Dataset()
    one.graph(GRAPH["meta"]).add((GRAPH["meta"], URIRef("urn:x-test:p"), Literal("only")))
    store.replace_graphs(one)
    del store  # one handle on an embedded store's folder at a time
    after = counts(target.open())
    assert after[str(GRAPH["meta"])] == 1
    assert {g: n for g, n in after.items() if g != str(GRAPH["meta"])} == {
        g: n for g, n in expected_counts(dataset).items() if g != str(GRAPH["meta"])
    }


# -- atomic loading -------------------------------------------------------------------


def assert_unchanged(target: Target, before: Counter[tuple[Any, ...]]) -> None:
    store = target.open()
    assert quads(store) == before
    if target.kind == "virtuoso":
        assert not any(g.endswith(STAGING) for g in store.project_graphs())
    else:
        folder = Path(target.location)
        assert [p.name for p in folder.parent.iterdir()] == [folder.name]


def test_a_load_with_a_bad_term_changes_nothing_and_says_why(
    target: Target, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    target.open().replace_all(dataset)
    before = quads(target.open())
    with pytest.raises(StoreError, match=r"loading failed.*(unchanged|nothing).*(IRI|URI)"):
        target.open().replace_all(copy_with(dataset, bad=True))
    assert_unchanged(target, before)

    # and through the command: one message, exit status 2, the old graph still answers
    monkeypatch.setattr(build, "store_dataset", lambda ctx: copy_with(dataset, bad=True))
    result = target.kg("load")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "a b" in result.stderr
    assert result.stdout == ""
    assert_unchanged(target, before)
    assert query_json(target, *IN_FORCE)["results"]["bindings"]


def test_a_load_failing_half_way_leaves_the_previous_graphs(
    target: Target, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    target.open().replace_all(dataset)
    before = quads(target.open())
    store = target.open()
    if target.kind == "virtuoso":
        # the server stops answering on the third graph
        real = RemoteStore._request
        puts: list[str] = []

        def failing(
            self: RemoteStore, url: str, data: bytes, headers: Any, method: str = "POST"
        ) -> bytes:
            if method == "PUT":
                puts.append(url)
                if len(puts) == 3:
                    raise StoreError(f"cannot reach {url}: connection reset by peer")
            return real(self, url, data, headers, method)

        monkeypatch.setattr(RemoteStore, "_request", failing)
    else:
        # the disk fills up half-way through the bulk load
        real_store = ox.Store

        class HalfStore:
            def __init__(self, *args: Any) -> None:
                self._store = real_store(*args)

            def bulk_load(self, *, input: bytes, format: Any) -> None:
                lines = input.splitlines(keepends=True)
                self._store.bulk_load(b"".join(lines[: len(lines) // 2]), format=format)
                raise OSError("No space left on device")

            def __getattr__(self, name: str) -> Any:
                return getattr(self._store, name)

        monkeypatch.setattr(ox, "Store", HalfStore)
    with pytest.raises(StoreError, match="loading failed, the previous .* unchanged") as caught:
        store.replace_all(copy_with(dataset))
    assert "connection reset" in str(caught.value) or "No space left" in str(caught.value)
    monkeypatch.undo()
    assert_unchanged(target, before)


def test_a_bad_file_half_way_leaves_the_embedded_store_as_it_was(
    tmp_path: Path, dataset: Dataset
) -> None:
    location = tmp_path / "store"
    EmbeddedStore(location).replace_all(dataset)
    before = quads(EmbeddedStore(location))
    good = dataset.serialize(format="nquads").splitlines()
    bad = tmp_path / "bad.nq"
    bad.write_text("\n".join([*good[: len(good) // 2], "<urn:a> <urn:b> oops .", *good]) + "\n")
    with pytest.raises(StoreError, match=r"loading failed, the previous store is unchanged.*"):
        EmbeddedStore(location).replace_all_from(bad)
    assert quads(EmbeddedStore(location)) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("store")] == ["store"]

    trig = tmp_path / "good.trig"
    trig.write_text(dataset.serialize(format="trig"))
    EmbeddedStore(location).replace_all_from(trig, ox.RdfFormat.TRIG)
    assert quads(EmbeddedStore(location)) == before


def test_a_swap_failing_on_the_server_is_undone(
    scratch_virtuoso: Any, dataset: Dataset, unused_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso runs the operations of one update request one after the other, without
    undoing the done ones when a later one fails: the store undoes them."""
    target = Target("virtuoso", scratch_virtuoso.endpoint, [])
    target.open().replace_all(dataset)
    before = quads(target.open())
    real = RemoteStore.update

    def failing(self: RemoteStore, sparql: str) -> None:
        if "MOVE" in sparql and "#previous> TO" not in sparql:
            # every MOVE done, then an operation that fails while it runs
            sparql += f" ;\nLOAD <http://127.0.0.1:{unused_port}/nothing> INTO GRAPH <urn:x:g>"
        real(self, sparql)

    monkeypatch.setattr(RemoteStore, "update", failing)
    with pytest.raises(StoreError, match="replacing the graphs failed, the previous"):
        target.open().replace_all(copy_with(dataset))
    with pytest.raises(StoreError, match="replacing the graphs failed, the previous"):
        target.open().replace_graphs(copy_with(dataset))
    monkeypatch.undo()
    assert_unchanged(target, before)
    clear(target.open())


def test_a_large_graph_goes_in_chunks_with_its_blank_nodes_whole(
    scratch_virtuoso: Any, reference: EmbeddedStore, dataset: Dataset
) -> None:
    store = RemoteStore(scratch_virtuoso.endpoint, chunk=50)
    clear(store)
    store.replace_all(dataset)
    summary.refresh(store)
    assert quads(store) == quads(reference)
    blank = (
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(isBlank(?s) && STRSTARTS(STR(?g), 'https://w3id.org/authority-kg/')) }"
    )
    assert store.query(blank).rows == reference.query(blank).rows
    clear(store)


# -- terms and options, no server needed -------------------------------------------------


def test_chunks_keep_triples_that_share_a_blank_node_together() -> None:
    a, b, c = BNode(), BNode(), BNode()
    p = URIRef("urn:p")
    triples: list[Any] = [(URIRef(f"urn:s{i}"), p, Literal(i)) for i in range(10)]
    triples += [(URIRef("urn:x"), p, a), (a, p, b), (b, p, Literal(1)), (c, p, Literal(2))]
    triples += [(URIRef(f"urn:t{i}"), p, Literal(i)) for i in range(10)]
    parts = chunked(triples, 3)
    assert sorted(map(str, (t for part in parts for t in part))) == sorted(map(str, triples))
    for part in parts:
        nodes = {n for t in part for n in (t[0], t[2]) if isinstance(n, BNode)}
        assert nodes in (set(), {a, b}, {c})
    assert chunked(triples, 100) == [triples]


def test_server_terms_read_as_the_embedded_store_writes_them() -> None:
    def oxigraph(text: str) -> Any:
        store = ox.Store()
        store.load(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)
        return from_ox(next(iter(store)).object)

    d = str(XSD.dayTimeDuration)
    assert remote_literal("2.592e+06", d) == oxigraph(f'"P30D"^^<{d}>')  # Virtuoso: seconds
    assert remote_literal("0.0", d) == oxigraph(f'"P0D"^^<{d}>')
    assert remote_literal("1.50", str(XSD.decimal)) == oxigraph(f'"1.50"^^<{XSD.decimal}>')
    assert remote_literal("x", str(XSD.string)) == oxigraph('"x"')
    assert remote_literal("x", lang="EN") == oxigraph('"x"@EN')
    assert remote_literal("1", str(XSD.boolean)) == oxigraph(f'"true"^^<{XSD.boolean}>')
    assert remote_literal("2.5e0", str(XSD.double)) == oxigraph(f'"2.5E0"^^<{XSD.double}>')
    assert remote_bnode("nodeID://b10001") == BNode("b10001")


def test_embedded_location_honours_kg_store_and_store_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_location() == tmp_path / "xdg" / "authority-kg" / "store"
    monkeypatch.setenv("KG_STORE", str(tmp_path / "env"))
    assert default_location() == tmp_path / "env"
    assert open_store().name == str(tmp_path / "env")
    assert open_store(location=str(tmp_path / "opt")).name == str(tmp_path / "opt")

    assert kg("load").exit_code == 0
    assert (tmp_path / "env").is_dir()
    assert kg("--store-dir", str(tmp_path / "opt"), "load").exit_code == 0  # the option wins
    assert (tmp_path / "opt").is_dir()
    assert not (tmp_path / "xdg").exists()
    assert not EmbeddedStore(tmp_path / "opt").is_empty()


def test_endpoint_option_and_variable_choose_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_ENDPOINT", "http://127.0.0.1:9/sparql")
    store = open_store(location="/nonexistent")
    assert isinstance(store, RemoteStore)
    assert store.gsp == "http://127.0.0.1:9/sparql-graph-crud"
    monkeypatch.setenv("KG_GSP", "http://127.0.0.1:9/data")
    assert RemoteStore("http://127.0.0.1:9/sparql").gsp == "http://127.0.0.1:9/data"


def test_an_unreachable_server_is_one_message(unused_port: int) -> None:
    url = f"http://127.0.0.1:{unused_port}/sparql"
    result = kg("--endpoint", url, "query", *IN_FORCE)
    assert result.exit_code == 4  # an unreachable store is a lost resource (the spec)
    assert result.stderr.startswith(f"error: cannot reach {url}")
    assert result.stdout == ""


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_bad_query_on_the_server_is_bad_input(scratch_virtuoso: Any) -> None:
    with pytest.raises(InputError, match="rejected the query"):
        RemoteStore(scratch_virtuoso.endpoint).query("SELECT ?x WHERE { ?x ?y }")


# -- summaries ----------------------------------------------------------------------------


MONTHS = "incidents-by-month"


def test_a_summary_is_computed_on_load_and_refused_when_missing(
    target: Target, reference: EmbeddedStore
) -> None:
    """incidents-by-month reads graph:summary/incidents-by-month, which kg load computes;
    a store without it (built before 0.6.2) is refused, saying how to compute it, rather
    than answering no month."""
    assert target.kg("load").exit_code == 0
    want = json.loads(queries.render(reference.query(queries.catalog()[MONTHS].text), "json"))
    got = query_json(target, MONTHS)
    assert got == want and len(got["results"]["bindings"]) > 10
    store = target.open()
    assert summary.missing(store, queries.catalog()[MONTHS].text) == ()
    name = summary.graph_name(MONTHS)
    if isinstance(store, RemoteStore):
        store.update(f"DROP SILENT GRAPH <{name}>")
    else:
        store.store.remove_graph(ox.NamedNode(str(name)))
        store.close()
    refused = target.kg("query", MONTHS)
    assert refused.exit_code == 2, refused.output
    assert f"holds no summary {MONTHS}" in refused.stderr and "kg load" in refused.stderr
    assert refused.stdout == ""
    stored = target.kg("check", "--store", "incidents/south-loop-2025-06-04.yaml")
    assert stored.exit_code in (0, 1), stored.stderr  # kg check --store computes what lacks
    assert query_json(target, MONTHS) == want


def test_a_summary_counts_what_the_store_holds() -> None:
    """The summary's counts are those the store's incidents give, month by month: one
    incident more in a month is counted once more there, not elsewhere."""
    store = EmbeddedStore(None)
    ctx = api.context()
    store.replace_all(build.store_dataset(ctx))
    summary.refresh(store)
    text = queries.catalog()[MONTHS].text
    before = {str(r["month"]): int(r["incidents"]) for r in store.query(text).rows}
    extra = Dataset()
    g = extra.graph(GRAPH["incident/x-test-extra"])
    node = URIRef("https://w3id.org/authority-kg/incident/x-test-extra")
    g.add((node, RDF.type, AKG.Incident))
    g.add((node, AKG.date, Literal("2025-06-30", datatype=XSD.date)))
    store.replace_graphs(extra)
    assert {str(r["month"]): int(r["incidents"]) for r in store.query(text).rows} == before
    summary.refresh(store, written=["determinations"])  # what kg check --store writes
    assert {str(r["month"]): int(r["incidents"]) for r in store.query(text).rows} == before
    summary.refresh(store, written=["incidents"])
    after = {str(r["month"]): int(r["incidents"]) for r in store.query(text).rows}
    assert after == {**before, "2025-06": before.get("2025-06", 0) + 1}
    version = store.query(
        f"SELECT ?v WHERE {{ GRAPH <{summary.graph_name(MONTHS)}> "
        f"{{ <{summary.graph_name(MONTHS)}> <{AKG.projectVersion}> ?v }} }}"
    ).rows
    assert [str(r["v"]) for r in version] == [__version__]

"""Summaries: counts over everything the store holds, computed once when a command
writes to it (`kg load`, `kg check --store`, the web app's first build), so that a
saved query that would otherwise read every incident answers at once.

Each summary is a CONSTRUCT in `kg/store/summaries/<name>.rq`; its triples are kept in
the named graph `graph:summary/<name>`, with the version that computed them and the
day. A saved query that reads one says so in its header (`# summary: <name>`); where
the store holds no such graph (built by an older version, or written by other means)
`missing` names it, and the commands say so rather than answer nothing.

A summary that is a SELECT of one variable, with an `# order:` header naming it, is an
order: the keys it selects (incidents, say), sorted as SPARQL sorts IRIs, cut into
blocks of `BLOCK` keys, each block with its number (`akg:listBlock`) and its keys
(`akg:blockKeys`). A listing that orders its rows by that key first can then be read a
page at a time from the first blocks (`kg.store.paging.by_blocks`) rather than sorting
every row in the store. Like every summary, it is as of the last write by a command: a
store changed by other means may hold incidents its order lacks, whose rows pages then
miss (`kg load` or `kg check --store` computes it again).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.namespaces import AKG, GRAPH, bind_prefixes
from kg.store.base import Row, Store
from kg.version import __version__

FOLDER = Path(__file__).resolve().parent / "summaries"
PREFIX = str(GRAPH["summary/"])
BLOCK = 100  # keys in a block of an order summary


def graph_name(name: str) -> URIRef:
    return URIRef(PREFIX + name)


def catalog() -> dict[str, str]:
    """Each summary's name and its CONSTRUCT query."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(FOLDER.glob("*.rq"))}


def reads(text: str) -> frozenset[str]:
    """The parts of the store (`kg.store.graph.PARTS`) a summary counts: its `# reads:`
    header line. A summary that says nothing is computed after every write."""
    return frozenset(_header(text, "reads"))


def dataset(store: Store, written: Iterable[str] | None = None) -> Dataset:
    """The summaries, computed from what the store holds now, one named graph each:
    every one, or, given the parts a command `written`, those that count one of them
    (`kg check --store` writes determinations, which incidents-by-month does not read:
    counting it again would cost 40 s a run at 100,000 incidents), and those the store
    does not hold yet (a store built before there were summaries)."""
    ds = Dataset()
    bind_prefixes(ds)
    changed = None if written is None else set(written)
    for name, text in catalog().items():
        counts = reads(text)
        unread = changed is not None and counts and not counts & changed
        if unread and held(store, name):
            continue
        g = ds.graph(graph_name(name))
        key = order_key(text)
        if key is None:
            for t in store.query(text).triples:
                g.add(t)
        else:
            blocks(g, store.query(text).rows, key)
        g.add((graph_name(name), AKG.projectVersion, Literal(__version__)))
        day = datetime.date.today().isoformat()
        g.add((graph_name(name), AKG.computedOn, Literal(day, datatype=XSD.date)))
    return ds


def blocks(g: Graph, rows: Iterable[Row], key: str) -> None:
    """The keys (IRIs), sorted by their text as SPARQL orders IRIs (by code point), in
    blocks of `BLOCK`: a node a block, with its number and its keys in one literal (one
    triple a block, not a key: at 100,000 incidents a triple a key cost 12 s at each
    `kg check --store`), and how many blocks there are."""
    keys = sorted({row[key] for row in rows if row.get(key) is not None}, key=str)
    if not all(isinstance(k, URIRef) for k in keys):
        raise ValueError(f"{g.identifier}: an order summary's keys are IRIs")
    count = (len(keys) + BLOCK - 1) // BLOCK
    for number in range(count):
        node = URIRef(f"{g.identifier}#block-{number}")
        g.add((node, AKG.listBlock, Literal(number)))
        chunk = keys[number * BLOCK : (number + 1) * BLOCK]
        g.add((node, AKG.blockKeys, Literal(" ".join(str(k) for k in chunk))))
    g.add((g.identifier, AKG.blockCount, Literal(count)))


def order_key(text: str) -> str | None:
    """The variable an order summary sorts (its `# order:` header), or None."""
    named = _header(text, "order")
    return named[0].lstrip("?") if named else None


def refresh(store: Store, written: Iterable[str] | None = None) -> None:
    """Compute the summaries again (all, or those that count a part `written`) and
    replace their graphs in one step."""
    ds = dataset(store, written)
    if any(len(g) for g in ds.graphs()):
        store.replace_graphs(ds)


def _header(text: str, key: str) -> list[str]:
    words = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(f"# {key}:"):
            words.extend(line.split(":", 1)[1].split())
    return words


def needed(text: str) -> tuple[str, ...]:
    """The summaries a saved query reads (its `# summary:` header lines)."""
    return tuple(_header(text, "summary"))


def needed_order(text: str) -> str | None:
    """The order summary that pages a saved query (its `# page-by:` header), or None."""
    named = _header(text, "page-by")
    return named[0] if named else None


def held(store: Store, name: str) -> bool:
    """Whether the store holds the summary."""
    return bool(store.query(f"ASK {{ GRAPH <{graph_name(name)}> {{ ?s ?p ?o }} }}").boolean)


def missing(store: Store, text: str) -> tuple[str, ...]:
    """The summaries a saved query reads that the store does not hold."""
    return tuple(name for name in needed(text) if not held(store, name))


def absent(names: Iterable[str]) -> str:
    """What the commands and the pages say of summaries a query reads and a store lacks."""
    return (
        f"holds no summary {', '.join(names)}, which this query reads (a store built before"
        " version 0.6.2, or written by other means); run kg load, or kg check --store, to"
        " compute it"
    )

"""Summaries: counts over everything the store holds, computed once when a command
writes to it (`kg load`, `kg check --store`, the web app's first build), so that a
saved query that would otherwise read every incident answers at once.

Each summary is a CONSTRUCT in `kg/store/summaries/<name>.rq`; its triples are kept in
the named graph `graph:summary/<name>`, with the version that computed them and the
day. A saved query that reads one says so in its header (`# summary: <name>`); where
the store holds no such graph (built by an older version, or written by other means)
`missing` names it, and the commands say so rather than answer nothing.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from kg.namespaces import AKG, GRAPH, bind_prefixes
from kg.store.base import Store
from kg.version import __version__

FOLDER = Path(__file__).resolve().parent / "summaries"
PREFIX = str(GRAPH["summary/"])


def graph_name(name: str) -> URIRef:
    return URIRef(PREFIX + name)


def catalog() -> dict[str, str]:
    """Each summary's name and its CONSTRUCT query."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(FOLDER.glob("*.rq"))}


def dataset(store: Store) -> Dataset:
    """Every summary, computed from what the store holds now, one named graph each."""
    ds = Dataset()
    bind_prefixes(ds)
    for name, text in catalog().items():
        g = ds.graph(graph_name(name))
        for t in store.query(text).triples:
            g.add(t)
        g.add((graph_name(name), AKG.projectVersion, Literal(__version__)))
        day = datetime.date.today().isoformat()
        g.add((graph_name(name), AKG.computedOn, Literal(day, datatype=XSD.date)))
    return ds


def refresh(store: Store) -> None:
    """Compute every summary again and replace their graphs in one step."""
    store.replace_graphs(dataset(store))


def needed(text: str) -> tuple[str, ...]:
    """The summaries a saved query reads (its `# summary:` header lines)."""
    names = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# summary:"):
            names.extend(line.split(":", 1)[1].split())
    return tuple(names)


def missing(store: Store, text: str) -> tuple[str, ...]:
    """The summaries a saved query reads that the store does not hold."""
    absent = []
    for name in needed(text):
        ask = f"ASK {{ GRAPH <{graph_name(name)}> {{ ?s ?p ?o }} }}"
        if not store.query(ask).boolean:
            absent.append(name)
    return tuple(absent)

"""Load the project's RDF: ontology, law and shapes, one named graph per file.

A file that does not parse stops loading with one InputError naming the file and the
line. Everything returned is a fresh object: callers may not mutate what they did not
create, and nothing here writes anywhere.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg.errors import InputError, InternalError
from kg.namespaces import AKG, GRAPH, bind_prefixes
from kg.paths import ENV, data_root, folder
from kg.rdflib_sparql import prepared

ELI_VIEW = Path(__file__).with_name("eli.rq")

_LINE = re.compile(r"line (\d+)|at line (\d+)|:(\d+):")


def graph_name(kind: str, path: Path) -> URIRef:
    """graph:law/mcc-2-173, graph:ontology/core, graph:law/amendments/o2021-117."""
    base = folder(kind)
    try:
        rel = path.resolve().relative_to(base.resolve()).with_suffix("")
        return GRAPH[f"{kind}/{rel.as_posix()}"]
    except ValueError:
        return GRAPH[f"{kind}/{path.stem}"]


def parse_turtle(path: Path, into: Graph | None = None) -> Graph:
    """Parse one Turtle file; a syntax error becomes an InputError with its line."""
    g = into if into is not None else Graph()
    try:
        g.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad Turtle
        raise _turtle_error(exc, str(path)) from None
    return g


def parse_turtle_text(text: str, name: str) -> Graph:
    """Parse Turtle given as text (an upload), in memory; errors name it `name`."""
    g = Graph()
    try:
        g.parse(data=text, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad Turtle
        raise _turtle_error(exc, name) from None
    return g


def _turtle_error(exc: Exception, name: str) -> InputError:
    why = getattr(exc, "_why", None)
    line = getattr(exc, "lines", None)
    if isinstance(line, int):
        line += 1
    else:
        m = _LINE.search(str(exc))
        line = int(next(x for x in m.groups() if x)) if m else None
    text = " ".join(str(why or exc).split())[:200]
    return InputError(
        name,
        f"not valid Turtle ({text})",
        "correct the syntax at that line (a missing '.', ';', '>' or quote is the usual cause)",
        line=line,
    )


def data_folder(kind: str) -> Path:
    """ontology/, shapes/ or law/, which every command needs: a folder missing or without
    Turtle files is bad input where KG_DATA_DIR chose the data, else a broken install."""
    path = folder(kind)
    files = path.is_dir() and any(path.glob("*.ttl"))
    if files:
        return path
    what = "is missing" if not path.exists() else "holds no Turtle (.ttl) files"
    if os.environ.get(ENV):
        raise InputError(
            str(path),
            f"the data folder {kind}/ {what} ({ENV} chooses the data: {data_root()})",
            f"point {ENV} at a copy of the project's data (ontology/, shapes/, law/), or unset it",
            field=ENV,
        )
    raise InternalError(
        f"the installation's data folder {path} {what}: reinstall authority-kg "
        f"(or point {ENV} at a copy of ontology/, shapes/ and law/)"
    )


def turtle_files(kind: str) -> list[Path]:
    """The Turtle files of a folder; for law/, the law in force only (not amendments)."""
    if kind in ("ontology", "shapes", "law"):
        data_folder(kind)
    if kind == "law":
        return sorted(folder("law").glob("*.ttl"))
    return sorted(folder(kind).rglob("*.ttl"))


def amendment_files() -> list[Path]:
    """One file per amendment, proposed or passed (law/amendments/*.ttl)."""
    return sorted((folder("law") / "amendments").glob("*.ttl"))


def add_eli_view(g: Graph) -> Graph:
    """Add to one law or amendment file's graph its ELI view (kg/law/eli.rq: the file's
    provisions, versions, dates and amendments in ELI's own terms), and return it."""
    for t in list(g.query(prepared(ELI_VIEW))):
        g.add(t)  # type: ignore[arg-type]
    return g


def _into_dataset(ds: Dataset, kind: str, paths: Iterable[Path]) -> None:
    for path in paths:
        g = parse_turtle(path, ds.graph(graph_name(kind, path)))
        if kind == "law":
            add_eli_view(g)


@lru_cache(maxsize=1)
def _cached_law() -> Dataset:
    ds = Dataset()
    bind_prefixes(ds)
    _into_dataset(ds, "ontology", turtle_files("ontology"))
    _into_dataset(ds, "law", turtle_files("law"))
    return ds


def law_dataset(*, with_amendments: bool = True) -> Dataset:
    """Ontology and law, one named graph per file (a fresh copy); with the amendment
    files too (as records: applying one is `kg.law.amend`'s job)."""
    ds = Dataset()
    bind_prefixes(ds)
    for g in _cached_law().graphs():
        if len(g):
            target = ds.graph(g.identifier)
            for t in g:
                target.add(t)
    if with_amendments:
        for path in amendment_files():
            add_eli_view(parse_turtle(path, ds.graph(graph_name("law", path))))
    return ds


@lru_cache(maxsize=1)
def _cached_union() -> Graph:
    g = Graph()
    bind_prefixes(g)
    for named in _cached_law().graphs():
        for t in named:
            g.add(t)
    return g


def shared_law_graph() -> Graph:
    """The cached union itself: read it, never change it."""
    return _cached_union()


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The reasoning shapes (not the meta shapes, which check the vocabulary)."""
    g = Graph()
    for path in sorted(data_folder("shapes").glob("*.ttl")):
        parse_turtle(path, g)
    return g


@lru_cache(maxsize=1)
def amendment_shapes_graph() -> Graph:
    """The input shapes an amendment must meet (shapes/input/amendments.ttl): read it,
    never change it. Not reasoning shapes: the engines never see them."""
    return parse_turtle(data_folder("shapes") / "input" / "amendments.ttl")


def law_current_to() -> str:
    values = sorted(str(v) for v in _cached_union().objects(None, AKG.lawCurrentTo))
    return values[-1] if values else "unknown"


def incident_card_paths() -> list[Path]:
    return sorted(folder("incidents").glob("*.yaml"))

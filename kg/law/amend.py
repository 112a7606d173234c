"""Amendments as data: read one, check its drafting, apply it to a copy of the law.

An amendment (law/amendments/<id>.ttl, or any file) is an `akg:Amendment` with typed
`akg:change`s; each change `akg:inserts` nodes (brought into force) and `akg:removes`
nodes (taken out of force). `apply(baseline, amendments, on=DATE)` returns a new graph
in which every inserted node (and the conditions it owns) is in force from DATE and
every removed node is out of force from DATE: the amendment is treated as in force on
the date asked about, and on every later date. The baseline is never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.errors import InputError, read_limited, utf8_text
from kg.law import load
from kg.law.info import tail
from kg.namespaces import AKG, SHAPES

OWNED = (AKG.condition, AKG.scopeCondition, AKG.itemCondition)


@dataclass(frozen=True)
class Change:
    iri: URIRef
    clause: str
    order: int
    kind: str
    label: str
    inserts: tuple[URIRef, ...]
    removes: tuple[URIRef, ...]


@dataclass(frozen=True)
class Amendment:
    iri: URIRef
    id: str
    path: str
    graph: Graph
    label: str
    status: str
    valid_from: str | None
    changes: tuple[Change, ...]

    def clause_id(self, change: Change) -> str:
        return f"{self.id}:{change.clause}"

    def in_force_on(self, day: str) -> bool:
        return self.status == "passed" and self.valid_from is not None and self.valid_from <= day


def _changes(g: Graph, amendment: URIRef, path: str) -> tuple[Change, ...]:
    out = []
    for node in g.objects(amendment, AKG.change):
        if not isinstance(node, URIRef):
            continue
        clause = g.value(node, AKG.clause)
        if clause is None:
            raise InputError(
                path,
                f"change {tail(node)} has no akg:clause",
                'give every change a clause label, e.g. akg:clause "1"',
                field="akg:clause",
            )
        order = g.value(node, AKG.order)
        kind = g.value(node, AKG.changeType)
        out.append(
            Change(
                iri=node,
                clause=str(clause),
                order=int(order.toPython()) if isinstance(order, Literal) else 0,
                kind=tail(kind) if kind is not None else "change",
                label=str(g.value(node, RDFS.label) or ""),
                inserts=tuple(
                    sorted(o for o in g.objects(node, AKG.inserts) if isinstance(o, URIRef))
                ),
                removes=tuple(
                    sorted(o for o in g.objects(node, AKG.removes) if isinstance(o, URIRef))
                ),
            )
        )
    if not out:
        raise InputError(
            path,
            "the amendment has no akg:change",
            "add at least one typed change (see docs/amendments.md)",
            field="akg:change",
        )
    return tuple(sorted(out, key=lambda c: (c.order, c.clause)))


MAX_BYTES = 5_000_000  # an amendment file; the largest real one is a few kilobytes


def read(path: Path) -> Amendment:
    """Read an amendment file (exactly one akg:Amendment in it)."""
    return read_bytes(read_limited(path, MAX_BYTES), str(path))


def read_bytes(content: bytes, name: str) -> Amendment:
    """An amendment sent as text (an upload): parsed in memory, never written to disk.
    `name` is what errors call it."""
    text = utf8_text(
        content,
        name,
        what="amendment file",
        limit=MAX_BYTES,
        fix_size="keep one amendment per file, with the nodes it inserts",
        fix_text="save the file as UTF-8 Turtle",
    )
    return from_graph(load.parse_turtle_text(text, name), name, text=text)


def from_graph(g: Graph, path: str, *, text: str | None = None) -> Amendment:
    """The one akg:Amendment of a parsed file, checked against the input shapes
    (shapes/input/amendments.ttl); `path` names it in errors, and `text`, the file's
    Turtle where there is one, gives them their line."""
    found = [s for s in g.subjects(RDF.type, AKG.Amendment) if isinstance(s, URIRef)]
    if len(found) != 1:
        raise InputError(
            str(path),
            f"the file holds {len(found)} akg:Amendment nodes, not one",
            "put one amendment in each file",
            field="akg:Amendment",
        )
    _check_shapes(g, str(path), text)
    iri = found[0]
    aid = g.value(iri, AKG.amendmentId)
    if aid is None:
        raise InputError(
            str(path),
            "the amendment has no akg:amendmentId",
            'add akg:amendmentId "<slug>"',
            field="akg:amendmentId",
        )
    status = g.value(iri, AKG.billStatus)
    start = g.value(iri, AKG.validFrom)
    return Amendment(
        iri=iri,
        id=str(aid),
        path=str(path),
        graph=g,
        label=str(g.value(iri, RDFS.label) or aid),
        status=tail(status) if status is not None else "introduced",
        valid_from=str(start) if start is not None else None,
        changes=_changes(g, iri, str(path)),
    )


def _check_shapes(g: Graph, path: str, text: str | None) -> None:
    """The first violation of the input shapes (by line) as an InputError."""
    import pyshacl

    shapes = load.amendment_shapes_graph()
    conforms, report, _ = pyshacl.validate(
        g, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True
    )
    if conforms:
        return
    assert isinstance(report, Graph)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        prop = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        shape = report.value(result, SH.sourceShape)
        message = str(report.value(result, SH.resultMessage) or "the amendment breaks a shape")
        fix = str(shapes.value(shape, SHAPES.fix) or "see docs/amendments.md")
        line = _line(text, prop, value, focus)
        where = _qname(prop) if prop is not None else None
        if where and focus is not None and (None, AKG.change, focus) in g:
            where = f"{'/'.join(str(focus).split('/')[-2:])} {where}"  # a change: say which
        what = f"{message}, not {_shown(value)}" if value is not None else message
        found.append((line or 0, what, fix, where, line))
    _, problem, fix, where, line = min(found, key=lambda r: (r[0], r[1]))
    raise InputError(path, problem, fix, line=line, field=where)


def _qname(node: Node) -> str:
    text = str(node)
    for prefix, ns in (("akg", str(AKG)), ("rdfs", str(RDFS))):
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns) :]}"
    return f"<{text}>"


def _shown(value: Node) -> str:
    if isinstance(value, Literal):
        lexical = str(value)
        shown = lexical if len(lexical) <= 80 else lexical[:77] + "..."
        kind = f"^^{tail(value.datatype)}" if value.datatype is not None else ""
        return f"'{shown}'{kind}"
    text = str(value)
    return f"<{text if len(text) <= 100 else text[:97] + '...'}>"


def _line(
    text: str | None, prop: Node | None, value: Node | None, focus: Node | None
) -> int | None:
    """Where the file states the value (or, for a missing one, its node): the first line
    holding it, preferring one that names the property too. None where not found."""
    if not text:
        return None
    if isinstance(value, Literal):
        needles = [f'"{value}"', f"'{value}'", str(value)]
    elif value is not None:
        needles = [str(value), tail(value)]
    else:
        needles = [str(focus), tail(focus).replace("/", "\\/")] if focus is not None else []
    key = tail(prop) if prop is not None else ""
    lines = text.splitlines()
    for needle in (n for n in needles if n and len(n) > 1):
        hits = [i for i, line in enumerate(lines, 1) if needle in line]
        if hits:
            return next((i for i in hits if key and key in lines[i - 1]), hits[0])
    return None


def known() -> dict[str, Path]:
    """The amendments in the knowledge graph, by id."""
    out = {}
    for path in load.amendment_files():
        g = load.parse_turtle(path)
        for aid in g.objects(None, AKG.amendmentId):
            out[str(aid)] = path
    return out


Target = str | Amendment


def resolve(target: Target) -> Amendment:
    """An amendment id, the path of an amendment file, or an amendment already read (an
    upload). The command line takes paths; the web app only ids (`resolve_id`) and
    uploads, so no request can make the server open a file."""
    if isinstance(target, Amendment):
        return target
    path = Path(target)
    if path.suffix == ".ttl" or path.exists():
        if not path.is_file():
            raise InputError(
                target, "no such amendment file", "give an amendment id or the path of a .ttl file"
            )
        return read(path)
    ids = known()
    if target not in ids:
        raise InputError(
            target,
            "no amendment with this id",
            f"use one of: {', '.join(sorted(ids))}, or a .ttl file",
            field="--amend",
        )
    return read(ids[target])


def resolve_id(aid: str) -> Amendment:
    """One of the amendments of the knowledge graph (law/amendments/), by id only."""
    ids = known()
    if aid not in ids:
        raise InputError(
            "amend",
            f"no amendment with the id '{aid[:80]}'",
            f"use one of: {', '.join(sorted(ids))}",
            field="amend",
        )
    return read(ids[aid])


def label(target: Target) -> str:
    """How an amendment target is named in headers: its id when read, else as given."""
    return target.id if isinstance(target, Amendment) else target


def _defined(g: Graph, node: Node) -> bool:
    return (node, RDF.type, None) in g


def drafting_problems(baseline: Graph, amendments: Sequence[Amendment], on: str) -> list[str]:
    """Raise InputError for what cannot be applied; return warnings for what is odd."""
    warnings: list[str] = []
    removed: dict[URIRef, str] = {}
    for a in amendments:
        for change in a.changes:
            for node in (*change.inserts, *change.removes):
                if not (_defined(baseline, node) or _defined(a.graph, node)):
                    raise InputError(
                        a.path,
                        f"clause {change.clause} refers to {node}, "
                        "which is not in the law or in the amendment",
                        "name an existing provision, norm, exception or grant, "
                        "or define the new one in the amendment file",
                        field=f"{a.id}:{change.clause}",
                    )
            for node in change.removes:
                here = a.clause_id(change)
                if node in removed:
                    raise InputError(
                        a.path,
                        f"{node} is repealed twice ({removed[node]} and {here})",
                        "repeal each node in one clause only",
                        field=here,
                    )
                removed[node] = here
                until = baseline.value(node, AKG.validUntil)
                if until is not None and str(until) <= on:
                    warnings.append(
                        f"{here} repeals {tail(node)}, which is already out of "
                        f"force on {on} (since {until})"
                    )
    warnings += _exclusive_conflicts(baseline, amendments)
    return warnings


def _exclusive_conflicts(baseline: Graph, amendments: Sequence[Amendment]) -> list[str]:
    g = Graph()
    g += baseline
    for a in amendments:
        g += a.graph
    matters: dict[tuple[Node, Node], list[Node]] = {}
    for grant in g.subjects(AKG.exclusive, Literal(True)):
        for al in g.objects(grant, AKG.coversAllegation):
            for rk in g.objects(grant, AKG.coversRespondent):
                matters.setdefault((al, rk), []).append(grant)
    return [
        f"grants {', '.join(sorted(tail(x) for x in grants))} are each exclusive for "
        f"{tail(al)} against {tail(rk)}"
        for (al, rk), grants in sorted(matters.items())
        if len(grants) > 1
    ]


def _owned(g: Graph, node: Node) -> Iterable[Node]:
    yield node
    for p in OWNED:
        for child in g.objects(node, p):
            yield from _owned(g, child)


def _set_in_force(g: Graph, node: Node, on: str, change: URIRef, *, inserted: bool) -> None:
    day = Literal(on, datatype=XSD.date)
    for n in set(_owned(g, node)):
        g.remove((n, AKG.validUntil, None))
        if inserted:
            g.remove((n, AKG.validFrom, None))
            g.add((n, AKG.validFrom, day))
            g.add((n, AKG.introducedBy, change))
        else:
            g.add((n, AKG.validUntil, day))
            g.add((n, AKG.removedBy, change))


def apply(
    baseline: Graph,
    amendments: Sequence[Amendment],
    *,
    on: str,
) -> tuple[Graph, list[str]]:
    """A copy of the law with the amendments in force from `on`, and the warnings."""
    warnings = drafting_problems(baseline, amendments, on)
    g = Graph()
    g += baseline
    for a in amendments:
        if a.in_force_on(on):
            warnings.append(
                f"{a.id} is already in force on {on} (since {a.valid_from}); "
                "applying it changes nothing"
            )
            continue
        g += a.graph
        for change in a.changes:
            for node in change.inserts:
                _set_in_force(g, node, on, change.iri, inserted=True)
            for node in change.removes:
                _set_in_force(g, node, on, change.iri, inserted=False)
    return g, warnings


def clauses_touching(
    amendments: Sequence[Amendment], nodes: Iterable[Node], law: Graph
) -> list[str]:
    """The clauses whose changes insert or remove any of the nodes (or what they own)."""
    wanted = {n for node in nodes for n in _owned(law, node)}
    out = []
    for a in amendments:
        for change in a.changes:
            touched = {n for node in (*change.inserts, *change.removes) for n in _owned(law, node)}
            if touched & wanted:
                out.append(a.clause_id(change))
    return out


def all_clauses(amendments: Sequence[Amendment]) -> list[str]:
    return [a.clause_id(c) for a in amendments for c in a.changes]

"""A second engine for the same shapes: their SPARQL run set-at-a-time on pyoxigraph.

pyshacl (kg.engine) stays the reference. This engine reads the same shapes graph and
executes what it says, in the way SHACL defines it:

- each SHACL-AF `sh:SPARQLRule` of a node shape that targets `akg:Run` runs in
  `sh:order`, with `$this` pre-bound to the run node (the one focus node), and its
  CONSTRUCT result is added to the data before the next rule;
- each `sh:SPARQLConstraint` runs once for all focus nodes of its shape's
  `sh:targetClass`: `$this` becomes a variable joined with the target, which gives the
  same solutions as binding it to each focus node in turn; every solution is a result
  with the shape's severity and its message with `{?var}` filled in.

It supports exactly the SHACL features the project's shapes use, and refuses a shapes
graph that uses anything else (so it can never silently diverge from pyshacl). A test
proves it gives the same findings as pyshacl on the scenario library and on generated
incidents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.engine import RUN, Result, Validation
from kg.namespaces import AKG
from kg.store import from_ox, to_ox

_SUPPORTED_SHAPE_KEYS = {
    RDF.type,
    SH.targetClass,
    SH.rule,
    SH.sparql,
    SH.severity,
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
    URIRef("http://purl.org/dc/terms/source"),
}


class UnsupportedShapes(ValueError):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass(frozen=True)
class Rule:
    order: float
    shape: URIRef
    construct: str


@dataclass(frozen=True)
class Constraint:
    shape: URIRef
    target: URIRef
    severity: URIRef
    message: str
    select: str


@dataclass(frozen=True)
class CompiledShapes:
    rules: tuple[Rule, ...]
    constraints: tuple[Constraint, ...]
    predicates: frozenset[URIRef] = frozenset()  # every IRI the queries name


def _prefixes(shapes: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    lines = []
    for decl in shapes.objects(node, SH.declare):
        prefix = shapes.value(decl, SH.prefix)
        ns = shapes.value(decl, SH.namespace)
        lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(lines) + "\n"


def compile_shapes(shapes: Graph) -> CompiledShapes:
    rules: list[Rule] = []
    constraints: list[Constraint] = []
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        assert isinstance(shape, URIRef)
        unknown = {p for p in shapes.predicates(shape) if p not in _SUPPORTED_SHAPE_KEYS}
        if unknown:
            raise UnsupportedShapes(f"{shape} uses {sorted(map(str, unknown))}")
        targets = list(shapes.objects(shape, SH.targetClass))
        if len(targets) != 1 or not isinstance(targets[0], URIRef):
            raise UnsupportedShapes(f"{shape} must have exactly one sh:targetClass")
        target = targets[0]
        for rule in shapes.objects(shape, SH.rule):
            if (rule, RDF.type, SH.SPARQLRule) not in shapes or target != AKG.Run:
                raise UnsupportedShapes(f"{rule}: only SPARQL rules targeting akg:Run")
            text = str(shapes.value(rule, SH.construct))
            order = shapes.value(rule, SH.order)
            header = _prefixes(shapes, shapes.value(rule, SH.prefixes))
            rules.append(
                Rule(
                    float(order.toPython()) if isinstance(order, Literal) else 0.0,
                    shape,
                    header + text.replace("$this", f"<{RUN}>"),
                )
            )
        severity = shapes.value(shape, SH.severity) or SH.Violation
        for c in shapes.objects(shape, SH.sparql):
            text = str(shapes.value(c, SH.select))
            header = _prefixes(shapes, shapes.value(c, SH.prefixes))
            constraints.append(
                Constraint(
                    shape=shape,
                    target=target,
                    severity=severity,  # type: ignore[arg-type]
                    message=str(shapes.value(c, SH.message) or ""),
                    select=header + _targeted(text, target),
                )
            )
    rules.sort(key=lambda r: (r.order, str(r.shape), r.construct))
    named = frozenset(
        iri
        for text in [r.construct for r in rules] + [c.select for c in constraints]
        for iri in _iris(text)
    )
    return CompiledShapes(
        tuple(rules), tuple(sorted(constraints, key=lambda c: str(c.shape))), named
    )


def _iris(query: str) -> set[URIRef]:
    """Every IRI a query names (from its parsed algebra, prefixes expanded)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    found: set[URIRef] = set()

    def walk(node: Any) -> None:
        if isinstance(node, URIRef):
            found.add(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple, set)):
            for v in node:
                walk(v)

    walk(translateQuery(parseQuery(query)).algebra)
    return found


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def _targeted(select: str, target: URIRef) -> str:
    """`$this` as a variable, joined with the shape's target class."""
    text = select.replace("$this", "?this")
    m = _WHERE.search(text)
    if m is None:
        raise UnsupportedShapes("a SPARQL constraint without WHERE { }")
    return text[: m.end()] + f" ?this a <{target}> . " + text[m.end() :]


@lru_cache(maxsize=4)
def _compiled(key: int, shapes: Graph) -> CompiledShapes:
    return compile_shapes(shapes)


_VAR = re.compile(r"\{[?$](\w+)\}")


def _message(template: str, row: dict[str, Any]) -> str:
    def fill(m: re.Match[str]) -> str:
        value = row.get(m.group(1))
        return str(value) if value is not None else m.group(0)

    return _VAR.sub(fill, template)


def _quads(triples: Iterable[tuple[Node, Node, Node]]) -> list[Any]:
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph()) for s, p, o in triples]


_LAW_QUADS: dict[int, tuple[Graph, list[Any]]] = {}


def _law_quads(law: Graph, compiled: CompiledShapes) -> list[Any]:
    """The part of the law the shapes can read, as pyoxigraph quads, converted once per
    law graph: triples whose predicate the shapes' queries name, rdf:type, and the
    properties conditions read (akg:field, akg:thenField, akg:dateField). Labels of
    terms the queries never ask about (definitions, paraphrases, notes) are left out,
    which changes no answer and makes each run's store smaller."""
    cached = _LAW_QUADS.get(id(law))
    if cached is None or cached[0] is not law:
        if len(_LAW_QUADS) > 8:
            _LAW_QUADS.clear()
        read = compiled.predicates | {RDF.type}
        for p in (AKG.field, AKG.thenField, AKG.dateField):
            read |= {o for o in law.objects(None, p) if isinstance(o, URIRef)}
        cached = (law, _quads(t for t in law if t[1] in read))
        _LAW_QUADS[id(law)] = cached
    return cached[1]


def validate_fast(law: Graph, data: Graph, shapes: Graph) -> Validation:
    """Apply the rules and the constraints to the law and the data; `data` receives the
    derived triples (the law is not changed)."""
    compiled = _compiled(id(shapes), shapes)
    store = ox.Store()
    store.extend(_law_quads(law, compiled))
    store.extend(_quads(data))
    for rule in compiled.rules:
        triples = store.query(rule.construct)
        assert isinstance(triples, ox.QueryTriples)
        derived = list(triples)
        store.extend(
            [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in derived]
        )
        for t in derived:
            data.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    results: list[Result] = []
    seen: set[Result] = set()
    for c in compiled.constraints:
        solutions = store.query(c.select)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        for sol in solutions:
            row = {n: from_ox(sol[n]) for n in names if sol[n] is not None}
            focus = row.get("this")
            assert isinstance(focus, URIRef)
            result = Result(
                focus=focus,
                shape=c.shape,
                severity=c.severity,
                message=_message(c.message, row),
                value=row.get("value", focus),
            )
            if result not in seen:  # a report holds each distinct result once (as pyshacl)
                seen.add(result)
                results.append(result)
    return Validation(results, report_graph(results))


def report_graph(results: list[Result]) -> Graph:
    """The results as a SHACL validation report (sh:conforms as SHACL defines it)."""
    g = Graph()
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    violations = any(r.severity == SH.Violation for r in results)
    g.add((report, SH.conforms, Literal(not violations)))
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.resultSeverity, r.severity))
        g.add((node, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        g.add((node, SH.resultMessage, Literal(r.message)))
        if r.value is not None:
            g.add((node, SH.value, r.value))
    return g

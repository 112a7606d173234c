"""The shape compiler: `shapes/*.ttl` turned into the queries the fast engine runs.

It is the one answer to "what do the shapes read": `CompiledShapes.iris` holds every IRI
the shapes' queries name (inside property paths too: sequence, alternative, inverse,
`+`, `*`, `?`), and `CompiledShapes.reads(law)` adds the properties the law tells the
rules to read (condition fields). The fast engine's law filter and the weighing of
disputed claims (`kg.decide.worlds`) both use it.

It accepts exactly the SHACL and SHACL-AF the project's shapes use, as pyshacl runs it,
and refuses anything else with `UnsupportedShapes` naming the shape and the feature:

- node shapes with one `sh:targetClass` (SHACL instances: the class or a subclass);
  `sh:rule` (SPARQL rules, on shapes that target `akg:Run`), `sh:sparql` (SPARQL
  constraints), `sh:severity`, `sh:order`; labels and comments;
- rules run as pyshacl runs them: shapes by `sh:order` (default 0), then each shape's
  rules by their `sh:order`. Where pyshacl's order is not fixed (two shapes, or two rules
  of one shape, with the same order), the compiler proves the order cannot matter (no
  rule writes what the other reads) or refuses the shapes;
- no `sh:deactivated`, `sh:condition`, property shapes, other targets or constraint
  components, other rule kinds, and no pre-bound variable but `$this`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH
from rdflib.paths import Path
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.term import Node

from kg.namespaces import AKG
from kg.rdflib_sparql import PARSE_LOCK
from kg.reasoning.results import RUN

_SHAPE_KEYS = {
    RDF.type,
    SH.targetClass,
    SH.rule,
    SH.sparql,
    SH.severity,
    SH.order,
    RDFS.label,
    RDFS.comment,
    DCTERMS.source,
}
_RULE_KEYS = {RDF.type, SH.construct, SH.order, SH.prefixes, RDFS.label, RDFS.comment}
_CONSTRAINT_KEYS = {RDF.type, SH.select, SH.message, SH.prefixes, RDFS.label, RDFS.comment}
_DECLARATION_KEYS = {SH.prefix, SH.namespace}
_SEVERITIES = {SH.Violation, SH.Warning, SH.Info}
# Variables SHACL pre-binds besides $this; pyshacl binds them, this engine does not.
_PREBOUND = re.compile(r"\$(currentShape|shapesGraph|PATH|value)\b")
# Where pyshacl's own reading decides (condition fields of the law), the engine reads
# these properties' values as properties too.
FIELD_PROPERTIES = (AKG.field, AKG.thenField, AKG.dateField)


# the query form of a rule's text, after its PREFIX lines: CONSTRUCT and a template
_CONSTRUCT = re.compile(r"\A(?:\s*PREFIX\s+[\w.-]*:\s*<[^>]*>)*\s*(CONSTRUCT)\s*\{", re.IGNORECASE)


class UnsupportedShapes(ValueError):
    """The shapes use a SHACL feature the fast engine does not implement as pyshacl does."""


@dataclass(frozen=True)
class Rule:
    """A SPARQL rule, `$this` bound to the run node, with the place it runs in."""

    shape: URIRef
    node: str
    shape_order: Decimal
    order: Decimal
    construct: str

    @cached_property
    def insert(self) -> str | None:
        """The rule as a SPARQL update that adds what its CONSTRUCT builds (the same
        template and pattern, evaluated once, then added, as SPARQL Update defines
        INSERT), or None where its text does not open with a template
        (`CONSTRUCT WHERE`). Made once a rule: every run of the fast engine reads it."""
        m = _CONSTRUCT.search(self.construct)
        return (
            None
            if m is None
            else self.construct[: m.start(1)] + "INSERT" + self.construct[m.end(1) :]
        )


@dataclass(frozen=True)
class Constraint:
    """A SPARQL constraint run once for all focus nodes of its shape's target class."""

    shape: URIRef
    target: URIRef
    severity: URIRef
    message: str
    select: str


@dataclass(frozen=True)
class CompiledShapes:
    rules: tuple[Rule, ...]  # in the order pyshacl runs them
    constraints: tuple[Constraint, ...]
    iris: frozenset[URIRef]  # every IRI the queries name, inside property paths too

    def reads(self, law: Graph) -> frozenset[URIRef]:
        """The properties the reasoning reads: IRIs the queries name, rdf:type, and the
        properties the law's conditions name (read through a variable)."""
        named = {o for p in FIELD_PROPERTIES for o in law.objects(None, p)}
        return self.iris | {RDF.type} | {o for o in named if isinstance(o, URIRef)}


def _fail(node: object, feature: str) -> UnsupportedShapes:
    return UnsupportedShapes(f"{node}: {feature} is not supported by the fast engine")


def _one(shapes: Graph, node: Node, prop: URIRef, what: str) -> Node | None:
    values = list(shapes.objects(node, prop))
    if len(values) > 1:
        raise _fail(node, f"more than one {what}")
    return values[0] if values else None


def _order(shapes: Graph, node: Node) -> Decimal:
    value = _one(shapes, node, SH.order, "sh:order")
    if value is None:
        return Decimal(0)
    try:
        if not isinstance(value, Literal):
            raise InvalidOperation
        return Decimal(str(value))
    except InvalidOperation:
        raise _fail(node, f"sh:order {value} (not a number)") from None


def _check_keys(
    shapes: Graph, node: Node, allowed: set[URIRef], kind: str, where: object = None
) -> None:
    for p in set(shapes.predicates(node)):
        if p not in allowed:
            raise _fail(where or node, f"{p} on a {kind}")


def _prefixes(shapes: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    lines = []
    for decl in shapes.objects(node, SH.declare):
        prefix = shapes.value(decl, SH.prefix)
        ns = shapes.value(decl, SH.namespace)
        lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(lines) + "\n"


def _text(shapes: Graph, node: Node, prop: URIRef, what: str, where: object) -> str:
    value = _one(shapes, node, prop, what)
    if not isinstance(value, Literal):
        raise _fail(where, f"a missing or non-literal {what}")
    text = str(value)
    m = _PREBOUND.search(text)
    if m:
        raise _fail(where, f"the pre-bound variable ${m.group(1)}")
    return text


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile a shapes graph, or raise UnsupportedShapes naming the shape and feature."""
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        _check_keys(shapes, shape, _SHAPE_KEYS, "node shape")
    _check_accounted(shapes)
    rules: list[Rule] = []
    constraints: list[Constraint] = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        if not isinstance(shape, URIRef):
            raise _fail(shape, "a blank-node shape")
        _check_keys(shapes, shape, _SHAPE_KEYS, "node shape")
        types = set(shapes.objects(shape, RDF.type))
        if types != {SH.NodeShape}:
            raise _fail(shape, f"the types {sorted(map(str, types - {SH.NodeShape}))}")
        targets = list(shapes.objects(shape, SH.targetClass))
        if len(targets) != 1 or not isinstance(targets[0], URIRef):
            raise _fail(shape, "a shape without exactly one sh:targetClass")
        target = targets[0]
        shape_order = _order(shapes, shape)
        for rule in shapes.objects(shape, SH.rule):
            rules.append(_rule(shapes, shape, rule, target, shape_order))
        severity = _one(shapes, shape, SH.severity, "sh:severity") or SH.Violation
        if severity not in _SEVERITIES:
            raise _fail(shape, f"the severity {severity}")
        assert isinstance(severity, URIRef)
        for c in shapes.objects(shape, SH.sparql):
            where = f"{shape} (constraint {c})"
            _check_keys(shapes, c, _CONSTRAINT_KEYS, "SPARQL constraint", where)
            if set(shapes.objects(c, RDF.type)) - {SH.SPARQLConstraint}:
                raise _fail(where, "a constraint that is not an sh:SPARQLConstraint")
            message = _one(shapes, c, SH.message, "sh:message")
            constraints.append(
                Constraint(
                    shape=shape,
                    target=target,
                    severity=severity,
                    message=str(message or ""),
                    select=_prefixes(shapes, _one(shapes, c, SH.prefixes, "sh:prefixes"))
                    + _targeted(_text(shapes, c, SH.select, "sh:select", where), target),
                )
            )
    rules.sort(key=lambda r: (r.shape_order, str(r.shape), r.order, r.node))
    parsed = {r.node: _checked_parse(r.construct, f"{r.shape} (rule {r.node})") for r in rules}
    for constraint in constraints:
        _checked_parse(constraint.select, f"{constraint.shape} (constraint)")
    iris = frozenset(
        iri
        for text in [*(r.construct for r in rules), *(c.select for c in constraints)]
        for iri in _iris(_parsed(text).algebra)
    )
    _check_order(rules, parsed)
    return CompiledShapes(
        tuple(rules), tuple(sorted(constraints, key=lambda c: (str(c.shape), c.select))), iris
    )


def _rule(shapes: Graph, shape: URIRef, rule: Node, target: URIRef, shape_order: Decimal) -> Rule:
    where = f"{shape} (rule {rule})"
    _check_keys(shapes, rule, _RULE_KEYS, "rule", where)
    if set(shapes.objects(rule, RDF.type)) != {SH.SPARQLRule}:
        raise _fail(where, "a rule that is not an sh:SPARQLRule")
    if target != AKG.Run:
        raise _fail(shape, "a rule on a shape whose target is not akg:Run")
    text = _text(shapes, rule, SH.construct, "sh:construct", where)
    header = _prefixes(shapes, _one(shapes, rule, SH.prefixes, "sh:prefixes"))
    return Rule(
        shape=shape,
        node=str(rule),
        shape_order=shape_order,
        order=_order(shapes, rule),
        construct=header + text.replace("$this", f"<{RUN}>"),
    )


def _check_accounted(shapes: Graph) -> None:
    """Every node the shapes graph says anything SHACL about is a node shape, a rule, a
    constraint or a prefix declaration; anything else is a feature not implemented."""
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape))
    known = (
        shape_nodes
        | set(shapes.objects(None, SH.rule))
        | set(shapes.objects(None, SH.sparql))
        | set(shapes.objects(None, SH.declare))
        | set(shapes.subjects(SH.declare, None))
    )
    for s, p, _ in shapes:
        if str(p).startswith(str(SH)) and s not in known:
            owner = next((o for o in shapes.subjects(None, s) if isinstance(o, URIRef)), s)
            raise _fail(owner, f"{p} (on a node that is not a node shape, rule or constraint)")
    for node in set(shapes.objects(None, SH.declare)):
        _check_keys(shapes, node, _DECLARATION_KEYS, "prefix declaration")
    for node in set(shapes.subjects(SH.declare, None)) - shape_nodes:
        for p in set(shapes.predicates(node)):
            if str(p).startswith(str(SH)) and p != SH.declare:
                raise _fail(node, f"{p} on a prefix declaration")


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def _targeted(select: str, target: URIRef) -> str:
    """`$this` as a variable, joined with the shape's target: the SHACL instances of the
    class (its own instances and those of its subclasses)."""
    text = select.replace("$this", "?this")
    m = _WHERE.search(text)
    if m is None:
        raise UnsupportedShapes(f"a SPARQL constraint of {target} without WHERE {{ }}")
    join = f" ?this <{RDF.type}>/<{RDFS.subClassOf}>* <{target}> . "
    return text[: m.end()] + join + text[m.end() :]


@lru_cache(maxsize=256)
def _parsed(text: str):  # type: ignore[no-untyped-def]
    with PARSE_LOCK:
        return translateQuery(parseQuery(text))


def _checked_parse(text: str, where: str):  # type: ignore[no-untyped-def]
    try:
        return _parsed(text)
    except Exception as exc:  # noqa: BLE001 - rdflib raises several kinds
        raise UnsupportedShapes(f"{where}: its query does not parse ({exc})") from None


def _iris(node: object) -> set[URIRef]:
    """Every IRI in a query's algebra, property paths included."""
    found: set[URIRef] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, URIRef):
            found.add(n)
        elif isinstance(n, Path):
            stack.extend(vars(n).values())
        elif isinstance(n, dict):
            stack.extend(n.values())
            # rdflib keeps the translated pattern of an EXISTS inside an expression as an
            # instance attribute (`graph`), and takes the FILTERs out of the parsed one
            stack.extend(getattr(n, "__dict__", {}).values())
        elif isinstance(n, (list, tuple, set, frozenset)):
            stack.extend(n)
    return found


def _writes(query: object) -> set[URIRef]:
    """What a CONSTRUCT writes: its template's predicates and the classes it types with."""
    out: set[URIRef] = set()
    for _s, p, o in query.algebra.get("template") or []:  # type: ignore[attr-defined]
        if p == RDF.type and isinstance(o, URIRef):
            out.add(o)
        elif isinstance(p, URIRef):
            out.add(p)
    return out


def _writes_all(rules: list[Rule], parsed: dict[str, object]) -> set[URIRef]:
    return set().union(*(_writes(parsed[r.node]) for r in rules))


def _reads_all(rules: list[Rule], parsed: dict[str, object]) -> set[URIRef]:
    """The IRIs the rules' WHERE clauses name (their templates are not reads)."""
    return set().union(*(_iris(parsed[r.node].algebra.get("p")) for r in rules))  # type: ignore[attr-defined]


def _check_order(rules: list[Rule], parsed: dict[str, object]) -> None:
    """Where pyshacl's order is not fixed, prove it does not matter: shapes with equal
    sh:order, or rules of one shape with equal sh:order, must not read what the others
    write."""
    by_shape: dict[URIRef, list[Rule]] = {}
    for r in rules:
        by_shape.setdefault(r.shape, []).append(r)

    def independent(a: Iterable[Rule], b: Iterable[Rule]) -> bool:
        a, b = list(a), list(b)
        return not (_writes_all(a, parsed) & _reads_all(b, parsed)) and not (
            _writes_all(b, parsed) & _reads_all(a, parsed)
        )

    shapes = list(by_shape)
    for i, s1 in enumerate(shapes):
        for s2 in shapes[i + 1 :]:
            if by_shape[s1][0].shape_order == by_shape[s2][0].shape_order and not independent(
                by_shape[s1], by_shape[s2]
            ):
                raise _fail(
                    s1, f"the same sh:order as {s2} while one's rules read what the other writes"
                )
        mine = by_shape[s1]
        for j, r1 in enumerate(mine):
            for r2 in mine[j + 1 :]:
                if r1.order == r2.order and not independent([r1], [r2]):
                    raise _fail(
                        r1.node,
                        f"the same sh:order as {r2.node} while one reads what the other writes",
                    )


_LOCK = threading.Lock()
_CACHE: dict[int, tuple[Graph, CompiledShapes]] = {}


def adopt(shapes: Graph, program: CompiledShapes) -> None:
    """Take `program` as the compiled form of `shapes`: what another process compiled
    from the same shapes text (a context's payload carries both), so that a worker need
    not compile them again."""
    with _LOCK:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[id(shapes)] = (shapes, program)


def compiled(shapes: Graph) -> CompiledShapes:
    """The compiled form of a shapes graph, compiled once per graph and process."""
    with _LOCK:
        hit = _CACHE.get(id(shapes))
        if hit is not None and hit[0] is shapes:
            return hit[1]
        result = compile_shapes(shapes)
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[id(shapes)] = (shapes, result)
        return result

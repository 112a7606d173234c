"""No FILTER, BIND or OPTIONAL condition reads a variable its group cannot bind.

SPARQL evaluates a group from the inside out: a FILTER (or a BIND, or an OPTIONAL's
condition) sees only the variables of its own group, and inside EXISTS those of the
solution it is asked of. A variable bound outside the group is unbound there, so a
comparison with it is an error and the filter never keeps or drops what it was written
for: pyoxigraph and rdflib agree on it, so the parity suite cannot see it. 0.6.5 fixed one
(the condition rules compared an exception's dates inside a UNION's branch) and the ELI
view one (a BIND inside an OPTIONAL). This test reads every query the project runs: the
shapes' rules and constraints as compiled, and every .rq file.

A variable bound nowhere in a query is a parameter (a VALUES block binds it, at the top of
the WHERE clause: kg.store.sparql.bind_values), except `?nothing`, which the shapes leave
unbound on purpose; a parameter must be read where that block reaches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg import api
from kg.reasoning.compile import compile_shapes
from kg.store.sparql import bind_values
from tests.conftest import ROOT

UNBOUND_ON_PURPOSE = {Variable("nothing")}
EXISTS = ("Builtin_EXISTS", "Builtin_NOTEXISTS")


def _parts(node: object, skip: tuple[str, ...] = ()) -> Iterator[object]:
    """What to walk into below an algebra node: a node's values (but those under `skip`),
    a list's items."""
    if isinstance(node, CompValue):
        yield from (value for key, value in node.items() if key not in skip)
    elif isinstance(node, (list, tuple)):
        yield from node


def _own(node: CompValue) -> set[Variable]:
    """The variables one algebra node binds itself, not through its parts."""
    if node.name == "BGP":
        return {x for t in node.triples for x in t if isinstance(x, Variable)}
    if node.name == "Extend":
        return {node.var}
    if node.name == "Graph" and isinstance(node.term, Variable):
        return {node.term}
    if node.name == "values":
        return {v for row in node.get("res") or [] for v in row}
    if node.name == "AggregateJoin":  # it binds its aggregates' results
        return {a.res for a in node.A}
    return set()


def bindable(node: object) -> set[Variable]:
    """The variables a pattern can bind (not those of the EXISTS in its expressions)."""
    if isinstance(node, CompValue) and node.name == "Project":
        return set(node.PV)
    out = _own(node) if isinstance(node, CompValue) else set()
    for part in _parts(node, skip=("expr", "A")):
        out |= bindable(part)
    return out


def read(expr: object) -> set[Variable]:
    """The variables an expression reads from the solution it is evaluated on."""
    if isinstance(expr, Variable):
        return {expr}
    if isinstance(expr, CompValue) and expr.name in EXISTS:
        return unbound_reads(expr.graph) - bindable(expr.graph)
    out: set[Variable] = set()
    for part in _parts(expr):
        out |= read(part)
    return out


def unbound_reads(node: object) -> set[Variable]:
    """The variables read by the expressions inside a pattern where their group cannot
    bind them."""
    out: set[Variable] = set()
    if isinstance(node, CompValue):
        if node.name == "Filter":
            return (read(node.expr) - bindable(node.p)) | unbound_reads(node.p)
        if node.name == "LeftJoin" and node.get("expr") is not None:
            out |= read(node.expr) - bindable(node.p1) - bindable(node.p2)
        if node.name == "Extend":
            out |= read(node.expr) - bindable(node.p)
    for part in _parts(node, skip=("expr",)):
        out |= unbound_reads(part)
    return out


def bound_anywhere(node: object) -> set[Variable]:
    """Every variable a pattern anywhere in the query binds (a projection's list aside)."""
    out = _own(node) if isinstance(node, CompValue) else set()
    for part in _parts(node, skip=("PV",)):
        out |= bound_anywhere(part)
    return out


def out_of_scope(text: str) -> set[str]:
    """The variables a query reads where they cannot be bound, its parameters bound."""
    algebra = translateQuery(parseQuery(text)).algebra
    params = unbound_reads(algebra) - bound_anywhere(algebra) - UNBOUND_ON_PURPOSE
    if params:
        bound = bind_values(text, {str(p): Literal("x") for p in sorted(params)})
        algebra = translateQuery(parseQuery(bound)).algebra
    return {str(v) for v in unbound_reads(algebra) - UNBOUND_ON_PURPOSE}


def _shape_queries() -> list[object]:
    program = compile_shapes(api.context().shapes)
    named = [(str(r.node), r.construct) for r in program.rules]
    named += [(str(c.shape), c.select) for c in program.constraints]
    return [pytest.param(name, text, id=name.rsplit("#", 1)[-1]) for name, text in named]


RQ_FILES = sorted(p for p in ROOT.rglob("*.rq") if not {".git", "bench"} & set(p.parts))


@pytest.mark.parametrize(("name", "text"), _shape_queries())
def test_shapes_read_no_variable_out_of_scope(name: str, text: str) -> None:
    assert out_of_scope(text) == set(), name


@pytest.mark.parametrize("path", RQ_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_query_files_read_no_variable_out_of_scope(path: Path) -> None:
    assert out_of_scope(path.read_text(encoding="utf-8")) == set()


@pytest.mark.parametrize(
    ("where", "bad"),
    [
        # the 0.6.4 condition rules: ?d bound outside the UNION's branch that compares it
        (
            "?e <urn:d> ?d . { ?e <urn:c> ?c } UNION "
            "{ ?e <urn:x> ?x . FILTER NOT EXISTS { ?x <urn:from> ?f . FILTER(?f > ?d) } }",
            {"d"},
        ),
        ("?r <urn:v> ?e . OPTIONAL { ?e <urn:by> ?a . BIND(?r AS ?changed) }", {"r"}),
        ("?a <urn:p> ?b . OPTIONAL { ?b <urn:q> ?c . FILTER(?c != ?a) }", set()),
        ("?a <urn:p> ?b . FILTER(?b > ?param)", set()),  # a parameter, bound at the top
        ("?a <urn:p> ?b . { ?b <urn:q> ?c . FILTER(?c > ?param) }", {"param"}),
    ],
)
def test_the_check_finds_what_it_is_for(where: str, bad: set[str]) -> None:
    assert out_of_scope(f"SELECT * WHERE {{ {where} }}") == bad

"""The fast engine: the compiled shapes' SPARQL run set-at-a-time on pyoxigraph.

pyshacl (`kg.reasoning.reference`) stays the reference. This engine runs what the shape
compiler (`kg.reasoning.compile`) made of the same shapes graph, as SHACL defines it:

- each SPARQL rule runs in pyshacl's order, with `$this` bound to the run node (the one
  focus node of `akg:Run`), and its CONSTRUCT result is added to the data before the next
  rule (as a SPARQL `INSERT` of the same template and pattern, which SPARQL Update
  defines so: the pattern is evaluated, then the instantiated template added);
- each SPARQL constraint runs once for all focus nodes of its shape's target class:
  `$this` becomes a variable joined with the target, which gives the same solutions as
  binding it to each focus node in turn; every solution is a result with the shape's
  severity and its message with `{?var}` filled in.

The compiler refuses any shapes graph it cannot run exactly so. A parity suite proves
the reports equal pyshacl's under every option (tests/unit/test_parity.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.namespaces import AKG
from kg.reasoning.compile import CompiledShapes, compiled
from kg.reasoning.results import RUN, Derived, Facts, Result, Row, Validation
from kg.terms import Triple, constructed, ox_triples, to_ox

NAME = "fast"


class EngineError(RuntimeError):
    """The data is not what the compiled shapes were proved for (an internal error)."""


_TYPE = to_ox(RDF.type)
_RUN_CLASS = to_ox(AKG.Run)
_RUN = to_ox(RUN)

_VAR = re.compile(r"\{[?$](\w+)\}")


def _message(template: str, row: Row) -> str:
    def fill(m: re.Match[str]) -> str:
        value = row.get(m.group(1))
        return str(value) if value is not None else m.group(0)

    return _VAR.sub(fill, template)


_LAW_QUADS: dict[int, tuple[Graph, list[Any]]] = {}
_LAW_LOCK = threading.Lock()


def _law_quads(law: Graph, shapes: CompiledShapes) -> list[Any]:
    """The part of the law the shapes can read (`CompiledShapes.reads`), as pyoxigraph
    quads, converted once per law graph. Labels of terms the queries never ask about
    (definitions, paraphrases, notes) are left out, which changes no answer."""
    with _LAW_LOCK:
        cached = _LAW_QUADS.get(id(law))
        if cached is None or cached[0] is not law:
            if len(_LAW_QUADS) > 8:
                _LAW_QUADS.clear()
            read = shapes.reads(law)
            cached = (law, ox_triples(t for t in law if t[1] in read))
            _LAW_QUADS[id(law)] = cached
        return cached[1]


def validate(law: Graph, data: Sequence[Triple], shapes: Graph) -> tuple[Validation, Derived]:
    """Apply the rules to the law and the data (the run's triples), then the constraints.
    What the rules derived stays in the run's pyoxigraph store, read through the returned
    `Derived`; the facts are never built into an rdflib graph (neither `data` nor the law
    is changed)."""
    program = compiled(shapes)
    store = ox.Store()
    store.extend(_law_quads(law, program))
    store.extend(ox_triples(data))
    if program.rules:  # the run nodes of the data, found by the store's index
        typed = list(store.quads_for_pattern(None, _TYPE, _RUN_CLASS))  # see kg.terms
        runs = {q.subject for q in typed}
        runs |= {to_ox(s) for s in law.subjects(RDF.type, AKG.Run)}
        if runs != {_RUN}:
            raise EngineError(f"the rules need exactly one run node <{RUN}>, found {len(runs)}")
    for rule in program.rules:
        insert = rule.insert
        if insert is not None:  # evaluated and added in the store, no triple through Python
            store.update(insert)
            continue
        store.extend(constructed(store, rule.construct))
    derived = Derived(Facts(data, law), store)
    results: list[Result] = []
    seen: set[Result] = set()
    for c in program.constraints:
        for row in derived.select(c.select):
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
    return Validation(results, NAME), derived

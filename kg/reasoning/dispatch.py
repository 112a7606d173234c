"""Which engine runs the shapes: the fast engine (default) or pyshacl, the reference.

Both read the same shapes graph; the parity suite proves they give the same reports.
`--engine pyshacl` (or `KG_ENGINE=pyshacl`) uses the reference.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from rdflib import Graph

from kg.errors import InputError
from kg.reasoning import fast, reference
from kg.reasoning.results import Derived, Validation
from kg.terms import Triple

ENGINES = (fast.NAME, reference.NAME)


def default() -> str:
    """The engine `KG_ENGINE` names, else the fast engine; any other name is bad input."""
    name = os.environ.get("KG_ENGINE") or fast.NAME
    if name not in ENGINES:
        raise InputError(
            "KG_ENGINE",
            f"'{name}' is not an engine",
            f"set KG_ENGINE to one of: {', '.join(ENGINES)} (or leave it unset)",
        )
    return name


def validate(
    law: Graph, facts: Sequence[Triple], shapes: Graph, engine: str | None = None
) -> tuple[Validation, Derived]:
    """Apply the rules to the law and the facts (the run's triples) and validate them
    with the chosen engine.

    Returns the validation and what the run derived, to read the results from (neither
    `facts` nor the law is changed)."""
    if (engine or default()) == reference.NAME:
        data = Graph()
        data += law
        for triple in facts:
            data.add(triple)
        return reference.validate(data, shapes), Derived(data)
    return fast.validate(law, facts, shapes)

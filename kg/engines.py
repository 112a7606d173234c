"""Which engine runs the shapes: pyshacl (the reference) or the set-at-a-time engine.

Both read the same shapes graph; a test proves they give the same findings. The default
is the fast engine; `--engine pyshacl` (or `KG_ENGINE=pyshacl`) uses the reference.
"""

from __future__ import annotations

import os

from rdflib import Graph
from rdflib.graph import ReadOnlyGraphAggregate

from kg.engine import Validation
from kg.engine import validate as validate_pyshacl
from kg.fast_engine import validate_fast

ENGINES = ("fast", "pyshacl")


def default() -> str:
    name = os.environ.get("KG_ENGINE", "fast")
    return name if name in ENGINES else "fast"


def validate(
    law: Graph, facts: Graph, shapes: Graph, engine: str | None = None
) -> tuple[Validation, Graph]:
    """Apply the rules to the law and the facts and validate them with the chosen engine.

    Returns the validation and a graph to read the results from: the law, the facts and
    what the rules derived (`facts` receives the derived triples; the law is not
    changed)."""
    if (engine or default()) == "pyshacl":
        data = Graph()
        data += law
        data += facts
        return validate_pyshacl(data, shapes), data
    validation = validate_fast(law, facts, shapes)
    return validation, ReadOnlyGraphAggregate([facts, law])

"""Which engine runs the shapes: pyshacl (the reference) or the set-at-a-time engine.

Both read the same shapes graph; a test proves they give the same findings. The default
is the fast engine; `--engine pyshacl` (or `KG_ENGINE=pyshacl`) uses the reference.
"""

from __future__ import annotations

import os

from rdflib import Graph

from kg.engine import Validation
from kg.engine import validate as validate_pyshacl
from kg.fast_engine import validate_fast

ENGINES = ("fast", "pyshacl")


def default() -> str:
    name = os.environ.get("KG_ENGINE", "fast")
    return name if name in ENGINES else "fast"


def validate(data: Graph, shapes: Graph, engine: str | None = None) -> Validation:
    """Apply the rules to `data` (in place) and validate it with the chosen engine."""
    if (engine or default()) == "pyshacl":
        return validate_pyshacl(data, shapes)
    return validate_fast(data, shapes)

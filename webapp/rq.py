"""The SPARQL the views use: one .rq file per question in webapp/page_queries/.

Views never write SPARQL: they name a file here and pass values, which the store binds
as RDF terms (a VALUES block), never as text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "page_queries"


@cache
def text(name: str) -> str:
    path = FOLDER / f"{name}.rq"
    if not path.is_file():
        raise KeyError(f"no view query {name!r} in {FOLDER}")
    return path.read_text(encoding="utf-8")


def names() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.rq"))

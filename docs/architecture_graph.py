"""Draw the rooms of kg/ and webapp/ and the imports between them, from the code, as a
Mermaid diagram: the block between the markers in docs/architecture.md.

    python docs/architecture_graph.py          # print the diagram
    python docs/architecture_graph.py --write  # put it into docs/architecture.md

tests/unit/test_architecture.py checks that the committed diagram is what this draws.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

PAGE = Path(__file__).resolve().parent / "architecture.md"
BEGIN = "<!-- rooms: drawn by docs/architecture_graph.py -->"
END = "<!-- end of rooms -->"
# the top-level modules that everything may use, shown as one box per package
BASE = {
    "kg": {"errors", "paths", "namespaces", "terms", "results", "version", "rdflib_sparql"},
    "webapp": {"cache", "links", "restricted", "rq"},
}


def room(module: str) -> str:
    """The room a module belongs to: its sub-package, its own name at the top, or the base."""
    parts = module.split(".")
    if len(parts) == 1:
        return parts[0]  # the package's __init__ (webapp: create_app)
    if parts[1] in BASE.get(parts[0], set()):
        return f"{parts[0]}.base"
    return ".".join(parts[:2])


def edges() -> list[tuple[str, str]]:
    graph = grimp.build_graph("kg", "webapp", cache_dir=None)
    found: set[tuple[str, str]] = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = room(module), room(imported)
            if a != b:
                found.add((a, b))
    return sorted(found)


def _id(name: str) -> str:
    return name.replace(".", "_")


def _label(r: str) -> str:
    package, _, rest = r.partition(".")
    if rest == "base":
        return f"{package}: {', '.join(sorted(BASE[package]))}"
    if not rest:
        return f"{package}/__init__.py"
    root = Path(__file__).resolve().parents[1] / package
    return f"{package}/{rest}/" if (root / rest).is_dir() else f"{package}/{rest}.py"


def diagram() -> str:
    """Rooms and the imports between them; the base modules, which any room may use, are
    drawn as boxes without the arrows into them."""
    pairs = [(a, b) for a, b in edges() if not b.endswith(".base")]
    rooms = sorted({r for pair in edges() for r in pair})
    lines = ["```mermaid", "flowchart TD"]
    for r in rooms:
        lines.append(f'    {_id(r)}["{_label(r)}"]')
    for a, b in pairs:
        lines.append(f"    {_id(a)} --> {_id(b)}")
    lines.append("```")
    return "\n".join(lines)


def page_with(text: str, block: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{block}\n{END}{tail}"


if __name__ == "__main__":
    block = diagram()
    if "--write" in sys.argv[1:]:
        PAGE.write_text(page_with(PAGE.read_text(encoding="utf-8"), block), encoding="utf-8")
    else:
        print(block)

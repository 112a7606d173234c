"""The house rules of the code (docs/architecture.md): rooms by concern, each importing only
from rooms below it (the import-linter contracts in pyproject.toml), no import cycle, few
top-level modules, no module past 400 lines, and a docstring that opens every module."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import grimp
import networkx as nx
import pytest
from importlinter import cli as importlinter_cli
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kg", "webapp")
MAX_LINES = 400
MAX_TOP_LEVEL = 12
MIN_ROOMS = {"kg": 4, "webapp": 4}


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_rooms_import_only_from_rooms_below() -> None:
    code = importlinter_cli.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    assert code == 0, "an import crosses the rooms' layers: see the contract report above"


def test_the_contracts_fail_on_an_upward_import() -> None:
    """The layers contract is not vacuous: a lower room that imports a higher one breaks it."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    contract = LayersContract(
        name="probe",
        session_options={"root_packages": list(PACKAGES)},
        contract_options={"layers": ["kg.decide", "kg.law"]},
    )
    assert contract.check(graph, verbose=False).kept
    graph.add_import(
        importer="kg.law.load", imported="kg.decide.check", line_number=1, line_contents="x"
    )
    assert not contract.check(graph, verbose=False).kept


def test_no_import_cycle() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    cycles = list(nx.simple_cycles(edges))
    assert not cycles, f"import cycles: {cycles[:5]}"


@pytest.mark.parametrize("package", PACKAGES)
def test_few_top_level_modules_and_the_rest_in_rooms(package: str) -> None:
    top = sorted(p.name for p in (ROOT / package).glob("*.py"))
    rooms = sorted(
        p.name for p in (ROOT / package).iterdir() if p.is_dir() and (p / "__init__.py").exists()
    )
    assert len(top) <= MAX_TOP_LEVEL, f"{package}/ has {len(top)} top-level modules: {top}"
    assert len(rooms) >= MIN_ROOMS[package], f"{package}/ has rooms {rooms}"


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_are_short_and_say_what_they_are_for(package: str) -> None:
    problems = []
    for path in _modules(package):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        lines = text.count("\n")
        if lines > MAX_LINES:
            problems.append(f"{name}: {lines} lines (at most {MAX_LINES})")
        if not ast.get_docstring(ast.parse(text)):
            problems.append(f"{name}: no docstring saying what it is for")
    assert not problems, "\n".join(problems)


def test_the_architecture_page_names_every_room() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for package in PACKAGES:
        for room in (ROOT / package).iterdir():
            if room.is_dir() and (room / "__init__.py").exists():
                assert f"{package}/{room.name}/" in page, f"docs/architecture.md lacks {room}"


def _architecture_graph() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "architecture_graph", ROOT / "docs" / "architecture_graph.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rooms_diagram_is_what_the_code_imports() -> None:
    drawing = _architecture_graph()
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert drawing.page_with(page, drawing.diagram()) == page, (
        "docs/architecture.md is out of date: run python docs/architecture_graph.py --write"
    )


def test_every_name_on_the_architecture_page_is_in_the_code() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    names = set(re.findall(r"\b((?:kg|webapp)\.[a-z_]+(?:\.[A-Za-z_]+)+)", page))
    assert len(names) > 15
    missing = []
    for name in sorted(names):
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                target: object = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attr in parts[cut:]:
                    target = getattr(target, attr)
            except AttributeError:
                missing.append(name)
            break
        else:
            missing.append(name)
    assert not missing, f"docs/architecture.md names what the code lacks: {missing}"

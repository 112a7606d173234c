"""Where the project's data lives: next to the package in a checkout, inside it when installed."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_FOLDERS = ("ontology", "shapes", "law", "incidents", "queries")


ENV = "KG_DATA_DIR"


def data_root() -> Path:
    """The folder holding ontology/, shapes/, law/, incidents/ and queries/.

    `KG_DATA_DIR` points elsewhere (a drafter's copy of the law, say)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).resolve()
    checkout = _PACKAGE.parent
    if all((checkout / name).is_dir() for name in ("ontology", "shapes", "law")):
        return checkout
    return _PACKAGE / "_data"


def folder(name: str) -> Path:
    if name not in _FOLDERS:
        raise ValueError(f"unknown data folder {name!r}")
    return data_root() / name

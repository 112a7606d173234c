"""The `kg` command: the group (`group`) and one module per command family."""

from kg.cli import check, law, store  # noqa: F401 - importing a family registers its commands
from kg.cli.group import main

__all__ = ["main"]

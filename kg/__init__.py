"""authority-kg: who has the power to act, and was the rule broken?

The core is pure: functions take rdflib graphs and plain values and return graphs or
small dataclasses. Loading, the store, the CLI and the web app do the I/O.
"""

from kg.version import __version__

__all__ = ["__version__"]

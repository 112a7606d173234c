"""The one place the project's version is written."""

__version__ = "0.6.7"

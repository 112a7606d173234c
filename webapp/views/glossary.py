"""The glossary (/glossary): what each verdict and status means, in the ontology's words;
every badge on the other pages links to its entry."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from webapp.data import glossary as words
from webapp.http.pages import page
from webapp.services import services

bp = Blueprint("glossary", __name__)


@page(bp, "/glossary", "glossary.html")
def index() -> dict[str, Any]:
    return {"sections": words.sections(services())}


def link(section: str, word: str) -> str:
    """The glossary entry of a word of a section, or "" (a template global: `glossary`)."""
    return words.href(services(), section, word)


bp.record_once(lambda state: state.app.jinja_env.globals.update(glossary=link))

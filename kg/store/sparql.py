"""SPARQL as text: values bound as a VALUES block of escaped RDF terms (never pasted), a
query's kind, and syntax errors as one message with line and column."""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.errors import InputError
from kg.terms import Term

_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)


def syntax_error(exc: Exception, where: str) -> InputError:
    """A SPARQL syntax error as one message with the line and column."""
    text = str(exc)
    m = _POSITION.search(text)
    if m:
        line, col, rest = int(m.group(1)), int(m.group(2)), m.group(3)
        expected = " ".join(rest.split())
        if len(expected) > 160:
            expected = expected[:157] + "..."
        return InputError(
            where,
            f"SPARQL syntax error at column {col}: {expected}",
            "correct the query at that line and column",
            line=line,
        )
    return InputError(
        where, f"SPARQL syntax error: {' '.join(text.split())[:200]}", "correct the query"
    )


def values_block(bindings: Mapping[str, Term]) -> str:
    """Bindings as a VALUES block, each value written as an escaped RDF term."""
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(v.n3() for v in bindings.values())
    return f" VALUES ({names}) {{ ({terms}) }} "


_TOKEN = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<string>'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<where>\bWHERE\b)"
    r"|(?P<brace>\{)",
    re.I,
)


def bind_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with the bindings as a VALUES block opening its WHERE clause, so that
    every pattern and filter of the clause sees them (like pre-bound variables)."""
    if not bindings:
        return sparql
    after_where = False
    first_brace = None
    for m in _TOKEN.finditer(sparql):
        if m.group("where"):
            after_where = True
        elif m.group("brace"):
            if first_brace is None:
                first_brace = m.end()
            if after_where:
                return sparql[: m.end()] + values_block(bindings) + sparql[m.end() :]
    if first_brace is None:
        raise InputError(
            "query",
            "the query has no group pattern ({ ... }) to bind values in",
            "write a WHERE clause",
        )
    return sparql[:first_brace] + values_block(bindings) + sparql[first_brace:]


def query_kind(sparql: str) -> str:
    text = re.sub(r"#[^\n]*", " ", sparql)
    text = re.sub(r"(?is)\b(PREFIX|BASE)\s+\S*\s*<[^>]*>", " ", text)
    m = re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text)
    if not m:
        return "select"
    word = m.group(1).upper()
    return {"SELECT": "select", "ASK": "ask"}.get(word, "graph")

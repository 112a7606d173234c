"""A page of a query's answer: `kg query --limit N --offset M`.

The page is asked of the store (a LIMIT and an OFFSET added to the query's text), so
only the page crosses the wire and is printed; a store stops after the rows asked for
where the query neither sorts nor groups (an ORDER BY still sorts the whole answer). The
rows of one page follow the next only where the query orders them (ORDER BY): SPARQL
leaves the order of an unordered answer to the store, so pages of an unordered query may
overlap or skip rows, which the note printed with a page says.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery

from kg.errors import InputError
from kg.rdflib_sparql import PARSE_LOCK


@dataclass(frozen=True)
class Page:
    """The text to send, the page it asks for, and whether the query orders its rows."""

    text: str
    limit: int
    offset: int
    ordered: bool


def page(text: str, limit: int, offset: int, where: str) -> Page:
    """`text` with `LIMIT limit OFFSET offset` added; bad input (a query that is not a
    SELECT, CONSTRUCT or DESCRIBE, or already sets its own LIMIT, OFFSET or trailing
    VALUES) raises InputError."""
    try:
        with PARSE_LOCK:
            parsed = parseQuery(text)
    except ParseException as err:
        raise InputError(
            where,
            f"--limit needs to read the query, and cannot: {err.msg}",
            "fix the query's syntax (or run it without --limit)",
            line=err.lineno,
            field="--limit",
        ) from None
    query = parsed[1]
    if query.name not in ("SelectQuery", "ConstructQuery", "DescribeQuery"):
        raise InputError(
            where,
            "--limit pages the rows of a SELECT (or the triples of a CONSTRUCT or "
            "DESCRIBE); this is an ASK query, which has one answer",
            "drop --limit and --offset",
            field="--limit",
        )
    if "limitoffset" in query or "valuesClause" in query:  # (CompValue.get answers a key)
        raise InputError(
            where,
            "the query sets its own LIMIT or OFFSET (or ends with a VALUES block), so "
            "--limit cannot add a page to it",
            "drop --limit and --offset, or take LIMIT, OFFSET and the closing VALUES block "
            "out of the query",
            field="--limit",
        )
    ordered = "orderby" in query
    return Page(f"{text.rstrip()}\nLIMIT {limit}\nOFFSET {offset}\n", limit, offset, ordered)


def note(rows: int, asked: Page) -> str | None:
    """What a user should know about the page just shown (None: nothing)."""
    limit, offset, ordered = asked.limit, asked.offset, asked.ordered
    if rows < limit:
        return None if ordered or offset == 0 else _UNORDERED
    after = f"rows {offset + 1}-{offset + rows}; the next page: --offset {offset + limit}"
    return after if ordered else f"{after}. {_UNORDERED}"


_UNORDERED = (
    "The query has no ORDER BY: the store may order its rows differently from one page "
    "to the next, so pages may overlap or skip rows."
)

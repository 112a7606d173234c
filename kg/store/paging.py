"""A page of a query's answer: `kg query --limit N --offset M`.

The page is asked of the store (a LIMIT and an OFFSET added to the query's text), so
only the page crosses the wire and is printed; a store stops after the rows asked for
where the query neither sorts nor groups (an ORDER BY still sorts the whole answer). The
rows of one page follow the next only where the query orders them (ORDER BY): SPARQL
leaves the order of an unordered answer to the store, so pages of an unordered query may
overlap or skip rows, which the note printed with a page says.

A listing too large to sort at each page (every incident's answers at 100,000
incidents) says in its header which order summary pages it (`# page-by: <summary>`) and
marks with a `#page-block` line where its rows' key is bound: `by_blocks` then reads
the first blocks of keys and asks the query for their rows only, block after block,
until the page is full. The rows are those of the whole answer, in its order: the
query orders by the key first (checked), and the blocks hold the keys in that order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.term import URIRef, Variable

from kg.errors import InputError
from kg.namespaces import AKG
from kg.rdflib_sparql import PARSE_LOCK
from kg.store import summary
from kg.store.base import Result, Row, Store
from kg.terms import Term

WIDEST = 2  # blocks asked for at once
MARK = re.compile(r"^[ \t]*#page-block[ \t]*$", re.M)  # a line of its own


@dataclass(frozen=True)
class Page:
    """The text to send, the page it asks for, and whether the query orders its rows."""

    text: str
    limit: int
    offset: int
    ordered: bool
    leads: str | None = None  # the variable the rows are ordered by first (ascending)


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
    leads = None
    if ordered:
        first = query["orderby"]["condition"][0]
        # ascending by a plain variable (CompValue.get answers a missing key's name)
        if isinstance(first.get("expr"), Variable) and "order" not in first:
            leads = str(first["expr"])
    paged = f"{text.rstrip()}\nLIMIT {limit}\nOFFSET {offset}\n"
    return Page(paged, limit, offset, ordered, leads)


def by_blocks(store: Store, text: str, bindings: Mapping[str, Term], asked: Page) -> Result | None:
    """The page `asked` of the query read block by block of its order summary (see the
    module's docstring), or None where it should not be: the query names no summary,
    does not mark where its key goes or order by it first, a parameter is given (an
    incident, or a filter such as an allegation, whose rows may be sparse in every block:
    at 100,000 incidents the whole answer, sorted, comes sooner), or the store does not
    hold the summary. The page is then asked of the whole answer."""
    named = summary.needed_order(text)
    orders = summary.catalog()
    if named not in orders or not MARK.search(text):  # (a file of one's own may name any)
        return None
    key = summary.order_key(orders[named])
    if key is None or asked.leads != key or bindings:
        return None
    g = f"<{summary.graph_name(named)}>"
    counted = store.query(f"SELECT ?n WHERE {{ GRAPH {g} {{ {g} <{AKG.blockCount}> ?n }} }}")
    if not counted.rows:  # the store does not hold the summary
        return None
    count = int(str(counted.rows[0]["n"]))
    wanted = asked.offset + asked.limit
    rows: list[Row] = []
    variables: tuple[str, ...] = ()
    first, width = 0, 1
    while True:
        blocks = " ".join(str(b) for b in range(first, min(first + width, count)))
        held = store.query(
            f"SELECT ?keys WHERE {{ GRAPH {g} {{ ?block <{AKG.listBlock}> ?b ; "
            f"<{AKG.blockKeys}> ?keys }} VALUES ?b {{ {blocks} }} }}"
        )
        listed = sorted(k for r in held.rows for k in str(r["keys"]).split())
        keys = " ".join(URIRef(k).n3() for k in listed)
        answer = store.query(MARK.sub(f"VALUES ?{key} {{ {keys} }}", text), bindings)
        variables = answer.variables
        rows.extend(answer.rows)
        # fewer questions where rows are sparse, but no more than WIDEST blocks at once:
        # asked for a thousand incidents, pyoxigraph may plan as if for the whole store
        first, width = first + width, min(2 * width, WIDEST)
        if first >= count or len(rows) >= wanted:
            break
    return Result("select", variables, tuple(rows[asked.offset : wanted]))


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

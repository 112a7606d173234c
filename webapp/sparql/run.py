"""Run SPARQL that users write or choose, with the app's limits (time, rows or triples,
bytes), and read the answer back as a table for the query page. Every run sees only the
app's allowed graphs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kg.namespaces import PREFIXES
from webapp.links import local, short
from webapp.sparql.protocol import check, dataset, inspect
from webapp.sparql.runner import Limits
from webapp.sparql.worker import Job, Outcome


def job(
    graphs: Sequence[str],
    limits: Limits,
    text: str,
    *,
    result_format: str = "json",
    graph_format: str = "turtle",
    default_uris: Sequence[str] = (),
    named_uris: Sequence[str] = (),
    every_graph: bool = False,
) -> Job:
    """A job for the runner over the app's `graphs`, within `limits`; raises
    protocol.Refused for updates and SERVICE. `every_graph`: the app's graphs are all the
    store holds (none withheld), so a query over all of them runs over the store's union."""
    inspection = inspect(text)
    check(inspection)
    default, named = dataset(inspection, list(graphs), default_uris, named_uris)
    return Job(
        query=text,
        default_graphs=default,
        named_graphs=named,
        whole_store=every_graph and default == named == tuple(graphs),
        result_format=result_format,
        graph_format=graph_format,
        cap=limits.cap,
        max_bytes=limits.max_bytes,
        prefixes={k: str(v) for k, v in PREFIXES.items()},
    )


def table(outcome: Outcome) -> dict[str, Any]:
    """A JSON answer (SELECT or ASK) as columns and rows of cells to show; a graph as text."""
    if outcome.kind == "graph":
        return {"kind": "graph", "text": outcome.body.decode("utf-8"), "count": outcome.count}
    doc = json.loads(outcome.body)
    if "boolean" in doc:
        return {"kind": "ask", "boolean": bool(doc["boolean"]), "count": 1}
    columns = list(doc["head"]["vars"])
    rows = []
    for binding in doc["results"]["bindings"]:
        row = []
        for name in columns:
            cell = binding.get(name)
            if cell is None:
                row.append({"text": "", "url": ""})
            elif cell["type"] == "uri":
                row.append(
                    {
                        "text": short(cell["value"]),
                        "url": local(cell["value"]),
                        "iri": cell["value"],
                    }
                )
            else:
                row.append({"text": cell["value"], "url": ""})
        rows.append(row)
    return {"kind": "select", "columns": columns, "rows": rows, "count": len(rows), "json": doc}

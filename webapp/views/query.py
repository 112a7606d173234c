"""Query: the saved questions for analysts (queries/*.rq, read through kg.store.queries), each
with its parameters as form fields, results as a table, and CSV or JSON to download;
and a SPARQL editor. Every query runs with the endpoint's time limit and result cap,
and a form value reaches a query only as a bound RDF term (kg.store.queries.bind)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request

from kg.errors import InputError
from kg.store import queries, summary
from kg.store.sparql import bind_values
from webapp.data.who import code_names
from webapp.http.pages import page
from webapp.services import Services, services
from webapp.sparql import run as sparql_exec
from webapp.sparql.protocol import Refused
from webapp.sparql.runner import QueryStopped

bp = Blueprint("query", __name__)

EXAMPLE = """PREFIX akg: <https://w3id.org/authority-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Every reading of a contested provision, and who holds it
SELECT ?reading ?label ?heldBy WHERE {
  GRAPH ?g { ?reading a akg:Reading ; rdfs:label ?label . OPTIONAL { ?reading akg:heldBy ?heldBy } }
}
ORDER BY ?reading
"""


def _run(s: Services, text: str, result_format: str = "json") -> dict[str, Any]:
    try:
        outcome = s.runner.run(
            sparql_exec.job(
                [str(g) for g in s.graphs],
                s.runner.limits,
                text,
                result_format=result_format,
                every_graph=not s.restricted.graphs,
            )
        )
    except (Refused, QueryStopped) as stop:
        return {"error": stop.message, "status": stop.status}
    if outcome.kind == "error":
        return {"error": outcome.message, "status": outcome.status}
    if result_format != "json":
        return {"body": outcome.body, "format": outcome.format}
    return {"table": sparql_exec.table(outcome)}


def _param_fields(s: Services, saved: queries.SavedQuery) -> list[dict[str, Any]]:
    fields = []
    for p in saved.params:
        options: list[str] = []
        widget = {"date": "date", "integer": "number", "iri": "url"}.get(p.type, "text")
        if p.type.startswith("code:"):
            widget = "select"
            options = list(code_names(s, p.type.split(":", 1)[1]))
        fields.append(
            {
                "name": p.name,
                "type": p.type,
                "doc": p.doc,
                "optional": p.optional,
                "widget": widget,
                "options": options,
                "value": request.args.get(p.name, ""),
            }
        )
    return fields


@page(bp, "/query", "query.html")
def index() -> Any:
    s = services()
    text = request.args.get("sparql", "")
    data: dict[str, Any] = {
        "saved": [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "params": [p.name for p in q.params],
                "url": f"/query/{q.name}",
            }
            for q in queries.catalog().values()
        ],
        "sparql": text or EXAMPLE,
        "result": None,
        "limits": {"timeout": s.runner.limits.timeout, "cap": s.runner.limits.cap},
    }
    if text:
        data["result"] = _run(s, text)
        if "error" in data["result"]:
            return data, int(data["result"]["status"])
    return data


@bp.route("/query/<name>.csv")
def download_csv(name: str) -> Response:
    s = services()
    saved = _saved(name)
    unserved = _unserved_summary(s, saved)
    if unserved:
        abort(503, unserved)
    try:
        text = bind_values(saved.text, queries.bind(saved, _given(saved), s.ctx.codes))
    except InputError as err:
        abort(400, str(err))
    result = _run(s, text, "csv")
    if "error" in result:
        abort(int(result["status"]), result["error"])
    response = Response(result["body"], mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _unserved_summary(s: Services, saved: queries.SavedQuery) -> str | None:
    """Why a query that reads a summary cannot be answered here, or None: the store holds
    no such summary, or it is withheld with the restricted sources it also counts."""
    seen = {str(g) for g in s.graphs}
    for name in summary.needed(saved.text):
        if str(summary.graph_name(name)) in seen:
            continue
        if s.restricted.graphs:
            return (
                f"this query reads the summary {name}, which counts restricted sources too:"
                " it is not served while they are withheld"
            )
        return f"the store {summary.absent([name])}"
    return None


def _saved(name: str) -> queries.SavedQuery:
    saved = queries.catalog().get(name)
    if saved is None:
        abort(404, f"there is no saved query '{name}'; see the list at /query")
    return saved


def _given(saved: queries.SavedQuery) -> dict[str, str]:
    names = {p.name for p in saved.params}
    return {k: v for k, v in request.args.items() if k in names and v != ""}


@page(bp, "/query/<name>", "saved_query.html")
def saved_query(name: str) -> Any:
    s = services()
    saved = _saved(name.removesuffix(".json"))
    given = _given(saved)
    data: dict[str, Any] = {
        "name": saved.name,
        "title": saved.title,
        "description": saved.description,
        "text": saved.text,
        "fields": _param_fields(s, saved),
        "given": given,
        "result": None,
        "error": None,
        "csv_url": "",
    }
    required = [p.name for p in saved.params if not p.optional]
    if not given and required:
        return data
    unserved = _unserved_summary(s, saved)
    if unserved:
        data["error"] = unserved
        return data, 503
    try:
        text = bind_values(saved.text, queries.bind(saved, given, s.ctx.codes))
    except InputError as err:
        data["error"] = str(err)
        return data, 400
    data["result"] = _run(s, text)
    if "error" in data["result"]:
        return data, int(data["result"]["status"])
    query_string = request.query_string.decode()
    data["csv_url"] = f"/query/{name}.csv" + (f"?{query_string}" if query_string else "")
    return data

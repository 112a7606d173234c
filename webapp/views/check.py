"""Check an incident: a form that builds an incident card (no YAML needed), validates it
with the CLI's messages, shows the result, and lets the user download the card.

POST /check.json also takes a JSON body {"card": {...}} (the card as a mapping) and
answers with the check report, or the error.
"""

from __future__ import annotations

import datetime
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from kg import api
from kg.errors import InputError
from webapp.data import card_form
from webapp.data import incidents as incident_data
from webapp.http.pages import as_json, page
from webapp.services import Services, services

bp = Blueprint("check", __name__)


def _base(s: Services, values: dict[str, Any], extra: str | None = None) -> dict[str, Any]:
    return {
        "spec": card_form.spec(s.ctx.codes),
        "values": values,
        "rows": card_form.row_counts(values, extra),
        "examples": sorted(incident_data.card_of_ids(s)),
        "error": None,
        "result": None,
        "yaml": "",
        "file_name": "card.yaml",
        "as_of": "",
        "added": extra or "",
    }


def _check(s: Services, text: str, name: str, as_of: str) -> dict[str, Any]:
    card = card_form.read(text, s.ctx.codes, name)
    with s.reasoning:
        report = api.check_cards_read([card], as_of=as_of or None, ctx=s.ctx)[0]
    view = incident_data.report_view(s, report, card, frozenset())
    return {"incident": report.incident, "title": report.title, "report": report.to_json(), **view}


def _download(text: str, name: str) -> Response:
    response = Response(text, mimetype="application/x-yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


MAX_DEPTH = 12  # a card is a mapping of lists of mappings: a few levels, never a dozen


def _depth(value: Any) -> int:
    """How deep a parsed JSON value nests (iteratively: no recursion limit to hit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(node, dict):
            stack += [(v, level + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, level + 1) for v in node]
    return deepest


def _bad_body(message: str) -> Response:
    return as_json({"valid": False, "error": {"message": message}}, 400)


def _json_body(s: Services) -> Response:
    """POST /check.json (or /check) with {"card": {...}}: the report or the error, as JSON."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return _bad_body(f"the JSON nests too deeply (a card nests at most {MAX_DEPTH} levels)")
    if not isinstance(body, dict) or not isinstance(body.get("card"), dict):
        return _bad_body('send {"card": {...}} (the card as a JSON object)')
    if _depth(body) > MAX_DEPTH:
        return _bad_body(f"the JSON nests too deeply (a card nests at most {MAX_DEPTH} levels)")
    text = card_form.to_yaml(body["card"])
    name = card_form.file_name(body["card"])
    try:
        result = _check(s, text, name, str(body.get("as_of", "")))
    except InputError as err:
        return as_json(
            {
                "valid": False,
                "error": {"message": str(err), "field": err.field or "", "line": err.line},
                "yaml": text,
            },
            400,
        )
    return as_json({"valid": True, "yaml": text, "result": result})


@page(bp, "/check", "check.html", methods=["GET", "POST"])
def form() -> Any:
    s = services()
    if request.method == "GET":
        values: dict[str, Any] = {}
        example = request.args.get("example", "")
        if example in incident_data.card_of_ids(s):
            card = incident_data.card_of(s, example)
            values = card_form.from_card(s.restricted.public_card(card.data))
        data = _base(s, values)
        data["today"] = datetime.date.today().isoformat()
        return data
    if request.mimetype == "application/json":
        return _json_body(s)
    form_data: MultiDict[str, str] = request.form
    built = card_form.from_form(form_data)
    action = form_data.get("action", "check")
    extra = action.split(":", 1)[1] if action.startswith("add:") else None
    data = _base(s, built.values, extra)
    text = card_form.to_yaml(built.data)
    name = card_form.file_name(built.data)
    data.update(yaml=text, file_name=name, as_of=form_data.get("as_of", "").strip())
    if action == "download":
        return _download(text, name)
    if extra:
        return data
    try:
        data["result"] = _check(s, text, name, data["as_of"])
    except InputError as err:
        data["error"] = {
            "message": str(err),
            "problem": err.problem,
            "fix": err.fix,
            "line": err.line,
            "field": card_form.field_name(err, built, text),
        }
        return data, 400
    return data

"""Check an incident: a form that builds an incident card for people, and checks it.

Ids are made for them, references picked from what was entered, choices shown in words;
every problem is shown at once beside its field; the card is checked with the CLI's reader
and shown as YAML.

POST /check.json also takes a JSON body {"card": {...}} (the card as a mapping) and
answers with the check report, or the error.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.datastructures import MultiDict

from kg import api
from kg.cards.read import Card
from kg.errors import InputError
from webapp.data import card_form
from webapp.data import card_form_fields as fields
from webapp.data import incidents as incident_data
from webapp.data.who import code_names
from webapp.http.pages import as_json, page
from webapp.services import Services, services

bp = Blueprint("check", __name__)


def _names(s: Services) -> dict[str, dict[str, str]]:
    return {scheme: code_names(s, scheme) for scheme in s.ctx.codes.by_scheme}


def _base(s: Services, values: dict[str, Any], extra: str | None = None) -> dict[str, Any]:
    spec = s.memo.get(("check-form",), lambda: fields.spec(s.ctx.codes, _names(s)))
    rows = fields.row_counts(values, extra)
    ids = fields.assign_ids(values, rows)
    return {
        "spec": spec,
        "values": values,  # as given: the ids made for rows not in use are in `ids`
        "rows": rows,
        "ids": ids,
        "choices": fields.choices(spec, ids, values),
        "examples": sorted(incident_data.card_of_ids(s)),
        "errors": [],
        "invalid": {},
        "reader": None,
        "result": None,
        "yaml": "",
        "file_name": "card.yaml",
        "as_of": "",
        "added": extra or "",
    }


def _check(s: Services, card: Card, as_of: str) -> dict[str, Any]:
    with s.reasoning:
        report = api.check_cards_read([card], as_of=as_of or None, ctx=s.ctx)[0]
    view = incident_data.report_view(s, report, card, frozenset())
    return {"incident": report.incident, "title": report.title, "report": report.to_json(), **view}


def _reader(err: InputError) -> dict[str, Any]:
    return {"message": str(err), "field": err.field or "", "line": err.line}


def _problems(data: dict[str, Any], found: list[card_form.Problem]) -> tuple[dict[str, Any], int]:
    data["errors"] = [{**asdict(p), "text": p.text} for p in found]
    data["invalid"] = {p.field: p.message for p in found if p.field}
    return data, 400


def _checked(s: Services, built: card_form.Built, data: dict[str, Any]) -> Any:
    """The check's result, or every problem of the card at once (400)."""
    text, as_of = data["yaml"], data["as_of"]
    found = card_form.problems(built, s.ctx.codes, as_of=as_of)
    try:
        card = card_form.read(text, s.ctx.codes, data["file_name"])
    except InputError as err:
        data["reader"] = _reader(err)
        problem = card_form.reader_problem(err, built, text)
        # a problem the form's own checks missed; one the reader cannot tie to a field is
        # most likely a consequence of theirs (the YAML view shows it in any case)
        if not found or (problem.field and all(p.field != problem.field for p in found)):
            found.append(problem)
    if found:
        return _problems(data, found)
    try:
        data["result"] = _check(s, card, as_of)
    except InputError as err:
        data["reader"] = _reader(err)
        return _problems(data, [card_form.reader_problem(err, built, text)])
    return data


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
        card = card_form.read(text, s.ctx.codes, name)
        result = _check(s, card, str(body.get("as_of", "")))
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
            public = s.restricted.public_card(card.data)
            values = card_form.from_card(public)
        data = _base(s, values)
        if values:
            data.update(yaml=card_form.to_yaml(public), file_name=card_form.file_name(public))
        data["today"] = datetime.date.today().isoformat()
        return data
    if request.mimetype == "application/json":
        return _json_body(s)
    form_data: MultiDict[str, str] = request.form
    built = card_form.from_form(form_data)
    action = form_data.get("action", "check")
    extra = action.split(":", 1)[1] if action.startswith("add:") else None
    data = _base(s, built.values, extra if extra in card_form.LISTS else None)
    text = card_form.to_yaml(built.data)
    name = card_form.file_name(built.data)
    data.update(yaml=text, file_name=name, as_of=form_data.get("as_of", "").strip())
    if action == "download":
        return _download(text, name)
    if extra:
        return data
    return _checked(s, built, data)

"""The check-an-incident form built for people (issue 16, item 3): ids made for the user,
references picked from the rows entered, choices in words, Enter checks, every error at
once beside its field (aria-invalid, aria-describedby) with a summary whose links focus
the field, every part of a card (persons and events too), and the card shown as YAML.

The first tests use webapp.data.card_form and the Flask client; the rest drive Debian's
Chromium (/usr/bin/chromium) with Playwright, as tests/web/test_browser.py does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from kg.errors import InputError
from tests.web.conftest import JUNE4, csrf, text
from tests.web.test_browser import SKIP, browser, server  # noqa: F401  (fixtures)
from webapp.data import card_form, card_form_fields

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # pragma: no cover - depends on the machine; the browser tests skip
    pass

browser_only = pytest.mark.skipif(bool(SKIP), reason=SKIP)

MINIMAL = {
    "card-title": "Crowd control near a raid",
    "card-date": "2025-06-04",
    "actions-0-actor-agency": "CPD",
    "actions-0-actor-role": "officer",
    "actions-0-kind": "crowd-control",
    "actions-0-purpose": "public-safety",
}


def _codes(app: Flask) -> Any:
    return app.extensions["kg"].ctx.codes


def _example(app: Flask) -> dict[str, Any]:
    from webapp.data import incidents as incident_data

    with app.app_context():
        return dict(incident_data.card_of(app.extensions["kg"], JUNE4).data)


def _multidict(values: dict[str, Any]) -> MultiDict[str, str]:
    pairs = []
    for name, value in values.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, str(v)))
    return MultiDict(pairs)


def _short_actors(value: Any) -> Any:
    """A card's value with each actor written short (`CPD:officer`), as the form writes it."""
    if isinstance(value, list):
        return [_short_actors(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"agency", "role"}:
            return f"{value['agency']}:{value['role']}"
        return {k: _short_actors(v) for k, v in value.items()}
    return value


# -- form -> card ------------------------------------------------------------------------


def test_ids_are_made_for_the_rows_in_use(app: Flask) -> None:
    built = card_form.from_form(
        MultiDict(
            {
                **MINIMAL,
                "calls-0-caller-agency": "ICE-CONTRACTOR",
                "calls-0-caller-role": "contractor",
                "actions-0-in_response_to": "call1",
                "actions-1-kind": "",  # a blank row: no item, no id in the card
            }
        )
    )
    assert built.data["id"] == "crowd-control-near-a-raid-2025-06-04"
    assert [a["id"] for a in built.data["actions"]] == ["a1"]
    assert built.data["calls"] == [{"id": "call1", "caller": "ICE-CONTRACTOR:contractor"}]
    assert built.data["actions"][0]["in_response_to"] == "call1"
    assert card_form.problems(built, _codes(app), today="2026-01-01") == []


def test_made_ids_never_take_an_id_in_use() -> None:
    values = {"actions-0-id": "a2", "actions-0-kind": "stop"}
    ids = card_form_fields.assign_ids(values, {"actions": 3})
    assert ids["actions"] == ["a2", "a3", "a4"]


def test_every_card_goes_through_the_form_unchanged(app: Flask) -> None:
    """card -> form values -> card: every part of a card the form can hold, persons,
    events, claims, complaints and reviews included."""
    card = _example(app)
    card["persons"] = [{"id": "p1", "description": "a resident", "record": ["gang-database"]}]
    card["actions"] = [*card["actions"], {"id": "a9", "actor": "ICE:agent", "kind": "detain"}]
    card["actions"][-1]["subject"] = "p1"
    built = card_form.from_form(_multidict(card_form.from_card(card)))
    for key, value in card.items():
        if key == "card":
            continue
        assert built.data[key] == _short_actors(value), key
    assert {"persons", "events", "claims", "complaints", "reviews"} <= set(built.data)


def test_every_problem_at_once_in_words(app: Flask) -> None:
    form = {
        **MINIMAL,
        "card-date": "2025-13-45",
        "actions-0-actor-role": "",
        "complaints-0-against-agency": "CPD",
        "complaints-0-against-role": "officer",
    }
    built = card_form.from_form(MultiDict(form))
    found = card_form.problems(built, _codes(app), today="2026-01-01")
    assert [p.field for p in found] == [
        "card-date",
        "actions-0-actor-role",
        "complaints-0-allegations",
    ]
    assert found[0].text == (
        "Date of the incident: '2025-13-45' is not a date: write it as YYYY-MM-DD, e.g. 2025-06-04."
    )
    assert found[1].where == "Action 1, who acted (role)"
    assert "required" in found[2].message
    assert not any(".yaml" in p.text or "field '" in p.text for p in found)


def test_a_reference_to_an_empty_row_is_named(app: Flask) -> None:
    built = card_form.from_form(
        MultiDict({**MINIMAL, "actions-0-assists": "op1", "operations-0-kind": ""})
    )
    (problem,) = card_form.problems(built, _codes(app), today="2026-01-01")
    assert problem.field == "actions-0-assists"
    assert problem.message == "Operation 1 is empty: fill it in above, or choose another."


@pytest.mark.parametrize(
    ("field", "line", "control"),
    [
        ("actions[a1].kind", None, "actions-0-kind"),
        ("actions[a1].actor", None, "actions-0-actor-agency"),
        ("claims[cl1].about", None, "claims-0-about-item"),
        ("date", 5, "card-date"),
        (None, 5, "card-date"),  # by its line in the card's YAML
        ("actions[a1].id", None, ""),  # an id is made by the form: the card as a whole
    ],
)
def test_reader_errors_map_back_to_their_field(
    field: str | None, line: int | None, control: str
) -> None:
    built = card_form.from_form(
        MultiDict({**MINIMAL, "claims-0-about-item": "a1", "claims-0-about-field": "assists"})
    )
    yaml_text = card_form.to_yaml(built.data)
    assert yaml_text.splitlines()[line - 1 if line else 0]
    err = InputError("x.yaml", "something is wrong", "fix it", line=line, field=field)
    problem = card_form.reader_problem(err, built, yaml_text)
    assert problem.field == control
    assert problem.message == "Something is wrong. To fix it: fix it."


# -- the page ---------------------------------------------------------------------------


def test_choices_are_words_and_their_values_codes(client: FlaskClient) -> None:
    html = client.get("/check").get_data(as_text=True)
    assert '<option value="crowd-control">Crowd control</option>' in html
    assert re.search(
        r'<option value="CPD" data-short="CPD">Chicago Police Department \(CPD\)', html
    )
    assert '<option value="officer">Officer</option>' in html
    # no id to type: each row's id is made and shown, read-only
    assert 'type="hidden" name="actions-0-id" value="a1"' in html
    assert 'id="f-actions-0-id"' not in html
    # a reference is picked from the rows of the form
    found = re.search(r'<select id="f-actions-0-in_response_to".*?</select>', html, re.S)
    assert found and '<option value="call1" data-ref="call1">Call 1</option>' in found.group(0)


def test_the_default_button_is_check(client: FlaskClient) -> None:
    html = client.get("/check").get_data(as_text=True)
    form = html[html.index('<form id="card-form"') :]
    first = re.search(r'<button type="submit"[^>]*>', form)
    assert first and 'value="check"' in first.group(0)


def test_persons_and_events_reach_the_card_and_its_yaml(client: FlaskClient) -> None:
    form = {
        **MINIMAL,
        "csrf_token": csrf(client),
        "persons-0-description": "a resident detained at the check-in",
        "persons-0-record": "felony-conviction",
        "actions-0-subject": "p1",
        "events-0-date": "2025-07-01",
        "events-0-title": "Committee hearing",
        "events-0-kind": "hearing",
        "action": "check",
    }
    body = client.post("/check.json", data=form).get_json()
    assert body["errors"] == [] and body["result"]
    for line in ("persons:", "subject: p1", "- felony-conviction", "events:", "kind: hearing"):
        assert line in body["yaml"]
    html = client.post("/check", data=form).get_data(as_text=True)
    assert "This card as YAML" in text(html) and "subject: p1" in text(html)


def test_the_json_twin_carries_every_problem(client: FlaskClient) -> None:
    form = {**MINIMAL, "csrf_token": csrf(client), "card-title": "", "action": "check"}
    response = client.post("/check.json", data=form)
    assert response.status_code == 400
    body = response.get_json()
    assert [e["field"] for e in body["errors"]] == ["card-title"]
    assert body["errors"][0]["message"] == "Write the title (required)."
    # the reader's own words (file, line, field) are kept for those who want them
    assert "field 'title'" in body["reader"]["message"]
    assert "date: '2025-06-04'" in body["yaml"]


# -- in the browser ----------------------------------------------------------------------


@pytest.fixture()
def page(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, 1280)


@pytest.fixture()
def phone(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    yield from _page(browser, 390)


def _page(browser: Browser, width: int) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    pg.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "status of 400" not in m.text else None
        ),
    )
    pg.on("pageerror", lambda e: problems.append(str(e)))
    yield pg
    context.close()
    assert not problems, problems


def _tab_to(page: Page, field_id: str, most: int = 400) -> None:
    """Tab (only Tab) until the field has the focus."""
    for _ in range(most):
        if page.evaluate("document.activeElement.id") == field_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{field_id}")


def _type_choice(page: Page, field_id: str, words: str) -> None:
    """Choose in a drop-down by typing the start of its words, as a keyboard user does."""
    _tab_to(page, field_id)
    page.keyboard.type(words, delay=20)
    chosen = page.locator(f"#{field_id} option:checked").inner_text()
    assert chosen.startswith(words), (field_id, chosen)


def _axe(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [["main"]]})
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]


@browser_only
@pytest.mark.browser
def test_keyboard_alone_fills_a_card_and_enter_checks_it(page: Page, server: str) -> None:  # noqa: F811
    page.goto(server + "/check")
    _tab_to(page, "f-card-title")
    page.keyboard.type("Crowd control near a raid")
    page.keyboard.press("Tab")
    page.keyboard.type("2025-06-04")
    _type_choice(page, "f-actions-0-actor-agency", "Chicago Police D")
    _type_choice(page, "f-actions-0-actor-role", "Officer")
    _type_choice(page, "f-actions-0-kind", "Crowd control")
    _type_choice(page, "f-actions-0-purpose", "Public safety")
    page.keyboard.press("Enter")  # in a drop-down: Check, never "Add another …"
    result = page.locator("section[aria-labelledby=result-heading]")
    expect(result).to_contain_text("Findings on the law as of 2025-06-04")
    expect(result.locator("article.finding", has_text="2-173-020(a)(6)").first).to_contain_text(
        "complies"
    )
    # Enter in a text field checks too
    page.fill("#f-card-title", "Crowd control near a raid, again")
    page.press("#f-card-title", "Enter")
    expect(page.locator("#result-heading")).to_contain_text("again")


@browser_only
@pytest.mark.browser
def test_enter_checks_without_javascript(browser: Browser, server: str) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/check")
    page.fill("#f-card-title", "No script")
    page.fill("#f-card-date", "2025-06-04")
    page.press("#f-card-date", "Enter")
    expect(page.locator("#result-heading")).to_contain_text("No script")
    context.close()


def _three_errors(page: Page, base: str) -> None:
    page.goto(base + "/check")
    page.fill("#f-card-title", "Three problems")
    page.fill("#f-card-date", "2025-13-45")
    page.select_option("#f-actions-0-actor-agency", "CPD")
    page.select_option("#f-actions-0-kind", "crowd-control")
    page.select_option("#f-complaints-0-against-agency", "CPD")
    page.select_option("#f-complaints-0-against-role", "officer")
    page.get_by_role("button", name="Check the incident").click()


@browser_only
@pytest.mark.browser
def test_every_error_at_once_beside_its_field(page: Page, server: str) -> None:  # noqa: F811
    _three_errors(page, server)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("3 problems to fix before the card can be checked")
    expected = {
        "card-date": "'2025-13-45' is not a date",
        "actions-0-actor-role": "Choose the role too",
        "complaints-0-allegations": "Choose the allegations",
    }
    assert summary.locator("li a").count() == 3
    for name, words in expected.items():
        field = page.locator(f"#f-{name}")
        expect(field).to_have_attribute("aria-invalid", "true")
        described = (field.get_attribute("aria-describedby") or "").split()
        assert f"e-{name}" in described
        error = page.locator(f"#e-{name}")
        expect(error).to_be_visible()
        expect(error).to_contain_text(words)
        assert ".yaml" not in error.inner_text()
        # beside its field: in the same field box, right under it
        box = field.locator("xpath=ancestor::*[contains(@class,'field')][1]")
        expect(box.locator(f"#e-{name}")).to_have_count(1)
        # the summary's link puts the focus in the field
        summary.locator(f"a[href='#f-{name}']").click()
        expect(field).to_be_focused()
    expect(page.locator("[aria-invalid=true]")).to_have_count(3)
    # the reader's words, with file and line, only in the card's YAML view
    page.get_by_text("This card as YAML").click()
    expect(page.locator(".reader-message")).to_contain_text("field 'date'")


@browser_only
@pytest.mark.browser
def test_references_are_picked_from_the_rows_entered(page: Page, server: str) -> None:  # noqa: F811
    page.goto(server + "/check")
    page.fill("#f-card-title", "Picked references")
    page.fill("#f-card-date", "2025-06-04")
    page.select_option("#f-calls-0-caller-agency", "ICE-CONTRACTOR")
    page.select_option("#f-calls-0-caller-role", "contractor")
    page.select_option("#f-operations-0-agency", "ICE")
    page.select_option("#f-operations-0-kind", "civil-immigration-enforcement")
    # a second operation, added in place (no round trip): its id is made, its row named
    page.get_by_role("button", name="Add another operation").click()
    expect(page.locator("#f-operations-1-agency")).to_be_focused()
    page.select_option("#f-operations-1-agency", "PUBLIC")
    page.select_option("#f-operations-1-kind", "demonstration")
    assists = page.locator("#f-actions-0-assists")
    expect(assists.locator("option[value=op2]")).to_have_text("Operation 2: PUBLIC, Demonstration")
    expect(page.locator("#f-actions-0-in_response_to option[value=call1]")).to_have_text(
        "Call 1: ICE-CONTRACTOR contractor"
    )
    page.select_option("#f-actions-0-actor-agency", "CPD")
    page.select_option("#f-actions-0-actor-role", "officer")
    page.select_option("#f-actions-0-kind", "crowd-control")
    page.select_option("#f-actions-0-in_response_to", label="Call 1: ICE-CONTRACTOR contractor")
    assists.select_option(label="Operation 2: PUBLIC, Demonstration")
    # a claim picks the item and the fact, and is offered the values that fact takes
    page.select_option("#f-claims-0-about-item", "a1")
    page.select_option("#f-claims-0-about-field", "assists")
    offered = page.locator("#dl-claims-0-value option").evaluate_all("os => os.map(o => o.value)")
    assert "op1" in offered and "op2" in offered
    page.fill("#f-claims-0-value", "op1")
    page.fill("#f-sources-0-title", "Coverage")
    page.select_option("#f-claims-0-source", "s1")
    page.get_by_role("button", name="Check the incident").click()
    expect(page.locator("#result-heading")).to_be_visible()
    page.get_by_text("This card as YAML").click()
    yaml_text = page.locator("pre.card-yaml").inner_text()
    for line in ("in_response_to: call1", "assists: op2", "about: a1.assists", "value: op1"):
        assert line in yaml_text
    assert "id: op2" in yaml_text and "source: s1" in yaml_text


@browser_only
@pytest.mark.browser
def test_persons_and_events_entered_reach_the_card(page: Page, server: str) -> None:  # noqa: F811
    page.goto(server + "/check")
    page.fill("#f-card-title", "Persons and events")
    page.fill("#f-card-date", "2025-06-04")
    page.fill("#f-persons-0-description", "a resident detained at the check-in")
    page.select_option("#f-persons-0-record", "pending-felony-charge")
    page.select_option("#f-actions-0-actor-agency", "ICE")
    page.select_option("#f-actions-0-actor-role", "agent")
    page.select_option("#f-actions-0-kind", "detain")
    page.select_option(
        "#f-actions-0-subject", label="Person 1: a resident detained at the check-in"
    )
    page.fill("#f-events-0-date", "2025-07-01")
    page.fill("#f-events-0-title", "Committee hearing on the raid")
    page.select_option("#f-events-0-kind", "hearing")
    page.get_by_role("button", name="Add another event").click()
    page.fill("#f-events-1-date", "2025-08-01")
    page.fill("#f-events-1-title", "Mayor's review shared")
    page.keyboard.press("Enter")
    expect(page.locator("#result-heading")).to_be_visible()
    page.get_by_text("This card as YAML").click()
    yaml_text = page.locator("pre.card-yaml").inner_text()
    for line in (
        "persons:",
        "description: a resident detained at the check-in",
        "- pending-felony-charge",
        "subject: p1",
        "events:",
        "title: Committee hearing on the raid",
        "kind: hearing",
        "id: e2",
        "title: Mayor's review shared",
    ):
        assert line in yaml_text, line


@browser_only
@pytest.mark.browser
@pytest.mark.parametrize("case", ["empty", "example", "errors"])
def test_the_form_fits_a_phone(phone: Page, server: str, case: str) -> None:  # noqa: F811
    if case == "errors":
        _three_errors(phone, server)
        expect(phone.locator(".error-summary")).to_be_visible()
    else:
        phone.goto(server + "/check" + (f"?example={JUNE4}" if case == "example" else ""))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


@browser_only
@pytest.mark.browser
def test_axe_finds_nothing_on_the_form(page: Page, server: str) -> None:  # noqa: F811
    page.goto(server + "/check")
    assert _axe(page) == []
    page.get_by_role("button", name="Add another action").click()
    assert _axe(page) == []
    _three_errors(page, server)
    expect(page.locator(".error-summary")).to_be_visible()
    assert _axe(page) == []

"""The who-investigates page answers from the competence matrix stored by `kg load`:
its answers must be the reasoner's (kg.api.who), word for word."""

from __future__ import annotations

import pytest
from flask import Flask

from kg import api
from kg.decide.competence import matrix
from webapp.data.who import from_matrix


@pytest.mark.parametrize("date", ["2016-06-01", "2018-03-01", "2025-06-04"])
def test_stored_matrix_answers_as_the_reasoner_does(app: Flask, date: str) -> None:
    services = app.extensions["kg"]
    ctx = api.context()
    expected = matrix(ctx.law, ctx.shapes, ctx.codes, ctx.info, date=date)
    assert len(expected) == len(ctx.codes.notations("allegation")) * len(
        ctx.codes.notations("respondent")
    )
    for answer in expected:
        stored = from_matrix(services, answer.allegation or "", answer.respondent, date)
        assert stored is not None, (answer.allegation, answer.respondent)
        assert stored.to_json() == answer.to_json(), (answer.allegation, answer.respondent)


def test_one_question_as_kg_who_answers_it(app: Flask) -> None:
    services = app.extensions["kg"]
    question = {
        "allegation": "welcoming-city-violation",
        "respondent": "CPD:officer",
        "date": "2025-06-04",
    }
    stored = from_matrix(services, **question)
    assert stored is not None
    assert stored.to_json() == api.who(**question).to_json()
    assert stored.status == "contested"

"""No result without a rule, and a crash is exit status 4 (never 1, "a violation")."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg import api
from kg.decide.check import Options, check_cards
from kg.decide.competence import who
from kg.errors import InternalError
from tests.conftest import JUNE4, kg

AKGSH = "https://w3id.org/authority-kg/shapes#"


def _without_rule(name: str) -> Graph:
    shapes = Graph()
    shapes += api.context().shapes
    shapes.remove((None, SH.rule, URIRef(AKGSH + name)))
    shapes.remove((URIRef(AKGSH + name), None, None))
    return shapes


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_evaluation_no_rule_decided_is_an_internal_error(engine: str) -> None:
    """Without the verdict rule, no verdict is made up in Python."""
    ctx = api.context()
    card = api.resolve_card(str(JUNE4), ctx)
    with pytest.raises(InternalError, match="no rule gave a verdict"):
        check_cards(
            [card],
            ctx.law,
            _without_rule("VerdictRule"),
            ctx.codes,
            ctx.info,
            ctx.header,
            Options(engine=engine),
        )


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_question_no_rule_answered_is_an_internal_error(engine: str) -> None:
    """Without the status rule, `gap` is not supplied by Python."""
    ctx = api.context()
    with pytest.raises(InternalError, match="no rule gave a competence status"):
        who(
            ctx.law,
            _without_rule("CompetenceStatusRule"),
            ctx.codes,
            ctx.info,
            allegation="excessive-force",
            respondent="CPD:officer",
            date="2024-05-01",
            engine=engine,
        )


def test_a_crash_exits_4_with_one_message_and_no_output(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(api, "check", boom)
    result = kg("check", str(JUNE4), "--format", "json")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert "internal error" in result.stderr and "simulated bug" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_answer_names_its_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    for engine in ("fast", "pyshacl"):
        monkeypatch.setenv("KG_ENGINE", engine)
        checked = json.loads(kg("check", str(JUNE4), "--format", "json").stdout)
        asked = json.loads(
            kg(
                "who",
                "--allegation",
                "excessive-force",
                "--respondent",
                "CPD:officer",
                "--date",
                "2024-05-01",
                "--format",
                "json",
            ).stdout
        )
        assert checked["engine"] == asked["engine"] == engine


def test_an_unknown_engine_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_ENGINE", "pyshcal")
    result = kg("check", str(JUNE4), "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "KG_ENGINE" in result.stderr and "pyshacl" in result.stderr

"""Incident cards: every form the spec allows is read; every bad card gets one message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg import api
from kg.cards.rdf import card_quads
from kg.cards.read import read_card
from kg.errors import InputError
from kg.namespaces import AKG
from tests.conftest import CARDS, JUNE4, kg

BAD = {
    "unknown-key.yaml": (9, "actions[a1].colour", "unknown key 'colour'"),
    "unknown-code.yaml": (6, "actions[a1].kind", "'arest' is not a known action code"),
    "bad-date.yaml": (4, "date", "'2024-13-45'"),
    "dangling-id.yaml": (9, "actions[a1].in_response_to", "'call9' is not the id"),
    "yaml-syntax.yaml": (5, None, "YAML syntax error"),
    "yes-no.yaml": (8, "calls[call1].affiliation_disclosed", "'yes'"),
    "bad-claim.yaml": (10, "claims[cl1].about", "'colour' is not a field"),
    "actor-form.yaml": (6, "actions[a1].actor", "'CPD officer'"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_card_gives_one_message_and_exit_2(name: str) -> None:
    line, field, problem = BAD[name]
    result = kg("check", str(CARDS / "bad" / name), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    message = lines[0]
    assert f"{name}:{line}:" in message
    assert problem in message
    if field:
        assert f"field '{field}'" in message
    assert "Fix:" in message


def test_bad_card_changes_nothing(tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in (JUNE4.parent).glob("*.yaml")}
    copy = tmp_path / "bad.yaml"
    shutil.copy(CARDS / "bad" / "unknown-key.yaml", copy)
    assert kg("check", str(copy)).exit_code == 2
    assert {p: p.read_bytes() for p in (JUNE4.parent).glob("*.yaml")} == before


def test_both_actor_forms_give_the_same_facts(tmp_path: Path) -> None:
    short = "actions:\n  - {id: a1, actor: CPD:officer, kind: arrest}\n"
    long = "actions:\n  - {id: a1, actor: {agency: CPD, role: officer}, kind: arrest}\n"
    head = "card: 1\nid: forms\ntitle: Actor forms\ndate: 2024-01-01\n"
    ctx = api.context()
    graphs = []
    for i, body in enumerate((short, long)):
        path = tmp_path / f"c{i}.yaml"
        path.write_text(head + body)
        graphs.append({q[:3] for q in card_quads(read_card(path, ctx.codes), ctx.codes)})
    assert graphs[0] == graphs[1]


def test_unquoted_time_is_a_time_not_a_number(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "card: 1\nid: t\ntitle: T\ndate: 2024-01-01\n"
        "calls:\n  - {id: call1, time: 14:06, caller: ICE:agent}\n"
    )
    ctx = api.context()
    times = [q[2] for q in card_quads(read_card(path, ctx.codes), ctx.codes) if q[1] == AKG.time]
    assert [str(t) for t in times] == ["14:06:00"]


def test_facts_go_to_one_named_graph_per_source() -> None:
    ctx = api.context()
    card = read_card(JUNE4, ctx.codes)
    graphs = {str(q[3]) for q in card_quads(card, ctx.codes)}
    assert any(g.endswith("/cpd-testimony-2025-07-01") for g in graphs)
    assert any(g.endswith("/card") for g in graphs)


def test_unknown_incident_id_is_bad_input() -> None:
    result = kg("check", "no-such-incident")
    assert result.exit_code == 2
    assert "south-loop-2025-06-04" in result.stderr


def test_unknown_claim_to_assume_is_bad_input() -> None:
    with pytest.raises(InputError, match="cl99"):
        api.check([str(JUNE4)], assume=("cl99",))

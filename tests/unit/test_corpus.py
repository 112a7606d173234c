"""The corpus of real incidents (incidents/*.yaml) keeps its sources honest
(docs/incidents.md says how a card is written and reviewed).

Each card is read as `kg check` reads it; then: every source resolves to a title, a
publisher and a date (or says its date is not known); every fact rests on a source;
every claim names who asserts it and rests on a source of its own; and no card states
as a fact what a party's testimony alleges against a City agent without recording the
other side (a claim) unless the testimony is the agent's own agency's.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from kg import api
from kg.cards import format as fmt
from kg.cards.read import Card, read_card
from kg.paths import folder

CARDS = sorted(folder("incidents").glob("*.yaml"))
# the agencies of the City, whose agents' conduct the checks judge
CITY = ("CPD", "CPD-BIA", "COPA", "OIG", "OIG-PS", "OEMC", "MAYOR", "LAW", "CITY-DEPT")
# how a source's publisher names an agency when the account is that agency's own
OWN_NAME = {"CPD": ("Chicago Police", "CPD"), "OEMC": ("OEMC", "Emergency Management")}


@cache
def card(path: Path) -> Card:
    return read_card(path, api.context().codes)


def ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_the_corpus_holds_thirty_real_incidents() -> None:
    real = [p for p in CARDS if card(p).data.get("synthetic") != "true"]
    assert len(real) >= 30, f"{len(real)} real incident cards"
    years = {str(card(p).data["date"])[:4] for p in real}
    assert min(years) <= "2017" and max(years) >= "2026", years


@pytest.mark.parametrize("path", CARDS, ids=ids(CARDS))
def test_every_source_has_a_title_publisher_and_date(path: Path) -> None:
    c = card(path)
    assert c.items("sources"), "a real card rests on sources"
    for s in c.items("sources"):
        where = f"{path.name}: source {s['id']}"
        assert s.get("title") and s.get("publisher"), f"{where}: title and publisher"
        assert "date" in s, f"{where}: a date, or `date: unknown` where the source shows none"
        if s.get("kind") == "news":
            assert s.get("url"), f"{where}: a news source gives its address"


@pytest.mark.parametrize("path", CARDS, ids=ids(CARDS))
def test_every_fact_and_claim_rests_on_a_source(path: Path) -> None:
    c = card(path)
    for name in fmt.ITEMS:
        if name in ("sources", "claims"):
            continue
        for item in c.items(name):
            assert item.get("source"), f"{path.name}: {name} {item['id']} names no source"
    stated = {s["id"] for s in c.items("sources")}
    for claim in c.items("claims"):
        where = f"{path.name}: claim {claim['id']}"
        assert claim["source"] in stated, where
        assert claim.get("asserted_by"), f"{where}: say who asserts it (asserted_by)"


@pytest.mark.parametrize("path", CARDS, ids=ids(CARDS))
def test_no_testimony_against_a_city_agent_is_stated_as_fact(path: Path) -> None:
    """An act of a City agent known only from a party's testimony is that party's
    account: the card records the other side as a claim, or the testimony is the
    agent's own agency's (an admission)."""
    c = card(path)
    sources = {s["id"]: s for s in c.items("sources")}
    disputed = {claim["about"].split(".", 1)[0] for claim in c.items("claims")}
    for name in ("actions", "calls"):
        for item in c.items(name):
            actor = item.get("actor") if name == "actions" else item.get("dispatcher")
            agency = actor["agency"] if isinstance(actor, dict) else str(actor).split(":")[0]
            source = sources.get(item.get("source", ""), {})
            if agency not in CITY or source.get("kind") != "testimony":
                continue
            own = any(n in str(source.get("publisher", "")) for n in OWN_NAME.get(agency, ()))
            assert own or item["id"] in disputed, (
                f"{path.name}: {item['id']} states as fact what testimony "
                f"({source['id']}) alleges; record the other side as a claim"
            )


def test_the_check_explains_every_card() -> None:
    """`kg check --all` answers every card: each finding has its message and grounds."""
    reports = api.check([str(p) for p in CARDS])
    assert len(reports) == len(CARDS)
    for report in reports:
        for finding in report.findings:
            assert finding.message and finding.grounds, (report.incident, finding.subject)

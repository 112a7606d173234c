"""Random incident cards drawn from the card format and the code lists, for differential
testing of the two engines (tests/unit/test_parity.py; `python -m bench.differential`).

Unlike `bench.generate`, which draws realistic incidents from weighted assumptions, this
draws every field of every item kind the card format defines (`kg.cards.format.ITEMS`),
each value from its code list: actors of every agency code and role (sub-units such as
CPD-BIA and OIG-PS included), `unknown` wherever a field allows it, `none` references,
claims on every field a claim may dispute, complete lists, month-only complaint dates.
The cards are valid (the reader accepts them) but mostly implausible: that is the point,
the engines must agree on any card.

The same seed gives the same cards in any process.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from kg.cards import format as fmt

FIRST_DAY = dt.date(2000, 1, 1).toordinal()
LAST_DAY = dt.date(2026, 1, 31).toordinal()
MAX_ITEMS = {
    "sources": 2,
    "operations": 2,
    "persons": 1,
    "calls": 2,
    "actions": 3,
    "claims": 3,
    "complaints": 2,
    "reviews": 2,
    "events": 1,
}
ORDER = ("sources", "operations", "persons", "calls", "actions", "complaints", "reviews", "events")


class _Drawer:
    def __init__(self, rng: random.Random, codes: dict[str, list[str]]) -> None:
        self.rng = rng
        self.codes = codes

    def day(self, near: int | None = None) -> str:
        if near is None:
            return dt.date.fromordinal(self.rng.randint(FIRST_DAY, LAST_DAY)).isoformat()
        return dt.date.fromordinal(near + self.rng.randint(-5, 60)).isoformat()

    def actor(self) -> str:
        return f"{self.rng.choice(self.codes['agency'])}:{self.rng.choice(self.codes['role'])}"

    def value(self, f: fmt.Field, card: dict[str, Any], near: int) -> Any:
        """A valid value for a field, `unknown` and `none` among the choices where allowed."""
        rng = self.rng
        if f.unknown and rng.random() < 0.15:
            return "unknown"
        if f.kind == "code":
            return rng.choice(self.codes[f.scheme or ""])
        if f.kind == "codes":
            pool = self.codes[f.scheme or ""]
            return sorted(rng.sample(pool, rng.randint(1 if f.required else 0, min(3, len(pool)))))
        if f.kind == "bool":
            return rng.choice(("true", "false"))
        if f.kind == "actor":
            return self.actor()
        if f.kind == "date":
            return self.day(near)
        if f.kind == "month-date":
            day = self.day(near)
            return day[:7] if rng.random() < 0.3 else day
        if f.kind == "time":
            return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        if f.kind == "int":
            return str(rng.randint(0, 20))
        if f.kind == "url":
            return "https://example.org/source"
        if f.kind in ("ref", "refs"):
            ids = [i["id"] for name in f.targets for i in card.get(name, [])]
            if f.kind == "refs":
                return sorted(rng.sample(ids, rng.randint(1, len(ids)))) if ids else None
            extra = (["none"] if f.none else []) + (["unknown"] if f.unknown else [])
            return rng.choice(ids + extra) if ids + extra else None
        return "synthetic"

    def item(self, name: str, index: int, card: dict[str, Any], near: int) -> dict[str, Any]:
        item: dict[str, Any] = {"id": f"{fmt.ITEM_CLASS[name].rsplit('#', 1)[-1].lower()}{index}"}
        for f in fmt.ITEMS[name]:
            if f.key == "id" or (not f.required and self.rng.random() < 0.35):
                continue
            if f.key == "source" and not card.get("sources"):
                continue
            value = self.value(f, card, near)
            if value is not None:
                item[f.key] = value
        return item

    def claim(self, index: int, card: dict[str, Any], near: int) -> dict[str, Any] | None:
        disputable = [
            (name, item, f)
            for name in ORDER
            for item in card.get(name, [])
            for f in fmt.ITEMS[name]
            if f.prop is not None and f.key not in ("id", "source")
        ]
        if not disputable or not card.get("sources"):
            return None
        name, item, f = self.rng.choice(disputable)
        value = self.value(f, card, near)
        if value is None:
            return None
        return {
            "id": f"cl{index}",
            "about": f"{item['id']}.{f.key}",
            "value": value,
            "source": self.rng.choice(card["sources"])["id"],
        }


def draw_card(seed: int, index: int, codes: dict[str, list[str]]) -> dict[str, Any]:
    """One random valid card (`codes`: scheme -> notations, as `CodeIndex.all_notations`)."""
    rng = random.Random(f"{seed}/{index}")
    d = _Drawer(rng, codes)
    date = d.day()
    near = dt.date.fromisoformat(date).toordinal()
    card: dict[str, Any] = {
        "card": "1",
        "id": f"draw-{seed}-{index}",
        "title": f"Random card {index} (seed {seed}): not a real incident",
        "date": date,
        "synthetic": "true",
    }
    for name in ORDER:
        items = [d.item(name, i + 1, card, near) for i in range(rng.randint(0, MAX_ITEMS[name]))]
        if name == "actions" and not items:
            items = [d.item(name, 1, card, near)]
        if items:
            card[name] = items
    claims = [d.claim(i + 1, card, near) for i in range(rng.randint(0, MAX_ITEMS["claims"]))]
    if any(claims):
        card["claims"] = [c for c in claims if c is not None]
    if rng.random() < 0.4:
        card["complete"] = sorted(rng.sample(fmt.COMPLETABLE, rng.randint(1, len(fmt.COMPLETABLE))))
        card["facts_as_of"] = d.day(near)
    return card


def draw_cards(n: int, seed: int, codes: dict[str, list[str]]) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield draw_card(seed, i, codes)

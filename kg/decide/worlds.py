"""Claims about disputed facts, and the combinations of them to weigh.

A claim is an alternative to the value a card states for one field. For each field
that some claim disputes, and that the law or the shapes read, the stated value and
each claim's value are weighed; where several fields are disputed their combinations
are weighed, up to MAX_WORLDS. Past that, each disputed field is varied alone against
the facts as stated (documented in docs/reasoning.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from kg.cards import format as fmt
from kg.cards.read import Card

MAX_WORLDS = 64


@dataclass(frozen=True)
class World:
    """One combination: for each disputed field, the claim taken as true (or none)."""

    choices: tuple[tuple[str, str | None], ...]  # (item.field, claim id or None)

    def claim_values(self, card: Card) -> dict[str, Any]:
        by_id = {c["id"]: c for c in card.items("claims")}
        return {about: by_id[cid]["value"] for about, cid in self.choices if cid}

    def claims(self) -> tuple[str, ...]:
        return tuple(cid for _, cid in self.choices if cid)

    def choice(self, about: str) -> str | None:
        return dict(self.choices).get(about)

    def differs_only_in(self, other: World, about: str) -> bool:
        mine, theirs = dict(self.choices), dict(other.choices)
        return (
            all(mine[k] == theirs[k] for k in mine if k != about) and mine[about] != theirs[about]
        )


def _field_props(card: Card, about: str) -> list[URIRef]:
    target, _, key = about.partition(".")
    found = card.find(target)
    if found is None:
        return []
    f = fmt.field(found[0], key)
    if f is None or f.prop is None:
        return []
    if f.kind == "actor":
        return [URIRef(str(f.prop) + s) for s in ("Agency", "Role", "Kind")]
    return [f.prop]


def worlds(card: Card, read: AbstractSet[URIRef], assume: Iterable[str] = ()) -> list[World]:
    """Every combination of claims to weigh for this card."""
    claims = card.items("claims")
    by_id = {c["id"]: c for c in claims}
    assumed = [cid for cid in assume if cid in by_id]
    groups: dict[str, list[str | None]] = {}
    for c in claims:
        if not any(p in read for p in _field_props(card, c["about"])):
            continue
        groups.setdefault(c["about"], [None]).append(c["id"])
    for cid in assumed:
        groups[by_id[cid]["about"]] = [cid]
    names = sorted(groups)
    total = 1
    for name in names:
        total *= len(groups[name])
    if total <= MAX_WORLDS:
        combos = itertools.product(*(groups[n] for n in names))
        return [World(tuple(zip(names, combo, strict=True))) for combo in combos]
    base = {n: groups[n][0] for n in names}
    out = [World(tuple(base.items()))]
    for n in names:
        for choice in groups[n][1:]:
            out.append(World(tuple({**base, n: choice}.items())))
    return out

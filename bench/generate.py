"""Deterministic synthetic incident cards at any size (issue 7, part 1).

`generate_cards(n, seed=S)` yields n card dicts in the form the YAML reader gives them
(`kg.cards.read.read_card`): every scalar a string ("true", "14:06", "2024-03-12", "10"),
lists and mappings as the card format (../shared/spec/incident-card.md) says. Each card
is marked `synthetic: "true"`, has the id `syn-<seed>-<index>`, a title that says it is
synthetic, and the source `generator` that its items cite.

What the cards hold follows `bench/assumptions.yaml`: weighted incident archetypes
(ordinary 911 calls answered by CPD, discharges, lockups, misconduct complaints,
detentions on immigration grounds, ICE inquiries, status information, benefits forms,
database access, detainee access, 287(g) agreements, custody transfers, federal civil
and criminal operations), the share of incidents with a federal operation and with a
complaint, call sources and priorities, COPA's and BIA's categories, rates of unknown
and disputed facts. The first cards of a run are the coverage cases listed there, so
that every norm, exception and allegation is represented in any run of that size.

The output depends on the seed and the assumptions only: one `random.Random(seed)`
draws everything in a fixed order (no set or hash order is involved), so the same seed
gives the same cards in any process, and the first k cards of a run of n are the cards
of a run of k.

    python -m bench.generate 100000 --seed 7 --out /tmp/cards
    python -m bench.generate 100000 --seed 7 --out /tmp/cards --format jsonl

`--format jsonl` writes the same cards as JSON Lines, one card a line, to
`<out>/incidents.jsonl` (`kg check /tmp/cards/incidents.jsonl`).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from kg.cards.read import Card

ASSUMPTIONS = Path(__file__).with_name("assumptions.yaml")
GENERATOR = "generator"
ACCOUNT = "account"
FEDERAL_AGENCIES = ("ICE", "HSI", "DHS", "CBP", "FBI")
IMMIGRATION_CALLERS = ("ICE", "HSI", "DHS", "CBP", "ICE-CONTRACTOR")
COPA_START = dt.date(2017, 9, 15).toordinal()
JUNE_4_2025 = dt.date(2025, 6, 4).toordinal()
# Chicago police districts (numbers in use)
DISTRICTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 22, 24, 25)
FOLLOWUPS = (
    "stop",
    "search",
    "arrest",
    "seizure",
    "use-of-force",
    "detain",
    "traffic-control",
    "crowd-control",
)
LISTS = (
    "operations",
    "persons",
    "calls",
    "actions",
    "claims",
    "complaints",
    "reviews",
    "events",
)
PREFIX = {
    "operations": "op",
    "persons": "p",
    "calls": "call",
    "actions": "a",
    "claims": "cl",
    "complaints": "c",
    "reviews": "r",
    "events": "e",
}
WORDS = {
    "stop": "stop",
    "arrest": "arrest",
    "detain": "detention",
    "continue-detention": "continued detention",
    "immigration-detainer": "an immigration detainer",
    "administrative-warrant": "an administrative warrant",
    "immigration-status-belief": "a belief about immigration status",
    "criminal-probable-cause": "criminal probable cause",
    "judicial-warrant": "a judicial warrant",
    "none": "no stated ground",
    "unknown": "a ground not known",
    "respond-to-inquiry": "answers",
    "communicate": "talks with",
    "request-status": "asks for",
    "maintain-status": "keeps on file",
    "disclose-status": "passes on",
    "permit-access-to-detainee": "lets {r} see a detainee",
    "permit-use-of-facility": "lets {r} use a City facility",
    "firearm-discharge": "fires a weapon",
    "taser-discharge": "discharges a taser",
}

Item = dict[str, Any]


# -- assumptions ---------------------------------------------------------------------------


def load_assumptions(path: Path | str | None = None) -> dict[str, Any]:
    """The assumptions (bench/assumptions.yaml unless a path is given), checked."""
    with open(path or ASSUMPTIONS, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path or ASSUMPTIONS}: the assumptions must be a mapping")
    _Model(data)  # raises ValueError on anything wrong
    return data


def _key(k: object) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    return str(k)


def _ordinal(value: object, what: str) -> int:
    try:
        return dt.date.fromisoformat(str(value)).toordinal()
    except ValueError:
        raise ValueError(f"assumptions: {what} '{value}' is not a date YYYY-MM-DD") from None


class _Table:
    """Weighted choice among values (cumulative weights, one bisect per draw)."""

    __slots__ = ("name", "values", "cum", "total", "ranges")

    def __init__(self, name: str, weights: object) -> None:
        if not isinstance(weights, Mapping) or not weights:
            raise ValueError(f"assumptions: table '{name}' must be a non-empty mapping")
        self.name = name
        self.values = tuple(_key(k) for k in weights)
        ws = [float(v) for v in weights.values()]
        if any(w < 0 for w in ws) or sum(ws) <= 0:
            raise ValueError(f"assumptions: table '{name}' needs weights >= 0, not all 0")
        self.cum = tuple(accumulate(ws))
        self.total = self.cum[-1]
        self.ranges: tuple[tuple[int, int], ...] | None = None
        if all(re.fullmatch(r"[0-9]+-[0-9]+", v) for v in self.values):
            pairs = [tuple(int(x) for x in v.split("-")) for v in self.values]
            self.ranges = tuple((a, b) for a, b in pairs)

    def draw(self, rng: random.Random) -> str:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


class _Archetype:
    __slots__ = ("name", "build", "weight", "propensity", "complaint_p", "periods")

    def __init__(self, spec: object, model: _Model) -> None:
        if not isinstance(spec, Mapping) or "name" not in spec:
            raise ValueError("assumptions: each archetype needs a name")
        self.name = str(spec["name"])
        if self.name not in BUILDERS:
            raise ValueError(
                f"assumptions: unknown archetype '{self.name}' (known: {', '.join(BUILDERS)})"
            )
        self.build = BUILDERS[self.name]
        self.weight = float(spec.get("weight", 0))
        prop = spec.get("complaint_propensity", 1.0)
        self.propensity: float | None = None if prop == "always" else float(prop)
        self.complaint_p = 0.0
        self.periods: _Table | None = None
        if spec.get("periods") is not None:
            self.periods = _Table(f"{self.name}.periods", spec["periods"])
            for p in self.periods.values:
                if p not in model.periods:
                    raise ValueError(f"assumptions: archetype {self.name}: no period '{p}'")


class _Model:
    """The assumptions, prepared for drawing."""

    def __init__(self, a: Mapping[str, Any]) -> None:
        try:
            rng = a["date_range"]
            self.start = _ordinal(rng["start"], "date_range.start")
            self.end = _ordinal(rng["end"], "date_range.end")
            self.periods = {
                str(name): (_ordinal(lo, f"period {name}"), _ordinal(hi, f"period {name}"))
                for name, (lo, hi) in a["periods"].items()
            }
            self.tables = {str(k): _Table(str(k), v) for k, v in a["tables"].items()}
            self.rates = {str(k): float(v) for k, v in a["rates"].items()}
            fed_share = float(a["federal_operation_share"])
            complaint_share = float(a["complaint_share"])
            specs = a["archetypes"]
            coverage = a.get("coverage") or []
        except (KeyError, TypeError) as exc:
            raise ValueError(f"assumptions: missing or malformed entry {exc}") from None
        if self.start > self.end or any(lo > hi for lo, hi in self.periods.values()):
            raise ValueError("assumptions: a date range ends before it starts")
        for name, r in self.rates.items():
            if not 0.0 <= r <= 1.0:
                raise ValueError(f"assumptions: rate '{name}' must be in [0, 1]")
        for name, share in (("federal", fed_share), ("complaint", complaint_share)):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"assumptions: {name} share must be in [0, 1]")
        self.factor = {
            k: float(w)
            for k, w in zip(
                self.tables["call.priority-factor"].values,
                _weights(self.tables["call.priority-factor"]),
                strict=True,
            )
        }
        self.archetypes = [_Archetype(s, self) for s in specs]
        groups: dict[str, list[_Archetype]] = {"federal": [], "other": []}
        for spec, arch in zip(specs, self.archetypes, strict=True):
            group = str(spec.get("group", "other"))
            if group not in groups:
                raise ValueError(f"assumptions: archetype {arch.name}: group federal or other")
            groups[group].append(arch)
        for group, share in (("federal", fed_share), ("other", 1.0 - fed_share)):
            total = sum(x.weight for x in groups[group])
            if share > 0 and total <= 0:
                raise ValueError(f"assumptions: no weight in archetype group '{group}'")
            for x in groups[group]:
                x.weight = share * x.weight / total if total > 0 else 0.0
        self.federal = frozenset(x.name for x in groups["federal"])
        self.by_name = {x.name: x for x in self.archetypes}
        self.pick_table = _Table("archetypes", {x.name: x.weight for x in self.archetypes})
        _solve_complaints(self.archetypes, complaint_share)
        self.coverage_first = bool(a.get("coverage_first", True))
        self.coverage: list[tuple[_Archetype, dict[str, str]]] = []
        for case in coverage:
            name = str(case.get("archetype"))
            if name not in self.by_name:
                raise ValueError(f"assumptions: coverage names unknown archetype '{name}'")
            force = {str(k): _key(v) for k, v in (case.get("force") or {}).items()}
            for k in force:
                known = k in self.tables or k in self.rates
                if not known and k not in ("period", "date", "complaint"):
                    raise ValueError(f"assumptions: coverage forces unknown choice '{k}'")
            self.coverage.append((self.by_name[name], force))


def _weights(t: _Table) -> list[float]:
    return [b - a for a, b in zip((0.0, *t.cum[:-1]), t.cum, strict=True)]


def _solve_complaints(archetypes: Sequence[_Archetype], target: float) -> None:
    """Set each archetype's complaint probability min(1, k * propensity) (1 for
    `always`) with k chosen so that the expected share of incidents with a complaint is
    `target`."""
    always = sum(x.weight for x in archetypes if x.propensity is None)

    def share(k: float) -> float:
        return always + sum(
            x.weight * min(1.0, k * x.propensity) for x in archetypes if x.propensity is not None
        )

    if always > target + 1e-9:
        raise ValueError("assumptions: the `always` archetypes alone exceed complaint_share")
    if share(1e12) < target - 1e-9:
        raise ValueError("assumptions: complaint_share cannot be reached with these archetypes")
    lo, hi = 0.0, 1.0
    while share(hi) < target:
        hi *= 2
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if share(mid) < target else (lo, mid)
    for x in archetypes:
        x.complaint_p = 1.0 if x.propensity is None else min(1.0, hi * x.propensity)


# -- one incident -------------------------------------------------------------------------


class _Incident:
    """Draws one card. Choices go through `pick` (a table) and `chance` (a rate), so a
    coverage case can force any of them by name; in a coverage case (`strict`) no field
    is unknown or left out and no claim is made unless forced."""

    def __init__(
        self,
        model: _Model,
        rng: random.Random,
        seed: int,
        index: int,
        arch: _Archetype,
        force: Mapping[str, str],
        strict: bool,
    ) -> None:
        self.m, self.rng, self.seed, self.arch = model, rng, seed, arch
        self.force, self.strict = force, strict
        self.id = f"syn-{seed}-{index}"
        self.lists: dict[str, list[Item]] = {}
        self.counts: dict[str, int] = {}
        self.day = model.start
        self.last = model.start
        self.account: Item | None = None
        self.facts_as_of: str | None = None
        self.complete: list[str] = []

    # -- drawing ------------------------------------------------------------------------

    def pick(self, table: str) -> str:
        forced = self.force.get(table)
        if forced is not None:
            return forced
        return self.m.tables[table].draw(self.rng)

    def chance(self, rate: str, factor: float = 1.0) -> bool:
        forced = self.force.get(rate)
        if forced is not None:
            return forced == "true"
        if self.strict and rate.startswith(("unknown.", "unstated.", "claim.")):
            return False
        p = self.m.rates.get(rate)
        if p is None:
            if rate.startswith(("unknown.", "unstated.")):
                return False  # this field is never unknown / never left out
            raise KeyError(f"assumptions: no rate '{rate}'")
        p *= factor
        return p > 0 and self.rng.random() < p

    def between(self, table: str) -> int:
        t = self.m.tables[table]
        forced = self.force.get(table)
        lo, hi = (int(x) for x in (forced or t.draw(self.rng)).split("-"))
        return self.rng.randint(lo, hi)

    def field(self, name: str, value: str, default: str | None = None) -> str | None:
        """A field's value as the card states it: `unknown`, left out, or the value."""
        if self.chance(f"unknown.{name}"):
            return "unknown"
        if (default is None or value == default) and self.chance(f"unstated.{name}"):
            return None
        return value

    def legal(self, table: str) -> str | None:
        value = self.field("legal_requirement", self.pick(table), "none")
        if value == "none" and not self.chance("explicit.default"):
            return None
        return value

    # -- dates and times --------------------------------------------------------------

    def set_date(self) -> None:
        if "date" in self.force:
            self.day = dt.date.fromisoformat(self.force["date"]).toordinal()
        else:
            period = self.force.get("period")
            if period is None and self.arch.periods is not None:
                period = self.arch.periods.draw(self.rng)
            lo, hi = self.m.periods[period] if period else (self.m.start, self.m.end)
            self.day = self.rng.randint(lo, hi)
        self.last = self.day

    def iso(self, day: int) -> str:
        """A date of the card, no later than the end of the date range (or the incident)."""
        day = min(day, max(self.day, self.m.end))
        self.last = max(self.last, day)
        return dt.date.fromordinal(day).isoformat()

    def done_by(self, day: int) -> str | None:
        """A completion date, or None where it would fall after the end of the range (not
        completed yet as of the research cut-off)."""
        return self.iso(day) if day <= max(self.day, self.m.end) else None

    def later(self, lo: int, hi: int, after: int | None = None) -> int:
        return (self.day if after is None else after) + self.rng.randint(lo, hi)

    def clock(self) -> int:
        return int(self.pick("call.hour")) * 60 + self.rng.randint(0, 59)

    @staticmethod
    def hhmm(minutes: int) -> str:
        minutes %= 24 * 60
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    # -- items --------------------------------------------------------------------------

    def add(self, list_name: str, fields: Mapping[str, Any], source: str = GENERATOR) -> Item:
        n = self.counts.get(list_name, 0) + 1
        self.counts[list_name] = n
        item: Item = {"id": f"{PREFIX[list_name]}{n}"}
        item.update((k, v) for k, v in fields.items() if v is not None)
        item["source"] = source
        self.lists.setdefault(list_name, []).append(item)
        return item

    def cpd(self) -> str:
        return "CPD:" + self.pick("action.cpd-role")

    def person(self, description: str) -> Item:
        key = self.pick("person.record")
        record: list[str]
        if key == "none":
            record = []
        elif key == "listed":
            record = [self.pick("person.listed")]
            extra = self.pick("person.listed")
            if self.rng.random() < 0.3 and extra not in record:
                record.append(extra)
        elif key == "other":
            record = [self.rng.choice(("arrest:other", "conviction:other"))]
        else:
            record = [key]
            if self.rng.random() < 0.25:
                record.append(self.rng.choice(("arrest:other", "arrest:drug", "arrest:gang")))
        value: Any = record
        if self.chance("unknown.record"):
            value = "unknown"
        elif not record and self.chance("unstated.record"):
            value = None
        return self.add("persons", {"description": description, "record": value})

    def subject(self, person: Item) -> str | None:
        return None if self.chance("unstated.subject") else str(person["id"])

    def claim(self, about: str, value: str) -> None:
        if self.counts.get("claims", 0) >= 2:
            return
        if self.account is None:
            self.account = {
                "id": ACCOUNT,
                "title": (
                    f"Synthetic competing account generated by bench/generate.py (seed {self.seed})"
                ),
                "kind": self.pick("claim.source-kind"),
            }
        self.add(
            "claims",
            {"about": about, "value": value, "asserted_by": self.pick("claim.asserted-by")},
            source=ACCOUNT,
        )

    def complaint_due(self) -> bool:
        forced = self.force.get("complaint")
        if forced is not None:
            return forced == "true"
        return self.rng.random() < self.arch.complaint_p

    # -- complaints and reviews ---------------------------------------------------------

    def complaint(
        self, against: str, allegations: list[str], about: list[str] | None, lane: str
    ) -> tuple[Item, int]:
        """A complaint; lane cpd, city or wco picks where it is filed. Returns the item
        and its day (estimated where the card gives a month or nothing)."""
        day = min(self.day + self.between("complaint.delay"), max(self.day, self.m.end))
        date: str = self.iso(day)
        if self.chance("unknown.complaint_date"):
            date = "unknown"
        elif self.chance("complaint.month-only"):
            date = date[:7]
        filed: str | None = self.pick(f"complaint.filed-with.{lane}")
        if filed == "unstated":
            filed = None
        elif filed == "COPA" and day < COPA_START:
            filed = "IPRA"
        item = self.add(
            "complaints",
            {
                "date": date,
                "filed_with": filed,
                "against": against,
                "allegations": allegations,
                "about": about,
            },
        )
        return item, day

    def allegations(self, table: str, first: str | None = None) -> list[str]:
        out = [first] if first else []
        for _ in range(int(self.pick("complaint.allegation-count"))):
            value = self.pick(table)
            if value not in out:
                out.append(value)
        return out

    def cpd_allegations(self) -> list[str]:
        out: list[str] = []
        for _ in range(int(self.pick("complaint.allegation-count"))):
            bia = self.chance("complaint.bia-share")
            value = self.pick("complaint.category.bia" if bia else "complaint.category.copa")
            if value not in out:
                out.append(value)
        return out

    def review(self, by: str, kind: str, opened: int, about: list[str]) -> Item:
        completed = None
        if self.chance("review.completed"):
            completed = self.done_by(opened + self.between("review.investigation-days"))
        return self.add(
            "reviews",
            {
                "by": by,
                "kind": kind,
                "opened": self.iso(opened),
                "completed": completed,
                "about": about,
            },
        )

    def investigate(self, complaint: Item, day: int, lane: str) -> None:
        """The investigation of an ordinary complaint, where the card has one."""
        if not self.chance("review.complaint-investigated"):
            return
        copa = self.m.tables["complaint.category.copa"].values
        if lane == "city":
            by = "OIG"
        elif any(a in copa for a in complaint["allegations"]):
            by = "COPA" if day >= COPA_START else "IPRA"
        else:
            by = "CPD-BIA"
        self.review(by, "administrative-investigation", self.later(1, 20, day), [complaint["id"]])

    def wco_complaint(self, against: str, about: list[str]) -> None:
        """A Welcoming City complaint and where it went (22 of 28 to internal affairs)."""
        allegations = ["welcoming-city-violation"]
        if self.chance("complaint.wco-extra"):
            extra = self.pick("complaint.category.wco-extra")
            allegations.append(extra)
        cpd = against.startswith("CPD:")
        complaint, day = self.complaint(against, allegations, about, "wco" if cpd else "city")
        cid = [str(complaint["id"])]
        if cpd and self.chance("complaint.wco-referred-to-bia"):
            self.review("CPD-BIA", "administrative-investigation", self.later(5, 30, day), cid)
            return
        where = self.pick("complaint.wco-not-referred") if cpd else "OIG"
        if where != "none" and (cpd or self.chance("review.complaint-investigated")):
            by = "IPRA" if where == "COPA" and day < COPA_START else where
            self.review(by, "administrative-investigation", self.later(5, 30, day), cid)

    def complain_about(self, action: Item) -> None:
        """A complaint about a WCO-relevant action, against its actor."""
        actor = str(action["actor"])
        agency = actor.split(":")[0]
        if agency not in ("CPD", "OEMC", "CITY-DEPT", *FEDERAL_AGENCIES):
            return  # e.g. the Corporation Counsel: no respondent kind to name
        if agency in FEDERAL_AGENCIES:
            self.complaint(actor, self.cpd_allegations(), [str(action["id"])], "cpd")
            return
        self.wco_complaint(actor, [str(action["id"])])

    # -- the card -------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        title, detail = self.arch.build(self)
        if self.facts_as_of is None and self.chance("facts.as-of"):
            self.facts_as_of = self.iso(self.later(0, 60, self.last))
        d = self.rng.choice(DISTRICTS)
        card: dict[str, Any] = {
            "card": "1",
            "id": self.id,
            "title": f"Synthetic incident: {title}",
            "synthetic": "true",
            "date": dt.date.fromordinal(self.day).isoformat(),
            "place": (
                f"District {d:03d}, beat {d:02d}{self.rng.randint(1, 3)}{self.rng.randint(1, 5)}"
                ", Chicago (synthetic)"
            ),
            "summary": (
                "Synthetic incident, not a real event: generated by bench/generate.py "
                f"(seed {self.seed}, archetype {self.arch.name}). {detail}"
            ),
        }
        if self.facts_as_of is not None:
            card["facts_as_of"] = self.facts_as_of
        if self.complete:
            card["complete"] = list(self.complete)
        sources: list[Item] = [
            {
                "id": GENERATOR,
                "title": f"Synthetic incident generated by bench/generate.py (seed {self.seed})",
                "kind": "record",
            }
        ]
        if self.account is not None:
            sources.append(self.account)
        card["sources"] = sources
        for name in LISTS:
            if name in self.lists:
                card[name] = self.lists[name]
        return card


# -- archetypes ----------------------------------------------------------------------------


def _ordinary_call(x: _Incident) -> tuple[str, str]:
    x.set_date()
    priority = x.pick("call.priority")
    factor = x.m.factor.get(priority[0], 1.0)
    t = x.clock()
    caller = x.pick("call.caller.ordinary")
    call = x.add(
        "calls",
        {
            "time": x.hhmm(t),
            "caller": caller,
            "request": "respond-to-call",
            "dispatcher": "OEMC:dispatcher",
        },
    )
    cid = str(call["id"])
    if x.chance("call.dispatch-action"):
        x.add(
            "actions",
            {
                "actor": "OEMC:dispatcher",
                "kind": "dispatch",
                "time": x.hhmm(t + x.rng.randint(1, 4)),
                "in_response_to": cid,
            },
        )
    officer = x.cpd()
    purpose = "public-safety" if x.chance("call.stated-purpose") else None
    respond = x.add(
        "actions",
        {
            "actor": officer,
            "kind": "respond-to-call",
            "time": x.hhmm(t + x.rng.randint(5, 25)),
            "in_response_to": cid,
            "purpose": purpose,
        },
    )
    t2 = t + x.rng.randint(15, 45)
    person: Item | None = None
    done: list[Item] = []
    for kind in FOLLOWUPS:
        if not x.chance(f"followup.{kind}", factor):
            continue
        actor = officer if x.rng.random() < 0.7 else x.cpd()
        fields: dict[str, Any] = {"actor": actor, "kind": kind, "time": x.hhmm(t2)}
        fields["in_response_to"] = cid
        if kind in ("stop", "arrest", "detain"):
            fields["basis"] = x.field("basis", x.pick("action.basis.ordinary"))
        if kind in ("stop", "arrest", "detain", "search") and x.chance("followup.subject-person"):
            person = person or x.person(
                x.rng.choice(("a pedestrian", "a driver", "a person at the address"))
            )
            fields["subject"] = person["id"]
        if kind in ("traffic-control", "crowd-control"):
            fields["purpose"] = "public-safety"
            if x.chance("explicit.default"):
                fields["assists"] = "none"
        done.append(x.add("actions", fields))
        t2 += x.rng.randint(2, 15)
        if kind == "arrest" and x.chance("followup.continue-detention"):
            x.add(
                "actions",
                {
                    "actor": actor,
                    "kind": "continue-detention",
                    "basis": x.field("basis", "criminal-probable-cause"),
                    "subject": fields.get("subject"),
                },
            )
    if x.complaint_due():
        if x.chance("complaint.city-employee-share"):
            against = x.pick("complaint.respondent.call")
            complaint, day = x.complaint(
                against, x.allegations("complaint.category.city"), [cid], "city"
            )
            x.investigate(complaint, day, "city")
        else:
            rank = ("use-of-force", "search", "arrest", "seizure", "detain", "stop")
            target = min(
                done or [respond],
                key=lambda a: rank.index(a["kind"]) if a["kind"] in rank else len(rank),
            )
            complaint, day = x.complaint(
                str(target["actor"]), x.cpd_allegations(), [str(target["id"])], "cpd"
            )
            x.investigate(complaint, day, "cpd")
    kinds = [a["kind"] for a in done]
    what = f", then {', '.join(kinds)}" if kinds else ""
    who = "a resident" if caller.startswith("PUBLIC") else "a CPD unit"
    return (
        f"CPD answers a 911 call (priority {priority}){what}",
        f"A 911 call from {who}, priority {priority}, dispatched by OEMC and answered by CPD.",
    )


def _weapon_discharge(x: _Incident) -> tuple[str, str]:
    x.set_date()
    kind = x.pick("action.kind.weapon")
    officer = x.cpd()
    t = x.clock()
    cid = None
    if x.chance("weapon.after-call"):
        cid = str(
            x.add(
                "calls",
                {
                    "time": x.hhmm(t),
                    "caller": x.pick("call.caller.ordinary"),
                    "request": "respond-to-call",
                    "dispatcher": "OEMC:dispatcher",
                },
            )["id"]
        )
        t += x.rng.randint(5, 30)
    if x.chance("weapon.use-of-force"):
        x.add(
            "actions",
            {"actor": officer, "kind": "use-of-force", "time": x.hhmm(t), "in_response_to": cid},
        )
    shot = x.add(
        "actions",
        {"actor": officer, "kind": kind, "time": x.hhmm(t + 1), "in_response_to": cid},
    )
    if x.chance("weapon.copa-review"):
        by = "COPA" if x.day >= COPA_START else "IPRA"
        x.review(by, "administrative-investigation", x.later(0, 2), [str(shot["id"])])
    if x.complaint_due():
        allegations = [kind]
        if x.chance("complaint.weapon-extra"):
            extra = x.pick("complaint.category.weapon-extra")
            if extra not in allegations:
                allegations.append(extra)
        x.complaint(officer, allegations, [str(shot["id"])], "cpd")
    word = "fires a weapon" if kind == "firearm-discharge" else "discharges a taser"
    return f"a CPD member {word}", f"A CPD member ({officer}) {word}."


def _lockup(x: _Incident) -> tuple[str, str]:
    x.set_date()
    officer = x.cpd()
    person = x.person("a person held in a district lockup")
    t = x.clock()
    arrest = x.add(
        "actions",
        {
            "actor": officer,
            "kind": "arrest",
            "time": x.hhmm(t),
            "basis": x.field("basis", "criminal-probable-cause"),
            "subject": x.subject(person),
        },
    )
    keeper = x.cpd()
    held = x.add(
        "actions",
        {
            "actor": keeper,
            "kind": "continue-detention",
            "time": x.hhmm(t + x.rng.randint(30, 240)),
            "basis": x.field("basis", "criminal-probable-cause"),
            "subject": arrest.get("subject"),
        },
    )
    if x.complaint_due():
        complaint, day = x.complaint(
            keeper, x.allegations("complaint.category.lockup"), [str(held["id"])], "cpd"
        )
        x.investigate(complaint, day, "cpd")
    return (
        "an arrest and a night in a district lockup",
        "A person is arrested on a criminal charge and held at a district station.",
    )


def _misconduct_complaint(x: _Incident) -> tuple[str, str]:
    x.set_date()
    if x.chance("complaint.city-employee-share"):
        against = x.pick("complaint.respondent.city")
        complaint, day = x.complaint(
            against, x.allegations("complaint.category.city"), None, "city"
        )
        x.investigate(complaint, day, "city")
        return (
            f"a complaint against a City employee ({against})",
            "A complaint of misconduct by a City employee who is not a police officer.",
        )
    against = x.cpd()
    complaint, day = x.complaint(against, x.allegations("complaint.category.off-duty"), None, "cpd")
    x.investigate(complaint, day, "cpd")
    return (
        f"a complaint against a CPD member ({against})",
        "A complaint of misconduct by a CPD member, with no call for service.",
    )


def _immigration_detention(x: _Incident) -> tuple[str, str]:
    x.set_date()
    actor = x.pick("action.actor.detention")
    kind = x.pick("action.kind.detention")
    basis = x.pick("action.basis.detention")
    person = x.person(
        x.rng.choice(("a person held at a district station", "a driver", "a pedestrian"))
    )
    immigration = basis in ("immigration-detainer", "administrative-warrant")
    action = x.add(
        "actions",
        {
            "actor": actor,
            "kind": kind,
            "time": x.hhmm(x.clock()),
            "subject": x.subject(person),
            "basis": x.field("basis", basis),
            "recipient": "ICE" if immigration and x.chance("detention.recipient-named") else None,
            "legal_requirement": x.legal("action.legal-requirement.immigration"),
        },
    )
    if basis == "criminal-probable-cause" and x.chance("claim.detention-basis"):
        x.claim(f"{action['id']}.basis", "immigration-detainer")
    if immigration and actor.startswith("CPD") and x.chance("detention.transfer"):
        x.add(
            "actions",
            {
                "actor": actor,
                "kind": "transfer-custody",
                "subject": action.get("subject"),
                "recipient": "ICE",
                "purpose": x.field("purpose", "civil-immigration-enforcement"),
            },
        )
    if x.complaint_due():
        x.complain_about(action)
    return (
        f"{WORDS[kind]} by {actor} on {WORDS[basis]}",
        f"A {WORDS[kind]} resting on {WORDS[basis]}; the person's record is on the card.",
    )


def _ice_inquiry(x: _Incident) -> tuple[str, str]:
    x.set_date()
    actor = x.pick("action.actor.inquiry")
    kind = x.pick("action.kind.inquiry")
    recipient = x.pick("action.recipient.inquiry")
    topic = x.pick("action.topic.inquiry")
    person = x.person("a person in City custody or records")
    action = x.add(
        "actions",
        {
            "actor": actor,
            "kind": kind,
            "subject": x.subject(person),
            "recipient": recipient,
            "topic": topic,
            "legal_requirement": x.legal("action.legal-requirement.immigration"),
        },
    )
    if x.complaint_due():
        x.complain_about(action)
    return (
        f"{actor} {WORDS[kind]} {recipient} about {topic}",
        f"A City agent {WORDS[kind]} {recipient} about a person ({topic}).",
    )


def _status_information(x: _Incident) -> tuple[str, str]:
    x.set_date()
    actor = x.pick("action.actor.status")
    kind = x.pick("action.kind.status")
    if actor.startswith("LAW"):
        purpose: str | None = x.field("purpose", x.pick("action.purpose.law"))
    elif x.rng.random() < 0.5:
        purpose = x.field("purpose", x.pick("action.purpose.status"))
    else:
        purpose = None
    written = x.field(
        "written_authorization", x.pick("action.written-authorization"), default="false"
    )
    person = x.person(x.rng.choice(("an applicant at a City office", "a client", "a plaintiff")))
    action = x.add(
        "actions",
        {
            "actor": actor,
            "kind": kind,
            "subject": x.subject(person),
            "recipient": x.pick("action.recipient.disclose") if kind == "disclose-status" else None,
            "purpose": purpose,
            "written_authorization": written,
            "legal_requirement": x.legal("action.legal-requirement.status"),
        },
    )
    if written in ("true", "false") and x.chance("claim.authorization"):
        x.claim(f"{action['id']}.written_authorization", "false" if written == "true" else "true")
    if x.complaint_due():
        x.complain_about(action)
    return (
        f"{actor} {WORDS[kind]} a person's immigration status",
        f"A City agent {WORDS[kind]} a person's immigration status.",
    )


def _benefits_form(x: _Incident) -> tuple[str, str]:
    x.set_date()
    actor = x.pick("action.actor.benefits")
    first = x.pick("action.kind.benefits")
    kinds = [first]
    if x.chance("benefits.both"):
        kinds = ["ask-status-on-form", "condition-benefit-on-status"]
    last: Item | None = None
    for kind in kinds:
        fields: dict[str, Any] = {"actor": actor, "kind": kind}
        if kind == "condition-benefit-on-status":
            fields["subject"] = x.subject(x.person("an applicant for a City benefit"))
        else:
            fields["legal_requirement"] = x.legal("action.legal-requirement.benefits")
        last = x.add("actions", fields)
    assert last is not None
    if x.complaint_due():
        x.complain_about(last)
    if first == "ask-status-on-form" and len(kinds) == 1:
        return (
            "a City benefits form asks for immigration status",
            "A department's application form for a City benefit asks about status.",
        )
    return (
        "a City benefit made to depend on immigration status",
        "A department makes a benefit, service or opportunity depend on status.",
    )


def _database_access(x: _Incident) -> tuple[str, str]:
    x.set_date()
    actor = x.pick("action.actor.database")
    recipient = x.pick("action.recipient.database")
    action = x.add(
        "actions",
        {
            "actor": actor,
            "kind": "grant-database-access",
            "recipient": recipient,
            "purpose": x.field("purpose", x.pick("action.purpose.database")),
        },
    )
    if x.complaint_due():
        x.complain_about(action)
    return (
        f"{actor} gives {recipient} access to a City database",
        f"Direct access to a City database is given to {recipient}.",
    )


def _custody_access(x: _Incident) -> tuple[str, str]:
    x.set_date()
    kind = x.pick("action.kind.custody-access")
    actor = x.pick("action.actor.custody-access")
    recipient = x.pick("action.recipient.custody-access")
    subject = None
    if kind == "permit-access-to-detainee":
        subject = x.subject(x.person("a person held in a district lockup"))
    action = x.add(
        "actions",
        {
            "actor": actor,
            "kind": kind,
            "subject": subject,
            "recipient": recipient,
            "legal_requirement": x.legal("action.legal-requirement.custody-access"),
        },
    )
    if x.complaint_due():
        x.complain_about(action)
    what = WORDS[kind].format(r=recipient)
    return f"{actor} {what}", f"A City agent {what}."


def _agreement_287g(x: _Incident) -> tuple[str, str]:
    x.set_date()
    actor = x.pick("action.actor.287g")
    action = x.add(
        "actions",
        {
            "actor": actor,
            "kind": "enter-287g-agreement",
            "recipient": "ICE",
            "legal_requirement": x.legal("action.legal-requirement.287g"),
        },
    )
    if x.complaint_due():
        x.complain_about(action)
    return f"{actor} enters a 287(g) agreement", "A City agency signs a 287(g)-type agreement."


def _custody_transfer(x: _Incident) -> tuple[str, str]:
    x.set_date()
    person = x.person("a person in CPD custody")
    subject = x.subject(person)
    officer = x.cpd()
    x.add(
        "actions",
        {
            "actor": officer,
            "kind": "arrest",
            "subject": subject,
            "basis": x.field("basis", "criminal-probable-cause"),
        },
    )
    recipient = x.pick("action.recipient.transfer")
    purpose = x.pick("action.purpose.transfer")
    action = x.add(
        "actions",
        {
            "actor": x.cpd(),
            "kind": "transfer-custody",
            "subject": subject,
            "recipient": recipient,
            "purpose": x.field("purpose", purpose),
            "legal_requirement": x.legal("action.legal-requirement.transfer"),
        },
    )
    if purpose != "civil-immigration-enforcement" and x.chance("claim.transfer-purpose"):
        x.claim(f"{action['id']}.purpose", "civil-immigration-enforcement")
    if x.complaint_due():
        x.complain_about(action)
    return (
        f"a person in CPD custody is handed to {recipient}",
        f"After an arrest on a criminal charge, CPD hands the person to {recipient}.",
    )


def _federal_calls(x: _Incident, table: str, op: Item, demo: Item | None, t: int) -> list[Item]:
    """Calls about a federal operation from minute t of the day, each with its OEMC
    dispatch."""
    calls: list[Item] = []
    for _ in range(int(x.pick("call.count.federal"))):
        caller = x.pick(table)
        federal = caller.split(":")[0] in IMMIGRATION_CALLERS or caller.startswith("FBI")
        concerns = op["id"] if federal else (demo["id"] if demo else None)
        disclosed = None
        if federal:
            disclosed = x.field("affiliation_disclosed", x.pick("call.affiliation-disclosed"))
        call = x.add(
            "calls",
            {
                "time": x.hhmm(t),
                "caller": caller,
                "request": x.pick("call.request.federal"),
                "concerns": concerns,
                "affiliation_disclosed": disclosed,
                "dispatcher": "OEMC:dispatcher",
                "supervisor_consulted": x.field(
                    "supervisor_consulted", x.pick("call.supervisor-consulted")
                ),
            },
        )
        if disclosed in ("true", "false") and x.chance("claim.affiliation"):
            flipped = "false" if disclosed == "true" else "true"
            x.claim(f"{call['id']}.affiliation_disclosed", flipped)
        # why the dispatcher sent units, where the card says (2-173-020(a), the general bar:
        # a dispatch in order to help the operation takes part in it)
        purpose = x.pick("action.purpose.dispatch")
        helps = federal and purpose == "civil-immigration-enforcement"
        x.add(
            "actions",
            {
                "actor": "OEMC:dispatcher",
                "kind": "dispatch",
                "time": x.hhmm(t + x.rng.randint(1, 4)),
                "in_response_to": call["id"],
                "purpose": None if purpose == "unstated" else x.field("purpose", purpose),
                "assists": op["id"] if helps else None,
            },
        )
        calls.append(call)
        t += x.rng.randint(3, 15)
    return calls


def _reviews_of_requests(x: _Incident, calls: list[Item], t: int) -> dict[str, str]:
    """A CPD supervisor's review of a federal agency's request for help, written as its
    own `review-request` (2-173-020(b): review, and decline a request for civil immigration
    enforcement); the decision by call id. Units do not answer a declined request."""
    decisions: dict[str, str] = {}
    for call in calls:
        if str(call["caller"]).split(":")[0] not in IMMIGRATION_CALLERS:
            continue
        if not x.chance("support.review-request"):
            continue
        decision = x.field("decision", x.pick("action.review-decision"))
        x.add(
            "actions",
            {
                "actor": "CPD:supervisor",
                "kind": "review-request",
                "time": x.hhmm(t + x.rng.randint(2, 8)),
                "in_response_to": call["id"],
                "decision": decision,
            },
        )
        decisions[str(call["id"])] = str(decision)
    return decisions


def _operation(x: _Incident, agency: str, kind: str, warrant: str, what: str) -> Item:
    return x.add(
        "operations",
        {
            "agency": agency,
            "kind": x.field("kind", kind),
            "warrant": x.field("warrant", warrant),
            "detained": x.field("detained", str(x.between("operation.detained"))),
            "description": what,
        },
    )


def _support(
    x: _Incident, calls: list[Item], op: Item, kinds: str, purposes: str, t: int
) -> list[Item]:
    """CPD actions at a federal operation: crowd or traffic control, perimeters, support."""
    out: list[Item] = []
    decisions = _reviews_of_requests(x, calls, t)
    t += x.rng.randint(8, 30)
    for _ in range(int(x.pick("action.count.federal-support"))):
        kind = x.pick(kinds)
        purpose = x.pick(purposes)
        if purpose == "civil-immigration-enforcement" and x.rng.random() < 0.9:
            assists = "operation"
        else:
            assists = x.pick("action.assists.federal-support")
        call = x.rng.choice(calls) if calls and x.chance("operation.cpd-called") else None
        if call is not None and decisions.get(str(call["id"])) == "declined":
            call = None  # the request was declined: the units came on their own account
        federal_call = call is not None and str(call["caller"]).split(":")[0] in (
            IMMIGRATION_CALLERS
        )
        reviewed = None
        if federal_call or x.rng.random() < 0.3:
            reviewed = x.field("supervisor_reviewed", x.pick("action.supervisor-reviewed"))
        if call is not None and str(call["id"]) in decisions:
            reviewed = None  # the review-request item says it (the shorthand would repeat it)
        in_response_to = None
        if call is not None:
            in_response_to = x.field("in_response_to", str(call["id"]))
        stated_assists = x.field("assists", op["id"] if assists == "operation" else "none", "none")
        if stated_assists == "none" and not x.chance("explicit.default"):
            stated_assists = None
        out.append(
            x.add(
                "actions",
                {
                    "actor": x.cpd(),
                    "kind": kind,
                    "time": x.hhmm(t),
                    "in_response_to": in_response_to,
                    "assists": stated_assists,
                    "purpose": x.field("purpose", purpose),
                    "supervisor_reviewed": reviewed,
                    "legal_requirement": x.legal("action.legal-requirement.federal-support"),
                },
            )
        )
        t += x.rng.randint(2, 20)
    return out


def _federal_detentions(x: _Incident, op: Item) -> None:
    if not x.chance("operation.federal-detention"):
        return
    person = x.person("a person detained by federal agents")
    x.add(
        "actions",
        {
            "actor": f"{op['agency']}:agent",
            "kind": "detain",
            "subject": person["id"],
            "basis": "administrative-warrant"
            if op.get("warrant") == "administrative"
            else "immigration-status-belief",
        },
    )


def _reviews_of_operation(x: _Incident, op: Item, support: list[Item]) -> None:
    since = x.day >= JUNE_4_2025
    about = [str(a["id"]) for a in support]
    if x.chance("review.cpd-internal.since-june-2025" if since else "review.cpd-internal"):
        opened = x.later(1, 10)
        completed = None
        if x.chance("review.internal-completed"):
            completed = x.done_by(max(opened + 1, x.day + x.between("review.internal-days")))
        x.add(
            "reviews",
            {
                "by": "CPD-BIA",
                "kind": "internal-review",
                "opened": x.iso(opened),
                "completed": completed,
                "about": about,
            },
        )
    if x.chance("review.mayoral.since-june-2025" if since else "review.mayoral"):
        opened = x.day + x.between("review.mayoral-open")
        x.add(
            "reviews",
            {
                "by": "MAYOR",
                "kind": "mayoral-review",
                "opened": x.iso(opened),
                "completed": x.done_by(opened + x.rng.randint(20, 90))
                if x.chance("review.completed")
                else None,
                "about": [op["id"]],
            },
        )
    if x.chance("event.hearing"):
        x.add(
            "events",
            {
                "date": x.iso(x.later(20, 60)),
                "title": "City Council committee hearing on the police response (synthetic)",
                "kind": "hearing",
                "by": "CITY-COUNCIL",
            },
        )
    if x.chance("facts.complete-reviews"):
        x.complete = ["reviews"]
        x.facts_as_of = x.iso(x.later(0, 30, x.last))


def _federal_civil_operation(x: _Incident) -> tuple[str, str]:
    x.set_date()
    agency = x.pick("operation.agency.civil")
    op = _operation(
        x,
        agency,
        x.pick("operation.kind.civil"),
        x.pick("operation.warrant.civil"),
        "federal immigration operation (synthetic)",
    )
    demo = None
    if x.chance("operation.demonstration"):
        demo = x.add(
            "operations",
            {"agency": "PUBLIC", "kind": "demonstration", "description": "a protest at the scene"},
        )
    t = x.clock()
    calls = _federal_calls(x, "call.caller.federal-civil", op, demo, t)
    support = _support(
        x, calls, op, "action.kind.federal-support", "action.purpose.federal-support", t
    )
    _federal_detentions(x, op)
    for a in support:
        if a.get("assists") in (None, "none") and x.chance("claim.federal-support"):
            x.claim(f"{a['id']}.assists", str(op["id"]))
        elif a.get("purpose") == "public-safety" and x.chance("claim.federal-support"):
            x.claim(f"{a['id']}.purpose", "civil-immigration-enforcement")
    detained = op.get("detained")
    if detained not in (None, "unknown") and x.chance("claim.federal-count"):
        x.claim(f"{op['id']}.detained", str(int(str(detained)) + x.rng.randint(3, 12)))
    if x.complaint_due():
        if support and not x.chance("complaint.city-employee-share"):
            target = x.rng.choice(support)
            x.wco_complaint(str(target["actor"]), [str(target["id"])])
        else:
            x.wco_complaint(x.pick("complaint.respondent.call"), [str(calls[0]["id"])])
    _reviews_of_operation(x, op, support)
    kinds = sorted({str(a["kind"]) for a in support})
    return (
        f"CPD at a federal immigration operation by {agency} ({', '.join(kinds)})",
        f"A federal operation by {agency}; calls to 911 from {len(calls)} caller(s); "
        "CPD units respond.",
    )


def _federal_criminal_operation(x: _Incident) -> tuple[str, str]:
    x.set_date()
    agency = x.pick("operation.agency.criminal")
    op = _operation(
        x,
        agency,
        "criminal-investigation",
        x.pick("operation.warrant.criminal"),
        "federal criminal investigation (synthetic)",
    )
    demo = None
    if x.chance("operation.demonstration.criminal"):
        demo = x.add(
            "operations",
            {"agency": "PUBLIC", "kind": "demonstration", "description": "onlookers gather"},
        )
    t = x.clock()
    calls = _federal_calls(x, "call.caller.federal-criminal", op, demo, t)
    support = _support(
        x, calls, op, "action.kind.criminal-support", "action.purpose.criminal-support", t
    )
    if x.complaint_due() and support:
        target = x.rng.choice(support)
        complaint, day = x.complaint(
            str(target["actor"]), x.cpd_allegations(), [str(target["id"])], "cpd"
        )
        x.investigate(complaint, day, "cpd")
    return (
        f"CPD crowd and traffic control at a {agency} criminal search",
        f"A federal criminal investigation by {agency} with a warrant; CPD keeps order.",
    )


BUILDERS: dict[str, Callable[[_Incident], tuple[str, str]]] = {
    "ordinary-call": _ordinary_call,
    "weapon-discharge": _weapon_discharge,
    "lockup": _lockup,
    "misconduct-complaint": _misconduct_complaint,
    "immigration-detention": _immigration_detention,
    "ice-inquiry": _ice_inquiry,
    "status-information": _status_information,
    "benefits-form": _benefits_form,
    "database-access": _database_access,
    "custody-access": _custody_access,
    "agreement-287g": _agreement_287g,
    "custody-transfer": _custody_transfer,
    "federal-civil-operation": _federal_civil_operation,
    "federal-criminal-operation": _federal_criminal_operation,
}


# -- public interface ----------------------------------------------------------------------


def generate_cards(
    n: int, *, seed: int = 0, assumptions: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """n synthetic card dicts (every scalar a string), deterministic in seed."""
    if n < 0:
        raise ValueError("n must be >= 0")
    model = _Model(assumptions if assumptions is not None else load_assumptions())
    rng = random.Random(seed)
    coverage = model.coverage if model.coverage_first else []
    for index in range(n):
        if index < len(coverage):
            arch, force = coverage[index]
            yield _Incident(model, rng, seed, index, arch, force, True).build()
        else:
            arch = model.by_name[model.pick_table.draw(rng)]
            yield _Incident(model, rng, seed, index, arch, {}, False).build()


def as_cards(dicts: Iterable[dict[str, Any]]) -> Iterator[Card]:
    """The dicts as `kg.cards.read.Card`s (not re-validated: the generator writes valid cards)."""
    for d in dicts:
        yield Card(path=f"<generated:{d['id']}>", data=d, lines={})


# Strings that YAML 1.1 would read as something else (or that a reader may take for a
# time, a number, a date or a boolean) are written in double quotes.
_QUOTE = re.compile(r"^(?:[0-9]{1,2}:[0-9]{2}|true|false|[0-9]+|[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?)$")


def _represent_str(dumper: Any, value: str) -> Any:
    style = '"' if _QUOTE.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_Dumper.add_representer(str, _represent_str)


def dump_card(card: Mapping[str, Any], by: str = "bench/generate.py") -> str:
    """One card as YAML text that `kg.cards.read.read_card` reads back to the same dict."""
    head = (
        f"# Synthetic incident card (not a real event), generated by {by}.\n"
        "# Format: ../shared/spec/incident-card.md (card 1).\n"
    )
    body: str = yaml.dump(
        dict(card),
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1_000_000,
    )
    return head + body


def write_cards(
    folder: Path, n: int, seed: int = 0, *, assumptions: dict[str, Any] | None = None
) -> list[Path]:
    """Write n cards to folder, one `<id>.yaml` file each; the paths in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for card in generate_cards(n, seed=seed, assumptions=assumptions):
        path = folder / f"{card['id']}.yaml"
        path.write_text(dump_card(card), encoding="utf-8")
        paths.append(path)
    return paths


JSONL_NAME = "incidents.jsonl"


def write_jsonl(
    folder: Path, n: int, seed: int = 0, *, assumptions: dict[str, Any] | None = None
) -> Path:
    """Write n cards to `folder/incidents.jsonl`, one card a line (the cards of
    `write_cards` for the same seed); its path. Written a card at a time."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / JSONL_NAME
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for card in generate_cards(n, seed=seed, assumptions=assumptions):
            out.write(json.dumps(card, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write N synthetic incident cards (deterministic in --seed).",
    )
    parser.add_argument("n", type=int, help="number of cards")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the cards to")
    parser.add_argument(
        "--assumptions", type=Path, default=None, help="assumptions file (default: bundled)"
    )
    parser.add_argument(
        "--format",
        choices=("yaml", "jsonl"),
        default="yaml",
        help=f"yaml: one <id>.yaml file per card (default); jsonl: one {JSONL_NAME}, "
        "one card a line",
    )
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    try:
        assumptions = load_assumptions(args.assumptions) if args.assumptions else None
    except (OSError, ValueError, yaml.YAMLError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    if args.format == "jsonl":
        where = write_jsonl(args.out, args.n, seed=args.seed, assumptions=assumptions)
    else:
        write_cards(args.out, args.n, seed=args.seed, assumptions=assumptions)
        where = args.out
    elapsed = time.perf_counter() - start
    print(f"wrote {args.n} synthetic cards (seed {args.seed}) to {where} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

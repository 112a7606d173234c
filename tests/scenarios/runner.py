"""Run one scenario (a card or a `who` question, with expected answers) and compare.

Results are memoised per scenario, so the coverage test and the scenario items share
one run each.

Besides findings and competence, a scenario may expect warning codes (`warnings:` codes
the answer must carry, `no_warnings:` codes it must not), and may name test bills
(`pending_bills:`, files in tests/scenarios/bills/) to weigh as pending besides the
graph's own, for the `pending` warning on findings (no bill pending today changes a norm).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from rdflib import Graph

from kg import api
from kg.decide import warnings
from kg.law import amend
from kg.paths import data_root
from kg.results import AnswerWarning, CheckReport, Competence

HERE = Path(__file__).resolve().parent
BILLS = HERE / "bills"


@dataclass
class Outcome:
    reports: list[CheckReport] = field(default_factory=list)
    who: Competence | None = None


_CACHE: dict[str, Outcome] = {}


def scenario_files() -> list[Path]:
    return sorted(HERE.glob("*.yaml"))


def load_scenarios(path: Path) -> list[dict[str, Any]]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(doc["scenarios"])


def all_scenarios() -> list[tuple[Path, dict[str, Any]]]:
    return [(p, s) for p in scenario_files() for s in load_scenarios(p)]


def _card_path(s: dict[str, Any], tmp: Path) -> str:
    if "card_file" in s:
        return str(data_root() / s["card_file"])
    path = tmp / f"{s['card']['id']}.yaml"
    path.write_text(yaml.safe_dump(s["card"], sort_keys=False), encoding="utf-8")
    return str(path)


@contextmanager
def pending_test_bills(names: list[str]) -> Iterator[None]:
    """The graph's pending bills and these test bills (tests/scenarios/bills/), weighed
    as pending while the block runs."""
    if not names:
        yield
        return
    graph_bills = warnings.pending_bills

    def with_test_bills(law: Graph) -> list[warnings.Pending]:
        extra = [warnings.as_pending(law, amend.read(BILLS / name)) for name in names]
        return graph_bills(law) + [b for b in extra if b is not None]

    with mock.patch.object(warnings, "pending_bills", with_test_bills):
        yield


def run(path: Path, s: dict[str, Any]) -> Outcome:
    key = f"{path.name}::{s['name']}"
    if key in _CACHE:
        return _CACHE[key]
    with pending_test_bills(list(s.get("pending_bills", ()))):
        out = _run(s)
    _CACHE[key] = out
    return out


def _run(s: dict[str, Any]) -> Outcome:
    out = Outcome()
    if "who" in s:
        q = s["who"]
        out.who = api.who(
            allegation=q["allegation"],
            respondent=q["respondent"],
            date=str(q["date"]),
            readings=tuple(q.get("readings", ())),
        )
    else:
        with tempfile.TemporaryDirectory() as tmp:
            card = _card_path(s, Path(tmp))
            out.reports = api.check(
                [card],
                as_of=s.get("as_of"),
                readings=tuple(s.get("readings", ())),
                assume=tuple(s.get("assume", ())),
                amendments=tuple(s.get("amendments", ())),
            )
    return out


def _matches(actual: dict[str, Any], expected: dict[str, Any]) -> bool:
    for k, v in expected.items():
        got = actual.get(k)
        if isinstance(v, list) and isinstance(got, list):
            if sorted(map(str, v)) != sorted(map(str, got)):
                return False
        elif got != v:
            return False
    return True


def _warning_problems(exp: dict[str, Any], got: tuple[AnswerWarning, ...]) -> list[str]:
    codes = sorted({w.code for w in got})
    problems = [
        f"expected a '{code}' warning, got {codes}"
        for code in exp.get("warnings", [])
        if code not in codes
    ]
    problems += [
        f"expected no '{code}' warning, got: {[w.message for w in got if w.code == code]}"
        for code in exp.get("no_warnings", [])
        if code in codes
    ]
    return problems


def check_expectations(s: dict[str, Any], out: Outcome) -> list[str]:
    """Every way the outcome differs from the scenario's expectations."""
    exp = dict(s["expect"])
    problems: list[str] = []
    if out.who is not None:
        problems += _warning_problems(exp, out.who.warnings)
        exp.pop("warnings", None)
        exp.pop("no_warnings", None)
        got = out.who.to_json()
        want = dict(exp)
        agencies = want.pop("agencies", None)
        provision = want.pop("provision", None)
        if not _matches(got, want):
            problems.append(f"expected {want}, got status={got['status']}")
        names = sorted(a["agency"] for a in got["agencies"])
        if agencies is not None and names != sorted(agencies):
            problems.append(f"expected agencies {sorted(agencies)}, got {names}")
        if provision is not None and provision not in {a["provision"] for a in got["agencies"]}:
            problems.append(
                f"expected a grant under {provision}, got "
                f"{[a['provision'] for a in got['agencies']]}"
            )
        return problems
    problems += _warning_problems(exp, tuple(out.reports[0].warnings))
    report = out.reports[0].to_json()
    for want in exp.get("findings", []):
        found = [
            f
            for f in report["findings"]
            if f["subject"] == want["subject"] and f["provision"] == want["provision"]
        ]
        if not found:
            seen = [(f["subject"], f["provision"], f["verdict"]) for f in report["findings"]]
            problems.append(
                f"no finding for {want['subject']} under {want['provision']}; findings: {seen}"
            )
        elif not _matches(found[0], want):
            f = found[0]
            problems.append(
                f"{want['subject']} {want['provision']}: expected {want}, got "
                f"verdict={f['verdict']} depends_on={f['depends_on']} "
                f"missing={f['missing']}"
            )
    for gone in exp.get("absent", []):
        if any(
            f["subject"] == gone["subject"] and f["provision"] == gone["provision"]
            for f in report["findings"]
        ):
            problems.append(f"unexpected finding for {gone['subject']} under {gone['provision']}")
    for want in exp.get("competence", []):
        want = dict(want)
        agencies = want.pop("agencies", None)
        found = [
            c
            for c in report["competence"]
            if c.get("complaint") == want.get("complaint")
            and c.get("trigger") == want.get("trigger")
            and (want.get("allegation") is None or c["allegation"] == want["allegation"])
        ]
        if not found:
            problems.append(f"no competence entry for {want}")
            continue
        c = found[0]
        if not _matches(c, want):
            problems.append(f"competence {want}: got status={c['status']}")
        names = sorted(a["agency"] for a in c["agencies"])
        if agencies is not None and names != sorted(agencies):
            problems.append(f"competence {want}: expected agencies {sorted(agencies)}, got {names}")
    if "violates" in exp:
        if out.reports[0].violates != exp["violates"]:
            problems.append(f"expected violates={exp['violates']}")
    return problems

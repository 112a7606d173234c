"""The operations the CLI and the web app offer, over the packaged law and incidents.

The context of a run (`kg.context.Context`: law, shapes, code lists) is loaded once per
process. Functions here resolve user input (card paths, incident ids,
reading ids) and raise InputError for anything wrong, before any work is done.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

from rdflib import URIRef

from kg.cards.read import Card, read_card
from kg.context import Context, amended, baseline
from kg.decide import warnings as warns
from kg.decide.check import Options, check_cards
from kg.decide.competence import who as who_query
from kg.decide.impact import ImpactReport, impact
from kg.errors import InputError
from kg.law import amend, load
from kg.results import AnswerWarning, CheckReport, Competence

__all__ = ["Context", "amended", "context"]


def context() -> Context:
    """The baseline: packaged law and shapes (loaded once per process)."""
    return baseline()


def incident_cards(ctx: Context) -> dict[str, Path]:
    """Packaged incident cards by id (a card that does not read is left out here; it is
    reported when it is checked)."""
    out: dict[str, Path] = {}
    for path in load.incident_card_paths():
        try:
            out[read_card(path, ctx.codes).id] = path
        except InputError:
            continue
    return out


def resolve_card(target: str, ctx: Context) -> Card:
    """A card file, or the id of an incident in the knowledge graph."""
    path = Path(target)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise InputError(
                target, "no such card file", "give the path of a .yaml card, or an incident id"
            )
        return read_card(path, ctx.codes)
    known = incident_cards(ctx)
    if target not in known:
        raise InputError(
            target,
            "no incident with this id in the knowledge graph, and no such file",
            f"use a card file or one of: {', '.join(sorted(known))}",
        )
    return read_card(known[target], ctx.codes)


def valid_date(value: str, option: str) -> str:
    """`value` if it is a day written YYYY-MM-DD; else InputError naming `option` (a CLI
    option or a form field; long values are shown cut to 40 characters)."""
    try:
        datetime.date.fromisoformat(value)
        ok = len(value) == 10
    except ValueError:
        ok = False
    if not ok:
        raise InputError(option, f"'{value[:40]}' is not a date", "write YYYY-MM-DD", field=option)
    return value


def check(
    targets: list[str],
    *,
    as_of: str | None = None,
    readings: tuple[str, ...] = (),
    assume: tuple[str, ...] = (),
    amendments: tuple[str, ...] = (),
    ctx: Context | None = None,
) -> list[CheckReport]:
    """Check cards given as files or incident ids; any bad input raises InputError."""
    ctx = ctx or context()
    return check_cards_read(
        [resolve_card(t, ctx) for t in targets],
        as_of=as_of,
        readings=readings,
        assume=assume,
        amendments=amendments,
        ctx=ctx,
    )


def check_cards_read(
    cards: list[Card],
    *,
    as_of: str | None = None,
    readings: tuple[str, ...] = (),
    assume: tuple[str, ...] = (),
    amendments: tuple[str, ...] = (),
    ctx: Context | None = None,
) -> list[CheckReport]:
    """Check cards already read and validated (with amendments treated as in force)."""
    ctx = ctx or context()
    if as_of is not None:
        valid_date(as_of, "--as-of")
    days = [as_of] if as_of else [str(c.data["date"]) for c in cards]
    ctx, warnings = amended(ctx, amendments, min(days, default=today()))
    ctx.info.fixed_readings(readings)
    options = Options(as_of=as_of, readings=readings, assume=assume, amendments=amendments)
    reports = check_cards(cards, ctx.law, ctx.shapes, ctx.codes, ctx.info, ctx.header, options)
    for r in reports:
        r.warnings = list(warnings) + r.warnings
    return reports


def today() -> str:
    return datetime.date.today().isoformat()


def amend_impact(
    amendments: tuple[amend.Target, ...],
    *,
    as_of: str | None = None,
    incidents: tuple[str, ...] = (),
    ctx: Context | None = None,
) -> ImpactReport:
    """What the amendments change on a date, over incidents and the competence matrix."""
    ctx = ctx or context()
    if not amendments:
        raise InputError(
            "kg amend",
            "no amendment given",
            f"name one or more of: {', '.join(sorted(amend.known()))}",
        )
    if as_of is not None:
        valid_date(as_of, "--as-of")
    resolved = [amend.resolve(a) for a in amendments]
    return impact(
        law=ctx.law,
        shapes=ctx.shapes,
        codes=ctx.codes,
        info=ctx.info,
        header=ctx.header,
        amendments=resolved,
        as_of=as_of or today(),
        cards=incident_set(incidents, ctx),
        fixed_as_of=as_of is not None,
    )


def incident_set(targets: tuple[str, ...], ctx: Context) -> list[Card]:
    """`all` (or nothing): the incidents in the graph; else card files, folders or ids."""
    if not targets or targets == ("all",):
        return [read_card(p, ctx.codes) for p in load.incident_card_paths()]
    cards = []
    for t in targets:
        path = Path(t)
        if path.is_dir():
            cards += [read_card(p, ctx.codes) for p in sorted(path.rglob("*.yaml"))]
        else:
            cards.append(resolve_card(t, ctx))
    return cards


def valid_question(
    ctx: Context, allegation: str, respondent: str, date: str, *, prefix: str = "--"
) -> None:
    """The checks of a who-question, one message for the first problem. The CLI names its
    options (`--date`), the web app its form fields (`prefix=""`: `date`)."""
    valid_date(date, f"{prefix}date")
    for scheme, value, kind in (
        ("allegation", allegation, "an allegation code"),
        ("respondent", respondent, "a respondent kind"),
    ):
        known = ctx.codes.notations(scheme)
        if value not in known:
            raise InputError(
                f"{prefix}{scheme}",
                f"'{value}' is not {kind}",
                f"use one of: {', '.join(known)}",
                field=f"{prefix}{scheme}",
            )


def who(
    *,
    allegation: str,
    respondent: str,
    date: str,
    readings: tuple[str, ...] = (),
    ctx: Context | None = None,
) -> Competence:
    ctx = ctx or context()
    valid_question(ctx, allegation, respondent, date)
    nodes = ctx.info.fixed_readings(readings)
    answer = who_query(
        ctx.law,
        ctx.shapes,
        ctx.codes,
        ctx.info,
        allegation=allegation,
        respondent=respondent,
        date=date,
        readings=nodes,
    )
    return replace(answer, warnings=tuple(who_warnings(answer, ctx, readings)))


def who_warnings(
    answer: Competence, ctx: Context, readings: tuple[str, ...] = ()
) -> list[AnswerWarning]:
    """What a `kg who` answer cannot show by itself (check-report spec, Warnings)."""
    out = warns.after_law_current_to(answer.as_of, ctx.header.law_current_to)
    out += warns.uncertain_in_force(
        ctx.law, ctx.info, (URIRef(a.grant) for a in answer.agencies), answer.as_of
    )
    out += warns.not_encoded(ctx.law, ctx.codes, [answer])
    out += warns.reading_fixed(readings, ())
    if not ctx.amendments:
        out += warns.pending_for([answer], ctx.law, ctx.shapes, ctx.codes).get(0, [])
    return out

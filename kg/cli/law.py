"""`kg who` (who may investigate) and `kg amend` (what an amendment would change)."""

from __future__ import annotations

from dataclasses import replace

import click

from kg import api
from kg.cli.group import default_format, emit_json, engine_option, input_errors, main
from kg.report import render


@main.command(short_help="Who may investigate an allegation against a respondent on a date?")
@click.option("--allegation", required=True, help="Allegation code (e.g. excessive-force).")
@click.option("--respondent", required=True, help="Respondent kind (e.g. CPD:officer).")
@click.option("--date", help="The date to ask about (YYYY-MM-DD; default today).")
@click.option("--reading", "readings", multiple=True, help="Fix a reading (repeatable).")
@click.option(
    "--amend",
    "amendments",
    multiple=True,
    help="Treat a proposed amendment (id or file) as in force on the date; repeatable.",
)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]))
@engine_option
@input_errors
def who(
    allegation: str,
    respondent: str,
    date: str | None,
    readings: tuple[str, ...],
    amendments: tuple[str, ...],
    fmt: str | None,
) -> None:
    """Who may investigate an allegation against a respondent on a date?"""
    import datetime

    fmt = fmt or default_format()
    day = api.valid_date(date, "--date") if date else datetime.date.today().isoformat()
    ctx, amending = api.amended(api.context(), amendments, day)
    answer = api.who(
        allegation=allegation, respondent=respondent, date=day, readings=readings, ctx=ctx
    )
    answer = replace(answer, warnings=tuple(amending) + answer.warnings)
    if fmt == "json":
        emit_json(
            {
                **replace(ctx.header, engine=answer.engine).to_json(),
                "amendments": list(amendments),
                "counterfactual": bool(amendments),
                "warnings": [w.to_json() for w in answer.warnings],
                **answer.to_json(),
            }
        )
    else:
        if amendments:
            click.echo(
                f"Counterfactual: amendments {', '.join(amendments)} are treated as in force "
                f"on {day}."
            )
        click.echo(render.who_text(answer, ctx.header.notice), nl=False)


@main.command("amend", short_help="Show what amendments would change for incidents and the matrix.")
@click.argument("amendments", nargs=-1)
@click.option("--as-of", help="The date to compare the law on (YYYY-MM-DD; default today).")
@click.option(
    "--incidents",
    multiple=True,
    help="'all' (default: the incidents in the graph), or card files, folders or ids.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "markdown", "html"]),
    help="Output format (text on a terminal, json otherwise).",
)
@engine_option
@input_errors
def amend_command(
    amendments: tuple[str, ...], as_of: str | None, incidents: tuple[str, ...], fmt: str | None
) -> None:
    """What changes if these amendments are law: incidents and the competence matrix."""
    from kg.report import impact as render_impact

    fmt = fmt or default_format()
    report = api.amend_impact(amendments, as_of=as_of, incidents=incidents)
    if fmt == "json":
        emit_json(report.to_json())
    elif fmt == "markdown":
        click.echo(render_impact.markdown(report), nl=False)
    elif fmt == "html":
        click.echo(render_impact.html(report), nl=False)
    else:
        click.echo(render_impact.text(report), nl=False)

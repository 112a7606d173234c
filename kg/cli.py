"""The `kg` command (also `python -m kg`).

Exit status: 0 done; 1 `kg check` found a violation; 2 bad input or usage (one message
on standard error, nothing on standard output); 3 a bulk check met a bad card.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kg import api, load, render
from kg.errors import InputError
from kg.version import __version__

F = TypeVar("F", bound=Callable[..., Any])


def _default_format() -> str:
    return "text" if sys.stdout.isatty() else "json"


def _fail(err: InputError) -> None:
    click.echo(f"error: {err}", err=True)
    sys.exit(2)


def input_errors(fn: F) -> F:
    """Turn InputError into one message on stderr and exit status 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as err:
            _fail(err)

    return wrapper  # type: ignore[return-value]


def _emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option(
    "--store-dir",
    envvar="KG_STORE",
    help="Folder of the embedded store (default ~/.local/share/authority-kg/store).",
)
@click.option(
    "--endpoint",
    envvar="KG_ENDPOINT",
    help="Use this SPARQL 1.1 server instead of the embedded store.",
)
@click.pass_context
def main(ctx: click.Context, store_dir: str | None, endpoint: str | None) -> None:
    """authority-kg: who has the power to act, and was the rule broken?"""
    ctx.obj = {"store_dir": store_dir, "endpoint": endpoint}
    # rdflib logs warnings (e.g. about odd IRIs in a broken file) on standard error;
    # the one message a bad input gets is ours.
    logging.getLogger("rdflib").setLevel(logging.ERROR)


@main.command()
@click.argument("targets", nargs=-1)
@click.option(
    "--all", "check_all", is_flag=True, help="Check every incident in the knowledge graph."
)
@click.option("--as-of", help="Apply the law in force on this date (YYYY-MM-DD).")
@click.option(
    "--reading",
    "readings",
    multiple=True,
    help="Fix a reading of a contested provision (repeatable).",
)
@click.option("--assume", multiple=True, help="Take a claim as true (repeatable).")
@click.option(
    "--amend",
    "amendments",
    multiple=True,
    help="Apply a proposed amendment (id or file) first; repeatable, applied in order.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text", "ttl"]),
    help="Output format (text on a terminal, json otherwise).",
)
@click.option(
    "--store",
    "save",
    is_flag=True,
    help="Also write the findings into the store (graph:determinations/<incident>).",
)
@click.pass_context
@input_errors
def check(
    click_ctx: click.Context,
    targets: tuple[str, ...],
    check_all: bool,
    as_of: str | None,
    readings: tuple[str, ...],
    assume: tuple[str, ...],
    amendments: tuple[str, ...],
    fmt: str | None,
    save: bool,
) -> None:
    """Check incident cards (files or incident ids) against the law."""
    fmt = fmt or _default_format()
    ctx = api.context()
    names = list(targets)
    bulk = check_all or len(names) > 1
    if check_all:
        names += [str(p) for p in load.incident_card_paths()]
    if not names:
        raise InputError(
            "kg check",
            "no card or incident id given",
            "name a card file or an incident id, or use --all",
        )
    cards, bad = [], 0
    for name in names:
        try:
            cards.append(api.resolve_card(name, ctx))
        except InputError as err:
            if not bulk:
                raise
            click.echo(f"error: {err}", err=True)
            bad += 1
    reports = api.check_cards_read(
        cards, as_of=as_of, readings=readings, assume=assume, amendments=amendments, ctx=ctx
    )
    if fmt == "json":
        docs = [r.to_json() for r in reports]
        _emit_json(docs[0] if len(docs) == 1 and not bulk else docs)
    elif fmt == "ttl":
        click.echo(render.report_graph(reports).serialize(format="turtle"))
    else:
        click.echo("\n".join(render.report_text(r) for r in reports), nl=False)
    if save:
        if amendments:
            raise InputError(
                "--store",
                "counterfactual findings (with --amend) are not stored",
                "store findings without --amend",
            )
        from kg import build

        store = _store(click_ctx, build_if_empty=True)
        store.replace_graphs(build.determinations(reports, ctx))
        click.echo(f"stored the findings of {len(reports)} incident(s) in {store.name}", err=True)
    if bad:
        sys.exit(3)
    sys.exit(1 if any(r.violates for r in reports) else 0)


@main.command()
@click.option("--allegation", required=True, help="Allegation code (e.g. excessive-force).")
@click.option("--respondent", required=True, help="Respondent kind (e.g. CPD:officer).")
@click.option("--date", help="The date to ask about (YYYY-MM-DD; default today).")
@click.option("--reading", "readings", multiple=True, help="Fix a reading (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]))
@input_errors
def who(
    allegation: str, respondent: str, date: str | None, readings: tuple[str, ...], fmt: str | None
) -> None:
    """Who may investigate an allegation against a respondent on a date?"""
    import datetime

    fmt = fmt or _default_format()
    ctx = api.context()
    day = date or datetime.date.today().isoformat()
    answer = api.who(
        allegation=allegation, respondent=respondent, date=day, readings=readings, ctx=ctx
    )
    if fmt == "json":
        _emit_json({**ctx.header.to_json(), **answer.to_json()})
    else:
        click.echo(render.who_text(answer, ctx.header.notice), nl=False)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["trig", "ttl", "jsonld", "nquads"]),
    default="trig",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@input_errors
def export(fmt: str, output: Path | None) -> None:
    """Write the whole graph: ontology, law and incidents (one named graph per source)."""
    from kg import graph

    ds = graph.full_dataset(api.context())
    rdf_format = {"ttl": "turtle", "jsonld": "json-ld"}.get(fmt, fmt)
    if fmt == "ttl":
        text = graph.union(ds).serialize(format="turtle")
    else:
        text = ds.serialize(format=rdf_format)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "text"]))
@input_errors
def stats(fmt: str | None) -> None:
    """Count what the graph holds; list provisions whose encoding is incomplete."""
    from kg import graph

    fmt = fmt or _default_format()
    ctx = api.context()
    counts = graph.stats(graph.full_dataset(ctx))
    if fmt == "json":
        _emit_json({**ctx.header.to_json(), **counts})
        return
    click.echo(f"authority-kg {__version__}; law current to {ctx.header.law_current_to}")
    for key, value in counts["counts"].items():
        click.echo(f"  {key:<22} {value}")
    click.echo("Provisions whose encoding is incomplete:")
    for row in counts["incomplete"]:
        click.echo(f"  {row['citation']:<24} {row['status']:<14} {row['note']}")


@main.command("amend")
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
@input_errors
def amend_command(
    amendments: tuple[str, ...], as_of: str | None, incidents: tuple[str, ...], fmt: str | None
) -> None:
    """What changes if these amendments are law: incidents and the competence matrix."""
    from kg import render_impact

    fmt = fmt or _default_format()
    report = api.amend_impact(amendments, as_of=as_of, incidents=incidents)
    if fmt == "json":
        _emit_json(report.to_json())
    elif fmt == "markdown":
        click.echo(render_impact.markdown(report), nl=False)
    elif fmt == "html":
        click.echo(render_impact.html(report), nl=False)
    else:
        click.echo(render_impact.text(report), nl=False)


def _store(click_ctx: click.Context, *, build_if_empty: bool) -> Any:
    from kg.store import open_store

    opts = click_ctx.find_root().obj or {}
    store = open_store(location=opts.get("store_dir"), endpoint=opts.get("endpoint"))
    if build_if_empty and store.is_empty():
        click.echo(f"building the store at {store.name} (first use)", err=True)
        _load(store)
    return store


def _load(store: Any) -> dict[str, int]:
    from kg import build
    from kg.store import StoreError

    ds = build.store_dataset(api.context())
    try:
        store.replace_all(ds)
    except StoreError as exc:
        raise InputError(store.name, str(exc), "fix the cause and run kg load again") from None
    graphs = [g for g in ds.graphs() if len(g)]
    return {"graphs": len(graphs), "triples": sum(len(g) for g in graphs)}


@main.command("load")
@click.pass_context
@input_errors
def load_command(click_ctx: click.Context) -> None:
    """Build the store from the ontology, the law and the incidents (atomically)."""
    from kg.store import open_store

    opts = click_ctx.find_root().obj or {}
    store = open_store(location=opts.get("store_dir"), endpoint=opts.get("endpoint"))
    counts = _load(store)
    click.echo(
        f"loaded {counts['triples']} triples in {counts['graphs']} named graphs into {store.name}"
    )


@main.command("query")
@click.argument("target", required=False)
@click.option("--param", "params", multiple=True, help="name=value (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "jsonld", "nt"]),
    default="table",
    show_default=True,
)
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries.")
@click.pass_context
@input_errors
def query_command(
    click_ctx: click.Context,
    target: str | None,
    params: tuple[str, ...],
    fmt: str,
    list_saved: bool,
) -> None:
    """Run a SPARQL query: a saved query's name, a .rq file, or - (standard input)."""
    from kg import queries

    if list_saved or not target:
        for q in queries.catalog().values():
            args = " ".join(f"--param {p.name}=<{p.type}>" for p in q.params)
            click.echo(f"{q.name:<32} {q.title}" + (f"\n{'':<32} {args}" if args else ""))
        return
    saved = queries.resolve(target)
    bindings = queries.bind(saved, queries.parse_params(params), api.context().codes)
    store = _store(click_ctx, build_if_empty=True)
    try:
        result = store.query(saved.text, bindings)
    except InputError as err:
        raise InputError(saved.path, err.problem, err.fix, line=err.line, field=err.field) from None
    click.echo(queries.render(result, fmt), nl=False)

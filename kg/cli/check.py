"""`kg check`: incidents against the law, one card or thousands (batches, cores, Dask)."""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import nullcontext
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson

from kg import api
from kg.cards import jsonl
from kg.cli.group import (
    default_format,
    emit_json,
    engine_option,
    input_errors,
    main,
    store_options,
)
from kg.cli.store import built, close_store, store_for
from kg.context import settled
from kg.errors import InputError
from kg.law import load
from kg.reasoning.dispatch import default as default_engine
from kg.report import render
from kg.results import CheckReport

if TYPE_CHECKING:
    from kg.bulk import Item


@main.command(short_help="Check cards (files, folders, JSON Lines or ids) against the law.")
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
@click.option("--workers", type=int, default=0, help="Processes for a bulk check (0: all cores).")
@click.option(
    "--batch",
    type=click.IntRange(1, 10_000),
    default=100,
    show_default=True,
    help="Cards checked together in one run of the shapes.",
)
@click.option("--dask", is_flag=True, help="Run a bulk check on a local Dask cluster.")
@click.option("--scheduler", help="Run a bulk check on the Dask cluster at this address.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar.")
@engine_option
@store_options
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
    workers: int,
    batch: int,
    dask: bool,
    scheduler: str | None,
    progress: bool | None,
) -> None:
    """Check incident cards (files, folders, JSON Lines or incident ids) against the law.

    Each TARGET is a YAML card file, a folder of them, the id of an incident in the
    knowledge graph, a JSON Lines file (*.jsonl: one card a line, a JSON object with the
    keys of a YAML card), or - for JSON Lines read from standard input (- reads JSON Lines
    only, never YAML). Targets may be mixed. Errors name the file (or <stdin>) and the
    line. Several cards, a folder or JSON Lines are a bulk check: a bad card (or line) is
    reported and the others checked (exit status 3).
    """
    bulk_opts = {
        "workers": workers,
        "batch": batch,
        "dask": dask,
        "scheduler": scheduler,
        "progress": progress,
    }
    fmt = fmt or default_format()
    if scheduler:
        from kg import bulk

        bulk.scheduler_address(scheduler)  # a malformed address is bad input, before any work
    ctx = api.context()
    names = list(targets)
    if check_all:
        names += [str(p) for p in load.incident_card_paths()]
    if not names:
        raise InputError(
            "kg check",
            "no card or incident id given",
            "name a card file or an incident id, or use --all",
        )
    if save and amendments:
        raise InputError(
            "--store",
            "counterfactual findings (with --amend) are not stored",
            "store findings without --amend",
        )
    if len(names) == 1 and jsonl.is_jsonl(names[0]) and not Path(names[0]).exists():
        raise InputError(  # one target that is not there is bad usage, as for a YAML card
            names[0],
            "no such JSON Lines file",
            "give the path of a .jsonl file of cards, or - to read them from standard input",
        )
    if check_all or len(names) > 1 or any(_many(n) for n in names):
        _check_bulk(click_ctx, names, as_of, readings, assume, amendments, fmt, save, bulk_opts)
        return
    reports = _check_one(click_ctx, ctx, names, as_of, readings, assume, amendments, save)
    if fmt == "json":
        emit_json(reports[0].to_json())
    elif fmt == "ttl":
        click.echo(render.report_graph(reports).serialize(format="turtle"))
    else:
        click.echo("\n".join(render.report_text(r) for r in reports), nl=False)
    sys.exit(1 if any(r.violates for r in reports) else 0)


def _check_one(
    click_ctx: click.Context,
    ctx: api.Context,
    names: list[str],
    as_of: str | None,
    readings: tuple[str, ...],
    assume: tuple[str, ...],
    amendments: tuple[str, ...],
    save: bool,
) -> list[CheckReport]:
    """One card checked, and with --store its findings stored before anything is printed
    (a store that fails leaves no answer out); the store is reached before the check, so
    an unreachable one fails at once."""
    from kg.store import build, summary

    store = store_for(click_ctx, build_if_empty=False) if save else None
    try:
        if store is not None:
            store.is_empty()  # reaches a server
        reports = api.check(
            names, as_of=as_of, readings=readings, assume=assume, amendments=amendments, ctx=ctx
        )
        if store is not None:
            built(store).replace_graphs(build.determinations(reports, api.context()))
            summary.refresh(store, written=["determinations"])
    finally:
        if store is not None:
            close_store(store)
    return reports


def _many(name: str) -> bool:
    """A target that may hold many cards: a folder, a JSON Lines file, standard input."""
    return name == "-" or jsonl.is_jsonl(name) or Path(name).is_dir()


def _expand(names: list[str], ctx: api.Context) -> tuple[list[Item], list[str]]:
    """What to check for the names given: card files, folders of cards, JSON Lines files
    and standard input (read lazily by kg.bulk), or incident ids."""
    paths: list[Item] = []
    bad: list[str] = []
    index: dict[str, Path] | None = None
    for name in names:
        path = Path(name)
        if name == "-":
            paths.append(jsonl.Stream(click.get_binary_stream("stdin")))
        elif path.is_dir():
            # held for the run as str, in Path order: 100,000 Path objects cost 28 MB
            # in the client
            paths += [str(p) for p in sorted(path.rglob("*.yaml"))]
        elif path.suffix in (".yaml", ".yml", jsonl.SUFFIX) or path.exists():
            paths.append(path)
        else:
            index = index if index is not None else api.incident_cards(ctx)
            if name in index:
                paths.append(index[name])
            else:
                bad.append(
                    f"{name}: no incident with this id in the knowledge graph, and no "
                    "such file. Fix: use a card file, a folder of cards or an incident id"
                )
    return paths, bad


def _check_bulk(
    click_ctx: click.Context,
    names: list[str],
    as_of: str | None,
    readings: tuple[str, ...],
    assume: tuple[str, ...],
    amendments: tuple[str, ...],
    fmt: str,
    save: bool,
    opts: dict[str, Any],
) -> None:
    """Many cards: checked in batches (on every core, or on Dask), printed as they come;
    a bad card is reported and the rest go on (exit status 3)."""
    from kg import bulk
    from kg.decide.check import Options

    ctx = api.context()
    if as_of is not None:
        api.valid_date(as_of, "--as-of")
    if opts["dask"] or opts["scheduler"]:
        _quiet_dask()
    ctx, warnings = api.amended(ctx, amendments, as_of or bulk.EARLIEST)
    for w in warnings:
        click.echo(f"warning: {w}", err=True)
    ctx.info.fixed_readings(readings)
    paths, bad = _expand(names, ctx)
    for message in bad:
        click.echo(f"error: {message}", err=True)
    # JSON Lines are read as the batches need them: the first cards tell how many workers
    items = bulk.expand(paths)
    head = list(islice(items, 2 * opts["batch"] + 1))
    known = all(isinstance(p, (Path, str)) and not jsonl.is_jsonl(p) for p in paths)
    total = len(paths) if known else (len(head) if len(head) <= 2 * opts["batch"] else None)
    options = Options(
        as_of=as_of,
        readings=readings,
        assume=assume,
        amendments=amendments,
        engine=default_engine(),  # every worker runs the engine chosen here
    )
    workers = opts["workers"] or (os.cpu_count() or 1 if len(head) > 2 * opts["batch"] else 1)
    progress = _progress(total, opts["progress"])
    store = store_for(click_ctx, build_if_empty=True) if save else None
    violates = False
    errors = len(bad)
    out = _Emitter(fmt)
    # the run loads the law once: set aside from the garbage collector while it runs
    aside = settled(ctx) if not (opts["dask"] or opts["scheduler"]) else nullcontext()
    try:
        with aside:
            for result in bulk.check_many(
                chain(head, items),
                ctx,
                options,
                batch=opts["batch"],
                workers=workers,
                dask=opts["dask"],
                scheduler=opts["scheduler"],
                on_batch=progress.update,
            ):
                for e in result.errors:
                    click.echo(f"error: {e}", err=True)
                errors += len(result.errors)
                out.emit(result.reports)
                violates = violates or any(r.violates for r in result.reports)
                if store is not None and result.reports:
                    from kg.store import build

                    store.replace_graphs(build.determinations(result.reports, ctx))
        if store is not None:
            from kg.store import summary

            summary.refresh(store, written=["determinations"])
    finally:
        progress.close()
        if store is not None:
            close_store(store)
    out.close()  # only after every batch: a failed run leaves no closing bracket
    if store is not None:
        click.echo(f"stored the findings in {store.name}", err=True)
    if errors:
        sys.exit(3)
    sys.exit(1 if violates else 0)


def _quiet_dask() -> None:
    """Dask logs its own view of a lost worker or scheduler, tracebacks included, on
    standard error: the run's one message says what happened (KG_DEBUG=1 keeps them)."""
    if os.environ.get("KG_DEBUG") == "1":
        return
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")  # the cluster's processes
    import distributed  # noqa: F401 - its import sets the levels overridden here

    for name in list(logging.root.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.CRITICAL)


def _json(value: object) -> str:
    """`value` as `json.dumps(value, indent=2, ensure_ascii=False)` writes it (a report
    holds no float, where the two would differ), in a tenth of the time; text orjson
    refuses (a lone surrogate) is written by json."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (orjson.JSONEncodeError, UnicodeDecodeError):
        return json.dumps(value, indent=2, ensure_ascii=False)


class _Emitter:
    """Prints reports batch by batch. A JSON array opens with the first report and closes
    only when every batch is in, so a run that fails leaves no array a parser would take
    for a whole answer."""

    def __init__(self, fmt: str) -> None:
        self.fmt, self.first = fmt, True

    def emit(self, reports: list[CheckReport]) -> None:
        for r in reports:
            if self.fmt == "json":
                click.echo(
                    ("[" if self.first else ",") + "\n" + _json(r.to_json()),
                    nl=False,
                )
            elif self.fmt == "ttl":
                click.echo(render.report_graph([r]).serialize(format="turtle"))
            else:
                click.echo(("" if self.first else "\n") + render.report_text(r), nl=False)
            self.first = False

    def close(self) -> None:
        if self.fmt == "json":
            click.echo("[]" if self.first else "\n]")


def _progress(total: int | None, wanted: bool | None) -> Any:
    """A progress bar; `total` None where it is not known (JSON Lines still being read)."""
    from tqdm import tqdm

    show = wanted if wanted is not None else sys.stderr.isatty()
    few = total is not None and total < 2
    return tqdm(total=total, unit="card", disable=not show or few, file=sys.stderr, smoothing=0.1)

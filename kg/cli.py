"""The `kg` command (also `python -m kg`).

Exit status: 0 done; 1 `kg check` found a violation; 2 bad input or usage (one message
on standard error, nothing on standard output); 3 a bulk check met a bad card; 4 an
internal error (a bug, a lost worker or cluster): one message, no traceback unless
KG_DEBUG=1, and nothing on standard output that could pass for a complete answer; 130
interrupted. See docs/security-cli.md.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from click.utils import PacifyFlushWrapper

from kg import api, load, render
from kg.errors import InputError, InternalError, StoreError, StoreUnreachable
from kg.reasoning.dispatch import ENGINES
from kg.reasoning.dispatch import default as default_engine
from kg.version import __version__

F = TypeVar("F", bound=Callable[..., Any])


def _default_format() -> str:
    return "text" if sys.stdout.isatty() else "json"


def _one_line(text: str, limit: int = 2000) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fail(err: InputError) -> NoReturn:
    click.echo(f"error: {_one_line(str(err))}", err=True)
    sys.exit(2)


def _store_failed(err: StoreError) -> NoReturn:
    click.echo(f"error: {_one_line(str(err))}", err=True)
    sys.exit(4 if isinstance(err, StoreUnreachable) else 2)


def input_errors(fn: F) -> F:
    """Turn InputError (and StoreError: the store failed, e.g. a server is unreachable)
    into one message on stderr and exit status 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as err:
            _fail(err)
        except StoreError as err:
            _store_failed(err)

    return wrapper  # type: ignore[return-value]


def _emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _internal(exc: BaseException) -> NoReturn:
    """Exit status 4: one message; the traceback only with KG_DEBUG=1."""
    if isinstance(exc, BrokenPipeError):  # the reader of our output went away
        sys.stdout = PacifyFlushWrapper(sys.stdout)
    if os.environ.get("KG_DEBUG") == "1":
        import traceback

        traceback.print_exception(exc)
    if isinstance(exc, InternalError):  # a known failure: its message says what to do
        what = f"{_one_line(str(exc))}. KG_DEBUG=1 shows the details"
    else:
        what = (
            f"{_one_line(f'{type(exc).__name__}: {exc}')}. This is a bug: run again with "
            "KG_DEBUG=1 and report the traceback"
        )
    click.echo(f"internal error: {what}.", err=True)
    sys.exit(4)


class _Group(click.Group):
    """Every command: bad input exits 2, an interrupt 130, and any other failure 4 (never 1,
    which means a violation was found), with one message on standard error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except click.ClickException as exc:
            if exc.exit_code == 1:  # e.g. click.FileError: a usage problem, not a violation
                exc.exit_code = 2
            raise
        except InputError as err:
            _fail(err)
        except StoreError as err:
            _store_failed(err)
        except (KeyboardInterrupt, click.Abort):
            click.echo("interrupted: the answer is incomplete; nothing was stored.", err=True)
            sys.exit(130)
        except (SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - the one place crashes become exit 4
            _internal(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="The engine that runs the shapes: fast (default) or pyshacl, the reference "
    "(or KG_ENGINE).",
)
@click.pass_context
def main(
    ctx: click.Context, store_dir: str | None, endpoint: str | None, engine: str | None
) -> None:
    """authority-kg: who has the power to act, and was the rule broken?"""
    ctx.obj = {"store_dir": store_dir, "endpoint": endpoint}
    if engine:
        os.environ["KG_ENGINE"] = engine  # read by kg.reasoning.dispatch (and by workers)
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
    """Check incident cards (files, folders of cards or incident ids) against the law."""
    bulk_opts = {
        "workers": workers,
        "batch": batch,
        "dask": dask,
        "scheduler": scheduler,
        "progress": progress,
    }
    fmt = fmt or _default_format()
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
    if check_all or len(names) > 1 or any(Path(n).is_dir() for n in names):
        _check_bulk(click_ctx, names, as_of, readings, assume, amendments, fmt, save, bulk_opts)
        return
    reports = api.check(
        names, as_of=as_of, readings=readings, assume=assume, amendments=amendments, ctx=ctx
    )
    if fmt == "json":
        _emit_json(reports[0].to_json())
    elif fmt == "ttl":
        click.echo(render.report_graph(reports).serialize(format="turtle"))
    else:
        click.echo("\n".join(render.report_text(r) for r in reports), nl=False)
    if save:
        _save(click_ctx, reports)
    sys.exit(1 if any(r.violates for r in reports) else 0)


def _save(click_ctx: click.Context, reports: list[Any]) -> None:
    from kg import build

    store = _store(click_ctx, build_if_empty=True)
    store.replace_graphs(build.determinations(reports, api.context()))


def _expand(names: list[str], ctx: api.Context) -> tuple[list[Path], list[str]]:
    """Card files for the names given: files, folders of cards, or incident ids."""
    paths: list[Path] = []
    bad: list[str] = []
    index: dict[str, Path] | None = None
    for name in names:
        path = Path(name)
        if path.is_dir():
            paths += sorted(path.rglob("*.yaml"))
        elif path.suffix in (".yaml", ".yml") or path.exists():
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
    from kg.check import Options

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
    options = Options(
        as_of=as_of,
        readings=readings,
        assume=assume,
        amendments=amendments,
        engine=default_engine(),  # every worker runs the engine chosen here
    )
    workers = opts["workers"] or (os.cpu_count() or 1 if len(paths) > 2 * opts["batch"] else 1)
    progress = _progress(len(paths), opts["progress"])
    store = _store(click_ctx, build_if_empty=True) if save else None
    violates = False
    errors = len(bad)
    out = _Emitter(fmt)
    try:
        for result in bulk.check_many(
            paths,
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
                from kg import build

                store.replace_graphs(build.determinations(result.reports, ctx))
    finally:
        progress.close()
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


class _Emitter:
    """Prints reports batch by batch. A JSON array opens with the first report and closes
    only when every batch is in, so a run that fails leaves no array a parser would take
    for a whole answer."""

    def __init__(self, fmt: str) -> None:
        self.fmt, self.first = fmt, True

    def emit(self, reports: list[Any]) -> None:
        for r in reports:
            if self.fmt == "json":
                click.echo(
                    ("[" if self.first else ",")
                    + "\n"
                    + json.dumps(r.to_json(), indent=2, ensure_ascii=False),
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


def _progress(total: int, wanted: bool | None) -> Any:
    from tqdm import tqdm

    show = wanted if wanted is not None else sys.stderr.isatty()
    return tqdm(
        total=total, unit="card", disable=not show or total < 2, file=sys.stderr, smoothing=0.1
    )


@main.command()
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

    fmt = fmt or _default_format()
    day = api.valid_date(date, "--date") if date else datetime.date.today().isoformat()
    ctx, amending = api.amended(api.context(), amendments, day)
    answer = api.who(
        allegation=allegation, respondent=respondent, date=day, readings=readings, ctx=ctx
    )
    answer = replace(answer, warnings=tuple(amending) + answer.warnings)
    if fmt == "json":
        _emit_json(
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
    click.echo("Encoded only in part (provisions, norms, grants; status; in force since):")
    for row in counts["incomplete"]:
        since = (row["since"] or "start not recorded") + (
            " (uncertain)" if row["start_uncertain"] else ""
        )
        click.echo(f"  {row['kind']:<9} {row['citation'][:40]:<40} {row['status']:<14} {since}")
    click.echo("Investigative powers encoded completely from (law_covered_from):")
    for row in counts["law_covered_from"]:
        limited = f"  [{', '.join(row['allegations'])}]" if row.get("allegations") else ""
        click.echo(
            f"  {row['respondent']:<22} {row['law_covered_from']} ({row['status']}){limited}"
        )


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

    ds = build.store_dataset(api.context())
    try:
        store.replace_all(ds)
    except StoreUnreachable:
        raise
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
    try:
        counts = _load(store)
    finally:
        _close(store)
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
            args = " ".join(
                f"[--param {p.name}=<{p.type}>]" if p.optional else f"--param {p.name}=<{p.type}>"
                for p in q.params
            )
            click.echo(f"{q.name:<32} {q.title}" + (f"\n{'':<32} {args}" if args else ""))
        return
    saved = queries.resolve(target)
    queries.check_read_only(saved)  # before any store opens: nothing is built or fetched
    bindings = queries.bind(saved, queries.parse_params(params), api.context().codes)
    store = _store(click_ctx, build_if_empty=True)
    try:
        result = store.query(saved.text, bindings)
    except InputError as err:
        raise InputError(saved.path, err.problem, err.fix, line=err.line, field=err.field) from None
    finally:
        _close(store)
    click.echo(queries.render(result, fmt), nl=False)


def _close(store: Any) -> None:
    """Release the embedded store's lock as soon as a command is done with it."""
    close = getattr(store, "close", None)
    if callable(close):
        close()


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--allow-restricted",
    is_flag=True,
    help="Also serve facts that rest only on restricted sources.",
)
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=int,
    help="Request threads for the pages (/sparql gets its own, for its workers and queue).",
)
@click.option(
    "--sparql-timeout",
    default=10.0,
    show_default=True,
    type=float,
    help="Seconds a SPARQL query may run.",
)
@click.option(
    "--result-cap",
    default=10000,
    show_default=True,
    type=int,
    help="Rows or triples a SPARQL query may return.",
)
@click.pass_context
@input_errors
def serve_command(
    click_ctx: click.Context,
    host: str,
    port: int,
    allow_restricted: bool,
    threads: int,
    sparql_timeout: float,
    result_cap: int,
) -> None:
    """Serve the lookup page and the SPARQL endpoint (/sparql) on the embedded store."""
    import waitress

    from webapp import create_app

    opts = click_ctx.find_root().obj or {}
    if opts.get("endpoint"):
        raise InputError(
            "--endpoint",
            "kg serve serves the embedded store, not a remote SPARQL server",
            "drop --endpoint (and unset KG_ENDPOINT); query the remote server directly",
        )
    app = create_app(
        {
            "STORE_DIR": opts.get("store_dir"),
            "ALLOW_RESTRICTED": allow_restricted,
            "SPARQL_TIMEOUT": sparql_timeout,
            "SPARQL_RESULT_CAP": result_cap,
            "PAGE_THREADS": threads,
        }
    )
    app.extensions["kg"].warm()
    click.echo(f"serving http://{host}:{port}/ (SPARQL at /sparql); stop with Ctrl-C", err=True)
    # the pages' threads, plus those /sparql may hold (its workers and queue)
    threads = int(app.config["SERVER_THREADS"])
    waitress.serve(app, host=host, port=port, threads=threads, ident="authority-kg")

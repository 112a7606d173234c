"""The store's commands: `kg load`, `kg query`, `kg export`, `kg stats`, `kg serve`."""

from __future__ import annotations

from pathlib import Path

import click

from kg import api
from kg.cli.group import (
    default_format,
    emit_json,
    engine_option,
    input_errors,
    main,
    store_options,
    store_settings,
)
from kg.errors import InputError, StoreError, StoreUnreachable
from kg.namespaces import GRAPH
from kg.store.base import Store
from kg.version import __version__


@main.command(short_help="Write what the store holds as RDF (parts may be left out).")
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
@click.option(
    "--leave-out",
    "leave_out",
    multiple=True,
    type=click.Choice(
        ["ontology", "law", "incidents", "matrix", "meta", "determinations", "summaries"]
    ),
    help="A part of the store not to export (repeatable).",
)
@store_options
@click.pass_context
@input_errors
def export(
    click_ctx: click.Context, fmt: str, output: Path | None, leave_out: tuple[str, ...]
) -> None:
    """Write what the store holds, one named graph per file or source: the ontology, the
    law, the incidents, the competence matrix, graph:meta and the stored determinations,
    so another SPARQL server loaded from it answers the same queries. An empty store is
    exported as kg load would fill it (no determinations yet). ttl is the union of the
    graphs, without their names."""
    from kg.store import build, graph

    store = _open(click_ctx)
    try:
        if store.is_empty():
            click.echo(
                f"the store at {store.name} is empty: writing what kg load would put in it",
                err=True,
            )
            ds = build.store_dataset(api.context())
        else:
            ds = graph.stored(store)
    finally:
        close_store(store)
    ds = graph.without(ds, leave_out)
    rdf_format = {"ttl": "turtle", "jsonld": "json-ld"}.get(fmt, fmt)
    if fmt == "ttl":
        text = graph.union(ds).serialize(format="turtle")
    else:
        text = ds.serialize(format=rdf_format)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text)


@main.command(short_help="Count what the graph holds; list what is encoded only in part.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]))
@input_errors
def stats(fmt: str | None) -> None:
    """Count what the graph holds; list provisions whose encoding is incomplete."""
    from kg.store import graph

    fmt = fmt or default_format()
    ctx = api.context()
    counts = graph.stats(graph.full_dataset(ctx))
    if fmt == "json":
        emit_json({**ctx.header.to_json(), **counts})
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


def _open(click_ctx: click.Context) -> Store:
    from kg.store.connect import open_store

    opts = store_settings(click_ctx)
    return open_store(location=opts["store_dir"], endpoint=opts["endpoint"])


def store_for(click_ctx: click.Context, *, build_if_empty: bool) -> Store:
    """The store the command's --store-dir / --endpoint name (after the command, else
    before it, else KG_STORE / KG_ENDPOINT); built first if empty and asked to."""
    store = _open(click_ctx)
    return built(store) if build_if_empty else store


def built(store: Store) -> Store:
    """The store, built first if it is empty (its first use)."""
    if store.is_empty():
        click.echo(f"building the store at {store.name} (first use)", err=True)
        _load(store)
    return store


DETERMINATIONS = str(GRAPH["determinations/"])


def stored_determinations(store: Store) -> int:
    """How many determination graphs (`kg check --store`) the store holds."""
    from kg.store import graph

    return 0 if store.is_empty() else len(graph.graph_names(store, DETERMINATIONS))


def _load(store: Store) -> dict[str, int]:
    """Rebuild the store; `determinations`: the determination graphs this dropped."""
    from kg.store import build, summary

    dropped = stored_determinations(store)  # first: an unreachable store fails at once
    ds = build.store_dataset(api.context())
    try:
        store.replace_all(ds)
        summary.refresh(store)
    except StoreUnreachable:
        raise
    except StoreError as exc:
        raise InputError(store.name, str(exc), "fix the cause and run kg load again") from None
    graphs = [g for g in ds.graphs() if len(g)]
    return {
        "graphs": len(graphs),
        "triples": sum(len(g) for g in graphs),
        "determinations": dropped,
    }


@main.command("load", short_help="Rebuild the whole store, dropping stored determinations.")
@engine_option
@store_options
@click.pass_context
@input_errors
def load_command(click_ctx: click.Context) -> None:
    """Build the store from the ontology, the law and the incidents (atomically).

    A load replaces the whole store, stored determinations included: the findings and
    competence answers that kg check --store wrote (graph:determinations/<incident>) are
    dropped, and the message says how many. Put them back with kg check --all --store."""
    store = _open(click_ctx)
    try:
        counts = _load(store)
    finally:
        close_store(store)
    dropped = counts["determinations"]
    again = "; kg check --all --store stores the findings again" if dropped else ""
    click.echo(
        f"loaded {counts['triples']} triples in {counts['graphs']} named graphs into "
        f"{store.name}; dropped {dropped} stored determination graph"
        f"{'' if dropped == 1 else 's'}{again}"
    )


MAX_ROWS = 2**63 - 1  # the largest LIMIT or OFFSET a store reads (a 64-bit count)


@main.command("query", short_help="Run a saved query, a .rq file or SPARQL from standard input.")
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
@click.option(
    "--limit",
    type=click.IntRange(min=1, max=MAX_ROWS),
    help="Show one page of this many rows, for a large answer.",
)
@click.option(
    "--offset",
    type=click.IntRange(min=0, max=MAX_ROWS),
    default=0,
    help="With --limit: skip this many rows first (the next page: the last offset + limit).",
)
@store_options
@click.pass_context
@input_errors
def query_command(
    click_ctx: click.Context,
    target: str | None,
    params: tuple[str, ...],
    fmt: str,
    list_saved: bool,
    limit: int | None,
    offset: int,
) -> None:
    """Run a SPARQL query: a saved query's name, a .rq file, or - (standard input)."""
    from kg.store import paging, queries

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
    if offset and limit is None:
        raise InputError(
            "--offset", "--offset skips rows of a page: it needs --limit", "add --limit N"
        )
    bindings = queries.bind(saved, queries.parse_params(params), api.context().codes)
    asked = paging.page(saved.text, limit, offset, saved.path) if limit is not None else None
    store = store_for(click_ctx, build_if_empty=True)
    try:
        _summaries_held(store, saved.text)
        blocks = paging.by_blocks(store, saved.text, bindings, asked) if asked else None
        if blocks is None:
            result = store.query(asked.text if asked else saved.text, bindings)
        else:
            result = blocks
    except InputError as err:
        raise InputError(saved.path, err.problem, err.fix, line=err.line, field=err.field) from None
    finally:
        close_store(store)
    click.echo(queries.render(result, fmt), nl=False)
    if asked is not None:
        size = len(result.rows) if result.kind == "select" else len(result.triples)
        told = paging.note(size, asked)
        if told:
            click.echo(told, err=True)


def _summaries_held(store: Store, text: str) -> None:
    """A query that reads a summary the store lacks would answer nothing, as if nothing
    had happened: refused instead, saying how to compute it."""
    from kg.store import summary

    lacking = summary.missing(store, text)
    if lacking:
        raise StoreError(f"the store {store.name} {summary.absent(lacking)}")


def close_store(store: Store) -> None:
    """Release the embedded store's lock as soon as a command is done with it."""
    close = getattr(store, "close", None)
    if callable(close):
        close()


@main.command("serve", short_help="Serve the lookup page and the SPARQL endpoint (/sparql).")
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
@click.option(
    "--cors-origins",
    default="*",
    show_default=True,
    metavar="ORIGINS",
    help="Origins whose scripts may read /sparql (YASGUI, notebooks): * for any, a list "
    "separated by commas, or '' for none.",
)
@engine_option
@store_options
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
    cors_origins: str,
) -> None:
    """Serve the lookup page and the SPARQL endpoint (/sparql) on the embedded store."""
    import waitress

    from webapp import create_app

    opts = store_settings(click_ctx)
    if opts["endpoint"]:
        raise InputError(
            "--endpoint",
            "kg serve serves the embedded store, not a remote SPARQL server",
            "drop --endpoint (and unset KG_ENDPOINT); query the remote server directly",
        )
    app = create_app(
        {
            "STORE_DIR": opts["store_dir"],
            "ALLOW_RESTRICTED": allow_restricted,
            "SPARQL_TIMEOUT": sparql_timeout,
            "SPARQL_RESULT_CAP": result_cap,
            "PAGE_THREADS": threads,
            "SPARQL_CORS_ORIGINS": cors_origins,
        }
    )
    app.extensions["kg"].warm()
    click.echo(f"serving http://{host}:{port}/ (SPARQL at /sparql); stop with Ctrl-C", err=True)
    # the pages' threads, plus those /sparql may hold (its workers and queue)
    threads = int(app.config["SERVER_THREADS"])
    waitress.serve(app, host=host, port=port, threads=threads, ident="authority-kg")

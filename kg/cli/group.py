"""The `kg` command group (also `python -m kg`): its options, and how every command fails.

Exit status: 0 done; 1 `kg check` found a violation; 2 bad input or usage (one message
on standard error, nothing on standard output); 3 a bulk check met a bad card; 4 an
internal error (a bug, a lost worker or cluster, an unreachable store): one message, no
traceback unless KG_DEBUG=1, and nothing on standard output that could pass for a
complete answer; 130 interrupted. See docs/security-cli.md.

`--store-dir` and `--endpoint` may come before the command or after it (`store_options`,
on the commands that use the store), and so may `--engine` (`engine_option`, on the
commands that run the shapes); after it, they win.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click
from click.core import ParameterSource

from kg.errors import InputError, InternalError, StoreError, StoreUnreachable
from kg.reasoning.dispatch import ENGINES
from kg.version import __version__

F = TypeVar("F", bound=Callable[..., Any])


def default_format() -> str:
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


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _quiet_stdout() -> None:
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        pass
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (e.g. under click's test runner)


def _internal(exc: BaseException) -> NoReturn:
    """Exit status 4: one message; the traceback only with KG_DEBUG=1."""
    if isinstance(exc, BrokenPipeError):  # the reader of our output went away:
        _quiet_stdout()  # (the Python docs' recipe) nothing more to write, no second error
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


def _with_store_options(fn: F) -> F:
    decorated: Any = fn
    for option in (
        click.option(
            "--endpoint",
            metavar="URL",
            envvar="KG_ENDPOINT",
            show_envvar=True,
            help="Use this SPARQL 1.1 server instead of the embedded store.",
        ),
        click.option(
            "--store-dir",
            metavar="DIR",
            envvar="KG_STORE",
            show_envvar=True,
            help="Folder of the embedded store (default ~/.local/share/authority-kg/store).",
        ),
    ):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


STORE_OPTIONS = ("store_dir", "endpoint")


def _engine_option() -> Callable[[F], F]:
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        help="The engine that runs the shapes: fast (default) or pyshacl, the reference "
        "(or KG_ENGINE).",
    )


def _use_engine(engine: str | None) -> None:
    if engine:
        os.environ["KG_ENGINE"] = engine  # read by kg.reasoning.dispatch (and by workers)


def engine_option(fn: F) -> F:
    """`--engine` after the command too (`kg check card.yaml --engine pyshacl`), on a
    command that runs the shapes; given after the command, it wins."""

    @wraps(fn)
    def wrapper(*args: Any, engine: str | None = None, **kwargs: Any) -> Any:
        _use_engine(engine)
        return fn(*args, **kwargs)

    return _engine_option()(wrapper)  # type: ignore[return-value]


def store_options(fn: F) -> F:
    """`--store-dir` and `--endpoint` after the command too (`kg load --endpoint URL`), on
    a command that uses the store; `store_settings` says which values it uses."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for name in STORE_OPTIONS:  # the command reads them with store_settings
            kwargs.pop(name, None)
        return fn(*args, **kwargs)

    return _with_store_options(wrapper)  # type: ignore[return-value]


def store_settings(ctx: click.Context) -> dict[str, str | None]:
    """The store options a command uses: given after the command, else before it, else
    from KG_STORE / KG_ENDPOINT (which both places read), else None."""
    root = ctx.find_root()
    contexts = [ctx] if ctx is root else [ctx, root]  # the command's own first
    settings: dict[str, str | None] = {}
    for name in STORE_OPTIONS:
        having = [c for c in contexts if name in c.params]
        given = [c for c in having if c.get_parameter_source(name) is ParameterSource.COMMANDLINE]
        chosen = (given or having)[:1]
        settings[name] = chosen[0].params[name] if chosen else None
    return settings


_EPILOG = """\b
Exit status:
  0    done
  1    kg check found a violation
  2    bad input or usage
  3    a bulk check met a bad card (the other cards were checked)
  4    an internal error, or the store is unreachable
  130  interrupted

\b
Environment:
  KG_STORE     folder of the embedded store (as --store-dir)
  KG_ENDPOINT  a SPARQL 1.1 server to use instead (as --endpoint)
  KG_GSP       its Graph Store Protocol URL (default <endpoint>-graph-crud)
  KG_ENGINE    the engine that runs the shapes: fast or pyshacl (as --engine)
  KG_DATA_DIR  a copy of the project's data (ontology/, shapes/, law/, ...)
  KG_DEBUG     1: an internal error shows its traceback

\b
--store-dir, --endpoint and --engine may come before or after the command
(kg load --endpoint URL); given after it, they win."""


@click.group(cls=_Group, epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@_with_store_options
@_engine_option()
def main(store_dir: str | None, endpoint: str | None, engine: str | None) -> None:
    """authority-kg: who has the power to act, and was the rule broken?"""
    del store_dir, endpoint  # each command that uses the store reads them (store_settings)
    _use_engine(engine)
    # rdflib logs warnings (e.g. about odd IRIs in a broken file) on standard error;
    # the one message a bad input gets is ours.
    logging.getLogger("rdflib").setLevel(logging.ERROR)

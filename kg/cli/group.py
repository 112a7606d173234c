"""The `kg` command group (also `python -m kg`): its options, and how every command fails.

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
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click
from click.utils import PacifyFlushWrapper

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

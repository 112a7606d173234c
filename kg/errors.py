"""Bad input: one error that names the file, line, field, what is wrong and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputError(Exception):
    """A problem with something the user gave us. Exit status 2; nothing is changed."""

    file: str
    problem: str
    fix: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = _short(self.file, 300)
        if self.line is not None:
            where += f":{self.line}"
        field = f" field '{_short(self.field, 100)}':" if self.field else ""
        # a hostile value quoted in the problem is cut, so that the fix is always read
        return f"{where}:{field} {_short(self.problem, 400)}. Fix: {self.fix}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InternalError(Exception):
    """A bug or a lost resource (a worker, a cluster): exit status 4, never a partial answer.
    The message says what failed and what to do."""


class StoreError(Exception):
    """The store could not do what was asked; the message says why (and names the store).
    `kg` reports it like bad input: one message, exit status 2; nothing is changed."""


class StoreUnreachable(StoreError):
    """The store's server did not answer at all (refused, timed out, no such host): a
    lost resource, exit status 4 (the spec's "unreachable store"), not bad input."""


def read_limited(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a file (one more than allowed, so a caller can tell it is
    too large without reading it all), or InputError when it cannot be read."""
    try:
        with path.open("rb") as f:
            return f.read(limit + 1)
    except OSError as exc:
        raise InputError(
            str(path), f"cannot read the file ({exc.strerror or exc})", "check the path"
        ) from None


def utf8_text(
    data: bytes, name: str, *, what: str, limit: int, fix_size: str, fix_text: str
) -> str:
    """Bytes given as text (a card, a query, an amendment): at most `limit` bytes of UTF-8
    without NUL characters, its byte-order mark dropped; else InputError naming the line."""
    if len(data) > limit:
        raise InputError(name, f"the {what} is larger than the limit of {limit:,} bytes", fix_size)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            name,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}): "
            "a binary file, or text in another encoding",
            fix_text,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            name,
            "the file holds a NUL character, as binary files do",
            fix_text,
            line=text.count("\n", 0, nul) + 1,
        )
    return text.removeprefix("\ufeff")

"""Bad input: one error that names the file, line, field, what is wrong and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputError(Exception):
    """A problem with something the user gave us. Exit status 2; nothing is changed."""

    file: str
    problem: str
    fix: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        field = f" field '{self.field}':" if self.field else ""
        return f"{where}:{field} {self.problem}. Fix: {self.fix}"


class InternalError(Exception):
    """A bug or a lost resource (a worker, a cluster): exit status 4, never a partial answer.
    The message says what failed and what to do."""


class StoreError(Exception):
    """The store could not do what was asked; the message says why (and names the store).
    `kg` reports it like bad input: one message, exit status 2; nothing is changed."""

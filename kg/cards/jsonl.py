"""Incident cards as JSON Lines: one card a line, read lazily, within the YAML reader's limits.

A JSON Lines input (a `*.jsonl` file, or standard input) holds one card per line, as a
JSON object with exactly the keys of a YAML card (docs/cards.md). The input is read a line
at a time (`read`), so neither a file of millions of cards nor a line of gigabytes is ever
held whole: a line longer than the card size limit is refused, and skipped to its end, by
reading it in small pieces. Blank lines are skipped.

Each line's values are read as text, as the YAML reader gives them (`kg.cards.yaml_reader`
reads every scalar as the `str` written): a number is the text of the number (`1` is
"1", `1.50` is "1.50"), `true`/`false` are "true"/"false", `null` is "null". So a card
written as one JSON line gives the same card, and the same report, as the same card in
YAML. The line is then checked within the same limits (nesting, values, items, control
characters) and validated by the same code (`kg.cards.read.card_from_data`); every
error names the input, the line (the card's line in the input), the field and the fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kg.cards.read import Card, card_from_data
from kg.cards.yaml_reader import CONTROL, FIX_DEPTH, FIX_SIZE, LIMITS, Limits, dotted
from kg.errors import InputError, utf8_text
from kg.law.codes import CodeIndex

STDIN = "<stdin>"
SUFFIX = ".jsonl"
_PIECE = 1 << 16  # bytes read at a time while skipping the rest of a line that is too long
_FIX_JSON = (
    'write each card on one line as a JSON object, e.g. {"card": 1, "id": "...", ...} '
    "(JSON Lines and - are never read as YAML: give a YAML card as a .yaml file)"
)


@dataclass(frozen=True)
class JsonLine:
    """One card's line of a JSON Lines input, read by the client: the input's name, the
    line's number (1-based) and its text. It is parsed where its batch runs."""

    name: str
    line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.name}:{self.line}"


@dataclass(frozen=True)
class Stream:
    """JSON Lines from an open binary stream (standard input), named `name` in errors."""

    stream: BinaryIO
    name: str = STDIN


def is_jsonl(name: str | Path) -> bool:
    """A JSON Lines file, by its name."""
    return Path(name).suffix.lower() == SUFFIX


def read(source: Path | Stream, limits: Limits = LIMITS) -> Iterator[JsonLine | InputError]:
    """The cards' lines of a JSON Lines file or stream, one at a time, each as its text or
    as the InputError that refuses it (too long, not UTF-8, a NUL); blank lines skipped. A
    file that cannot be opened is one InputError."""
    if isinstance(source, Stream):
        yield from _lines(source.stream, source.name, limits)
        return
    try:
        f = source.open("rb")
    except OSError as exc:
        yield InputError(
            str(source), f"cannot read the file ({exc.strerror or exc})", "check the path"
        )
        return
    with f:
        yield from _lines(f, str(source), limits)


def _lines(stream: BinaryIO, name: str, limits: Limits) -> Iterator[JsonLine | InputError]:
    number = 0
    while True:
        try:
            raw = stream.readline(limits.max_bytes + 2)  # the line, its line feed, one more
        except OSError as exc:
            yield InputError(
                name, f"reading stopped ({exc.strerror or exc})", "check the input", line=number
            )
            return
        if not raw:
            return
        number += 1
        ended = raw.endswith(b"\n")
        body = raw[:-1] if ended else raw
        if len(body) > limits.max_bytes:
            while raw and not raw.endswith(b"\n"):  # skip the rest of it, a piece at a time
                raw = stream.readline(_PIECE)
            yield InputError(
                name,
                f"the line is longer than the limit of {limits.max_bytes:,} bytes for a card",
                FIX_SIZE,
                line=number,
            )
            continue
        try:
            text = utf8_text(
                body,
                name,
                what="line",
                limit=limits.max_bytes,
                fix_size=FIX_SIZE,
                fix_text="write the cards as UTF-8 text, one JSON object a line",
            )
        except InputError as err:
            yield InputError(name, err.problem, err.fix, line=number)
            continue
        if text.strip(" \t\r"):
            yield JsonLine(name, number, text)


def parse(
    line: JsonLine, codes: CodeIndex, *, today: str | None = None, limits: Limits = LIMITS
) -> Card:
    """The card on a line, validated as a YAML card is; else InputError naming the line."""
    data = _Reader(line, limits).value(_load(line, limits), (), 1)
    return card_from_data(data, {(): line.line}, line.name, codes, today=today, line=line.line)


class _Pairs(list[tuple[str, Any]]):
    """A JSON object's members in order, made a mapping by `_Reader` (which refuses a
    key given twice, as the YAML reader does)."""


class _NotJson(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


def _load(line: JsonLine, limits: Limits) -> Any:
    try:
        return json.loads(
            line.text,
            parse_int=str,
            parse_float=str,
            parse_constant=_constant,
            object_pairs_hook=_Pairs,
        )
    except json.JSONDecodeError as exc:
        problem = f"the line is not JSON: {exc.msg} at column {exc.colno}"
    except _NotJson as exc:
        problem = f"the line is not JSON: {exc}"
    except RecursionError:  # far deeper than the limit: the parser gave up
        raise InputError(
            line.name,
            f"lists and mappings are nested more than {limits.max_depth} deep",
            FIX_DEPTH,
            line=line.line,
        ) from None
    raise InputError(line.name, problem, _FIX_JSON, line=line.line)


@dataclass
class _Reader:
    """Turns a parsed line into a card's values (dicts, lists, `str`s), counting as the
    YAML reader counts: nesting depth, values (keys included), items of each list."""

    line: JsonLine
    limits: Limits
    total: int = 0

    def fail(self, problem: str, fix: str, path: tuple[Any, ...] = ()) -> InputError:
        field = dotted(path)[:60] if path else None
        return InputError(self.line.name, problem, fix, line=self.line.line, field=field)

    def count(self) -> None:
        self.total += 1
        if self.total > self.limits.max_values:
            raise self.fail(f"the card holds more than {self.limits.max_values:,} values", FIX_SIZE)

    def value(self, v: Any, path: tuple[Any, ...], depth: int) -> Any:
        """`v` at `path`; `depth` counts the lists and mappings it would be inside, itself
        included."""
        self.count()
        if isinstance(v, (_Pairs, list)) and depth > self.limits.max_depth:
            raise self.fail(
                f"lists and mappings are nested more than {self.limits.max_depth} deep",
                FIX_DEPTH,
                path,
            )
        if isinstance(v, _Pairs):
            return self.mapping(v, path, depth)
        if isinstance(v, list):
            if len(v) > self.limits.max_items:
                raise self.fail(
                    f"the list has more than {self.limits.max_items:,} items",
                    "split the facts into several cards, one per incident",
                    path,
                )
            return [self.value(x, (*path, i), depth + 1) for i, x in enumerate(v)]
        return self.text(v, path)

    def mapping(self, pairs: _Pairs, path: tuple[Any, ...], depth: int) -> dict[str, Any]:
        if len(pairs) > self.limits.max_items:
            raise self.fail(
                f"the mapping has more than {self.limits.max_items:,} keys",
                "see the card format in docs/cards.md",
                path,
            )
        out: dict[str, Any] = {}
        for key, v in pairs:
            self.count()
            self.text(key, path)  # a key's own text is not shown (it may hold the character)
            if key in out:
                raise self.fail(f"key '{key[:60]}' appears twice", "keep one of them", (*path, key))
            out[key] = self.value(v, (*path, key), depth + 1)
        return out

    def text(self, v: Any, path: tuple[Any, ...]) -> str:
        """A scalar as the YAML reader reads it: the text written (numbers were kept as
        their text by the JSON parser)."""
        if isinstance(v, bool):
            text = "true" if v else "false"
        else:
            text = "null" if v is None else str(v)
        bad = CONTROL.search(text)
        if bad:
            raise self.fail(
                f"a value holds the control character U+{ord(bad.group()):04X}",
                "remove it: a card holds plain text",
                path,
            )
        return text

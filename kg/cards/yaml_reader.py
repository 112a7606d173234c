"""Reading a card's YAML as text, within limits, keeping the line of every value.

A card comes from many hands, so nothing here trusts it: the file is read up to a size
limit, must be UTF-8 text without NUL or control characters, and is composed from the
parser's events by a loop (no recursion) that counts as it goes: the nesting depth, the
items of each list, and the values the card holds once its aliases are expanded. Each
limit is refused at the event that passes it, so an alias bomb (a few lines that expand
to billions of values) or a 100,000-deep nesting stops in milliseconds. The defaults are
far above anything a real card holds.

Every value is read as text (`str`): the card format checks it afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError, read_limited, utf8_text

Lines = dict[tuple[Any, ...], int]


@dataclass(frozen=True)
class Limits:
    """What a card may hold. A real card is a few kilobytes, four levels deep, with a
    few dozen items per list and a few hundred values."""

    max_bytes: int = 1_000_000  # the file's size
    max_depth: int = 20  # lists and mappings inside one another
    max_values: int = 100_000  # values (lists, mappings, texts), aliases expanded
    max_items: int = 10_000  # items of one list, or keys of one mapping


LIMITS = Limits()
# libyaml's parser where PyYAML has it (20 times faster), else PyYAML's own: either gives
# the events one at a time, and neither recurses as lists nest
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FIX_DEPTH = "a card is a mapping of lists of items (see docs/cards.md): flatten the value"
FIX_SIZE = "a card states one incident in a few kilobytes: remove what is not a fact of it"
# C0 controls but tab, line feed and carriage return; DEL; lone surrogates (from a "\ud800"
# escape), which no UTF-8 output can carry
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def read_text(path: Path, limits: Limits = LIMITS) -> str:
    """The file as text: at most `limits.max_bytes`, UTF-8, no NUL."""
    return decode(read_limited(path, limits.max_bytes), str(path), limits)


def decode(data: bytes, name: str, limits: Limits = LIMITS) -> str:
    """Bytes as card text, or InputError (too large, not UTF-8, a NUL character)."""
    return utf8_text(
        data,
        name,
        what="card",
        limit=limits.max_bytes,
        fix_size=FIX_SIZE,
        fix_text="save the card as UTF-8 text (a YAML file, see docs/cards.md)",
    )


@dataclass
class _Open:
    """A list or mapping being composed."""

    value: list[Any] | dict[str, Any]
    path: tuple[Any, ...]
    anchor: str | None
    size: int = 1  # values inside, itself included, aliases expanded
    height: int = 1  # levels of lists and mappings, itself included
    key: str | None = None  # a mapping's key waiting for its value


@dataclass
class _Composer:
    name: str
    limits: Limits
    last_line: int  # a mark at the end of the file may point one line past it
    lines: Lines = field(default_factory=dict)
    anchors: dict[str, tuple[Any, int, int]] = field(default_factory=dict)  # value, size, height
    stack: list[_Open] = field(default_factory=list)
    total: int = 0
    aliased: bool = False
    root: Any = None
    done: bool = False

    def fail(self, problem: str, fix: str, mark: Any, path: tuple[Any, ...] = ()) -> InputError:
        return InputError(
            self.name,
            problem,
            fix,
            line=self.line(mark) if mark is not None else None,
            field=dotted(path)[:60] if path else None,
        )

    def line(self, mark: Any) -> int:
        return min(int(mark.line) + 1, self.last_line)

    def next_path(self) -> tuple[Any, ...]:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        return (*top.path, top.key) if top.key is not None else top.path

    def count(self, size: int, height: int, mark: Any) -> None:
        self.total += size
        if self.total > self.limits.max_values:
            why = " once its aliases are expanded (an alias bomb?)" if self.aliased else ""
            raise self.fail(
                f"the card holds more than {self.limits.max_values:,} values{why}",
                "write each fact once, without aliases (*name) that repeat large parts"
                if self.aliased
                else FIX_SIZE,
                mark,
            )
        if len(self.stack) + height > self.limits.max_depth:
            raise self.fail(
                f"lists and mappings are nested more than {self.limits.max_depth} deep",
                FIX_DEPTH,
                mark,
                self.next_path(),
            )

    def add(self, value: Any, size: int, height: int, mark: Any) -> None:
        """A finished value goes into the list or mapping that holds it."""
        if not self.stack:
            self.root, self.done = value, True
            return
        top = self.stack[-1]
        top.size += size
        top.height = max(top.height, height + 1)
        if isinstance(top.value, list):
            self._item(top, value, mark)
        elif top.key is None:
            self._key(top, value, mark)
        else:
            top.value[top.key] = value
            top.key = None

    def _item(self, top: _Open, value: Any, mark: Any) -> None:
        assert isinstance(top.value, list)
        if len(top.value) >= self.limits.max_items:
            raise self.fail(
                f"the list has more than {self.limits.max_items:,} items",
                "split the facts into several cards, one per incident",
                mark,
                top.path,
            )
        top.value.append(value)

    def _key(self, top: _Open, value: Any, mark: Any) -> None:
        assert isinstance(top.value, dict)
        if not isinstance(value, str):
            raise self.fail(
                "a key is a list or a mapping here",
                "write keys as plain words (e.g. 'id:'), values after the colon",
                mark,
                top.path,
            )
        if value in top.value:
            raise self.fail(
                f"key '{value[:60]}' appears twice", "keep one of them", mark, (*top.path, value)
            )
        if len(top.value) >= self.limits.max_items:
            raise self.fail(
                f"the mapping has more than {self.limits.max_items:,} keys",
                "see the card format in docs/cards.md",
                mark,
                top.path,
            )
        top.key = value

    def scalar(self, event: yaml.ScalarEvent) -> None:
        text = str(event.value)
        bad = CONTROL.search(text)
        if bad:
            raise self.fail(
                f"a value holds the control character U+{ord(bad.group()):04X}",
                "remove it: a card holds plain text",
                event.start_mark,
                self.next_path(),
            )
        self.count(1, 0, event.start_mark)
        self._record(event.start_mark)
        if event.anchor is not None:
            self.anchors[event.anchor] = (text, 1, 0)
        self.add(text, 1, 0, event.start_mark)

    def alias(self, event: yaml.AliasEvent) -> None:
        name = str(event.anchor)
        if any(o.anchor == name for o in self.stack):
            raise self.fail(
                f"the alias *{name} stands for the list or mapping it is in (a recursive alias)",
                f"write the value out instead of *{name}",
                event.start_mark,
                self.next_path(),
            )
        if name not in self.anchors:
            raise self.fail(
                f"the alias *{name} has no anchor &{name} before it",
                f"define &{name} first, or write the value out",
                event.start_mark,
                self.next_path(),
            )
        value, size, height = self.anchors[name]
        self.aliased = True
        self.count(size, height, event.start_mark)
        self._record(event.start_mark)
        self.add(value, size, height, event.start_mark)

    def start(self, event: yaml.CollectionStartEvent, value: list[Any] | dict[str, Any]) -> None:
        self.count(1, 1, event.start_mark)
        path = self.next_path()
        self._record(event.start_mark)
        anchor = str(event.anchor) if event.anchor is not None else None
        self.stack.append(_Open(value, path, anchor))

    def end(self, event: yaml.CollectionEndEvent) -> None:
        done = self.stack.pop()
        if done.anchor is not None:
            self.anchors[done.anchor] = (done.value, done.size, done.height)
        # its values were counted as they came: only the sizes of its parents grow here
        self.add(done.value, done.size, done.height, event.start_mark)

    def _record(self, mark: Any) -> None:
        if self.stack and isinstance(self.stack[-1].value, dict) and self.stack[-1].key is None:
            return  # a key: its value's line is what errors point at
        self.lines[self.next_path()] = self.line(mark)


def dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def compose(text: str, name: str, limits: Limits = LIMITS) -> tuple[Any, Lines]:
    """The card's values (dicts, lists and strings) and the line of each, by path."""
    c = _Composer(name, limits, last_line=text.count("\n") + 1)
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.ScalarEvent):
                c.scalar(event)
            elif isinstance(event, yaml.AliasEvent):
                c.alias(event)
            elif isinstance(event, yaml.SequenceStartEvent):
                c.start(event, [])
            elif isinstance(event, yaml.MappingStartEvent):
                c.start(event, {})
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                c.end(event)
            elif isinstance(event, yaml.DocumentStartEvent) and c.done:
                raise c.fail(
                    "the file holds more than one YAML document",
                    "keep one card per file (remove the second '---')",
                    event.start_mark,
                )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            name,
            f"YAML syntax error: {' '.join(str(exc.problem or exc).split())}",
            "correct the YAML at that line (indentation, quotes, colons)",
            line=c.line(mark) if mark else None,
        ) from None
    except yaml.YAMLError as exc:  # the reader: a character YAML does not allow
        char = getattr(exc, "character", None)  # a str (PyYAML) or an int (libyaml)
        char = chr(char) if isinstance(char, int) else char
        at = text.find(char) if isinstance(char, str) and char else -1
        raise InputError(
            name,
            f"the card holds the character U+{ord(char):04X}, which YAML does not allow"
            if isinstance(char, str) and len(char) == 1
            else "the card holds a character YAML does not allow",
            "remove it: a card holds plain text",
            line=text.count("\n", 0, at) + 1 if at >= 0 else None,
        ) from None
    return c.root, c.lines

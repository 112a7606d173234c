"""Municipal Code citations as people write them, read as the graph writes them.

`MCC § 2-173-20 (A)(6)`, `Sec. 2-173-020(a)(6)` and `2-173-020 (a)(6)` are all read as
`2-173-020(a)(6)`: a prefix naming the code or the section is dropped, the section number
is padded to three digits, spaces are ignored, and the letters of a subdivision are
written as the code writes them ((a), (1), (A), (i): lower, digit, upper, lower).
`key()` is what two citations are compared by (case and spacing ignored). Anything that
is not a Municipal Code citation parses to None, so a caller can fall back to plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "MCC", "M.C.C.", "Municipal Code of Chicago", "Chicago Municipal Code", "Sec.", "§",
# "Section", "Chapter", "Ch." in any order and case, with commas or periods between.
_PREFIX = re.compile(
    r"""^(?:\s*(?:
        m\.?\s*c\.?\s*c\.?
      | (?:the\s+)?(?:chicago\s+)?municipal\s+code(?:\s+of\s+chicago)?
      | sec(?:tion|s)?\.?
      | §{1,2}
      | ch(?:apter|\.)
    )\s*[,.:]?)*""",
    re.IGNORECASE | re.VERBOSE,
)
_DASH = r"\s*[-‐‑‒–—]\s*"  # a hyphen, or a dash typed by a word processor
_BODY = re.compile(
    rf"^(?P<title>\d{{1,2}}){_DASH}(?P<chapter>\d{{1,3}})"
    rf"(?:{_DASH}(?P<section>\d{{1,3}}))?"
    r"(?P<parts>(?:\s*\(\s*[A-Za-z0-9]{1,6}\s*\))*)$"
)
_PART = re.compile(r"\(\s*([A-Za-z0-9]{1,6})\s*\)")


@dataclass(frozen=True)
class Citation:
    """A place in the Municipal Code: chapter `2-173`, section `020`, parts `(a, 6)`."""

    chapter: str
    section: str | None
    parts: tuple[str, ...]

    def __str__(self) -> str:
        if self.section is None:
            return f"Chapter {self.chapter}"
        return f"{self.chapter}-{self.section}" + "".join(f"({p})" for p in self.parts)

    @property
    def key(self) -> str:
        return str(self).lower()


def _part(text: str, depth: int) -> str:
    """A subdivision's label written as the code writes it at that depth."""
    if text.isdigit():
        return str(int(text))
    return text.upper() if depth % 4 == 2 else text.lower()


def parse(text: str) -> Citation | None:
    """The citation `text` names, or None when it is not a Municipal Code citation."""
    body = _PREFIX.sub("", text.strip(), count=1).strip().rstrip(".,;:")
    found = _BODY.match(body)
    if not found:
        return None
    parts = tuple(_part(p, i) for i, p in enumerate(_PART.findall(found["parts"])))
    chapter = f"{int(found['title'])}-{int(found['chapter'])}"
    if found["section"] is None:
        return None if parts else Citation(chapter, None, ())
    return Citation(chapter, found["section"].zfill(3), parts)


def canonical(text: str) -> str | None:
    """`text` written as the graph writes citations, or None if it is not one."""
    found = parse(text)
    return str(found) if found else None


def key(text: str) -> str:
    """What two citations are compared by: the canonical form in lower case (or the text
    itself, in lower case and without spaces, when it is not a Municipal Code citation)."""
    found = parse(text)
    return found.key if found else "".join(text.split()).lower()

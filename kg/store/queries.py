"""Saved SPARQL questions (queries/*.rq) and how user values reach them.

Each saved query opens with comment lines:

    # title: Who may investigate an allegation against a respondent on a date
    # description: ... (continuation lines start with "#   ")
    # param allegation: code:allegation - the allegation code, e.g. excessive-force
    # param date?: date - optional parameters end with "?"

Parameter types: `iri`, `date`, `string`, `integer`, `code:<scheme>` (a code of the
card format, turned into its concept IRI). A value given with `--param name=value`
becomes an RDF term of that type and is bound to `?name`: never pasted into the text.

Binding works the same on every store: the values become a VALUES block that opens the
query's WHERE clause, each value an escaped RDF term. So a saved query uses a parameter
in a FILTER only at the top level of its WHERE clause (a FILTER inside a `GRAPH { }`
group is evaluated before that group is joined with the values). Every pattern names
its graph (`GRAPH ?g { }`): servers disagree on what the default graph holds.
"""

from __future__ import annotations

import datetime
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result as RdflibResult

from kg.errors import InputError, read_limited, utf8_text
from kg.law.codes import CodeIndex
from kg.namespaces import bind_prefixes
from kg.paths import folder
from kg.store.base import Result
from kg.terms import Term

_PARAM = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)(\??)\s*:\s*(\S+)\s*(?:[-—]\s*(.*))?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    doc: str
    optional: bool = False


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def parse(name: str, path: str, text: str) -> SavedQuery:
    title, description, params = "", [], []
    in_description = False
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _PARAM.match(line)
        if m:
            params.append(
                Param(
                    m.group(1), m.group(3), (m.group(4) or "").strip(), optional=m.group(2) == "?"
                )
            )
            in_description = False
        elif line.startswith("# title:"):
            title, in_description = line.split(":", 1)[1].strip(), False
        elif line.startswith("# description:"):
            description, in_description = [line.split(":", 1)[1].strip()], True
        elif line.startswith("#   ") and in_description:
            description.append(line[1:].strip())
    return SavedQuery(name, path, title or name, " ".join(description), tuple(params), text)


MAX_QUERY_BYTES = 1_000_000


def query_text(data: bytes, where: str) -> str:
    """A query's bytes as text: at most MAX_QUERY_BYTES of UTF-8, without NUL."""
    return utf8_text(
        data,
        where,
        what="query",
        limit=MAX_QUERY_BYTES,
        fix_size="write a shorter query (bind values with --param, not in the text)",
        fix_text="give a SPARQL query saved as UTF-8 text (a .rq file)",
    )


def _read(path: Path) -> str:
    return query_text(read_limited(path, MAX_QUERY_BYTES), str(path))


def catalog() -> dict[str, SavedQuery]:
    out = {}
    for path in sorted(folder("queries").glob("*.rq")):
        out[path.stem] = parse(path.stem, str(path), _read(path))
    return out


def resolve(target: str) -> SavedQuery:
    """A saved query's name, a query file, or '-' for standard input."""
    if target == "-":
        data = sys.stdin.buffer.read(MAX_QUERY_BYTES + 1)
        return parse("stdin", "<stdin>", query_text(data, "<stdin>"))
    path = Path(target)
    if path.suffix in (".rq", ".sparql") or path.exists():
        if not path.is_file():
            raise InputError(
                target,
                "no such query file",
                "give a .rq file, a saved query's name (kg query --list) or - for standard input",
            )
        return parse(path.stem, str(path), _read(path))
    saved = catalog()
    if target not in saved:
        raise InputError(
            target,
            "no saved query with this name",
            f"use one of: {', '.join(sorted(saved))}, a .rq file, or -",
        )
    return saved[target]


# -- read-only, and nothing fetched from elsewhere ----------------------------------------

# What the SPARQL grammar reads as a whole token, so that a keyword inside it is no keyword:
# comments, strings and IRIs (an IRI may hold a '#', which is no comment)
_LEXEME = re.compile(
    r"(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<blank>#[^\n]*"
    r"|'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\""
    r"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")",
    re.S,
)
# a keyword: not part of a variable (?service), a prefixed name (ex:service) or an IRI
_WORD = re.compile(r"(?<![\w?$:/#-])([A-Za-z]+)(?![\w:-])")
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_PROLOGUE = {"PREFIX", "BASE"}
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _keywords(text: str) -> list[tuple[str, int]]:
    """The words of the query outside comments and strings, upper-cased, with their lines."""
    blanked = _LEXEME.sub(
        lambda m: m.group() if m.group("iri") else re.sub(r"[^\n]", " ", m.group()), text
    )
    return [
        (m.group(1).upper(), blanked.count("\n", 0, m.start()) + 1) for m in _WORD.finditer(blanked)
    ]


def _unescaped(text: str) -> str:
    """The text with SPARQL's codepoint escapes (\\u0053) read, as some servers read them."""

    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code < 0x110000 else " "

    return _ESCAPE.sub(char, text)


def check_read_only(query: SavedQuery) -> None:
    """Refuse, before any store sees it, an update (`kg query` only reads) and a SERVICE
    clause (it would make the store fetch from another server)."""
    for text in {query.text, _unescaped(query.text)}:
        words = _keywords(text)
        first = next(((w, line) for w, line in words if w not in _PROLOGUE), None)
        if first is not None and first[0] in _UPDATES:
            raise InputError(
                query.path,
                f"this is a SPARQL update ({first[0]}): kg query is read-only",
                "ask with SELECT, ASK, CONSTRUCT or DESCRIBE; the store changes only "
                "through kg load and kg check --store",
                line=first[1],
            )
        service = next((line for w, line in words if w == "SERVICE"), None)
        if service is not None:
            raise InputError(
                query.path,
                "the query has a SERVICE clause, which would fetch data from another "
                "server: kg query asks the project's store only",
                "remove the SERVICE clause (and query that server yourself)",
                line=service,
                field="SERVICE",
            )


def _term(p: Param, value: str, codes: CodeIndex, where: str) -> Term:
    def bad(fix: str) -> InputError:
        return InputError(
            where, f"'{value}' is not a valid {p.type} for parameter '{p.name}'", fix, field=p.name
        )

    if p.type == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise bad("write YYYY-MM-DD") from None
        if len(value) != 10:
            raise bad("write YYYY-MM-DD")
        return Literal(value, datatype=XSD.date)
    if p.type == "integer":
        if not re.fullmatch(r"-?[0-9]+", value):
            raise bad("write a whole number")
        return Literal(int(value))
    if p.type == "iri":
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+", value):
            raise bad("write a full IRI, e.g. https://w3id.org/authority-kg/law/mcc/ch-2-173")
        return URIRef(value)
    if p.type.startswith("code:"):
        scheme = p.type.split(":", 1)[1]
        if value not in codes.notations(scheme):
            raise bad(f"use one of: {', '.join(codes.notations(scheme))}")
        return codes.iri(scheme, value)
    return Literal(value)


def bind(query: SavedQuery, given: dict[str, str], codes: CodeIndex) -> dict[str, Term]:
    """The parameters as RDF terms; unknown or missing ones are bad input."""
    declared = {p.name: p for p in query.params}
    for name in given:
        if name not in declared and declared:
            raise InputError(
                query.path,
                f"the query has no parameter '{name}'",
                f"use: {', '.join(declared)}",
                field=name,
            )
    out: dict[str, Term] = {}
    for p in query.params:
        if p.name in given:
            out[p.name] = _term(p, given[p.name], codes, query.path)
        elif not p.optional:
            raise InputError(
                query.path,
                f"parameter '{p.name}' is required ({p.doc})",
                f"add --param {p.name}=...",
                field=p.name,
            )
    if not declared:  # an ad hoc query: values are taken as plain literals or IRIs
        for name, value in given.items():
            out[name] = URIRef(value) if re.match(r"^https?://", value) else Literal(value)
    return out


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(
                "--param",
                f"'{pair}' is not name=value",
                "write --param name=value",
                field="--param",
            )
        out[name] = value
    return out


def as_rdflib(result: Result) -> RdflibResult:
    r = RdflibResult("SELECT" if result.kind == "select" else "ASK")
    if result.kind == "ask":
        r.askAnswer = bool(result.boolean)
        return r
    from rdflib import Variable

    r.vars = [Variable(v) for v in result.variables]
    r.bindings = [{Variable(k): v for k, v in row.items()} for row in result.rows]
    return r


def short(term: Term, g: Graph) -> str:
    """A term for reading in a table: IRIs with the project's prefixes (`law:mcc/2-173-020`,
    which is for display only: Turtle would not accept the slash)."""
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, ns in sorted(g.namespaces(), key=lambda pn: -len(str(pn[1]))):
            if prefix and text.startswith(str(ns)) and len(text) > len(str(ns)):
                return f"{prefix}:{text[len(str(ns)) :]}"
        return f"<{text}>"
    return str(term)


def table(result: Result) -> str:
    if result.kind == "ask":
        return "yes\n" if result.boolean else "no\n"
    g = Graph()
    bind_prefixes(g)
    header = list(result.variables)
    rows = [[short(row[v], g) if v in row else "" for v in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


RESULT_FORMATS = {"csv": "csv", "tsv": "tsv", "json": "json", "xml": "xml"}

_TSV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _tsv_term(term: Term) -> str:
    """A term as SPARQL 1.1 TSV writes it: in Turtle syntax, on one line."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + "".join(_TSV_ESCAPES.get(c, c) for c in str(term)) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    return f"_:{term}"


def tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV (rdflib has a reader for it, but no writer)."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(_tsv_term(row[v]) if v in row else "" for v in result.variables))
    return "\n".join(lines) + "\n"


GRAPH_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt"}


def render(result: Result, fmt: str) -> str:
    if result.kind == "graph":
        g = Graph()
        bind_prefixes(g)
        for t in result.triples:
            g.add(t)
        return g.serialize(format=GRAPH_FORMATS.get(fmt, "turtle"))
    if fmt == "table":
        return table(result)
    if fmt not in RESULT_FORMATS:
        raise InputError(
            "--format",
            f"'{fmt}' is for graphs, and this query returns solutions",
            "use table, csv, tsv, json or xml",
            field="--format",
        )
    if fmt == "tsv":
        return tsv(result)
    data = as_rdflib(result).serialize(format=RESULT_FORMATS[fmt])
    return data.decode("utf-8") if isinstance(data, bytes) else str(data)

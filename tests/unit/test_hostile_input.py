"""Hostile input on the command line (issue 13, items 7-12): a crash is exit 4, bad input
exit 2 with one message, and nothing a card, an amendment or a query holds makes `kg` hang,
read another server or change the store.

The property-based tests feed the card reader and the amendment reader any bytes (and
valid files with arbitrary edits): the answer is a valid card or amendment, or one
InputError, each within a deadline."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS, XSD

from kg import api
from kg.cards import format as card_format
from kg.cards.read import Card, read_card
from kg.cards.yaml_reader import LIMITS
from kg.errors import InputError
from kg.law import amend
from kg.namespaces import AKG
from tests.conftest import CARDS, JUNE4, ROOT, kg

TEMPLATE = ROOT / "docs" / "amendment-template.ttl"
GOOD = [CARDS / "firearm-discharge.yaml", CARDS / "detainer-2024.yaml"]
PROPERTY = settings(
    deadline=datetime.timedelta(seconds=2),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Load the law once, so that the timings below are those of the refusals."""
    api.context()


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail (rather than hang the suite) when the block runs longer than `seconds`."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def one_error(result: Any, *needles: str) -> str:
    """Exit 2, nothing on standard output, one line on standard error holding the needles
    and a fix."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Fix: " in lines[0]
    assert len(lines[0]) < 1500  # a hostile value is quoted only in part
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def run_kg(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Any:
    """`python -m kg` in its own process (for what must not touch this one)."""
    base = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env={**base, **(env or {})},
    )


# -- 7. bad cards are exit 2; a crash is exit 4 ----------------------------------------

ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)

HOSTILE_CARDS: dict[str, tuple[bytes, int | None, str]] = {
    # name: (content, line, what the message says)
    "latin-1": ("card: 1\nid: x\ntitle: caf\xe9\ndate: 2024-01-01\n".encode("latin-1"), 3, "UTF-8"),
    "binary": (bytes(range(256)) * 8, 2, "not UTF-8"),
    "nul": (b"card: 1\nid: x\ntitle: a\x00b\ndate: 2024-01-01\n", 3, "NUL"),
    "control": (b"card: 1\nid: x\ntitle: a\x01b\n", 3, "U+0001"),
    "escaped-control": (b'card: 1\nid: x\ntitle: "a\\x07b"\n', 3, "U+0007"),
    "recursive-alias": (b"card: 1\nactions: &a [*a]\n", 2, "recursive alias"),
    "deep-lists": (b"card: 1\nsummary: " + b"[" * 100_000 + b"]" * 100_000 + b"\n", 2, "nested"),
    "deep-mappings": (b"summary: " + b"{a: " * 100_000 + b"1" + b"}" * 100_000, 1, "nested"),
    "alias-bomb": (ALIAS_BOMB.encode(), None, "alias"),
    "too-many-items": (
        b"card: 1\nactions:\n" + b"".join(b"  - a\n" for _ in range(LIMITS.max_items + 1)),
        None,
        "items",
    ),
    "too-many-values": (
        b"card: 1\nsummary:\n"
        + b"".join(b"  - [a, b, c, d, e, f, g, h, i]\n" for _ in range(LIMITS.max_values // 10)),
        None,
        "values",
    ),
    "two-documents": (b"card: 1\n---\ncard: 1\n", 2, "more than one YAML document"),
    "long-value": (
        b"card: 1\nid: x\ntitle: t\ndate: " + b"9" * 100_000 + b"\n",
        4,
        "is not a valid value",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CARDS))
def test_a_hostile_card_is_refused_in_under_a_second(name: str, tmp_path: Path) -> None:
    content, line, what = HOSTILE_CARDS[name]
    card = tmp_path / f"{name}.yaml"
    card.write_bytes(content)
    started = time.perf_counter()
    with within(30):
        result = kg("check", str(card), "--format", "json")
    elapsed = time.perf_counter() - started
    message = one_error(result, f"{name}.yaml", what)
    if line is not None:
        assert f"{name}.yaml:{line}:" in message
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_a_card_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    card = tmp_path / "huge.yaml"
    with card.open("wb") as f:  # 50 MB, sparse: the size alone refuses it
        f.write(b"card: 1\nsummary: ")
        f.truncate(50_000_000)
    started = time.perf_counter()
    with within(30):
        result = kg("check", str(card), "--format", "json")
    one_error(result, "huge.yaml", "larger than the limit")
    assert time.perf_counter() - started < 1.0


def test_the_limits_are_far_above_a_real_card() -> None:
    text = JUNE4.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert len(text.encode()) * 20 < LIMITS.max_bytes
    assert max(len(v) for v in data.values() if isinstance(v, list)) * 20 < LIMITS.max_items


def test_a_card_dated_after_today_is_refused(tmp_path: Path) -> None:
    text = JUNE4.read_text(encoding="utf-8")
    future = tmp_path / "future.yaml"
    future.write_text(text.replace("\ndate: 2025-06-04", "\ndate: 2099-06-04", 1))
    line = text.splitlines().index("date: 2025-06-04") + 1
    one_error(
        kg("check", str(future), "--format", "json"),
        f"future.yaml:{line}:",
        "field 'date'",
        "2099-06-04",
        "--as-of",
    )
    # the day the card is checked decides, and that day may be the incident's
    ctx = api.context()
    assert read_card(JUNE4, ctx.codes, today="2025-06-04").id == "south-loop-2025-06-04"
    with pytest.raises(InputError, match="after today"):
        read_card(JUNE4, ctx.codes, today="2025-06-03")


class Boom(BaseException):
    """Not even an Exception: still exit 4."""


@pytest.mark.parametrize(
    "error",
    [RuntimeError("simulated\nbug"), RecursionError("deep"), Boom("base exception")],
    ids=["runtime", "recursion", "base-exception"],
)
def test_any_crash_is_exit_4_with_one_line(
    error: BaseException, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(api, "check", crash)
    monkeypatch.delenv("KG_DEBUG", raising=False)
    result = kg("check", str(JUNE4), "--format", "json")
    assert result.exit_code == 4
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("internal error: "), result.stderr
    assert type(error).__name__ in lines[0] and "KG_DEBUG=1" in lines[0]

    monkeypatch.setenv("KG_DEBUG", "1")
    debug = kg("check", str(JUNE4), "--format", "json")
    assert debug.exit_code == 4
    assert "Traceback (most recent call last)" in debug.stderr


def test_an_interrupt_is_not_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "check", interrupted)
    result = kg("check", str(JUNE4), "--format", "json")
    assert result.exit_code == 130 and result.stdout == ""
    assert "interrupted" in result.stderr


def _data_without(tmp_path: Path, missing: str) -> Path:
    root = tmp_path / "data"
    for name in ("ontology", "shapes", "law", "incidents", "queries"):
        if name != missing:
            shutil.copytree(ROOT / name, root / name)
    return root


def test_a_missing_ontology_folder_is_bad_input(tmp_path: Path) -> None:
    data = _data_without(tmp_path, "ontology")
    result = run_kg("check", str(JUNE4), "--format", "json", env={"KG_DATA_DIR": str(data)})
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ontology" in lines[0] and "KG_DATA_DIR" in lines[0]


def test_an_installation_without_its_data_is_an_internal_error(tmp_path: Path) -> None:
    """The package alone (no ontology/ beside it, no kg/_data): a broken install, exit 4."""
    shutil.copytree(ROOT / "kg", tmp_path / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [sys.executable, "-m", "kg", "check", str(JUNE4), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    assert result.returncode == 4, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ontology" in lines[0] and "reinstall" in lines[0]


def test_bad_cards_in_a_bulk_run_are_each_reported_and_the_good_ones_kept(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    for path in GOOD:
        shutil.copy(path, folder / path.name)
    bad = ("binary", "nul", "alias-bomb", "deep-lists", "recursive-alias")
    for name in bad:
        (folder / f"{name}.yaml").write_bytes(HOSTILE_CARDS[name][0])
    for workers in ("1", "2"):
        with within(300):
            result = kg("check", str(folder), "--format", "json", "--workers", workers)
        assert result.exit_code == 3, result.stderr
        docs = json.loads(result.stdout)
        assert sorted(d["incident"] for d in docs) == sorted(
            yaml.safe_load(p.read_text())["id"] for p in GOOD
        )
        errors = result.stderr.strip().splitlines()
        assert len(errors) == len(bad), result.stderr
        for name in bad:
            assert sum(f"{name}.yaml" in line for line in errors) == 1


def test_a_bulk_run_of_bad_cards_only_prints_an_empty_array(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "binary.yaml").write_bytes(HOSTILE_CARDS["binary"][0])
    (folder / "nul.yaml").write_bytes(HOSTILE_CARDS["nul"][0])
    result = kg("check", str(folder), "--format", "json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == []


# -- property-based: the card reader -----------------------------------------------------

_REAL = JUNE4.read_bytes()
_SLUG = re.compile(card_format.SLUG)


def _read_any(content: bytes, tmp: Path) -> Card | None:
    """Read the bytes as a card file: a valid card, or None after one InputError."""
    path = tmp / "card.yaml"
    path.write_bytes(content)
    try:
        card = read_card(path, api.context().codes)
    except InputError as err:
        text = str(err)
        assert text.startswith(str(path)) and "Fix: " in text
        if err.line is not None:
            assert 1 <= err.line <= content.count(b"\n") + 1
        return None
    assert _SLUG.match(card.id)
    assert str(card.data["date"]) <= datetime.date.today().isoformat()
    return card


@PROPERTY
@given(content=st.binary(max_size=2000))
@example(content=b"?")  # a null key, whose mark is past the last line
@example(content=b"\xef\xbb\xbf")
@example(content=b"---\n...\n---\n")
@example(content=b"card: 1\nid: x\ntitle: t\ndate: 2024-01-01\nsummary: *a\n")
def test_any_bytes_are_a_card_or_one_input_error(
    content: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _read_any(content, tmp_path_factory.mktemp("bytes"))


_PUNCTUATION = (
    b"|&a |*a|[|]|{|}|: |- |\n|\t|'|\"|#|!!binary |---\n|unknown|2099-01-01|\xc3|\x00|<script>"
)
_PUNCTUATION_LIST = _PUNCTUATION.split(b"|")


@st.composite
def _edited(draw: st.DrawFn, original: bytes) -> bytes:
    """The original with a few spans replaced by arbitrary bytes or YAML punctuation."""
    out = original
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(out)))
        end = draw(st.integers(start, min(len(out), start + 40)))
        new = draw(
            st.one_of(
                st.binary(max_size=12),
                st.sampled_from(_PUNCTUATION_LIST),
                st.text(max_size=12).map(str.encode),
            )
        )
        out = out[:start] + new + out[end:]
    return out


@PROPERTY
@given(content=_edited(_REAL))
def test_a_real_card_with_arbitrary_edits_is_a_card_or_one_input_error(
    content: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _read_any(content, tmp_path_factory.mktemp("edited"))


_VALUES = st.recursive(
    st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(), st.dates()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = st.sampled_from(
    sorted({f.key for fields in card_format.ITEMS.values() for f in fields} | {"colour"})
)


@st.composite
def _cards(draw: st.DrawFn) -> bytes:
    """Cards shaped like real ones, whose values are anything YAML can carry."""
    data: dict[str, Any] = {
        "card": draw(st.sampled_from([1, "1", 2, None])),
        "id": draw(st.one_of(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True), _VALUES)),
        "title": draw(st.one_of(st.text(min_size=1, max_size=30), _VALUES)),
        "date": draw(st.one_of(st.dates().map(str), st.text(max_size=12))),
    }
    for name in draw(st.lists(st.sampled_from(sorted(card_format.ITEMS)), max_size=3)):
        data[name] = [
            {"id": f"i{i}", **draw(st.dictionaries(_FIELDS, _VALUES, max_size=4))}
            for i in range(draw(st.integers(0, 3)))
        ]
    return yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False).encode()


@PROPERTY
@given(content=_cards())
def test_cards_with_arbitrary_values_are_cards_or_one_input_error(
    content: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _read_any(content, tmp_path_factory.mktemp("values"))


@settings(PROPERTY, max_examples=20, deadline=datetime.timedelta(seconds=5))
@given(content=st.one_of(st.binary(max_size=500), _edited(GOOD[1].read_bytes())))
def test_any_bytes_through_kg_check_are_never_a_crash(
    content: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    card = tmp_path_factory.mktemp("cli") / "card.yaml"
    card.write_bytes(content)
    result = kg("check", str(card), "--format", "json")
    assert result.exit_code in (0, 1, 2), result.stderr
    if result.exit_code == 2:
        one_error(result, "card.yaml")
    else:
        assert json.loads(result.stdout)["incident"]


# -- 9. amendments are checked against their shapes -----------------------------------------

_TEMPLATE = TEMPLATE.read_text(encoding="utf-8")


def _amendment(tmp_path: Path, old: str, new: str) -> Path:
    assert old in _TEMPLATE
    path = tmp_path / "draft.ttl"
    path.write_text(_TEMPLATE.replace(old, new, 1), encoding="utf-8")
    return path


BAD_AMENDMENTS = {
    "unknown-change-type": (
        "akg:changeType change:add-grant",
        "akg:changeType change:frobnicate",
        "akg:changeType",
        "frobnicate",
    ),
    "impossible-date": (
        'akg:statusDate "2026-11-26"^^xsd:date',
        'akg:statusDate "2025-02-30"^^xsd:date',
        "akg:statusDate",
        "2025-02-30",
    ),
    "script-in-id": (
        'akg:amendmentId "example-copa-operational"',
        'akg:amendmentId "x<script>alert(1)</script>"',
        "akg:amendmentId",
        "slug",
    ),
    "order-not-a-number": ("akg:order 1", 'akg:order "first"', "akg:order", "whole number"),
    "no-change-type": ("akg:changeType change:add-grant ;", "", "akg:changeType", "changeType"),
}


@pytest.mark.parametrize("name", sorted(BAD_AMENDMENTS))
def test_a_bad_amendment_is_bad_input(name: str, tmp_path: Path) -> None:
    old, new, field, needle = BAD_AMENDMENTS[name]
    path = _amendment(tmp_path, old, new)
    line = next(
        (i for i, text in enumerate(path.read_text().splitlines(), 1) if new and new in text),
        None,
    )
    for args in (
        ("amend", str(path), "--as-of", "2025-06-04", "--format", "json"),
        ("check", str(JUNE4), "--amend", str(path), "--format", "json"),
        ("who", "--allegation", "theft", "--respondent", "CPD:officer", "--amend", str(path)),
    ):
        message = one_error(kg(*args), "draft.ttl", field, needle)
        if line is not None:
            assert f"draft.ttl:{line}:" in message
    with pytest.raises(InputError):
        amend.read_bytes(path.read_bytes(), "upload.ttl")


def test_every_amendment_of_the_graph_and_the_template_meet_the_shapes() -> None:
    for aid, path in amend.known().items():
        assert amend.read(path).id == aid
    assert amend.read(TEMPLATE).id == "example-copa-operational"


def test_the_shapes_list_every_change_type_and_bill_status() -> None:
    from kg.law import load

    shapes = load.amendment_shapes_graph()
    codes = Graph()
    codes.parse(ROOT / "ontology" / "codes.ttl")
    for prop, scheme in ((AKG.changeType, "change-type"), (AKG.billStatus, "bill-status")):
        shape = next(s for s in shapes.subjects(SH.path, prop))
        listed = set(shapes.items(shapes.value(shape, SH["in"])))
        concepts = set(
            codes.subjects(SKOS.inScheme, URIRef(f"https://w3id.org/authority-kg/code/{scheme}"))
        )
        assert listed == concepts, scheme


@PROPERTY
@given(content=st.one_of(st.binary(max_size=2000), _edited(_TEMPLATE.encode())))
def test_any_bytes_are_an_amendment_or_one_input_error(content: bytes) -> None:
    try:
        a = amend.read_bytes(content, "upload.ttl")
    except InputError as err:
        assert str(err).startswith("upload.ttl") and "Fix: " in str(err)
        return
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", a.id)
    kinds = {"insert-provision", "substitute-provision", "repeal-provision", "add-norm"}
    kinds |= {"remove-norm", "add-exception", "remove-exception", "add-grant", "remove-grant"}
    assert a.changes and all(c.kind in kinds for c in a.changes)
    if a.valid_from is not None:
        datetime.date.fromisoformat(a.valid_from)


@PROPERTY
@given(
    aid=st.text(max_size=30),
    kind=st.text(max_size=20),
    day=st.text(max_size=12),
    clause=st.text(max_size=8),
)
def test_amendments_with_arbitrary_values_are_amendments_or_one_input_error(
    aid: str, kind: str, day: str, clause: str
) -> None:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    text = (
        _TEMPLATE.replace('"example-copa-operational" ;', quoted(aid) + " ;", 1)
        .replace("change:add-grant", f"<https://w3id.org/authority-kg/code/change-type/{kind}>")
        .replace('"2026-11-26"^^xsd:date', quoted(day) + "^^xsd:date")
        .replace('akg:clause "1"', "akg:clause " + quoted(clause))
    )
    try:
        a = amend.read_bytes(text.encode("utf-8", "surrogatepass"), "upload.ttl")
    except InputError:
        return
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", a.id) and a.id == aid
    assert [c.kind for c in a.changes] == [kind] and kind == "add-grant"
    assert not Literal(day, datatype=XSD.date).ill_typed


# -- 10. kg query reads, and only here ---------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": []}, "results": {"bindings": []}}')

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    """A SPARQL server on loopback that records every request it gets."""
    _Recorder.requests = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    finally:
        server.shutdown()
        server.server_close()


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ ?a <http://x#p> ?b .service silent <{url}>{{?s ?p ?o}} }}",
    "PREFIX ex: <http://e/>\nSELECT ?service WHERE {{ GRAPH ?g {{ ?service ex:p ?o }}\n"
    "  SERVICE ?service {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES, ids=["plain", "squeezed", "variable"])
def test_service_is_refused_before_any_request(
    template: str, listener: str, tmp_path: Path
) -> None:
    query = tmp_path / "service.rq"
    query.write_text(template.format(url=listener))
    store = tmp_path / "store"
    one_error(kg("--store-dir", str(store), "query", str(query)), "service.rq", "SERVICE")
    one_error(kg("--endpoint", listener, "query", str(query)), "service.rq", "SERVICE")
    assert _Recorder.requests == []
    assert not store.exists()  # not even built


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }",
        "PREFIX a: <http://a/>\n# a comment\nDELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
        "DROP ALL",
        "LOAD <http://127.0.0.1:9/x.ttl>",
    ],
)
def test_an_update_is_refused_as_read_only(update: str, listener: str, tmp_path: Path) -> None:
    query = tmp_path / "update.rq"
    query.write_text(update)
    store = tmp_path / "store"
    one_error(kg("--store-dir", str(store), "query", str(query)), "update.rq", "read-only")
    one_error(kg("--endpoint", listener, "query", str(query)), "update.rq", "read-only")
    assert _Recorder.requests == []
    assert not store.exists()


@pytest.mark.parametrize(
    "content,needle",
    [(bytes(range(256)) * 4, "not UTF-8"), (b"SELECT * WHERE { ?s ?p \x00 }", "NUL")],
    ids=["binary", "nul"],
)
def test_a_binary_query_file_is_bad_input(content: bytes, needle: str, tmp_path: Path) -> None:
    query = tmp_path / "binary.rq"
    query.write_bytes(content)
    one_error(kg("--store-dir", str(tmp_path / "store"), "query", str(query)), "binary.rq", needle)


def test_the_saved_queries_pass_the_read_only_check() -> None:
    from kg.store import queries

    saved = queries.catalog()
    assert saved
    for q in saved.values():
        queries.check_read_only(q)


# -- 11. what killed loads leave behind ---------------------------------------------------


def _kill_a_load(store: Path) -> bool:
    """Start `kg load` and kill it once its new store folder exists; False if it ended
    first."""
    loading = subprocess.Popen(
        [sys.executable, "-m", "kg", "--store-dir", str(store), "load"],
        env={"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while loading.poll() is None and time.monotonic() < deadline:
            if list(store.parent.glob("store.new-*")):
                loading.kill()
                return True
            time.sleep(0.01)
        return False
    finally:
        loading.kill()
        loading.wait()


def test_a_killed_load_leaves_nothing_the_next_load_does_not_remove(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert any(_kill_a_load(store) for _ in range(3)), "no load could be killed half-way"
    assert list(tmp_path.glob("store.new-*")), "the killed load left nothing to clean"
    result = kg("--store-dir", str(store), "load")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["store"]


def test_the_next_load_keeps_a_running_load_and_restores_a_lost_store(tmp_path: Path) -> None:
    from kg.errors import StoreError
    from kg.store.embedded import EmbeddedStore

    store = tmp_path / "store"
    EmbeddedStore(store).replace_all_from(b"<urn:a> <urn:b> <urn:c> <urn:g> .\n")
    # a load killed between its two renames: no store, the previous one as store.old
    store.rename(tmp_path / "store.old")
    (tmp_path / "store.new-abc123").mkdir()  # left by an older version
    (tmp_path / "store.new-999999999-x").mkdir()  # its process is gone
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = tmp_path / f"store.new-{sleeper.pid}-y"
        running.mkdir()
        with pytest.raises(StoreError):  # a load that fails: the previous store answers
            EmbeddedStore(store).replace_all_from(b"not n-quads\n")
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == sorted(["store.old", running.name]), names
        running.rmdir()
        with pytest.raises(StoreError):
            EmbeddedStore(store).replace_all_from(b"not n-quads\n")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
        answer = EmbeddedStore(store).query("ASK { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")
        assert answer.boolean is True
    finally:
        sleeper.kill()
        sleeper.wait()


# -- 12. lost workers: processes and Dask ------------------------------------------------


def _killed(items: Any) -> Any:
    """A worker process killed mid-batch (out of memory, say)."""
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_lost_worker_process_is_exit_4(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kg import bulk

    folder = tmp_path / "cards"
    folder.mkdir()
    for i in range(6):
        shutil.copy(GOOD[i % 2], folder / f"{i}.yaml")
    monkeypatch.setattr(bulk, "_pool_task", _killed)  # the forked workers inherit it
    with within(120):  # multiprocessing.Pool would wait for the lost batch for ever
        result = kg("check", str(folder), "--workers", "2", "--batch", "1", "--format", "json")
    assert result.exit_code == 4, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "worker process was lost" in lines[0], result.stderr
    assert not result.stdout.rstrip().endswith("]")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_malformed_scheduler_address_is_bad_input() -> None:
    one_error(
        kg("check", str(JUNE4), str(JUNE4), "--scheduler", "127.0.0.1:notaport"),
        "--scheduler",
        "tcp://",
    )


def test_an_unreachable_scheduler_is_exit_4_in_seconds() -> None:
    started = time.monotonic()
    result = run_kg(
        "check", *map(str, GOOD), "--scheduler", f"tcp://127.0.0.1:{_free_port()}",
        "--format", "json",
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert time.monotonic() - started < 20  # not the 30 s of Dask's default
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no Dask scheduler answered" in lines[0], result.stderr


@pytest.mark.slow
def test_losing_the_last_worker_is_exit_4_without_a_whole_answer(tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    for i in range(60):
        shutil.copy(GOOD[i % 2], folder / f"{i:03d}.yaml")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
         "--port", str(port), "--dashboard-address", "127.0.0.1:0"],
        **quiet,
    )  # fmt: skip
    worker: subprocess.Popen[bytes] | None = None
    try:
        # no worker at all: refused within seconds
        empty = run_kg("check", str(folder), "--scheduler", address, "--format", "json")
        assert empty.returncode == 4 and empty.stdout == "", empty.stderr
        assert "no worker" in empty.stderr and len(empty.stderr.strip().splitlines()) == 1

        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
             "--host", "127.0.0.1", "--no-nanny", "--dashboard-address", "127.0.0.1:0"],
            **quiet,
        )  # fmt: skip
        out = tmp_path / "out.json"
        with out.open("w") as stdout:
            run = subprocess.Popen(
                [sys.executable, "-m", "kg", "check", str(folder), "--scheduler", address,
                 "--batch", "1", "--format", "json"],
                stdout=stdout, stderr=subprocess.PIPE, text=True, env=env,
            )  # fmt: skip
            deadline = time.monotonic() + 180
            while out.stat().st_size == 0 and time.monotonic() < deadline:
                assert run.poll() is None, run.stderr.read() if run.stderr else ""
                time.sleep(0.1)
            worker.kill()
            _, stderr = run.communicate(timeout=120)
        assert run.returncode == 4, stderr
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("internal error: "), stderr
        text = out.read_text()
        assert text.startswith("[") and not text.rstrip().endswith("]")
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.kill()
                process.wait()

"""Cards as JSON Lines: the same cards and reports as YAML, errors by line, read lazily."""

from __future__ import annotations

import io
import json
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from bench.generate import dump_card, generate_cards
from bench.generate import main as generate
from kg import api
from kg.bulk import check_many
from kg.cards import jsonl
from kg.cards.jsonl import JsonLine, Stream
from kg.cards.read import read_card
from kg.cards.yaml_reader import Limits
from kg.cli import main
from kg.decide.check import Options
from kg.errors import InputError
from tests.conftest import JUNE4, kg


def _line(card: dict[str, Any]) -> str:
    """A card as one JSON line, its numbers, booleans and dates as JSON writes them."""
    return json.dumps(card, default=str)


@pytest.fixture(scope="module")
def june4() -> dict[str, Any]:
    """The June 4 card as YAML's types give it (numbers, booleans, dates)."""
    card: dict[str, Any] = yaml.safe_load(JUNE4.read_text(encoding="utf-8"))
    return card


@pytest.fixture(scope="module")
def synthetic() -> list[dict[str, Any]]:
    """Cards that check fast (the June 4 card weighs many readings and claims)."""
    return list(generate_cards(6, seed=0))


@pytest.fixture(scope="module")
def june4_report() -> tuple[int, Any]:
    """The June 4 card's exit status and report, checked as YAML."""
    result = kg("check", str(JUNE4), "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def _kg_input(data: str | bytes, *args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], input=data, catch_exceptions=False)


def test_a_json_line_gives_the_yaml_card_and_its_report(
    june4: dict[str, Any], june4_report: tuple[int, Any], tmp_path: Path
) -> None:
    line = _line(june4)
    assert '"card": 1,' in line and '"detained": 10' in line and '": true' in line  # not text
    ctx = api.context()
    from_yaml = read_card(JUNE4, ctx.codes)
    from_json = jsonl.parse(JsonLine("x.jsonl", 1, line), ctx.codes)
    assert from_json.data == from_yaml.data
    path = tmp_path / "june4.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    result = kg("check", str(path), "--format", "json")
    assert result.exit_code == june4_report[0], result.stderr
    assert json.loads(result.stdout) == [june4_report[1]]


def test_standard_input_is_json_lines(synthetic: list[dict[str, Any]], tmp_path: Path) -> None:
    card = synthetic[0]
    (tmp_path / "card.yaml").write_text(dump_card(card), encoding="utf-8")
    as_yaml = kg("check", str(tmp_path / "card.yaml"), "--format", "json")
    result = _kg_input("\n" + _line(card) + "\n\n", "-", "--format", "json")
    assert result.exit_code == as_yaml.exit_code and result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout) == [json.loads(as_yaml.stdout)]
    yaml_text = JUNE4.read_text(encoding="utf-8")
    result = _kg_input(yaml_text, "-", "--format", "json")  # - is never YAML
    assert result.exit_code == 3
    assert "<stdin>:1: the line is not JSON" in result.stderr
    assert json.loads(result.stdout) == []


def test_bad_lines_are_named_by_line_and_the_others_checked(
    synthetic: list[dict[str, Any]], tmp_path: Path
) -> None:
    first, wrong, other = (json.loads(_line(c)) for c in synthetic[:3])
    wrong["actions"][0]["kind"] = "flying"
    lines = [_line(first), "", '{"card": 1, "id": oops}', _line(wrong), "   ", _line(other)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = kg("check", str(path), "--format", "json", "--batch", "2")
    assert result.exit_code == 3
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 2, result.stderr
    assert (
        errors[0].startswith(f"error: {path}:3: the line is not JSON") and "column 19" in errors[0]
    )
    action = wrong["actions"][0]["id"]
    assert errors[1].startswith(f"error: {path}:4: field 'actions[{action}].kind': 'flying'")
    assert "Fix: use one of:" in errors[1]
    docs = json.loads(result.stdout)
    assert [d["incident"] for d in docs] == [first["id"], other["id"]]


def test_json_lines_mix_with_yaml_files_and_folders(
    synthetic: list[dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.yaml").write_text(dump_card(synthetic[0]), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(dump_card(synthetic[1]), encoding="utf-8")
    path = tmp_path / "c.jsonl"
    path.write_text(_line(synthetic[2]) + "\n" + _line(synthetic[3]), encoding="utf-8")
    result = _kg_input(
        _line(synthetic[4]), str(tmp_path / "folder"), str(tmp_path / "b.yaml"), str(path), "-"
    )
    assert result.exit_code in (0, 1), result.stderr
    docs = json.loads(result.stdout)
    assert [d["incident"] for d in docs] == [c["id"] for c in synthetic[:5]]


class _Counting(io.BytesIO):
    """A stream that records the most any one read asked for."""

    largest = 0

    def readline(self, size: int | None = -1) -> bytes:
        assert size is not None and size > 0, "a line is read whole"
        self.largest = max(self.largest, size)
        return super().readline(size)


def test_a_line_past_the_size_limit_is_refused_without_being_read_whole() -> None:
    limits = Limits(max_bytes=100)
    data = b'{"a": 1}\n' + b'{"a": "' + b"x" * 100_000 + b'"}\r\n \t\n{"b": true}'
    stream = _Counting(data)
    out = list(jsonl.read(Stream(stream, "big"), limits))
    assert stream.largest <= 1 << 16
    assert [type(o).__name__ for o in out] == ["JsonLine", "InputError", "JsonLine"]
    assert isinstance(out[1], InputError)
    assert str(out[1]).startswith("big:2: the line is longer than the limit of 100 bytes")
    assert isinstance(out[2], JsonLine) and (out[2].line, out[2].text) == (4, '{"b": true}')


def test_an_over_long_line_in_kg_check_is_one_bad_card(
    synthetic: list[dict[str, Any]], tmp_path: Path
) -> None:
    huge = {**synthetic[0], "summary": "x" * 1_100_000}
    path = tmp_path / "huge.jsonl"
    path.write_text(_line(huge) + "\n" + _line(synthetic[1]) + "\n", encoding="utf-8")
    result = kg("check", str(path), "--format", "json")
    assert result.exit_code == 3
    assert f"{path}:1: the line is longer than the limit of 1,000,000 bytes" in result.stderr
    assert [d["incident"] for d in json.loads(result.stdout)] == [synthetic[1]["id"]]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[" * 5000 + "]" * 5000, "nested more than 20 deep"),
        ('{"a": ' * 30 + "1" + "}" * 30, "nested more than 20 deep"),
        ('{"card": NaN}', "not JSON: NaN"),
        ('{"card": 1, "card": 1}', "field 'card': key 'card' appears twice"),
        ('{"card": "1\\u0007"}', "field 'card': a value holds the control character U+0007"),
        ('{"card": "\\ud800"}', "control character U+D800"),
        ("[1, 2]", "a card must be a mapping"),
        ('{"card": 1', "not JSON: Expecting ',' delimiter at column 11"),
    ],
)
def test_a_hostile_line_is_one_input_error_naming_its_line(text: str, needle: str) -> None:
    with pytest.raises(InputError) as err:
        jsonl.parse(JsonLine("in.jsonl", 7, text), api.context().codes)
    assert str(err.value).startswith("in.jsonl:7:") and needle in str(err.value)


def test_not_utf8_is_refused_with_its_line() -> None:
    out = list(jsonl.read(Stream(io.BytesIO(b"\n\n{\xff}\n{}\n"), "in")))
    assert isinstance(out[0], InputError) and str(out[0]).startswith("in:3: the file is not UTF-8")
    assert isinstance(out[1], JsonLine) and out[1].line == 4


def test_json_lines_are_read_as_the_batches_need_them(synthetic: list[dict[str, Any]]) -> None:
    lines = [_line({**synthetic[0], "id": f"copy-{i}"}) for i in range(40)]
    stream = io.BytesIO(("\n".join(lines) + "\n").encode())
    results = check_many([Stream(stream)], api.context(), Options(), batch=2, workers=1)
    first = next(results)
    assert [r.incident for r in first.reports] == ["copy-0", "copy-1"]
    assert stream.tell() < len(stream.getvalue()) // 4  # the rest is not read yet


def test_a_json_lines_file_on_worker_processes(
    synthetic: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = tmp_path / "four.jsonl"
    path.write_text("".join(_line(c) + "\n" for c in synthetic[:4]) + "{bad\n")
    results = list(check_many([path], api.context(), Options(), batch=1, workers=2))
    assert [r.incident for res in results for r in res.reports] == [c["id"] for c in synthetic[:4]]
    assert [str(e)[: len(str(path)) + 3] for res in results for e in res.errors] == [f"{path}:5:"]


def test_the_generator_writes_the_same_cards_as_json_lines(tmp_path: Path) -> None:
    as_yaml, as_jsonl = tmp_path / "yaml", tmp_path / "jsonl"
    assert generate(["5", "--out", str(as_yaml)]) == 0
    assert generate(["5", "--out", str(as_jsonl), "--format", "jsonl"]) == 0
    path = as_jsonl / "incidents.jsonl"
    assert not list(as_jsonl.glob("*.yaml"))
    codes = api.context().codes
    read = [jsonl.parse(x, codes) for x in jsonl.read(path) if isinstance(x, JsonLine)]
    assert [c.data for c in read] == list(islice(generate_cards(5, seed=0), 5))
    by_yaml = kg("check", str(as_yaml), "--format", "json")
    by_jsonl = kg("check", str(path), "--format", "json")
    assert by_yaml.exit_code == by_jsonl.exit_code and by_jsonl.exit_code in (0, 1)
    docs = json.loads(by_jsonl.stdout)
    assert len(docs) == 5
    assert sorted(json.loads(by_yaml.stdout), key=lambda d: d["incident"]) == sorted(
        docs, key=lambda d: d["incident"]
    )


def test_a_lone_json_lines_file_that_is_not_there_is_bad_usage(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and result.stdout == ""
    assert "nope.jsonl" in result.stderr and "Fix:" in result.stderr

"""The saved queries (queries/*.rq): what their headers declare, their answers on example
parameters (golden files), agreement of `who-may-investigate` with `kg who`, and
`kg query` on the command line.

Answers are compared as sorted lists of rows of plain strings, so that a test depends
neither on the order of rows nor on how a store spells a term. To rewrite the golden
files: `pytest tests/queries --update-golden`, then read the diff (a golden file that
encodes a wrong answer is a bug)."""

from __future__ import annotations

import csv
import functools
import gc
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.query import Result as SparqlResult

from kg import api
from kg.cli import main
from kg.namespaces import AKG, INC, LAW
from kg.results import Competence
from kg.store import queries, summary
from kg.store.base import Result as StoreResult
from kg.store.embedded import EmbeddedStore
from kg.store.sparql import bind_values
from tests.conftest import ROOT, kg

GOLDEN = Path(__file__).parent / "golden"
INCIDENT = str(INC["south-loop-2025-06-04"])

# The example parameters of every saved query, as a user writes them (--param name=value).
EXAMPLES: dict[str, dict[str, str]] = {
    "amendment-changes": {"amendment": "o2021-117"},
    "competence-gaps-and-overlaps": {"date": "2025-06-04"},
    "complaint-counts": {},
    "complaints-and-competence": {"allegation": "welcoming-city-violation"},
    "contested-provisions": {},
    "describe-provision": {"provision": str(LAW["mcc/2-173-030"])},
    "disputed-facts": {},
    "federal-calls-answered-by-cpd": {},
    "findings-by-provision": {},
    "grants-of-agency": {"agency": "COPA", "date": "2025-06-04"},
    "incident-competence": {"incident": INCIDENT},
    "incident-facts": {"incident": INCIDENT},
    "incidents-by-month": {},
    "incomplete-provisions": {},
    "norms-binding": {"agency": "OEMC", "role": "dispatcher"},
    "open-questions": {},
    "provision-sources": {"provision": str(LAW["mcc/2-173-020"])},
    "provisions-in-force": {"chapter": str(LAW["mcc/ch-2-173"]), "date": "2019-06-01"},
    "section-history": {"section": str(LAW["mcc/2-173-020"])},
    "who-may-investigate": {
        "allegation": "welcoming-city-violation",
        "respondent": "CPD:officer",
        "date": "2025-06-04",
    },
    "who-oversees-agency": {"agency": "COPA"},
}

PARAM_TYPES = {"iri", "date", "string", "integer"}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def run(store: Any, name: str, params: dict[str, str]) -> StoreResult:
    """A saved query on a store, its parameters bound as `kg query --param` binds them."""
    saved = queries.catalog()[name]
    result: StoreResult = store.query(saved.text, queries.bind(saved, params, api.context().codes))
    return result


def plain(result: StoreResult) -> dict[str, Any]:
    """An answer as plain strings: sorted rows (SELECT) or sorted triples (CONSTRUCT)."""
    if result.kind == "graph":
        return {"triples": sorted([str(term) for term in t] for t in result.triples)}
    if result.kind == "ask":
        return {"boolean": result.boolean}
    rows = sorted(
        [str(row[v]) if v in row else "" for v in result.variables] for row in result.rows
    )
    return {"variables": list(result.variables), "rows": rows}


def golden_text(answer: dict[str, Any]) -> str:
    """A golden file: JSON with one row (or triple) per line, for reading and diffs."""
    lines = []
    for key, value in answer.items():
        if key in ("rows", "triples"):
            items = ",\n".join("  " + json.dumps(v, ensure_ascii=False) for v in value)
            lines.append(f'"{key}": [\n{items}\n]' if value else f'"{key}": []')
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def column(result: StoreResult, name: str) -> set[str]:
    return {str(row[name]) for row in result.rows if name in row}


# -- the saved queries' headers ------------------------------------------------------------


def _expression_vars(e: Any, out: set[Variable]) -> set[Variable]:
    if isinstance(e, Variable):
        out.add(e)
    elif isinstance(e, CompValue):
        if e.name not in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            for key, value in e.items():
                if key != "_vars":
                    _expression_vars(value, out)
    elif isinstance(e, list | tuple):
        for x in e:
            _expression_vars(x, out)
    return out


def _in_scope(node: Any) -> set[Variable]:
    """The variables a pattern of the algebra can bind."""
    if not isinstance(node, CompValue):
        return set()
    if node.name == "BGP":
        return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
    if node.name == "ToMultiSet":  # a VALUES block, or a subquery's projection
        inner = node.p
        while isinstance(inner, CompValue) and inner.name in ("Distinct", "Reduced", "Slice"):
            inner = inner.p  # SELECT DISTINCT / REDUCED / LIMIT wrap the projection
        if isinstance(inner, CompValue) and inner.name == "Project":
            return set(inner.PV)
        return {v for row in node.p.res for v in row}
    if node.name == "Graph":
        return _in_scope(node.p) | ({node.term} if isinstance(node.term, Variable) else set())
    if node.name == "Extend":
        return _in_scope(node.p) | {node.var}
    if node.name == "AggregateJoin":  # GROUP BY: the aggregates' results are bound too
        return _in_scope(node.p) | {a.res for a in node.A}
    if node.name == "Minus":
        return _in_scope(node.p1)
    if node.name == "Project":
        return set(node.PV)
    out: set[Variable] = set()
    for key in ("p", "p1", "p2"):
        if key in node:
            out |= _in_scope(node[key])
    return out


def _check(node: Any, free: set[Variable], outside: list[Any], in_graph: bool = False) -> None:
    """Collect the variables expressions use but no pattern in their group binds (`free`)
    and the triple patterns outside any GRAPH (`outside`)."""
    if not isinstance(node, CompValue):
        return
    if node.name == "BGP" and node.triples and not in_graph:
        outside.extend(node.triples)
    if node.name == "Graph":
        _check(node.p, free, outside, True)
        return
    if node.name in ("Filter", "Extend"):
        free |= _expression_vars(node.expr, set()) - _in_scope(node.p)
    if node.name == "LeftJoin":
        free |= _expression_vars(node.expr, set()) - _in_scope(node.p1) - _in_scope(node.p2)
    if node.name in ("Filter", "Extend", "LeftJoin") or node.name.startswith("Builtin_"):
        for e in _expression_vars_nodes(node.get("expr")):
            _check(e.graph, free, outside, False)
    for key in ("p", "p1", "p2"):
        if key in node:
            _check(node[key], free, outside, in_graph)


def _expression_vars_nodes(e: Any) -> list[CompValue]:
    """The EXISTS / NOT EXISTS patterns inside an expression."""
    if isinstance(e, CompValue):
        if e.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            return [e]
        return [x for key, v in e.items() if key != "_vars" for x in _expression_vars_nodes(v)]
    if isinstance(e, list | tuple):
        return [x for v in e for x in _expression_vars_nodes(v)]
    return []


def _has_left_join(node: Any) -> bool:
    if isinstance(node, CompValue):
        return node.name == "LeftJoin" or any(
            _has_left_join(node[k]) for k in ("p", "p1", "p2") if k in node
        )
    return False


def optionals_inside_graph(text: str) -> bool:
    """Whether an OPTIONAL sits inside a GRAPH block: Oxigraph evaluates such an OPTIONAL
    without the bindings of the block, so its cost grows with the whole store (7 s at 8k
    incidents for one query); `OPTIONAL { GRAPH ?g { ... } }` after the block is the same
    query and stays linear."""

    def walk(node: Any) -> bool:
        if not isinstance(node, CompValue):
            return False
        if node.name == "Graph":
            return _has_left_join(node.p)
        return any(walk(node[k]) for k in ("p", "p1", "p2") if k in node)

    return walk(translateQuery(parseQuery(text)).algebra)


def scope_problems(text: str) -> tuple[set[str], list[Any]]:
    free: set[Variable] = set()
    outside: list[Any] = []
    _check(translateQuery(parseQuery(text)).algebra, free, outside)
    return {str(v) for v in free}, outside


@pytest.mark.parametrize("name", sorted(queries.catalog()))
def test_saved_query_documents_itself(name: str) -> None:
    q = queries.catalog()[name]
    assert SLUG.fullmatch(name), f"{name}: file names are slugs"
    assert q.title and q.title != name, f"{name}: no '# title:' line"
    assert len(q.description) > 40, f"{name}: no '# description:' line"
    names = [p.name for p in q.params]
    assert len(names) == len(set(names)), f"{name}: a parameter is declared twice"
    schemes = api.context().codes.by_scheme
    body = "\n".join(line for line in q.text.splitlines() if not line.lstrip().startswith("#"))
    for p in q.params:
        assert p.doc, f"{name}: parameter {p.name} has no documentation"
        assert p.type in PARAM_TYPES or (p.type.startswith("code:") and p.type[5:] in schemes), (
            f"{name}: parameter {p.name} has the unknown type {p.type}"
        )
        assert re.search(rf"[?$]{p.name}\b", body), f"{name}: ?{p.name} is not used"
    # every variable the query reads but does not bind comes from the user, so it is declared
    free, outside = scope_problems(q.text)
    assert free <= set(names), f"{name}: undeclared parameters {sorted(free - set(names))}"
    assert not outside, f"{name}: triple patterns outside GRAPH: {outside}"
    assert not optionals_inside_graph(q.text), (
        f"{name}: an OPTIONAL inside GRAPH ?g {{ }}; write OPTIONAL {{ GRAPH ?g {{ }} }} after it"
    )
    # bound as `kg query` binds them (a VALUES block opening WHERE), every parameter is in
    # scope wherever it is read: none is read only inside a group the values do not reach
    bound = bind_values(q.text, {n: Literal("x") for n in names}) if names else q.text
    free, _ = scope_problems(bound)
    assert not free, f"{name}: read where the bound values do not reach: {sorted(free)}"
    assert name in EXAMPLES, f"{name}: no example parameters, so no golden test"
    assert (GOLDEN / f"{name}.json").exists(), f"{name}: no golden file (--update-golden)"


def test_examples_and_golden_files_match_the_saved_queries() -> None:
    saved = set(queries.catalog())
    assert len(saved) >= 15
    assert set(EXAMPLES) == saved
    assert {p.stem for p in GOLDEN.glob("*.json")} == saved
    pif = queries.catalog()["provisions-in-force"]
    assert [(p.name, p.type) for p in pif.params] == [("chapter", "iri"), ("date", "date")]


def test_the_check_finds_an_optional_inside_a_graph_block() -> None:
    inside = "SELECT * WHERE { GRAPH ?g { ?s a ?c OPTIONAL { ?s <urn:x:p> ?o } } }"
    after = "SELECT * WHERE { GRAPH ?g { ?s a ?c } OPTIONAL { GRAPH ?g { ?s <urn:x:p> ?o } } }"
    assert optionals_inside_graph(inside)
    assert not optionals_inside_graph(after)


def test_the_scope_check_finds_a_parameter_read_inside_a_graph_group() -> None:
    bad = "SELECT ?p WHERE { GRAPH ?g { ?p <urn:x:from> ?from FILTER(?from <= ?date) } }"
    assert scope_problems(bad)[0] == {"date"}
    assert scope_problems(bind_values(bad, {"date": Literal("x")}))[0] == {"date"}
    good = "SELECT ?p WHERE { GRAPH ?g { ?p <urn:x:from> ?from } FILTER(?from <= ?date) }"
    assert not scope_problems(bind_values(good, {"date": Literal("x")}))[0]
    assert scope_problems("SELECT ?s WHERE { ?s ?p ?o }")[1]


# -- answers on the example parameters -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_saved_query_answers_as_its_golden_file(
    name: str, analyst_store: Any, update_golden: bool
) -> None:
    params = EXAMPLES[name]
    answer = {"query": name, "params": params, **plain(run(analyst_store, name, params))}
    path = GOLDEN / f"{name}.json"
    if update_golden and isinstance(analyst_store, EmbeddedStore):
        path.write_text(golden_text(answer), "utf-8")
    assert path.exists(), f"no golden file for {name}: run with --update-golden"
    assert json.loads(path.read_text("utf-8")) == answer


def every_parameter(name: str) -> dict[str, str]:
    """The example parameters with every optional one given too, from its documentation's
    `e.g. VALUE`."""
    params = dict(EXAMPLES[name])
    for p in queries.catalog()[name].params:
        if p.name not in params:
            found = re.search(r"e\.g\. (\S+)", p.doc)
            assert found, f"{name}: parameter {p.name} gives no example (e.g. VALUE)"
            params[p.name] = found.group(1).rstrip(".,;)")
    return params


WITH_OPTIONALS = sorted(n for n in EXAMPLES if every_parameter(n) != EXAMPLES[n])


@pytest.mark.parametrize("name", WITH_OPTIONALS)
def test_saved_query_with_every_parameter_answers_as_the_embedded_store(
    name: str, analyst_store: Any, analyst_data: tuple[Any, Any]
) -> None:
    """Each optional parameter given too (a date on who-oversees-agency once stopped
    Virtuoso 7.2 with SP031): every store answers as the embedded store does."""
    params = every_parameter(name)
    reference = EmbeddedStore(None)
    dataset, determinations = analyst_data
    reference.replace_all(dataset)
    reference.replace_graphs(determinations)
    summary.refresh(reference)
    want = plain(run(reference, name, params))
    assert plain(run(analyst_store, name, params)) == want
    assert want.get("rows") or want.get("triples"), f"{name}: no answer to compare"


def test_no_agency_before_the_graph_covers_the_date_is_one_undetermined_row(
    analyst_store: Any,
) -> None:
    # before IPRA (2007) the graph encodes no power over CPD members: not a gap
    args = {"allegation": "excessive-force", "respondent": "CPD:officer", "date": "2005-01-01"}
    result = run(analyst_store, "who-may-investigate", args)
    assert [sorted(row) for row in result.rows] == [["status", "validFrom", "validUntil"]]
    assert column(result, "status") == {"undetermined"}
    ipra = run(analyst_store, "who-may-investigate", {**args, "date": "2016-01-01"})
    assert column(ipra, "agency") == {"IPRA"}
    later = run(analyst_store, "who-may-investigate", {**args, "date": "2019-06-01"})
    assert column(later, "status") == {"clear"} and column(later, "agency") == {"COPA"}
    assert column(later, "citation") == {"2-78-120(b)"}


def test_optional_date_keeps_the_law_in_force_that_day(analyst_store: Any) -> None:
    oemc = {"agency": "OEMC", "role": "dispatcher"}
    proposed = str(LAW["amendment/oemc-supervisor-consult/norm/1"])
    a6 = str(LAW["norm/2-173-020-a-6"])
    every = column(run(analyst_store, "norms-binding", oemc), "norm")
    assert {proposed, a6} <= every
    in_2019 = column(run(analyst_store, "norms-binding", {**oemc, "date": "2019-06-01"}), "norm")
    assert proposed not in in_2019 and a6 not in in_2019 and in_2019 < every
    # CPD's own norms do not bind OEMC dispatchers; OEMC supervisors are not dispatchers
    assert str(LAW["norm/2-173-020-b"]) not in every
    supervisors = run(analyst_store, "norms-binding", {"agency": "OEMC", "role": "supervisor"})
    assert proposed not in column(supervisors, "norm")
    grants = column(run(analyst_store, "grants-of-agency", {"agency": "COPA"}), "grant")
    assert str(LAW["amendment/copa-wco-jurisdiction/grant/1"]) in grants
    before = run(analyst_store, "grants-of-agency", {"agency": "COPA", "date": "2016-01-01"})
    assert before.rows == ()


def test_optional_provision_narrows_the_findings(analyst_store: Any) -> None:
    every = run(analyst_store, "findings-by-provision", {})
    b = run(analyst_store, "findings-by-provision", {"provision": str(LAW["mcc/2-173-020/b"])})
    assert column(b, "citation") == {"2-173-020(b)"}
    assert column(b, "finding") < column(every, "finding")


def test_the_law_nests_no_deeper_than_the_bounded_paths_reach(analyst_store: Any) -> None:
    """The saved queries follow eli:is_part_of up to 6 steps and org:subOrganizationOf up
    to 3, not with `+` (servers disagree on transitive paths inside GRAPH ?g)."""
    for prop, steps in (
        ("<http://data.europa.eu/eli/ontology#is_part_of>", 7),
        ("<http://www.w3.org/ns/org#subOrganizationOf>", 4),
    ):
        path = "/".join([prop] * steps)
        text = f"SELECT ?x WHERE {{ GRAPH ?g {{ ?x {path} ?y }} }} LIMIT 1"
        assert analyst_store.query(text).rows == (), f"{prop} nests {steps} deep"


# -- who-may-investigate agrees with `kg who` -------------------------------------------------

DATES = ("2016-01-01", "2019-06-01", "2025-06-04")


@functools.cache
def kg_who(date: str) -> dict[tuple[str, str], Competence]:
    """`kg who` (kg.api.who) for every allegation against every respondent kind on the
    date; kept for the run, so that the second store compares with the same answers."""
    codes = api.context().codes
    return {
        (a, r): api.who(allegation=a, respondent=r, date=date)
        for a in codes.notations("allegation")
        for r in codes.notations("respondent")
    }


def expected(c: Competence) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    """Status, agencies and (agency, reading) pairs of an answer of `kg who`."""
    return (
        {c.status},
        {a.agency for a in c.agencies},
        {(a.agency, r) for a in c.agencies for r in a.readings},
    )


@pytest.mark.parametrize("date", DATES)
def test_who_may_investigate_agrees_with_kg_who(analyst_store: Any, date: str) -> None:
    differ = []
    for (allegation, respondent), answer in sorted(kg_who(date).items()):
        params = {"allegation": allegation, "respondent": respondent, "date": date}
        result = run(analyst_store, "who-may-investigate", params)
        got = (
            column(result, "status"),
            column(result, "agency"),
            {(str(r["agency"]), str(r["reading"])) for r in result.rows if "reading" in r},
        )
        if got != expected(answer):
            differ.append(f"{allegation} / {respondent}: store {got}, kg who {expected(answer)}")
    assert len(kg_who(date)) == 16 * 7
    assert not differ, "\n".join(differ)


# -- kg query on the command line ---------------------------------------------------------------

WHO = (
    "who-may-investigate",
    "--param",
    "allegation=welcoming-city-violation",
    "--param",
    "respondent=CPD:officer",
    "--param",
    "date=2025-06-04",
)
WHO_VARIABLES = ["status", "agency", "citation", "reading", "grant", "validFrom", "validUntil"]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedded store for the module, built by the first `kg query` that needs it."""
    return tmp_path_factory.mktemp("kg-query") / "store"


@pytest.fixture
def cli_store(monkeypatch: pytest.MonkeyPatch, store_dir: Path) -> Path:
    gc.collect()  # a store an earlier command left open (e.g. in a traceback) holds the lock
    monkeypatch.setenv("KG_STORE", str(store_dir))
    monkeypatch.delenv("KG_ENDPOINT", raising=False)
    return store_dir


def kg_stdin(text: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["query", "-", *args], input=text, catch_exceptions=False)


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.stderr
    assert "error" not in result.stderr
    return result.stdout


def error_message(result: Result) -> str:
    """The one error message of a command that failed on bad input (exit status 2, nothing
    on standard output); the only other line it may write is the first-use notice."""
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert all(line.startswith("building the store") for line in lines if line not in errors)
    assert "Fix:" in errors[0]
    return errors[0]


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_kg_query_writes_solutions_in_every_format(cli_store: Path, fmt: str) -> None:
    out = ok(kg("query", *WHO, "--format", fmt))
    if fmt == "table":
        lines = out.splitlines()
        assert lines[0].split() == WHO_VARIABLES
        assert lines[-1] == "(3 rows)"
        assert {line.split()[1] for line in lines[2:-1]} == {"COPA", "CPD-BIA", "OIG"}
        assert "law:grant/wco-cpd-copa" in out  # IRIs written with the project's prefixes
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert rows[0] == WHO_VARIABLES and len(rows) == 4
        assert {r[1] for r in rows[1:]} == {"COPA", "CPD-BIA", "OIG"}
    elif fmt == "tsv":
        assert out.splitlines()[0] == "\t".join(f"?{v}" for v in WHO_VARIABLES)
        parsed = SparqlResult.parse(io.StringIO(out), format="tsv")
        assert [str(v) for v in parsed.vars] == WHO_VARIABLES
        assert {str(b[Variable("agency")]) for b in parsed.bindings} == {"COPA", "CPD-BIA", "OIG"}
        assert {b[Variable("validFrom")] for b in parsed.bindings} == {
            Literal("2017-09-15", datatype=XSD.date)
        }
    elif fmt == "json":
        doc = json.loads(out)
        assert doc["head"]["vars"] == WHO_VARIABLES
        agencies = {b["agency"]["value"] for b in doc["results"]["bindings"]}
        assert agencies == {"COPA", "CPD-BIA", "OIG"}
    else:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        root = ET.fromstring(out)
        assert [v.get("name") for v in root.iter(f"{ns}variable")] == WHO_VARIABLES
        assert len(list(root.iter(f"{ns}result"))) == 3


@pytest.mark.parametrize(
    "fmt,parse_as", [("turtle", "turtle"), ("jsonld", "json-ld"), ("nt", "nt")]
)
def test_kg_query_writes_a_graph_in_every_format(cli_store: Path, fmt: str, parse_as: str) -> None:
    section = LAW["mcc/2-173-030"]
    out = ok(kg("query", "describe-provision", "--param", f"provision={section}", "--format", fmt))
    g = Graph().parse(data=out, format=parse_as)
    assert (section, AKG.citation, Literal("2-173-030")) in g
    assert len(set(g.subjects(AKG.versionOf, section))) == 3


def test_kg_query_refuses_a_graph_format_for_solutions(cli_store: Path) -> None:
    message = error_message(kg("query", *WHO, "--format", "turtle"))
    assert "use table, csv, tsv, json or xml" in message


def test_kg_query_runs_a_query_file(cli_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "sections.rq"
    path.write_text(
        "# title: Sections of a chapter\n"
        "# param chapter: iri - the chapter\n"
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
        "PREFIX akg: <https://w3id.org/authority-kg/ontology#>\n"
        "SELECT ?citation WHERE {\n"
        "  GRAPH ?g { ?s eli:is_part_of ?chapter ; a akg:Section ; akg:citation ?citation }\n"
        "}\n",
        "utf-8",
    )
    out = ok(kg("query", str(path), "--param", f"chapter={LAW['mcc/ch-2-84']}", "--format", "csv"))
    assert out.splitlines()[0] == "citation"
    assert all(line.startswith("2-84-") for line in out.splitlines()[1:])
    assert len(out.splitlines()) > 1
    assert "no such query file" in error_message(kg("query", str(tmp_path / "nowhere.rq")))


def test_kg_query_reads_standard_input(cli_store: Path) -> None:
    incidents = (
        "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {\n"
        "  GRAPH ?g { ?i a <https://w3id.org/authority-kg/ontology#Incident> }\n"
        "}\n"
    )
    cards = len(list((ROOT / "incidents").glob("*.yaml")))
    assert ok(kg_stdin(incidents, "--format", "csv")).splitlines() == ["n", str(cards)]


def test_kg_query_answers_an_ask_query(cli_store: Path) -> None:
    ask = "ASK { GRAPH ?g { ?grant a <https://w3id.org/authority-kg/ontology#Grant> } }"
    assert ok(kg_stdin(ask)) == "yes\n"
    no = "ASK { GRAPH ?g { ?x a <https://w3id.org/authority-kg/ontology#NoSuchClass> } }"
    assert json.loads(ok(kg_stdin(no, "--format", "json")))["boolean"] is False


def test_a_syntax_error_names_the_line_and_column(cli_store: Path) -> None:
    text = (
        "PREFIX akg: <https://w3id.org/authority-kg/ontology#>\n"
        "SELECT ?s WHERE {\n"
        "  GRAPH ?g { ?s akg:citation ?c }\n"
        '  FILTER(?c = "a" "b")\n'
        "}\n"
    )
    message = error_message(kg_stdin(text))
    assert message.startswith("error: <stdin>:4: ") and "column 23" in message


@pytest.mark.parametrize(
    "args,word",
    [
        ((*WHO, "--param", "colour=red"), "colour"),
        (WHO[:-2], "date"),
        ((*WHO[:-1], "date=2025-02-30"), "2025-02-30"),
        ((*WHO[:-1], "date=4 June 2025"), "YYYY-MM-DD"),
        (("who-may-investigate", "--param", "allegation=jaywalking", *WHO[3:]), "jaywalking"),
        (
            ("who-may-investigate", "--param", "respondent=CPD:janitor", *WHO[1:3], *WHO[5:]),
            "CPD:janitor",
        ),
        ((*WHO, "--param", "date"), "name=value"),
        (("no-such-query",), "no saved query"),
    ],
)
def test_bad_parameters_get_one_message_and_status_2(
    cli_store: Path, args: tuple[str, ...], word: str
) -> None:
    assert word in error_message(kg("query", *args))


def test_kg_query_lists_the_saved_queries() -> None:
    out = ok(kg("query", "--list"))
    for name, q in queries.catalog().items():
        assert name in out and q.title in out
    assert "--param allegation=<code:allegation>" in out
    assert ok(kg("query")) == out

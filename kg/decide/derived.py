"""Reading what a run derived: the SELECT queries of kg/decide/readers/, and evaluations
with their conditions' and exceptions' outcomes built from the rows they return."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rdflib import URIRef
from rdflib.term import Node

from kg.decide import explain
from kg.decide.evaluation import Evaluation, Outcome
from kg.decide.worlds import World
from kg.errors import InternalError
from kg.law.codes import CodeIndex
from kg.namespaces import AKG, INC, SHAPES
from kg.reasoning.results import Derived, Result, Row

FOLDER = Path(__file__).resolve().parent / "readers"

VERDICT_OF_NODE = {
    AKG.Violates: "violates",
    AKG.Complies: "complies",
    AKG.Undetermined: "undetermined",
}
VERDICT_OF_SHAPE = {
    SHAPES.NormBroken: "violates",
    SHAPES.NormComplied: "complies",
    SHAPES.NormUndetermined: "undetermined",
}


@cache
def query(name: str) -> str:
    """The text of kg/decide/readers/NAME.rq."""
    return (FOLDER / f"{name}.rq").read_text(encoding="utf-8")


def by_node(rows: Iterable[Row], key: str) -> dict[Node, list[Row]]:
    """Rows grouped by the node in column `key`, in the order they came."""
    out: dict[Node, list[Row]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def first(rows: list[Row], column: str) -> Node | None:
    """The value of `column` in these rows (the least, as text, if a rule gave several)."""
    values = {r[column] for r in rows if column in r}
    return min(values, key=str) if values else None


def iri(rows: list[Row], column: str, node: Node) -> URIRef:
    value = first(rows, column)
    if not isinstance(value, URIRef):
        raise InternalError(f"the rules gave <{node}> no IRI for {column}")
    return value


def _outcome_name(node: Node | None) -> str:
    if node == AKG.Holds:
        return "holds"
    return "fails" if node == AKG.Fails else "undetermined"


def _items_used(seen: dict[URIRef, list[Node]]) -> tuple[URIRef, ...]:
    """The incident items a condition result read: the subject, and items it reached."""
    found = set(seen.get(AKG.observedItem, ())) | set(seen.get(AKG.observedValue, ()))
    return tuple(sorted(i for i in found if isinstance(i, URIRef) and str(i).startswith(str(INC))))


def read_evaluations(
    run: Derived, results: list[Result], worlds_of: dict[URIRef, World], codes: CodeIndex
) -> list[Evaluation]:
    """The evaluations of a run, each tagged with the world its incident was run in."""
    evals: dict[Node, Evaluation] = {}
    for e, rows in by_node(run.select(query("evaluations")), "e").items():
        verdict = first(rows, "verdict")
        if not isinstance(verdict, URIRef) or verdict not in VERDICT_OF_NODE:
            raise InternalError(f"no rule gave a verdict for the evaluation <{e}>")
        readings = {rd for row in rows if isinstance(rd := row.get("reading"), URIRef)}
        incident = iri(rows, "incident", e)
        evals[e] = Evaluation(
            subject=iri(rows, "subject", e),
            norm=iri(rows, "norm", e),
            readings=tuple(sorted(readings, key=str)),
            world=worlds_of.get(incident, World(())),
            incident=incident,
            verdict=VERDICT_OF_NODE[verdict],
        )
    for r in results:
        ev = evals.get(r.focus)
        if ev is None or r.shape not in VERDICT_OF_SHAPE:
            continue
        if VERDICT_OF_SHAPE[r.shape] != ev.verdict:
            raise InternalError(
                f"the shape <{r.shape}> reports {VERDICT_OF_SHAPE[r.shape]} for <{r.focus}>, "
                f"whose derived verdict is {ev.verdict}"
            )
        if ev.verdict == "undetermined" and r.value is not None:
            ev.missing.add(str(r.value))
    seen: dict[Node, dict[URIRef, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for row in run.select(query("observations")):
        p = row["p"]
        assert isinstance(p, URIRef)
        seen[row["res"]][p].append(row["o"])
    for res, rows in by_node(run.select(query("outcomes")), "res").items():
        # an exception result is an evaluation's; a condition result may be shared by every
        # evaluation of its subject that weighs the condition (each sorts its own below)
        mine_of = [evals[e] for e in {r["e"] for r in rows} if e in evals]
        if not mine_of:
            continue
        outcome = _outcome_name(first(rows, "outcome"))
        node = iri(rows, "node", res)
        if first(rows, "kind") == AKG.ExceptionResult:
            if len(mine_of) > 1:
                raise InternalError(f"the exception result <{res}> is given to several evaluations")
            mine_of[0].exceptions.append(Outcome(node=node, outcome=outcome))
            continue
        mine = seen.get(res, {})
        found = Outcome(
            node=node,
            outcome=outcome,
            missing=tuple(sorted({str(m) for m in mine.get(AKG.missing, ())})),
            facts=explain.observed_facts(run.graph, mine, codes),
            items=_items_used(mine),
        )
        for ev in mine_of:
            ev.conditions.append(found)
    for ev in evals.values():  # a stable order, whatever the engine's
        ev.conditions.sort(key=lambda o: str(o.node))
        ev.exceptions.sort(key=lambda o: str(o.node))
    return list(evals.values())
